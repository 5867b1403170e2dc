"""torch.full_like: fill_value in the input's size, dtype and device (dtype from input, not the value)."""

import torch

from conformance.creation.shared import all_true, placed_like
from suite.expect import assert_exact
from suite.spec import spec

FILLED = "Returns a tensor with the same size as :attr:`input` filled with :attr:`fill_value`."
EQUIVALENT = ("``torch.full_like(input, fill_value)`` is equivalent to ``torch.full(input.size(), fill_value, "
              "dtype=input.dtype, layout=input.layout, device=input.device)``.")
DTYPE = ("dtype (:class:`torch.dtype`, optional): the desired data type of returned Tensor. "
         "Default: if ``None``, defaults to the dtype of :attr:`input`.")


@spec("torch.full_like", FILLED, needs_values=False)
def test_full_like_fills_the_input_size(run):
    x, y = torch.ones(2, 3), torch.randn(3, 4, dtype=torch.float64)
    outs = run(lambda x, y: (torch.full_like(x, 3.141592), torch.full_like(x, 7), torch.full_like(y, -1.0)), x, y)
    assert_exact(outs[0], torch.full((2, 3), 3.141592), "full_like(ones(2, 3), 3.141592)")
    assert_exact(outs[1], torch.full((2, 3), 7.0), "full_like(ones(2, 3), 7)")
    assert_exact(outs[2], torch.full((3, 4), -1.0, dtype=torch.float64), "full_like(float64 3x4, -1.0)")


@spec("torch.full_like", EQUIVALENT, needs_values=False)
def test_full_like_takes_dtype_layout_device_from_input_not_fill_value(run):
    # An integer input with a float fill, a bool input with an int fill, a half input.
    inputs = [torch.zeros(3, dtype=torch.int32), torch.zeros(2, 2, dtype=torch.bool),
              torch.zeros(0, dtype=torch.float16)]

    def fn(a, b, c):
        outs = [torch.full_like(a, 2.0), torch.full_like(b, 1), torch.full_like(c, 0.5)]
        return outs, placed_like(outs, (a, b, c))

    outs, placed = run(fn, *inputs)
    assert_exact(outs[0], torch.full((3,), 2, dtype=torch.int32), "full_like(int32 x, 2.0)")
    assert_exact(outs[1], torch.ones(2, 2, dtype=torch.bool), "full_like(bool x, 1)")
    assert_exact(outs[2], torch.zeros(0, dtype=torch.float16), "full_like(empty float16 x, 0.5)")
    assert_exact(placed, all_true(3), "full_like(x, v) is on x's device with x's layout")


@spec("torch.full_like", DTYPE, needs_values=False)
def test_full_like_dtype_argument(run):
    x = torch.ones(2, 3)
    out = run(lambda x: torch.full_like(x, 0.5, dtype=torch.int32), x)
    assert_exact(out, torch.zeros(2, 3, dtype=torch.int32), "full_like(ones(2, 3), 0.5, dtype=int32)")
