"""torch.nn.utils.clip_grad_norm_: the total norm of all gradients as one vector, returned; gradients scaled
in place by max_norm / (total_norm + 1e-6) only when that is below 1."""

import math

import numpy as np
import pytest
import torch

from suite.expect import assert_close
from suite.spec import spec

OP = "torch.nn.utils.clip_grad_norm_"
URL = "https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html"
TOTAL = ("The norm is computed over the norms of the individual gradients of all parameters, as if the norms of the "
         "individual gradients were concatenated into a single vector.")
NORM_TYPE = ("norm_type (float, optional): type of the used p-norm. Can be ``'inf'`` for infinity norm. "
             "Default: 2.0")
EQUIVALENT = ("This function is equivalent to :func:`torch.nn.utils.get_total_norm` followed by "
              ":func:`torch.nn.utils.clip_grads_with_norm_` with the ``total_norm`` returned by ``get_total_norm``.")
# clip_grads_with_norm_'s docs: grad = grad * min(max_norm / (total_norm + 1e-6), 1).

GRADS = [np.array([3.0, -4.0, 1.0]), np.array([[2.0, 0.5], [-6.0, 1.5]])]  # a 2-norm of about 8.3


def clip(grads, **kwargs):
    """clip_grad_norm_ on parameters with these gradients: (returned total norm, gradients after)."""
    def fn(*gs):
        params = [torch.zeros_like(g, requires_grad=True) for g in gs]
        for p, g in zip(params, gs):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(params, **kwargs)
        return total, [p.grad for p in params]
    return fn


def flat(grads):
    return np.concatenate([g.ravel() for g in grads])


@spec(OP, TOTAL, url=URL)
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"], ids=["2", "1", "3", "inf", "inf-string"])
def test_total_norm_is_the_norm_of_all_gradients_together(run, norm_type):
    grads = [torch.tensor(g, dtype=torch.float32) for g in GRADS]
    total, after = run(clip(grads, max_norm=1e9, norm_type=norm_type), *grads)
    order = math.inf if norm_type == "inf" else norm_type
    assert_close(total, np.linalg.norm(flat(GRADS), ord=order), torch.float32,
                 f"clip_grad_norm_(norm_type={norm_type!r}) of gradients of shapes (3,) and (2, 2)")
    for got, g in zip(after, GRADS):
        assert_close(got, g, torch.float32, f"gradient after clip_grad_norm_(max_norm=1e9, norm_type={norm_type!r})")


@spec(OP, NORM_TYPE, url=URL)
def test_norm_type_defaults_to_2(run):
    grads = [torch.tensor(g, dtype=torch.float32) for g in GRADS]
    total, _ = run(clip(grads, max_norm=1e9), *grads)
    assert_close(total, np.linalg.norm(flat(GRADS)), torch.float32, "clip_grad_norm_(params, 1e9) without norm_type")


@spec(OP, EQUIVALENT, url=URL)
@pytest.mark.parametrize("scale, max_norm", [(1.0, 2.0), (1.0, 100.0), (1e-5, 1e-5)],
                         ids=["scaled-down", "below-max-unchanged", "tiny-norm-sees-the-1e-6"])
def test_gradients_scaled_by_max_norm_over_total_plus_eps_at_most_1(run, scale, max_norm):
    grads64 = [g * scale for g in GRADS]
    grads = [torch.tensor(g, dtype=torch.float32) for g in grads64]
    total, after = run(clip(grads, max_norm=max_norm), *grads)
    norm = np.linalg.norm(flat(grads64))
    factor = min(max_norm / (norm + 1e-6), 1.0)  # at a norm of 8e-5 the 1e-6 moves the factor by 1 %
    # Relative tolerance only, scaled with the gradients: float32's default atol (1e-5) would
    # accept zeros for the tiny-norm case, whose gradients are below 1e-5.
    atol = 1e-5 * scale * min(factor, 1.0)
    assert_close(total, norm, torch.float32, f"total norm returned for gradients scaled by {scale}",
                 atol=1e-5 * scale)
    for i, (got, g) in enumerate(zip(after, grads64)):
        assert_close(got, g * factor, torch.float32,
                     f"gradient {i} after clip_grad_norm_(max_norm={max_norm}) at total norm {norm:.3g}",
                     atol=atol)
