"""torch.mean and torch.nanmean: mean of all elements, rows along dim, a list of dims, dim=None,
keepdim, dtype= casting before the reduction, floating point or complex input only, NaN for
empty input, and nanmean ignoring NaN (NaN only where every reduced element is NaN)."""

import pytest
import torch

from conformance.reductions.shared import DIM_CLAIM, KEEPDIM_CLAIM
from suite.expect import assert_close, assert_exact, assert_raises
from suite.spec import spec

NAN = float("nan")

CAST_CLAIM = ("If specified, the input tensor is casted to :attr:`dtype` before the operation "
              "is performed.")
FLOATS = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
NANMEAN_ROWS = "Computes the mean of all `non-NaN` elements along the specified dimensions."


def both(claim, **kwargs):
    return [pytest.param(op, id=op.__name__, marks=spec(f"torch.{op.__name__}", claim, **kwargs))
            for op in (torch.mean, torch.nanmean)]


def sample(shape, dtype, seed, nans):
    """Multiples of 1/8 in [-1, 1], so sums are exact in any dtype and order. With ``nans`` a
    seeded third of the entries are NaN."""
    g = torch.Generator().manual_seed(seed)
    x = (torch.randint(-8, 9, shape, generator=g) / 8).to(dtype)
    if nans:
        x[torch.rand(shape, generator=g) < 1 / 3] = NAN
    return x


def reference(x, dim=None, keepdim=False):
    """float64 mean of the non-NaN elements (the plain mean when there are none)."""
    x = x.double()
    keep = ~x.isnan()
    dims = dim if dim is not None else tuple(range(x.dim()))
    total = torch.where(keep, x, 0).sum(dims, keepdim=keepdim)
    return total / keep.sum(dims, keepdim=keepdim)


@spec("torch.mean", "Returns the mean value of all elements in the :attr:`input` tensor.")
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_mean_of_all_elements(run, dtype):
    for shape in [(3, 5), (4, 257)]:  # the second is long enough for a chunked kernel
        x = sample(shape, dtype, shape[1], nans=False)
        assert_close(run(torch.mean, x), x.double().mean(), dtype, f"mean({dtype} x of shape {shape})")


@spec("torch.mean", "Returns the mean value of each row of the :attr:`input` tensor in the given "
      "dimension :attr:`dim`.")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_mean_of_each_row_along_dim(run, dtype):
    x = sample((4, 6), dtype, 11, nans=False)
    assert_close(run(torch.mean, x, 1), x.double().mean(1), dtype, "mean(x, 1)")
    for dim in [0, -1]:
        assert_close(run(torch.mean, x, dim=dim), x.double().mean(dim), dtype, f"mean(x, dim={dim})")


@spec("torch.mean", "If :attr:`dim` is a list of dimensions, reduce over all of them.")
def test_mean_over_a_list_of_dims(run):
    x = sample((2, 3, 4), torch.float32, 5, nans=False)
    for dim in [[0, 2], (0, 2), (2, 0), (-1, 1), [0, 1, 2]]:
        assert_close(run(torch.mean, x, dim=dim), x.double().mean(tuple(dim)), torch.float32,
                     f"mean(x, dim={dim})")


@pytest.mark.parametrize("op", both(DIM_CLAIM))
def test_dim_none_reduces_all_dimensions(run, op):
    x = sample((2, 3, 4), torch.float32, 6, op is torch.nanmean)
    assert_close(run(op, x, dim=None), reference(x), torch.float32, f"{op.__name__}(x, dim=None)")
    assert_close(run(op, x, dim=None, keepdim=True), reference(x).reshape(1, 1, 1), torch.float32,
                 f"{op.__name__}(x, dim=None, keepdim=True)")


@pytest.mark.parametrize("op", both(KEEPDIM_CLAIM, needs_values=False))
@pytest.mark.parametrize("dim", [1, -1, (0, 2)], ids=str)
def test_keepdim_shape(run, op, dim):
    x = sample((2, 3, 4), torch.float32, 7, op is torch.nanmean)
    name = op.__name__
    assert_close(run(op, x, dim=dim, keepdim=True), reference(x, dim, keepdim=True), torch.float32,
                 f"{name}(x, dim={dim}, keepdim=True)")
    assert_close(run(op, x, dim=dim), reference(x, dim), torch.float32, f"{name}(x, dim={dim})")
    assert_close(run(op, x, dim=dim, keepdim=False), reference(x, dim), torch.float32,
                 f"{name}(x, dim={dim}, keepdim=False)")


@pytest.mark.parametrize("op", both("Input must be floating point or complex.", needs_values=False))
@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8, torch.bool], ids=str)
def test_integer_input_without_dtype_is_an_error(run, op, dtype):
    x = torch.tensor([[1, 2], [0, 1]]).to(dtype)
    name = op.__name__
    assert_raises(RuntimeError, lambda: run(op, x), f"{name}({dtype} x)",
                  control=lambda: run(op, x.to(torch.float32)))
    assert_raises(RuntimeError, lambda: run(op, x, dim=1), f"{name}({dtype} x, dim=1)")


@spec("torch.mean", "Input must be floating point or complex.")
def test_mean_of_complex_input(run):
    g = torch.Generator().manual_seed(9)
    x = torch.complex(torch.randn(3, 4, generator=g), torch.randn(3, 4, generator=g))
    wide = x.to(torch.complex128)
    # assert_close compares real values, so compare the (real, imaginary) pairs.
    out = run(torch.mean, x)
    assert out.dtype == torch.complex64, f"mean(complex64 x): dtype is {out.dtype}"
    assert_close(torch.view_as_real(out), torch.view_as_real(wide.mean()), torch.float32,
                 "mean(complex64 x)")
    out = run(torch.mean, x, dim=1)
    assert out.dtype == torch.complex64, f"mean(complex64 x, dim=1): dtype is {out.dtype}"
    assert_close(torch.view_as_real(out), torch.view_as_real(wide.mean(1)), torch.float32,
                 "mean(complex64 x, dim=1)")


@spec("torch.mean", CAST_CLAIM)
def test_mean_dtype_casts_input_before_averaging(run):
    # Integer input is accepted once dtype makes it floating point, and the mean is not truncated.
    x = torch.tensor([1, 2])
    assert_exact(run(torch.mean, x, dtype=torch.float32), torch.tensor(1.5),
                 "mean(int64 [1, 2], dtype=torch.float32)")
    rows = torch.tensor([[1, 2, 2], [3, 6, 7]])
    assert_close(run(torch.mean, rows, dim=1, dtype=torch.float64), [5 / 3, 16 / 3], torch.float64,
                 "mean(int64 rows, dim=1, dtype=torch.float64)")
    # 2**25 + 1 rounds to 2**25 in float32: the float32 mean is 0, the float64 mean 0.5.
    y = torch.tensor([2.0**25 + 1, -2.0**25], dtype=torch.float64)
    assert_exact(run(torch.mean, y, dtype=torch.float32), torch.tensor(0.0),
                 "mean(float64 y, dtype=torch.float32)")
    assert_exact(run(torch.mean, y.reshape(1, 2), dim=1, keepdim=True, dtype=torch.float32),
                 torch.tensor([[0.0]]),
                 "mean(float64 y[None], dim=1, keepdim=True, dtype=torch.float32)")


@spec("torch.nanmean", CAST_CLAIM)
def test_nanmean_dtype_casts_input_before_averaging(run, observe):
    # 2**25 + 1 rounds to 2**25 in float32: the float32 mean is 0, the float64 mean 0.5.
    y = torch.tensor([2.0**25 + 1, NAN, -2.0**25], dtype=torch.float64)
    assert_exact(run(torch.nanmean, y, dtype=torch.float32), torch.tensor(0.0),
                 "nanmean(float64 y, dtype=torch.float32)")
    assert_exact(run(torch.nanmean, y.reshape(1, 3), dim=1, keepdim=True, dtype=torch.float32),
                 torch.tensor([[0.0]]),
                 "nanmean(float64 y[None], dim=1, keepdim=True, dtype=torch.float32)")
    # "Input must be floating point" and "casted to dtype before" disagree for integer input.
    try:
        observe("nanmean(int64 [1, 2], dtype=torch.float32)",
                run(torch.nanmean, torch.tensor([1, 2]), dtype=torch.float32).tolist())
    except RuntimeError as exc:
        observe("nanmean(int64 [1, 2], dtype=torch.float32)", f"raises {type(exc).__name__}")


@spec("torch.mean", "If the `input` tensor is empty, ``torch.mean()`` returns ``nan``.")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_mean_of_empty_input_is_nan(run, observe, dtype):
    for shape in [(0,), (2, 0), (0, 3)]:
        assert_exact(run(torch.mean, torch.empty(shape, dtype=dtype)), torch.tensor(NAN, dtype=dtype),
                     f"mean(empty {dtype} x of shape {shape})")
    # The note speaks of the whole-tensor mean; record what rows without elements give.
    rows = run(torch.mean, torch.empty(2, 0, dtype=dtype), dim=1)
    observe("mean(empty 2x0, dim=1)", str(rows.tolist()))


@spec("torch.nanmean", "`torch.nanmean(a)` is equivalent to `torch.mean(a[~a.isnan()])`")
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_nanmean_is_mean_of_non_nan_elements(run, dtype):
    for shape in [(3, 5), (4, 257)]:  # the second is long enough for a chunked kernel
        a = sample(shape, dtype, shape[1], nans=True)
        expected = a.double()[~a.isnan()].mean()
        assert_close(run(torch.nanmean, a), expected, dtype, f"nanmean({dtype} a of shape {shape})")
    a = sample((3, 5), dtype, 2, nans=False)  # no NaN at all: the plain mean
    assert_close(run(torch.nanmean, a), a.double().mean(), dtype, f"nanmean({dtype} a without NaN)")


@spec("torch.nanmean", NANMEAN_ROWS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_nanmean_of_each_row_along_dims(run, dtype):
    x = sample((4, 6), dtype, 11, nans=True)
    assert_close(run(torch.nanmean, x, 1), reference(x, 1), dtype, "nanmean(x, 1)")
    for dim in [0, -1]:
        assert_close(run(torch.nanmean, x, dim=dim), reference(x, dim), dtype, f"nanmean(x, dim={dim})")
    y = sample((2, 3, 4), dtype, 12, nans=True)
    for dim in [(0, 2), [2, 0], (-1, 1)]:
        assert_close(run(torch.nanmean, y, dim=dim), reference(y, tuple(dim)), dtype,
                     f"nanmean(y, dim={dim})")


@spec("torch.nanmean", "If all elements in the reduced dimensions are NaN then the result is NaN")
def test_nanmean_of_all_nan_is_nan(run):
    assert_exact(run(torch.nanmean, torch.tensor([NAN])), torch.tensor(NAN), "nanmean([nan])")
    assert_exact(run(torch.nanmean, torch.full((2, 3), NAN)), torch.tensor(NAN), "nanmean(2x3 of nan)")
    x = torch.tensor([[NAN, NAN, NAN], [1.0, NAN, 3.0], [NAN, 0.5, NAN]])
    assert_exact(run(torch.nanmean, x, dim=1), torch.tensor([NAN, 2.0, 0.5]), "nanmean(x, dim=1)")
    assert_exact(run(torch.nanmean, x.T, dim=0, keepdim=True), torch.tensor([[NAN, 2.0, 0.5]]),
                 "nanmean(x.T, dim=0, keepdim=True)")


@spec("torch.nanmean", "In the presence of `NaN`, :func:`torch.mean` will propagate the `NaN` to "
      "the output")
def test_mean_propagates_nan(run):
    x = torch.tensor([[1.0, NAN, 3.0], [1.0, 2.0, 3.0]])
    assert_exact(run(torch.mean, x), torch.tensor(NAN), "mean(x with a NaN)")
    assert_exact(run(torch.mean, x, dim=1), torch.tensor([NAN, 2.0]), "mean(x with a NaN, dim=1)")
