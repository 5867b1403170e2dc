"""torch.sum and torch.nansum: all elements, rows along dim, a list of dims, dim=None, keepdim,
dtype= casting before the reduction, NaN as zero in nansum, integer promotion in sum."""

import pytest
import torch

from conformance.reductions.shared import DIM_CLAIM, KEEPDIM_CLAIM
from suite.expect import assert_close, assert_exact
from suite.spec import spec

NAN = float("nan")

CAST_CLAIM = ("If specified, the input tensor is casted to :attr:`dtype` before the operation "
              "is performed.")
FLOATS = [torch.float32, torch.float64, torch.float16, torch.bfloat16]


def both(claim, **kwargs):
    return [pytest.param(op, id=op.__name__, marks=spec(f"torch.{op.__name__}", claim, **kwargs))
            for op in (torch.sum, torch.nansum)]


ALL_ELEMENTS = [
    pytest.param(torch.sum, id="sum", marks=spec(
        "torch.sum", "Returns the sum of all elements in the :attr:`input` tensor.")),
    pytest.param(torch.nansum, id="nansum", marks=spec(
        "torch.nansum", "Returns the sum of all elements, treating Not a Numbers (NaNs) as zero.")),
]
ROWS = [
    pytest.param(torch.sum, id="sum", marks=spec(
        "torch.sum", "Returns the sum of each row of the :attr:`input` tensor in the given "
        "dimension :attr:`dim`.")),
    pytest.param(torch.nansum, id="nansum", marks=spec(
        "torch.nansum", "Returns the sum of each row of the :attr:`input` tensor in the given "
        "dimension :attr:`dim`, treating Not a Numbers (NaNs) as zero.")),
]


def sample(shape, dtype, seed, nans):
    """Multiples of 1/8 in [-1, 1]: every partial sum is exact even in bfloat16, in any order.
    For nansum a seeded third of the entries (and the whole first row) are NaN."""
    g = torch.Generator().manual_seed(seed)
    x = (torch.randint(-8, 9, shape, generator=g) / 8).to(dtype)
    if nans:
        x[torch.rand(shape, generator=g) < 1 / 3] = NAN
        x[0] = NAN
    return x


def reference(x, dim=None, keepdim=False):
    x = torch.where(x.isnan(), 0, x.double())
    return x.sum() if dim is None else x.sum(dim, keepdim=keepdim)


@pytest.mark.parametrize("op", ALL_ELEMENTS)
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_sum_of_all_elements(run, op, dtype):
    nans = op is torch.nansum
    for shape in [(3, 5), (4, 257)]:  # the second is long enough for a chunked kernel
        x = sample(shape, dtype, shape[1], nans)
        assert_close(run(op, x), reference(x), dtype, f"{op.__name__}({dtype} x of shape {shape})")
    if nans:
        x = torch.full((7,), NAN, dtype=dtype)
        assert_close(run(op, x), torch.tensor(0.0), dtype, f"nansum of all-NaN {dtype} x")


@pytest.mark.parametrize("op", ROWS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_sum_of_each_row_along_dim(run, op, dtype):
    x = sample((4, 6), dtype, 11, op is torch.nansum)
    assert_close(run(op, x, 1), reference(x, 1), dtype, f"{op.__name__}(x, 1)")
    for dim in [0, -1]:
        assert_close(run(op, x, dim=dim), reference(x, dim), dtype, f"{op.__name__}(x, dim={dim})")


@pytest.mark.parametrize("op", both("If :attr:`dim` is a list of dimensions, reduce over all of them."))
def test_list_of_dims_reduces_over_all_of_them(run, op):
    x = sample((2, 3, 4), torch.float32, 5, op is torch.nansum)
    for dim in [[0, 2], (0, 2), (2, 0), (-1, 1), [0, 1, 2]]:
        assert_close(run(op, x, dim=dim), reference(x, tuple(dim)), torch.float32,
                     f"{op.__name__}(x, dim={dim})")


@pytest.mark.parametrize("op", both(DIM_CLAIM))
def test_dim_none_reduces_all_dimensions(run, op):
    x = sample((2, 3, 4), torch.float32, 6, op is torch.nansum)
    assert_close(run(op, x, dim=None), reference(x), torch.float32, f"{op.__name__}(x, dim=None)")
    assert_close(run(op, x, dim=None, keepdim=True), reference(x).reshape(1, 1, 1), torch.float32,
                 f"{op.__name__}(x, dim=None, keepdim=True)")


@pytest.mark.parametrize("op", both(KEEPDIM_CLAIM, needs_values=False))
@pytest.mark.parametrize("dim", [1, -1, (0, 2)], ids=str)
def test_keepdim_shape(run, op, dim):
    x = sample((2, 3, 4), torch.float32, 7, op is torch.nansum)
    name = op.__name__
    assert_close(run(op, x, dim=dim, keepdim=True), reference(x, dim, keepdim=True), torch.float32,
                 f"{name}(x, dim={dim}, keepdim=True)")
    assert_close(run(op, x, dim=dim), reference(x, dim), torch.float32, f"{name}(x, dim={dim})")
    assert_close(run(op, x, dim=dim, keepdim=False), reference(x, dim), torch.float32,
                 f"{name}(x, dim={dim}, keepdim=False)")


@pytest.mark.parametrize("op", both(CAST_CLAIM))
def test_dtype_casts_input_before_summing(run, op):
    name = op.__name__
    # Truncating each element first gives 1 and [1, 0]; summing first would give 4 and [3, 1].
    x = torch.tensor([[0.5, 0.7, 1.9], [0.6, 0.6, 0.6]])
    assert_exact(run(op, x, dtype=torch.int64), torch.tensor(1), f"{name}(x, dtype=torch.int64)")
    assert_exact(run(op, x, dim=1, dtype=torch.int64), torch.tensor([1, 0]),
                 f"{name}(x, dim=1, dtype=torch.int64)")
    # 2**25 + 1 rounds to 2**25 in float32, so the float32 sum is 0; the float64 sum is 1.
    y = torch.tensor([2.0**25 + 1, -2.0**25], dtype=torch.float64)
    if op is torch.nansum:
        y = torch.tensor([2.0**25 + 1, NAN, -2.0**25], dtype=torch.float64)
    assert_exact(run(op, y, dtype=torch.float32), torch.tensor(0.0), f"{name}(y, dtype=torch.float32)")
    assert_exact(run(op, y.reshape(1, -1), dim=1, dtype=torch.float32), torch.tensor([0.0]),
                 f"{name}(y[None], dim=1, dtype=torch.float32)")
    # A wider dtype holds a sum that int8 cannot.
    z = torch.tensor([100, 100, 100], dtype=torch.int8)
    assert_exact(run(op, z, dtype=torch.int16), torch.tensor(300, dtype=torch.int16),
                 f"{name}(int8 z, dtype=torch.int16)")


@spec("torch.sum", "Otherwise, the result type may be automatically promoted (e.g., from "
      "`torch.int32` to `torch.int64`).")
@pytest.mark.parametrize("dtype, values", [
    (torch.int32, [2**31 - 1, 2**31 - 1, 2]),
    (torch.int16, [30000, 30000, -1]),
    (torch.int8, [100, 100, 100]),
    (torch.uint8, [200, 200, 255]),
], ids=["int32", "int16", "int8", "uint8"])
def test_sum_promotes_integer_input_to_int64(run, dtype, values):
    # Each sum overflows the input dtype, so only the promoted result is exact.
    x = torch.tensor(values, dtype=dtype)
    assert_exact(run(torch.sum, x), torch.tensor(sum(values)), f"sum({dtype} x)")
    assert_exact(run(torch.sum, x.reshape(1, 3), dim=1), torch.tensor([sum(values)]),
                 f"sum({dtype} x, dim=1)")
