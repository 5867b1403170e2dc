"""torch.nn.BCELoss: the weighted binary cross entropy and its reductions, the log clamp at -100."""

import pytest
import torch

from conformance.losses.shared import DTYPES, rand
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.BCELoss"
FORMULA = ("Creates a criterion that measures the Binary Cross Entropy between the target and the input "
           "probabilities:")
CLAMP = ("Our solution is that BCELoss clamps its log function outputs to be greater than or equal to "
         "-100. This way, we can always have a finite loss value and a linear backward method.")

BCE = torch.nn.BCELoss


def bce(x, y, w=1.0):
    """float64 l_n = -w_n [y_n log x_n + (1 - y_n) log(1 - x_n)], each log clamped at -100."""
    x, y = x.double(), y.double()
    return -w * (y * x.log().clamp(min=-100) + (1 - y) * (1 - x).log().clamp(min=-100))


@spec(OP, FORMULA)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_weighted_binary_cross_entropy_and_reductions(run, dtype):
    x, y = rand((6,), 0, 0.05, 0.95, dtype), rand((6,), 1, dtype=dtype)
    x2, y2 = rand((3, 4), 2, 0.05, 0.95, dtype), rand((3, 4), 3, dtype=dtype)
    weight = torch.tensor([0.5, 2.0, 1.0, 0.0, 3.0, 1.5], dtype=dtype)

    def binary_cross_entropy(x, y, weight, x2, y2):
        return (BCE(weight=weight, reduction="none")(x, y), BCE(weight=weight, reduction="sum")(x, y),
                BCE(weight=weight)(x, y), BCE(reduction="none")(x2, y2), BCE()(x2, y2),
                BCE(reduction="mean")(x2, y2))

    none, total, mean, plain, default, explicit = run(binary_cross_entropy, x, y, weight, x2, y2)
    losses = bce(x, y, weight.double())
    assert_close(none, losses, dtype, "BCELoss(weight, reduction='none') of 6 probabilities")
    assert_close(total, losses.sum(), dtype, "BCELoss(weight, reduction='sum')")
    assert_close(mean, losses.mean(), dtype, "BCELoss(weight): the mean over the 6 elements")
    assert_close(plain, bce(x2, y2), dtype, "BCELoss(reduction='none') of 3x4 probabilities")
    assert_close(explicit, bce(x2, y2).mean(), dtype, "BCELoss(reduction='mean') of 3x4 probabilities")
    assert_exact(default, explicit, "BCELoss() against reduction='mean'")


@spec(OP, CLAMP)
def test_log_outputs_clamped_at_minus_100(run):
    # 1e-44 is a float32 subnormal: log(1e-44) is about -101.3, below the clamp.
    x = torch.tensor([0.0, 1.0, 0.0, 1.0, 1e-44, 0.0, 1.0, 0.5], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.5, 0.25, 0.5])

    def unreduced(x, y):
        return BCE(reduction="none")(x, y)

    losses, (grad,) = run.grad(unreduced, x, y)
    expected = torch.tensor([100.0, 100, 0, 0, 100, 50, 75, 0.6931471805599453], dtype=torch.float64)
    assert_close(losses, expected, torch.float32, "BCELoss(reduction='none') at probabilities 0 and 1")
    assert bool(grad.isfinite().all()), \
        f"gradient of BCELoss at probabilities 0 and 1 is not finite: {grad.tolist()}"
