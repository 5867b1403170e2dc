"""torch.optim.AdamW: decoupled weight decay (p -= lr * weight_decay * p), not Adam's L2 term; its default 1e-2."""

import numpy as np
import pytest
import torch

from conformance.training.shared import GRADS, PARAMS, adam_reference, optimizer_steps
from suite.expect import assert_close
from suite.spec import spec

URL = "https://docs.pytorch.org/docs/stable/generated/torch.optim.AdamW.html"
DECOUPLED = "Implements AdamW algorithm, where weight decay does not accumulate in the momentum nor variance."
DEFAULT = "weight_decay (float, optional): weight decay coefficient (default: 1e-2)"

CASES = [
    pytest.param({"lr": 0.1, "weight_decay": 0.5}, 0.5, id="weight-decay",
                 marks=spec("torch.optim.AdamW", DECOUPLED, url=URL)),
    pytest.param({"lr": 0.1}, 1e-2, id="default-weight-decay", marks=spec("torch.optim.AdamW", DEFAULT, url=URL)),
]


@pytest.mark.parametrize("kwargs, weight_decay", CASES)
def test_adamw_decays_the_parameter_outside_the_moments(run, kwargs, weight_decay):
    # Each step: p -= lr * weight_decay * p first, then Adam's update from the raw gradient.
    got = optimizer_steps(run, lambda params: torch.optim.AdamW(params, **kwargs))
    for i, (p, g) in enumerate(zip(PARAMS, GRADS)):
        expected = adam_reference(p, g, lr=0.1, weight_decay=weight_decay, decoupled=True)
        # Adam's L2 decay, and no decay at all, are both far from it on these inputs.
        assert np.abs(expected - adam_reference(p, g, lr=0.1, weight_decay=weight_decay)).max() > 1e-4, \
            "test inputs do not tell decoupled decay from Adam's L2 decay"
        assert np.abs(expected - adam_reference(p, g, lr=0.1)).max() > 1e-4, \
            "test inputs do not tell decoupled decay from no decay"
        assert_close(got[i], expected, torch.float32, f"parameter {i} after each of 3 steps of AdamW({kwargs})")
