"""torch.nn.ReLU: max(0, x) element-wise, not in place by default, in place when asked, shapes."""

import pytest
import torch

from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.ReLU"
FORMULA = r":math:`\text{ReLU}(x) = (x)^+ = \max(0, x)`"
INPLACE = "inplace: can optionally do the operation in-place. Default: ``False``"
SHAPE = "Output: :math:`(*)`, same shape as the input."

INF = float("inf")
VALUES = [-INF, -1e30, -2.5, -1e-30, -0.0, 0.0, 1e-30, 0.75, 3.0, 1e30, INF]


@spec(OP, FORMULA)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_max_of_zero_and_x(run, dtype):
    x = torch.tensor(VALUES, dtype=dtype).reshape(1, 11).repeat(3, 1)

    def relu(x):
        return torch.nn.ReLU()(x)

    assert_exact(run(relu, x), x.clamp(min=0), f"ReLU() of {VALUES} (3 rows)")


@spec(OP, INPLACE)
def test_in_place_only_when_asked(run):
    x = torch.tensor(VALUES)

    def default_and_in_place(x):
        copy = x.clone()
        return torch.nn.ReLU()(x), x, torch.nn.ReLU(inplace=True)(copy), copy

    out, x_after, in_place, copy_after = run(default_and_in_place, x)
    expected = x.clamp(min=0)
    assert_exact(out, expected, "ReLU()(x)")
    assert_exact(x_after, x, "x after ReLU()(x)")
    assert_exact(in_place, expected, "ReLU(inplace=True)(x)")
    assert_exact(copy_after, expected, "x after ReLU(inplace=True)(x)")


@spec(OP, SHAPE, needs_values=False)
def test_output_has_the_input_shape(run):
    x = torch.linspace(-3, 3, 24).reshape(2, 3, 4)

    def shapes(x):
        relu = torch.nn.ReLU()
        return relu(x), relu(x[0, 0, 0]), relu(x[:, :0])

    full, scalar, empty = run(shapes, x)
    assert_close(full, x.clamp(min=0).double(), torch.float32, "ReLU() of 2x3x4")
    assert_close(scalar, x[0, 0, 0].clamp(min=0).double(), torch.float32, "ReLU() of a 0-dim tensor")
    assert_close(empty, torch.zeros(2, 0, 4, dtype=torch.float64), torch.float32, "ReLU() of 2x0x4")
