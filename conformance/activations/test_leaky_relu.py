"""torch.nn.LeakyReLU: max(0, x) + negative_slope * min(0, x), the default slope 1e-2, shapes."""

import pytest
import torch

from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.LeakyReLU"
FORMULA = r"\text{LeakyReLU}(x) = \max(0, x) + \text{negative\_slope} * \min(0, x)"
DEFAULT_SLOPE = ("negative_slope: Controls the angle of the negative slope (which is used for negative input "
                 "values). Default: 1e-2")
SHAPE = "Output: :math:`(*)`, same shape as the input"

VALUES = torch.tensor([-1e30, -300.0, -2.5, -1.0, -0.125, -1e-30, 0.0, 1e-30, 0.75, 3.0, 1e30])


def leaky(x, slope):
    x = x.double()
    return x.clamp(min=0) + slope * x.clamp(max=0)


@spec(OP, FORMULA)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_slope_on_negative_inputs(run, dtype):
    x = VALUES.to(dtype)

    def leaky_relus(x):
        return torch.nn.LeakyReLU(0.2)(x), torch.nn.LeakyReLU(negative_slope=1.5)(x), torch.nn.LeakyReLU(0.0)(x)

    fifth, steep, flat = run(leaky_relus, x)
    assert_close(fifth, leaky(x, 0.2), dtype, "LeakyReLU(0.2)")
    assert_close(steep, leaky(x, 1.5), dtype, "LeakyReLU(negative_slope=1.5)")
    assert_close(flat, leaky(x, 0.0), dtype, "LeakyReLU(0.0)")


@spec(OP, DEFAULT_SLOPE)
def test_slope_defaults_to_one_hundredth(run):
    def default_and_explicit(x):
        return torch.nn.LeakyReLU()(x), torch.nn.LeakyReLU(1e-2)(x), torch.nn.functional.leaky_relu(x)

    default, explicit, functional = run(default_and_explicit, VALUES)
    assert_close(explicit, leaky(VALUES, 1e-2), torch.float32, "LeakyReLU(1e-2)")
    assert_exact(default, explicit, "LeakyReLU() against negative_slope=1e-2")
    assert_exact(functional, explicit, "F.leaky_relu(x) against negative_slope=1e-2")


@spec(OP, SHAPE, needs_values=False)
def test_output_has_the_input_shape(run):
    x = torch.linspace(-3, 3, 24).reshape(2, 3, 4)

    def shapes(x):
        leaky_relu = torch.nn.LeakyReLU(0.5)
        return leaky_relu(x), leaky_relu(x[0, 0, 0]), leaky_relu(x[:, :0])

    full, scalar, empty = run(shapes, x)
    assert_close(full, leaky(x, 0.5), torch.float32, "LeakyReLU(0.5) of 2x3x4")
    assert_close(scalar, leaky(x[0, 0, 0], 0.5), torch.float32, "LeakyReLU(0.5) of a 0-dim tensor")
    assert_close(empty, torch.zeros(2, 0, 4, dtype=torch.float64), torch.float32, "LeakyReLU(0.5) of 2x0x4")
