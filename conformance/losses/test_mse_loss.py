"""torch.nn.MSELoss: squared error per element, and the mean over all elements."""

import pytest
import torch

from conformance.losses.shared import DTYPES, randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.MSELoss"
SQUARED = ("Creates a criterion that measures the mean squared error (squared L2 norm) between each "
           "element in the input :math:`x` and target :math:`y`.")
ALL_ELEMENTS = "The mean operation still operates over all the elements, and divides by :math:`N`."

MSE = torch.nn.MSELoss


@spec(OP, SQUARED)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_squared_error_of_each_element(run, dtype):
    x, y = randn((3, 5), 0, 2.0, dtype), randn((3, 5), 1, 2.0, dtype)

    def squared_errors(x, y):
        return MSE(reduction="none")(x, y), MSE(reduction="sum")(x, y), MSE()(x, y)

    none, total, default = run(squared_errors, x, y)
    losses = (x.double() - y.double()) ** 2
    assert_close(none, losses, dtype, "MSELoss(reduction='none') of 3x5")
    assert_close(total, losses.sum(), dtype, "MSELoss(reduction='sum') of 3x5")
    assert_close(default, losses.mean(), dtype, "MSELoss() of 3x5")


@spec(OP, ALL_ELEMENTS)
def test_mean_divides_by_every_element(run):
    x, y = randn((2, 3, 4), 2, 2.0), randn((2, 3, 4), 3, 2.0)

    def means(x, y):
        return MSE(reduction="mean")(x, y), MSE()(x, y), MSE()(x[0, 0], y[0, 0])

    mean, default, row = run(means, x, y)
    losses = (x.double() - y.double()) ** 2
    assert_close(mean, losses.sum() / 24, torch.float32, "MSELoss(reduction='mean') of 2x3x4")
    assert_exact(default, mean, "MSELoss() against reduction='mean'")
    assert_close(row, losses[0, 0].mean(), torch.float32, "MSELoss() of 4 elements")
