"""torch.nn.L1Loss: absolute error per element and its reductions, complex inputs."""

import pytest
import torch

from conformance.losses.shared import DTYPES, randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.L1Loss"
ABSOLUTE = ("Creates a criterion that measures the mean absolute error (MAE) between each element in "
            "the input :math:`x` and target :math:`y`.")
COMPLEX = "Supports real-valued and complex-valued inputs."

L1 = torch.nn.L1Loss


@spec(OP, ABSOLUTE)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_absolute_error_of_each_element(run, dtype):
    x, y = randn((2, 3, 4), 0, 2.0, dtype), randn((2, 3, 4), 1, 2.0, dtype)

    def absolute_errors(x, y):
        return L1(reduction="none")(x, y), L1(reduction="sum")(x, y), L1()(x, y), L1(reduction="mean")(x, y)

    none, total, default, mean = run(absolute_errors, x, y)
    losses = (x.double() - y.double()).abs()
    assert_close(none, losses, dtype, "L1Loss(reduction='none') of 2x3x4")
    assert_close(total, losses.sum(), dtype, "L1Loss(reduction='sum') of 2x3x4")
    assert_close(mean, losses.sum() / 24, dtype, "L1Loss(reduction='mean') of 2x3x4")
    assert_exact(default, mean, "L1Loss() against reduction='mean'")


@spec(OP, COMPLEX)
def test_complex_inputs_give_the_modulus_of_the_difference(run):
    x = torch.complex(randn((2, 3), 2), randn((2, 3), 3))
    y = torch.complex(randn((2, 3), 4), randn((2, 3), 5))

    def complex_errors(x, y):
        return L1(reduction="none")(x, y), L1()(x, y)

    none, mean = run(complex_errors, x, y)
    losses = (x.to(torch.complex128) - y.to(torch.complex128)).abs()
    # |x_n - y_n| is real: float32 for complex64, as torch.abs.
    assert_close(none, losses, torch.float32, "L1Loss(reduction='none') of complex64 2x3")
    assert_close(mean, losses.mean(), torch.float32, "L1Loss() of complex64 2x3")
