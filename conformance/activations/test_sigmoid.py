"""torch.nn.Sigmoid: 1 / (1 + exp(-x)) element-wise, saturation at large |x|, shapes."""

import pytest
import torch

from suite.expect import assert_close
from suite.spec import spec

OP = "torch.nn.Sigmoid"
FORMULA = r"\text{Sigmoid}(x) = \sigma(x) = \frac{1}{1 + \exp(-x)}"
SHAPE = "Output: :math:`(*)`, same shape as the input."

VALUES = torch.tensor([-float("inf"), -100.0, -20.0, -3.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 3.0, 20.0, 100.0,
                       float("inf")])


def sigmoid(x):
    return 1 / (1 + (-x.double()).exp())


@spec(OP, FORMULA)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
def test_logistic_function(run, dtype):
    x = VALUES.to(dtype)

    def logistic(x):
        return torch.nn.Sigmoid()(x)

    assert_close(run(logistic, x), sigmoid(x), dtype, "Sigmoid() from -inf to inf")


@spec(OP, SHAPE, needs_values=False)
def test_output_has_the_input_shape(run):
    x = torch.linspace(-3, 3, 24).reshape(2, 3, 4)

    def shapes(x):
        logistic = torch.nn.Sigmoid()
        return logistic(x), logistic(x[0, 0, 0]), logistic(x[:, :0])

    full, scalar, empty = run(shapes, x)
    assert_close(full, sigmoid(x), torch.float32, "Sigmoid() of 2x3x4")
    assert_close(scalar, sigmoid(x[0, 0, 0]), torch.float32, "Sigmoid() of a 0-dim tensor")
    assert_close(empty, torch.zeros(2, 0, 4, dtype=torch.float64), torch.float32, "Sigmoid() of 2x0x4")
