"""torch.optim.Adam: its documented algorithm: defaults, L2 weight decay, amsgrad, decoupled weight decay."""

import numpy as np
import pytest
import torch

from conformance.training.shared import GRADS, PARAMS, adam_reference, optimizer_steps
from suite.expect import assert_close
from suite.spec import spec

URL = "https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html"
DEFAULTS = ("betas (tuple[float | Tensor, float | Tensor], optional): coefficients used for computing running "
            "averages of gradient and its square. If a tensor is provided, must be 1-element. (default: (0.9, 0.999))")
WEIGHT_DECAY = "weight_decay (float, optional): weight decay (L2 penalty) (default: 0)"
AMSGRAD = ("amsgrad (bool, optional): whether to use the AMSGrad variant of this algorithm from the paper "
           "`On the Convergence of Adam and Beyond`_ (default: False)")
DECOUPLED = ("decoupled_weight_decay (bool, optional): if True, this optimizer is equivalent to AdamW and the "
             "algorithm will not accumulate weight decay in the momentum nor variance. (default: False)")

# Large gradients, then small ones: the running maximum of v then differs from v (amsgrad).
FADING = [g * np.array([8.0, 1.0, 0.125]).reshape(-1, *[1] * (g.ndim - 1)) for g in GRADS]


def case(kwargs, reference, claim, id, grads=GRADS, unlike=None):
    """``unlike``: the reference of a variant the case must be told apart from."""
    return pytest.param(kwargs, reference, grads, unlike, id=id, marks=spec("torch.optim.Adam", claim, url=URL))


CASES = [
    # Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay, no amsgrad.
    case({}, {}, DEFAULTS, "defaults", unlike={"betas": (0.8, 0.99)}),
    case({"lr": 0.1, "weight_decay": 0.5}, {"lr": 0.1, "weight_decay": 0.5}, WEIGHT_DECAY, "weight-decay",
         unlike={"lr": 0.1, "weight_decay": 0.5, "decoupled": True}),
    case({"lr": 0.1, "betas": (0.5, 0.5), "amsgrad": True}, {"lr": 0.1, "betas": (0.5, 0.5), "amsgrad": True},
         AMSGRAD, "amsgrad", FADING, unlike={"lr": 0.1, "betas": (0.5, 0.5)}),
    case({"lr": 0.1, "weight_decay": 0.5, "decoupled_weight_decay": True},
         {"lr": 0.1, "weight_decay": 0.5, "decoupled": True}, DECOUPLED, "decoupled",
         unlike={"lr": 0.1, "weight_decay": 0.5}),
]


@pytest.mark.parametrize("kwargs, reference, grads, unlike", CASES)
def test_adam_follows_its_documented_algorithm(run, kwargs, reference, grads, unlike):
    got = optimizer_steps(run, lambda params: torch.optim.Adam(params, **kwargs), grads)
    for i, (p, g) in enumerate(zip(PARAMS, grads)):
        expected = adam_reference(p, g, **reference)
        # The inputs tell this variant from its neighbour by far more than float32's tolerance.
        assert np.abs(expected - adam_reference(p, g, **unlike)).max() > 1e-4, \
            f"test inputs do not tell Adam({reference}) from Adam({unlike})"
        assert_close(got[i], expected, torch.float32, f"parameter {i} after each of 3 steps of Adam({kwargs})")
