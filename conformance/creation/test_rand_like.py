"""torch.rand_like: uniform values on [0, 1) in the input's size, dtype, layout and device."""

import torch

from conformance.creation.shared import all_true, assert_uniform_01, placed_like
from suite.expect import assert_exact
from suite.spec import spec

UNIFORM = ("Returns a tensor with the same size as :attr:`input` that is filled with random numbers from a "
           "uniform distribution on the interval :math:`[0, 1)`.")
EQUIVALENT = ("``torch.rand_like(input)`` is equivalent to ``torch.rand(input.size(), dtype=input.dtype, "
              "layout=input.layout, device=input.device)``.")


@spec("torch.rand_like", UNIFORM)
def test_rand_like_is_uniform_on_half_open_unit_interval(run):
    # Half types included: rounding a draw just below 1 up to 1.0 is a precision bug.
    inputs = [torch.zeros(64, 64), torch.zeros(4096, dtype=torch.float64), torch.zeros(2, 4096, dtype=torch.bfloat16),
              torch.zeros(8192, dtype=torch.float16)]
    torch.manual_seed(0)
    outs = run(lambda *xs: [torch.rand_like(x) for x in xs], *inputs)
    for x, out in zip(inputs, outs):
        what = f"rand_like of a {x.dtype} {tuple(x.shape)} input"
        assert tuple(out.shape) == tuple(x.shape), f"{what}: shape {tuple(out.shape)}"
        assert_uniform_01(out, x.dtype, what)


@spec("torch.rand_like", EQUIVALENT, needs_values=False)
def test_rand_like_keeps_size_dtype_layout_and_device(run):
    inputs = [torch.zeros(2, 3, dtype=torch.float64), torch.zeros(5, dtype=torch.bfloat16), torch.zeros(0, 4)]

    def fn(*xs):
        outs = [torch.rand_like(x) for x in xs]
        return [(tuple(o.shape), o.dtype) for o in outs], placed_like(outs, xs)

    got, placed = run(fn, *inputs)
    want = [(tuple(x.shape), x.dtype) for x in inputs]
    assert got == want, f"(shape, dtype) of rand_like(x): {got}, documented {want}"
    assert_exact(placed, all_true(len(inputs)), "rand_like(x) is on x's device with x's layout")
