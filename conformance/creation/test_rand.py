"""torch.rand: uniform values on [0, 1), shape from the size arguments, the default dtype."""

import torch

from conformance.creation.shared import all_true, assert_uniform_01, placed_on
from suite.expect import assert_exact
from suite.spec import spec

UNIFORM = "Returns a tensor filled with random numbers from a uniform distribution on the interval :math:`[0, 1)`"
SIZE = "The shape of the tensor is defined by the variable argument :attr:`size`."
DTYPE = ("dtype (:class:`torch.dtype`, optional): the desired data type of returned tensor. "
         "Default: if ``None``, uses a global default (see :func:`torch.set_default_dtype`).")


@spec("torch.rand", UNIFORM)
def test_rand_is_uniform_on_half_open_unit_interval(run):
    torch.manual_seed(0)
    dtypes = [torch.float32, torch.float64, torch.bfloat16, torch.float16]
    outs = run(lambda like: [torch.rand(8192, dtype=dtype, device=like.device) for dtype in dtypes], torch.empty(0))
    for dtype, out in zip(dtypes, outs):
        assert_uniform_01(out, dtype, f"rand(8192, dtype={dtype})")


@spec("torch.rand", SIZE, needs_values=False)
def test_rand_shape_from_varargs_or_a_sequence(run):
    def fn(like):
        outs = [torch.rand(2, 3, device=like.device), torch.rand((2, 3), device=like.device),
                torch.rand([4], device=like.device), torch.rand(3, 0, 2, device=like.device),
                torch.rand((), device=like.device)]
        return [tuple(o.shape) for o in outs], placed_on(outs, like)

    shapes, placed = run(fn, torch.empty(0))
    assert shapes == [(2, 3), (2, 3), (4,), (3, 0, 2), ()], f"shapes of rand(2, 3), rand((2, 3)), rand([4]), " \
                                                          f"rand(3, 0, 2), rand(()): {shapes}"
    assert_exact(placed, all_true(5), "rand(..., device=d) is on d")


@spec("torch.rand", DTYPE, needs_values=False)
def test_rand_dtype_defaults_to_the_global_default(run):
    def fn(like):
        return [torch.rand(3, device=like.device).dtype, torch.rand(3, dtype=None, device=like.device).dtype,
                torch.rand(3, dtype=torch.float64, device=like.device).dtype]

    got = run(fn, torch.empty(0))
    want = [torch.get_default_dtype(), torch.get_default_dtype(), torch.float64]
    assert got == want, f"dtypes of rand(3), rand(3, dtype=None), rand(3, dtype=float64): {got}, documented {want}"
