"""torch.nn.SmoothL1Loss: squared below beta, L1 above, its reductions, the default beta, beta = 0,
and the slopes of its L1 segment and of HuberLoss's."""

import pytest
import torch

from conformance.losses.shared import DTYPES, randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.SmoothL1Loss"
PIECEWISE = ("Creates a criterion that uses a squared term if the absolute element-wise error falls below "
             "beta and an L1 term otherwise.")
DEFAULT_BETA = "The value must be non-negative. Default: 1.0"
BETA_ZERO = "When beta is 0, Smooth L1 loss is equivalent to L1 loss."
SLOPES = ("For Smooth L1 loss, as beta varies, the L1 segment of the loss has a constant slope of 1. "
          "For :class:`HuberLoss`, the slope of the L1 segment is beta.")

SMOOTH = torch.nn.SmoothL1Loss
ERRORS = torch.tensor([-3.0, -2.0, -1.2, -1.0, -0.7, -0.5, -0.2, 0.0, 0.1, 0.5, 0.6, 1.0, 1.5, 2.0, 2.5, 4.0])


def pairs(dtype, seed):
    """(x, y) whose differences cover both sides of 0.5, 1 and 2."""
    y = randn((16,), seed, 2.0, dtype)
    return (y.double() + ERRORS.double()).to(dtype), y


def smooth_l1(x, y, beta):
    d = (x.double() - y.double()).abs()
    return torch.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta) if beta > 0 else d


@spec(OP, PIECEWISE)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_squared_below_beta_l1_above(run, dtype):
    x, y = pairs(dtype, 0)

    def smooth_l1_losses(x, y):
        return (SMOOTH(beta=0.5, reduction="none")(x, y), SMOOTH(beta=2.0, reduction="none")(x, y),
                SMOOTH(beta=2.0, reduction="sum")(x, y), SMOOTH(beta=2.0, reduction="mean")(x, y),
                SMOOTH(beta=2.0)(x, y))

    half, two, total, mean, default = run(smooth_l1_losses, x, y)
    assert_close(half, smooth_l1(x, y, 0.5), dtype, "SmoothL1Loss(beta=0.5, reduction='none')")
    assert_close(two, smooth_l1(x, y, 2.0), dtype, "SmoothL1Loss(beta=2.0, reduction='none')")
    assert_close(total, smooth_l1(x, y, 2.0).sum(), dtype, "SmoothL1Loss(beta=2.0, reduction='sum')")
    assert_close(mean, smooth_l1(x, y, 2.0).mean(), dtype, "SmoothL1Loss(beta=2.0, reduction='mean')")
    assert_exact(default, mean, "SmoothL1Loss(beta=2.0) against reduction='mean'")


@spec(OP, DEFAULT_BETA)
def test_beta_defaults_to_one(run):
    x, y = pairs(torch.float32, 1)

    def default_and_explicit(x, y):
        return SMOOTH(reduction="none")(x, y), SMOOTH(beta=1.0, reduction="none")(x, y)

    default, explicit = run(default_and_explicit, x, y)
    assert_close(explicit, smooth_l1(x, y, 1.0), torch.float32, "SmoothL1Loss(beta=1.0, reduction='none')")
    assert_exact(default, explicit, "SmoothL1Loss(reduction='none') against beta=1.0")


@spec(OP, BETA_ZERO)
def test_beta_zero_is_l1(run):
    x, y = pairs(torch.float32, 2)

    def beta_zero(x, y):
        return SMOOTH(beta=0.0, reduction="none")(x, y), SMOOTH(beta=0.0)(x, y)

    none, mean = run(beta_zero, x, y)
    l1 = (x.double() - y.double()).abs()
    assert_close(none, l1, torch.float32, "SmoothL1Loss(beta=0.0, reduction='none')")
    assert_close(mean, l1.mean(), torch.float32, "SmoothL1Loss(beta=0.0)")


@spec(OP, SLOPES)
def test_slope_of_the_l1_segment(run):
    x, y = pairs(torch.float32, 3)
    x = x.repeat(4).requires_grad_()
    betas = (0.5, 2.0)

    def smooth_l1_then_huber(x, y):
        parts = x.split(16)
        smooth = [SMOOTH(beta=b, reduction="none")(p, y) for p, b in zip(parts[:2], betas)]
        huber = [torch.nn.HuberLoss(delta=b, reduction="none")(p, y) for p, b in zip(parts[2:], betas)]
        return torch.cat(smooth + huber)

    _, (grad,) = run.grad(smooth_l1_then_huber, x, y)
    d = x.detach()[:16].double() - y.double()
    # Derivatives in x: d/beta clamped to [-1, 1] (Smooth L1); d clamped to [-delta, delta] (Huber).
    expected = torch.cat([(d / b).clamp(-1, 1) for b in betas] + [d.clamp(-b, b) for b in betas])
    assert_close(grad, expected, torch.float32, "gradients of SmoothL1Loss(beta) and HuberLoss(delta=beta), "
                 "beta in (0.5, 2.0), reduction='none'")
