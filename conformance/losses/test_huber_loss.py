"""torch.nn.HuberLoss: squared below delta, delta-scaled L1 above, its reductions, the default delta,
and delta times SmoothL1Loss(beta=delta)."""

import pytest
import torch

from conformance.losses.shared import DTYPES, randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.HuberLoss"
PIECEWISE = ("Creates a criterion that uses a squared term if the absolute element-wise error falls below "
             "delta and a delta-scaled L1 term otherwise.")
DEFAULT_DELTA = ("Specifies the threshold at which to change between delta-scaled L1 and L2 loss. "
                 "The value must be positive. Default: 1.0")
FACTOR = ("When delta is set to 1, this loss is equivalent to :class:`SmoothL1Loss`. In general, this loss "
          "differs from :class:`SmoothL1Loss` by a factor of delta (AKA beta in Smooth L1).")

HUBER = torch.nn.HuberLoss
ERRORS = torch.tensor([-3.0, -2.0, -1.2, -1.0, -0.7, -0.5, -0.2, 0.0, 0.1, 0.5, 0.6, 1.0, 1.5, 2.0, 2.5, 4.0])


def pairs(dtype, seed):
    """(x, y) whose differences cover both sides of 0.5, 1 and 2."""
    y = randn((16,), seed, 2.0, dtype)
    return (y.double() + ERRORS.double()).to(dtype), y


def huber(x, y, delta):
    d = (x.double() - y.double()).abs()
    return torch.where(d < delta, 0.5 * d**2, delta * (d - 0.5 * delta))


@spec(OP, PIECEWISE)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_squared_below_delta_scaled_l1_above(run, dtype):
    x, y = pairs(dtype, 0)

    def huber_losses(x, y):
        return (HUBER(delta=0.5, reduction="none")(x, y), HUBER(delta=2.0, reduction="none")(x, y),
                HUBER(delta=2.0, reduction="sum")(x, y), HUBER(delta=2.0, reduction="mean")(x, y),
                HUBER(delta=2.0)(x, y))

    half, two, total, mean, default = run(huber_losses, x, y)
    assert_close(half, huber(x, y, 0.5), dtype, "HuberLoss(delta=0.5, reduction='none')")
    assert_close(two, huber(x, y, 2.0), dtype, "HuberLoss(delta=2.0, reduction='none')")
    assert_close(total, huber(x, y, 2.0).sum(), dtype, "HuberLoss(delta=2.0, reduction='sum')")
    assert_close(mean, huber(x, y, 2.0).mean(), dtype, "HuberLoss(delta=2.0, reduction='mean')")
    assert_exact(default, mean, "HuberLoss(delta=2.0) against reduction='mean'")


@spec(OP, DEFAULT_DELTA)
def test_delta_defaults_to_one(run):
    x, y = pairs(torch.float32, 1)

    def default_and_explicit(x, y):
        return HUBER(reduction="none")(x, y), HUBER(delta=1.0, reduction="none")(x, y)

    default, explicit = run(default_and_explicit, x, y)
    assert_close(explicit, huber(x, y, 1.0), torch.float32, "HuberLoss(delta=1.0, reduction='none')")
    assert_exact(default, explicit, "HuberLoss(reduction='none') against delta=1.0")


@spec(OP, FACTOR)
def test_delta_times_smooth_l1_with_beta_delta(run):
    x, y = pairs(torch.float32, 2)

    def huber_and_smooth_l1(x, y):
        return tuple((HUBER(delta=d, reduction="none")(x, y),
                      torch.nn.SmoothL1Loss(beta=d, reduction="none")(x, y)) for d in (0.5, 1.0, 2.5))

    for d, (h, s) in zip((0.5, 1.0, 2.5), run(huber_and_smooth_l1, x, y)):
        assert_close(h, huber(x, y, d), torch.float32, f"HuberLoss(delta={d}, reduction='none')")
        assert_close(s, huber(x, y, d) / d, torch.float32, f"SmoothL1Loss(beta={d}, reduction='none')")
