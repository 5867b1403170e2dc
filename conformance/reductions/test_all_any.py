"""torch.all and torch.any: the truth of every / some element, per row along dim or dims,
keepdim, and the result dtype (uint8 for uint8 input, bool for every other dtype)."""

import numpy as np
import pytest
import torch

from conformance.reductions.shared import DIM_CLAIM, KEEPDIM_CLAIM
from suite.expect import assert_exact
from suite.spec import spec

NAN, INF = float("nan"), float("inf")



def both(claim, **kwargs):
    return [pytest.param(op, id=op.__name__, marks=spec(f"torch.{op.__name__}", claim, **kwargs))
            for op in (torch.all, torch.any)]


ROWS = [
    pytest.param(torch.all, id="all", marks=spec(
        "torch.all", "For each row of :attr:`input` in the given dimension :attr:`dim`, returns "
        "`True` if all elements in the row evaluate to `True` and `False` otherwise.")),
    pytest.param(torch.any, id="any", marks=spec(
        "torch.any", "For each row of :attr:`input` in the given dimension :attr:`dim`, returns "
        "`True` if any element in the row evaluate to `True` and `False` otherwise.")),
]

# Truthy values per dtype: NaN, inf and a purely imaginary number are nonzero, so True.
TRUTHY = {
    torch.bool: [True],
    torch.uint8: [1, 2, 255],
    torch.int32: [1, -1, 7, -2**31],
    torch.float32: [0.5, -3.0, NAN, INF, 1e-30],
    torch.bfloat16: [0.5, -3.0, NAN, -INF],
    torch.complex64: [1j, -2 + 0j, complex(NAN, 0), 0.5 - 0.5j],
}
# -0.0 compares equal to zero, so it is falsy.
FALSY = {torch.bool: [False], torch.uint8: [0], torch.int32: [0], torch.float32: [0.0, -0.0],
         torch.bfloat16: [0.0, -0.0], torch.complex64: [0j, complex(-0.0, -0.0)]}


def filled(values, dtype, shape=(4, 256)):
    n = int(np.prod(shape))
    return torch.tensor((values * n)[:n], dtype=dtype).reshape(shape)


def truth(value: bool, dtype):
    return torch.tensor(int(value), dtype=torch.uint8) if dtype == torch.uint8 else torch.tensor(value)


def reference(op, x, dim, keepdim=False, dtype=torch.bool):
    truthy = (x != 0).numpy()
    result = getattr(np, op.__name__)(truthy, axis=dim, keepdims=keepdim)
    return torch.from_numpy(np.asarray(result)).to(dtype)


@spec("torch.all", "Tests if all elements in :attr:`input` evaluate to `True`.")
@pytest.mark.parametrize("dtype", list(TRUTHY), ids=str)
def test_all_is_true_only_when_every_element_is_truthy(run, dtype):
    # 4x256 so that a vectorised kernel sees several chunks; the falsy element sits last, then first.
    x = filled(TRUTHY[dtype], dtype)
    assert_exact(run(torch.all, x), truth(True, dtype), f"all(x) of truthy {dtype} values")
    for where in [(3, 255), (0, 0)]:
        y = x.clone()
        y[where] = FALSY[dtype][-1]
        assert_exact(run(torch.all, y), truth(False, dtype), f"all(x) with one zero at {where}")


@spec("torch.any", "Tests if any element in :attr:`input` evaluates to `True`.")
@pytest.mark.parametrize("dtype", list(TRUTHY), ids=str)
def test_any_is_true_when_some_element_is_truthy(run, dtype):
    x = filled(FALSY[dtype], dtype)
    assert_exact(run(torch.any, x), truth(False, dtype), f"any(x) of zeros of {dtype}")
    for where in [(3, 255), (0, 0)]:
        y = x.clone()
        y[where] = TRUTHY[dtype][-1]
        assert_exact(run(torch.any, y), truth(True, dtype), f"any(x) with one nonzero at {where}")


@pytest.mark.parametrize("op", ROWS)
def test_row_wise_truth_along_dim(run, op):
    # Rows: all truthy (with NaN), one -0.0, all zeros, a single nonzero; columns mix them too.
    x = torch.tensor([[1.0, NAN, -2.0, INF],
                      [3.0, -0.0, 5.0, 6.0],
                      [0.0, 0.0, -0.0, 0.0],
                      [0.0, 0.0, 0.0, 1e-30]])
    assert_exact(run(op, x, 1), reference(op, x, 1), f"{op.__name__}(x, 1)")
    for dim in [0, -1]:
        assert_exact(run(op, x, dim=dim), reference(op, x, dim), f"{op.__name__}(x, dim={dim})")


@pytest.mark.parametrize("op", both(DIM_CLAIM))
def test_tuple_dim_and_dim_none(run, op):
    x = torch.ones(2, 3, 4, dtype=torch.int64)
    x[0, 1, 2] = 0
    x[1] = 0
    x[1, 2, 3] = 5
    for dim in [(0, 2), (2, 0), (1,), (0, 1, 2), (-1, -2)]:
        assert_exact(run(op, x, dim=dim), reference(op, x, dim), f"{op.__name__}(x, dim={dim})")
    assert_exact(run(op, x, dim=None), reference(op, x, None), f"{op.__name__}(x, dim=None)")


@pytest.mark.parametrize("op", both(KEEPDIM_CLAIM, needs_values=False))
@pytest.mark.parametrize("dim", [1, -1, (0, 2)], ids=str)
def test_keepdim_shape(run, op, dim):
    x = (torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(3)) > 0).to(torch.float32)
    name = op.__name__
    assert_exact(run(op, x, dim=dim, keepdim=True), reference(op, x, dim, keepdim=True),
                 f"{name}(x, dim={dim}, keepdim=True)")
    assert_exact(run(op, x, dim=dim), reference(op, x, dim), f"{name}(x, dim={dim})")
    assert_exact(run(op, x, dim=dim, keepdim=False), reference(op, x, dim),
                 f"{name}(x, dim={dim}, keepdim=False)")


@pytest.mark.parametrize("op", both("For `uint8` the dtype of output is `uint8` itself.",
                                    needs_values=False))
def test_uint8_input_gives_uint8_result(run, op):
    x = torch.tensor([[0, 1, 2], [3, 4, 255]], dtype=torch.uint8)
    name = op.__name__
    for kwargs in [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": (0, 1)}]:
        expected = reference(op, x, kwargs.get("dim"), kwargs.get("keepdim", False), torch.uint8)
        assert_exact(run(op, x, **kwargs), expected, f"{name}(uint8 x, {kwargs})")


@pytest.mark.parametrize("op", both(
    "This function matches the behaviour of NumPy in returning output of dtype `bool` for all "
    "supported dtypes except `uint8`.", needs_values=False))
@pytest.mark.parametrize("dtype", [torch.bool, torch.int8, torch.int64, torch.float16,
                                   torch.float32, torch.complex64], ids=str)
def test_other_dtypes_give_bool_result(run, op, dtype):
    x = torch.tensor([[0, 1, 2], [3, 4, 5]]).to(dtype)
    name = op.__name__
    assert_exact(run(op, x), reference(op, x, None), f"{name}({dtype} x)")
    assert_exact(run(op, x, dim=1), reference(op, x, 1), f"{name}({dtype} x, dim=1)")
