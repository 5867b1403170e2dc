"""torch.zeros_like: zeros with the input's size, dtype, layout and device, unless dtype is given."""

import torch

from conformance.creation.shared import all_true, placed_like
from suite.expect import assert_exact
from suite.spec import spec

EQUIVALENT = ("``torch.zeros_like(input)`` is equivalent to ``torch.zeros(input.size(), dtype=input.dtype, "
              "layout=input.layout, device=input.device)``.")
DTYPE = ("dtype (:class:`torch.dtype`, optional): the desired data type of returned Tensor. "
         "Default: if ``None``, defaults to the dtype of :attr:`input`.")

INPUTS = [torch.arange(6.0, dtype=torch.float64).reshape(2, 3), torch.ones(4, 1, dtype=torch.int32),
          torch.ones(0, 5, dtype=torch.bool), torch.tensor(2.5, dtype=torch.bfloat16)]


@spec("torch.zeros_like", EQUIVALENT, needs_values=False)
def test_zeros_like_keeps_size_dtype_layout_and_device(run):
    def fn(*xs):
        outs = [torch.zeros_like(x) for x in xs]
        return outs, placed_like(outs, xs)

    outs, placed = run(fn, *INPUTS)
    for x, out in zip(INPUTS, outs):
        assert_exact(out, torch.zeros(x.shape, dtype=x.dtype), f"zeros_like of a {x.dtype} {tuple(x.shape)} input")
    assert_exact(placed, all_true(len(INPUTS)), "zeros_like(x) is on x's device with x's layout")


@spec("torch.zeros_like", DTYPE, needs_values=False)
def test_zeros_like_dtype_argument(run):
    x = torch.ones(2, 3, dtype=torch.int64)
    outs = run(lambda x: (torch.zeros_like(x, dtype=torch.float16), torch.zeros_like(x, dtype=None)), x)
    assert_exact(outs[0], torch.zeros(2, 3, dtype=torch.float16), "zeros_like(int64 x, dtype=float16)")
    assert_exact(outs[1], torch.zeros(2, 3, dtype=torch.int64), "zeros_like(int64 x, dtype=None)")
