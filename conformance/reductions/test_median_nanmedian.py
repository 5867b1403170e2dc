"""torch.median and torch.nanmedian: lower middle on even counts, values and indices along dim,
keepdim, NaN propagation (median) and NaN skipping (nanmedian), ties, gradients."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from suite.expect import assert_close, assert_exact
from suite.generated import dims, tensors
from suite.spec import spec

NAN = float("nan")

M_FULL = "Returns the median of the values in :attr:`input`."
M_LOWER = ("The median is not unique for :attr:`input` tensors with an even number of elements. "
           "In this case the lower of the two medians is returned.")
M_LOWER_DIM = ("The median is not unique for :attr:`input` tensors with an even number of elements in "
               "the dimension :attr:`dim`. In this case the lower of the two medians is returned.")
M_DIM = ("Returns a namedtuple ``(values, indices)`` where ``values`` contains the median of each row "
         "of :attr:`input` in the dimension :attr:`dim`, and ``indices`` contains the index of the "
         "median values found in the dimension :attr:`dim`.")
M_KEEPDIM = ("If :attr:`keepdim` is ``True``, the output tensors are of the same size as :attr:`input` "
             "except in the dimension :attr:`dim` where they are of size 1. Otherwise, :attr:`dim` is "
             "squeezed (see :func:`torch.squeeze`), resulting in the outputs tensor having 1 fewer "
             "dimension than :attr:`input`.")
M_TIES = ("``indices`` does not necessarily contain the first occurrence of each median value found, "
          "unless it is unique.")
M_GRAD = "This function produces deterministic (sub)gradients unlike ``median(dim=0)``"
M_GRAD_DIM = "For the same reason do not expect the gradients to be deterministic."
N_DIM = ("Returns a namedtuple ``(values, indices)`` where ``values`` contains the median of each row "
         "of :attr:`input` in the dimension :attr:`dim`, ignoring ``NaN`` values, and ``indices`` "
         "contains the index of the median values found in the dimension :attr:`dim`.")
N_SAME = ("This function is identical to :func:`torch.median` when there are no ``NaN`` values in "
          ":attr:`input`.")
N_SAME_DIM = ("This function is identical to :func:`torch.median` when there are no ``NaN`` values in a "
              "reduced row.")
N_NAN = ("When :attr:`input` has one or more ``NaN`` values, :func:`torch.median` will always return "
         "``NaN``, while this function will return the median of the non-``NaN`` elements in :attr:`input`.")
N_NAN_DIM = ("When a reduced row has one or more ``NaN`` values, :func:`torch.median` will always reduce "
             "it to ``NaN``, while this function will reduce it to the median of the non-``NaN`` elements.")
N_ALL_NAN = "If all the elements in :attr:`input` are ``NaN`` it will also return ``NaN``."
N_ALL_NAN_DIM = "If all the elements in a reduced row are ``NaN`` then it will be reduced to ``NaN``, too."
KEEPDIM = ("keepdim (bool, optional): whether the output tensor has :attr:`dim` retained or not. "
           "Default: ``False``.")
OUT = ("out ((Tensor, Tensor), optional): The first tensor will be populated with the median values "
       "and the second tensor, which must have dtype long, with their indices in the dimension "
       ":attr:`dim` of :attr:`input`.")


def both(claim_median, claim_nanmedian, needs_values=True):
    """One param per op, each citing its own page."""
    return [
        pytest.param(torch.median, id="median", marks=spec("torch.median", claim_median,
                                                           needs_values=needs_values)),
        pytest.param(torch.nanmedian, id="nanmedian", marks=spec("torch.nanmedian", claim_nanmedian,
                                                                 needs_values=needs_values)),
    ]


# torch.median's own page says nothing of NaN; the nanmedian page states both behaviours.
NAN_FULL = [pytest.param(op, id=op.__name__, marks=spec("torch.nanmedian", N_NAN))
            for op in (torch.median, torch.nanmedian)]
NAN_DIM = [pytest.param(op, id=op.__name__, marks=spec("torch.nanmedian", N_NAN_DIM))
           for op in (torch.median, torch.nanmedian)]

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32,
          torch.uint8, torch.int8]


def distinct(shape, dtype, seed):
    """Distinct integers in random order; at most 120 of them, so exact in every dtype above."""
    n = math.prod(shape)
    values = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    if dtype.is_signed:
        values = values - n // 2
    return values.reshape(shape).to(dtype)


def lower_median(x, dim):
    """(values, indices) of the lower middle element along dim, keeping dim; x's values along
    dim must be distinct."""
    a = x.double().numpy()
    k = (x.shape[dim] - 1) // 2
    index = np.take(np.argsort(a, axis=dim, kind="stable"), [k], axis=dim)
    values = np.take_along_axis(a, index, axis=dim)
    return torch.from_numpy(values).to(x.dtype), torch.from_numpy(index)


def at(x, dim, indices):
    """x's elements at ``indices`` along dim (indices without the dim)."""
    return x.gather(dim, indices.unsqueeze(dim)).squeeze(dim)


@spec("torch.median", M_FULL)
def test_median_of_all_values(run):
    x = distinct((3, 5), torch.float32, 0)
    assert_exact(run(torch.median, x), torch.tensor(0.0), "median(x) of a 3x5 input")
    assert_exact(run(torch.median, x.reshape(3, 1, 5)), torch.tensor(0.0), "median(x) of a 3x1x5 input")
    assert_exact(run(torch.median, torch.tensor([[-2.5]])), torch.tensor(-2.5), "median(x) of one element")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("op", both(M_LOWER, N_SAME))
def test_even_count_returns_lower_middle(run, op, dtype):
    # 3x4 holds a permutation of -6..5: the middles are -1 and 0, and their mean -0.5 is neither.
    x = distinct((3, 4), dtype, 1)
    expected = torch.tensor(5 if dtype == torch.uint8 else -1, dtype=dtype)
    assert_exact(run(op, x), expected, f"{op.__name__}(x) of 12 elements")
    assert_exact(run(op, x[:2, :1]), x[:2, 0].min(), f"{op.__name__}(x) of 2 elements")


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.uint8], ids=str)
@pytest.mark.parametrize("op", both(M_LOWER_DIM, N_SAME_DIM))
def test_dim_even_count_returns_lower_middle(run, op, dtype):
    x = distinct((3, 6), dtype, 2)
    values, indices = lower_median(x, 1)
    name = op.__name__
    out = run(op, x, 1)
    assert_exact(out.values, values.squeeze(1), f"{name}(x, 1).values")
    assert_exact(out.indices, indices.squeeze(1), f"{name}(x, 1).indices")
    out = run(op, x.T.contiguous(), 0)
    assert_exact(out.values, values.squeeze(1), f"{name}(x.T, 0).values")
    assert_exact(out.indices, indices.squeeze(1), f"{name}(x.T, 0).indices")


@pytest.mark.parametrize("op", both(M_DIM, N_DIM))
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_dim_returns_median_values_and_their_indices(run, op, dim):
    # Sizes 4, 5 and 7 along the dims: even and odd counts.
    x = distinct((4, 5, 7), torch.float64, dim + 10).mul_(0.25)
    values, indices = lower_median(x, dim)
    out = run(op, x, dim)
    name = f"{op.__name__}(x, {dim})"
    assert_exact(out.values, values.squeeze(dim), f"{name}.values")
    assert_exact(out.indices, indices.squeeze(dim), f"{name}.indices")
    assert_exact(out[0], values.squeeze(dim), f"{name}[0]")
    assert_exact(out[1], indices.squeeze(dim), f"{name}[1]")


@pytest.mark.parametrize("op", both(M_KEEPDIM, KEEPDIM, needs_values=False))
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_keepdim_shapes(run, op, dim):
    x = distinct((2, 3, 4), torch.float32, dim + 20)
    values, indices = lower_median(x, dim)
    name = op.__name__
    out = run(op, x, dim, keepdim=True)
    assert_exact(out.values, values, f"{name}(x, {dim}, keepdim=True).values")
    assert_exact(out.indices, indices, f"{name}(x, {dim}, keepdim=True).indices")
    for kwargs in ({}, {"keepdim": False}):
        out = run(op, x, dim, **kwargs)
        assert_exact(out.values, values.squeeze(dim), f"{name}(x, {dim}, {kwargs}).values")
        assert_exact(out.indices, indices.squeeze(dim), f"{name}(x, {dim}, {kwargs}).indices")


SIGNATURES = [
    pytest.param(torch.median, id="median", marks=spec(
        "torch.median", "median(input, dim=-1, keepdim=False, *, out=None) -> (Tensor, LongTensor)",
        needs_values=False)),
    pytest.param(torch.nanmedian, id="nanmedian", marks=spec(
        "torch.nanmedian", "nanmedian(input, dim=-1, keepdim=False, *, out=None) -> (Tensor, LongTensor)",
        needs_values=False)),
]


@pytest.mark.parametrize("op", SIGNATURES)
@pytest.mark.parametrize("dtype", [torch.float16, torch.int32, torch.uint8], ids=str)
def test_indices_are_long_and_values_keep_the_input_dtype(run, op, dtype):
    x = distinct((3, 5), dtype, 30)
    values, indices = lower_median(x, 1)
    out = run(op, x, 1)
    assert_exact(out.values, values.squeeze(1), f"{op.__name__}(x, 1).values")
    assert_exact(out.indices, indices.squeeze(1), f"{op.__name__}(x, 1).indices")


@pytest.mark.parametrize("op", both(OUT, OUT))
def test_out_receives_values_and_indices(run, op):
    x = distinct((3, 5), torch.float32, 31)
    values, indices = lower_median(x, 1)
    out = run(op, x, 1, out=(torch.empty(0), torch.empty(0, dtype=torch.int64)))
    assert_exact(out[0], values.squeeze(1), f"{op.__name__}(x, 1, out=(v, i))[0]")
    assert_exact(out[1], indices.squeeze(1), f"{op.__name__}(x, 1, out=(v, i))[1]")


@spec("torch.median", M_TIES)
def test_median_index_of_a_unique_median_is_its_position(run):
    # Other values repeat, the median value does not.
    x = torch.tensor([[7.0, 1, 7, 3, 9, 1, 5], [0, 8, 0, 8, 6, 0, 8], [9, 2, 9, 1, 2, 4, 9]])
    out = run(torch.median, x, 1)
    assert_exact(out.values, torch.tensor([5.0, 6, 4]), "median(x, 1).values")
    assert_exact(out.indices, torch.tensor([6, 4, 5]), "median(x, 1).indices")
    # Even count: lower middle 5 is unique, upper middle 6 too.
    out = run(torch.median, torch.tensor([8, 8, 1, 1, 5, 6]), 0)
    assert_exact(out.values, torch.tensor(5), "median([8, 8, 1, 1, 5, 6], 0).values")
    assert_exact(out.indices, torch.tensor(4), "median([8, 8, 1, 1, 5, 6], 0).indices")


@spec("torch.median", M_TIES)
def test_median_index_of_a_repeated_median_points_at_an_equal_value(run, observe):
    x = torch.tensor([[2.0, 5, 2, 1, 2, 7], [4, 4, 4, 4, 4, 4], [9, 3, 3, 8, 1, 3]])
    out = run(torch.median, x, 1)
    assert_exact(out.values, torch.tensor([2.0, 4, 3]), "median(x, 1).values")
    assert_exact(at(x, 1, out.indices), out.values, "x at median(x, 1).indices")
    observe("indices_3x6", out.indices.tolist())
    # Long rows of few distinct values, so that a chunked kernel sees ties across chunks.
    x = torch.randint(0, 5, (2, 257), generator=torch.Generator().manual_seed(32))
    out = run(torch.median, x, 1)
    expected = x.sort(1).values[:, 128]
    assert_exact(out.values, expected, "median(x, 1).values of 2x257")
    assert_exact(at(x, 1, out.indices), expected, "x at median(x, 1).indices of 2x257")
    observe("indices_2x257", out.indices.tolist())


@spec("torch.median", M_GRAD)
def test_median_gradient_is_a_deterministic_subgradient(run, observe):
    # A unique median (odd and even count): the median is locally that element.
    for values, position in (([3.0, 1, 4, 1.5, 9, 2, 6], 0), ([3.0, 1, 4, 2], 3)):
        x = torch.tensor(values, requires_grad=True)
        _, (grad,) = run.grad(torch.median, x)
        expected = torch.zeros(len(values))
        expected[position] = 1
        assert_exact(grad, expected, f"gradient of median({values})")
    # A tied median: any convex split over the tied elements, the same on every call.
    x = torch.tensor([3.0, 1, 3, 2, 3], requires_grad=True)
    _, (first,) = run.grad(torch.median, x)
    _, (second,) = run.grad(torch.median, x)
    tied = x.detach() == 3
    assert_exact(second, first, "gradient of median([3, 1, 3, 2, 3]) on a second call")
    assert_exact(first[~tied], torch.zeros(2), "gradient of median([3, 1, 3, 2, 3]) off the ties")
    assert bool((first >= 0).all()), f"gradient of median([3, 1, 3, 2, 3]) is negative: {first.tolist()}"
    assert_close(first.sum(), torch.tensor(1.0), torch.float32,
                 "sum of the gradient of median([3, 1, 3, 2, 3])")
    observe("tied_gradient", first.tolist())


@spec("torch.median", M_GRAD_DIM)
def test_median_dim_gradient_flows_to_median_elements(run, observe):
    # Rows: two unique medians, one median tied three times.
    x = torch.tensor([[3.0, 1, 4, 1.5, 9], [3, 8, 5, 6, 0], [2, 7, 2, 1, 2]], requires_grad=True)
    grad_output = torch.tensor([2.0, 3.0, 0.5])
    out, (grad,) = run.grad(torch.median, x, 1, grad_output=grad_output)
    assert_exact(out.values, torch.tensor([3.0, 5, 2]), "median(x, 1).values")
    assert_exact(grad[:2], torch.tensor([[2.0, 0, 0, 0, 0], [0, 0, 3, 0, 0]]),
                 "gradient of median(x, 1) on rows with a unique median")
    tied = x.detach()[2] == 2
    assert_exact(grad[2][~tied], torch.zeros(2), "gradient of median(x, 1) off the tied median")
    assert bool((grad[2] >= 0).all()), f"gradient of median(x, 1) is negative: {grad[2].tolist()}"
    assert_close(grad[2].sum(), torch.tensor(0.5), torch.float32, "sum of the gradient of a tied row")
    observe("tied_row_gradient", grad[2].tolist())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("op", NAN_FULL)
def test_nan_in_input_median_returns_nan_nanmedian_skips_it(run, op, dtype):
    skips = op is torch.nanmedian
    cases = [
        ([1.0, NAN, 3, 2], 2.0),  # the documented example
        ([NAN, 4, 1, 3, 2, NAN], 2.0),  # four non-NaN elements: the lower middle
        ([5.0, -1, NAN, 0, 7, 6, 9], 5.0),
    ]
    for values, median in cases:
        x = torch.tensor(values, dtype=dtype)
        expected = torch.tensor(median if skips else NAN, dtype=dtype)
        assert_exact(run(op, x), expected, f"{op.__name__}({values})")


@pytest.mark.parametrize("op", NAN_DIM)
def test_nan_in_row_median_reduces_to_nan_nanmedian_skips_it(run, observe, op):
    # Rows: one NaN; two NaNs leaving an even count; no NaN and an even count.
    x = torch.tensor([[4.0, NAN, 1, 3, 2, 6], [NAN, 4, 1, NAN, 3, 8], [5, 0, 4, 1, 3, 2]])
    out = run(op, x, 1)
    name = f"{op.__name__}(x, 1)"
    if op is torch.nanmedian:
        assert_exact(out.values, torch.tensor([3.0, 3, 2]), f"{name}.values")
        assert_exact(out.indices, torch.tensor([3, 4, 5]), f"{name}.indices")
        assert_exact(run(op, x.T.contiguous(), 0).values, torch.tensor([3.0, 3, 2]),
                     f"{op.__name__}(x.T, 0).values")
    else:
        assert_exact(out.values, torch.tensor([NAN, NAN, 2]), f"{name}.values")
        # The one NaN of row 0 is a unique median value; row 1 has two.
        assert_exact(out.indices[[0, 2]], torch.tensor([1, 5]), f"{name}.indices of rows 0 and 2")
        assert_exact(at(x, 1, out.indices), out.values, f"x at {name}.indices")
        observe("index_among_two_nans", out.indices[1].item())
        assert_exact(run(op, x.T.contiguous(), 0).values, torch.tensor([NAN, NAN, 2]),
                     f"{op.__name__}(x.T, 0).values")


@spec("torch.nanmedian", N_ALL_NAN)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_nanmedian_of_all_nan_is_nan(run, dtype):
    for shape in ((1,), (2, 3)):
        x = torch.full(shape, NAN, dtype=dtype)
        assert_exact(run(torch.nanmedian, x), torch.tensor(NAN, dtype=dtype), f"nanmedian of {shape} NaNs")


@spec("torch.nanmedian", N_ALL_NAN_DIM)
def test_nanmedian_all_nan_row_reduces_to_nan(run, observe):
    x = torch.tensor([[NAN, NAN, NAN, NAN], [NAN, 3, NAN, -1], [NAN, NAN, NAN, NAN]])
    out = run(torch.nanmedian, x, 1)
    assert_exact(out.values, torch.tensor([NAN, -1, NAN]), "nanmedian(x, 1).values")
    assert_exact(out.indices[1], torch.tensor(3), "nanmedian(x, 1).indices of the row with numbers")
    in_range = (out.indices >= 0) & (out.indices < 4)
    assert bool(in_range.all()), f"nanmedian(x, 1).indices out of range: {out.indices.tolist()}"
    observe("indices_of_all_nan_rows", out.indices[[0, 2]].tolist())


@spec("torch.nanmedian", N_SAME_DIM)
def test_nanmedian_on_repeated_values_without_nan_matches_median(run, observe):
    x = torch.tensor([[7.0, 1, 7, 3, 9, 1, 5], [2, 5, 2, 1, 2, 7, 2], [4, 4, 4, 4, 4, 4, 4]])
    out = run(torch.nanmedian, x, 1)
    assert_exact(out.values, torch.tensor([5.0, 2, 4]), "nanmedian(x, 1).values")
    assert_exact(out.indices[0], torch.tensor(6), "nanmedian(x, 1).indices of the unique median")
    assert_exact(at(x, 1, out.indices), out.values, "x at nanmedian(x, 1).indices")
    observe("indices", out.indices.tolist())


@spec("torch.nanmedian", N_DIM)
def test_nanmedian_documented_example(run):
    x = torch.tensor([[2.0, 3, 1], [NAN, 1, NAN]])
    out = run(torch.nanmedian, x, 0)
    assert_exact(out.values, torch.tensor([2.0, 1, 1]), "nanmedian(x, 0).values")
    assert_exact(out.indices, torch.tensor([0, 1, 0]), "nanmedian(x, 0).indices")


@pytest.mark.parametrize("op", both(M_LOWER_DIM, N_SAME_DIM))
def test_lower_median_along_generated_dims(run, examples, op):
    # Generated shapes and dims, even and odd lengths, few distinct values (ties): the values
    # are the lower middle of each sorted row (which index among ties the docs leave open).
    @examples
    @given(x=tensors(torch.float32), data=st.data())
    def check(x, data):
        dim = data.draw(dims(x.dim()), label="dim")
        got = run(op, x, dim=dim)
        k = (x.shape[dim] - 1) // 2
        want = torch.from_numpy(np.asarray(np.take(np.sort(x.numpy(), axis=dim), k, axis=dim)))
        name = op.__name__
        assert_exact(got.values, want, f"{name}(x, dim={dim}).values of {x.tolist()}")
        assert_exact(at(x, dim, got.indices), want,
                     f"x at {name}(x, dim={dim}).indices of {x.tolist()}")

    check()
