"""torch.unique and torch.unique_consecutive: unique values, inverse indices, counts, dim."""

import numpy as np
import pytest
import torch

from suite.expect import assert_exact
from suite.spec import spec

INVERSE = ("if :attr:`return_inverse` is True, there will be an additional returned tensor (same "
           "shape as input) representing the indices for where elements in the original input map "
           "to in the output; otherwise, this function will only return a single tensor.")
COUNTS = ("if :attr:`return_counts` is True, there will be an additional returned tensor (same shape "
          "as output or output.size(dim), if dim was specified) representing the number of "
          "occurrences for each unique value or tensor.")
RETURNS = ("(Tensor, Tensor (optional), Tensor (optional)): A tensor or a tuple of tensors "
           "containing")

DTYPES = [torch.float32, torch.float64, torch.bfloat16, torch.int64, torch.int32, torch.uint8,
          torch.bool]


def sample(dtype, shape, seed):
    """Few distinct values, so duplicates are frequent and mostly not adjacent."""
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=g).bool()
    if dtype == torch.uint8:
        return torch.randint(0, 7, shape, generator=g).to(dtype)
    values = torch.randint(-6, 7, shape, generator=g)
    # Halves for floats: fractional and negative values must sort too (all exact in bfloat16).
    return (values / 2).to(dtype) if dtype.is_floating_point else values.to(dtype)


def with_runs(x, seed):
    """x (1-D) with each element repeated 1 to 3 times: consecutive groups of varying length."""
    lengths = torch.randint(1, 4, x.shape, generator=torch.Generator().manual_seed(seed))
    return x.repeat_interleave(lengths)


def numpy_unique(x, axis=None):
    """np.unique of x's values as (output in x's dtype, int64 inverse, int64 counts)."""
    wide = x.to(torch.float64 if x.is_floating_point() else torch.int64).numpy()
    values, inverse, counts = np.unique(wide, return_inverse=True, return_counts=True, axis=axis)
    inverse_shape = x.shape if axis is None else (x.shape[axis],)
    return (torch.from_numpy(values).to(x.dtype),
            torch.from_numpy(inverse.reshape(-1)).reshape(inverse_shape),
            torch.from_numpy(counts))


def consecutive_groups(x, dim=None):
    """(output, inverse, counts) keeping the first slice of each run of equal slices along dim
    (elements of the flattened input when dim is None)."""
    slices = list(x.reshape(-1)) if dim is None else list(x.unbind(dim))
    firsts, inverse, counts = [], [], []
    for i, s in enumerate(slices):
        if not firsts or not torch.equal(slices[firsts[-1]], s):
            firsts.append(i)
            counts.append(0)
        counts[-1] += 1
        inverse.append(len(firsts) - 1)
    index = torch.tensor(firsts)
    output = x.reshape(-1)[index] if dim is None else x.index_select(dim, index)
    inverse = torch.tensor(inverse).reshape(x.shape if dim is None else (-1,))
    return output, inverse, torch.tensor(counts)


def repeat_along_every_dim(base, index):
    """base with its slices repeated in the order of index along each dim in turn."""
    for d in range(base.ndim):
        base = base.index_select(d, index)
    return base


# ---------------------------------------------------------------------------------- torch.unique

@spec("torch.unique", "sorted (bool): Whether to sort the unique elements in ascending order "
      "before returning as output.")
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_unique_sorted_default_returns_ascending_unique_values(run, dtype):
    x = sample(dtype, (4, 9), seed=1)
    expected, _, _ = numpy_unique(x)
    assert_exact(run(torch.unique, x), expected, "unique(x) (sorted defaults to True)")
    assert_exact(run(torch.unique, x, sorted=True), expected, "unique(x, sorted=True)")
    # Long enough that a parallel or vectorised kernel splits the input into chunks.
    long = sample(dtype, (5000,), seed=2)
    expected, _, _ = numpy_unique(long)
    assert_exact(run(torch.unique, long, sorted=True), expected, "unique(x of 5000, sorted=True)")


@spec("torch.unique", "sorted (bool): Whether to sort the unique elements in ascending order "
      "before returning as output.")
def test_unique_sorted_orders_infinities_and_signed_values(run):
    x = torch.tensor([2.5, float("inf"), -1.5, 0.0, float("-inf"), 2.5, -1.5, 1e-30, -1e30, 0.0])
    expected = torch.tensor([float("-inf"), -1e30, -1.5, 0.0, 1e-30, 2.5, float("inf")])
    assert_exact(run(torch.unique, x, sorted=True), expected, "unique(x, sorted=True)")


@spec("torch.unique", "Returns the unique elements of the input tensor.")
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.uint8], ids=str)
def test_unique_unsorted_returns_each_value_once_consistently(run, observe, dtype):
    # sorted=False promises no order (that CPU and CUDA sort anyway is an implementation note):
    # the same set of values, each once, with inverse and counts that follow the returned order.
    x = sample(dtype, (5, 7), seed=3)
    expected, _, _ = numpy_unique(x)
    output, inverse, counts = run(torch.unique, x, sorted=False, return_inverse=True,
                                  return_counts=True)
    observe("sorted=False came back sorted", bool(torch.equal(output, output.sort().values)))
    assert_exact(output.sort().values, expected, "sorted(unique(x, sorted=False))")
    assert_exact(output[inverse], x, "output[inverse] of unique(x, sorted=False, return_inverse=True)")
    assert_exact(counts, torch.stack([(x == v).sum() for v in output]),
                 "counts of unique(x, sorted=False, return_counts=True), in output order")


@spec("torch.unique", INVERSE)
@pytest.mark.parametrize("shape, dtype", [((11,), torch.float32), ((3, 5), torch.int64),
                                          ((2, 3, 4), torch.uint8)], ids=["1d", "2d", "3d"])
def test_unique_inverse_has_input_shape_and_maps_into_output(run, shape, dtype):
    x = sample(dtype, shape, seed=len(shape))
    expected, inverse, _ = numpy_unique(x)
    output, got = run(torch.unique, x, return_inverse=True)
    assert_exact(output, expected, "output of unique(x, return_inverse=True)")
    assert_exact(got, inverse, "inverse of unique(x, return_inverse=True)")
    assert_exact(output[got], x, "output[inverse]")
    single = run(torch.unique, x, return_inverse=False)
    assert isinstance(single, torch.Tensor), \
        f"unique(x, return_inverse=False): expected a single tensor, got {type(single).__name__}"
    assert_exact(single, expected, "unique(x, return_inverse=False)")


@spec("torch.unique", INVERSE)
def test_unique_inverse_matches_the_documented_example(run):
    output, inverse = run(torch.unique, torch.tensor([[1, 3], [2, 3]]), sorted=True,
                          return_inverse=True)
    assert_exact(output, torch.tensor([1, 2, 3]), "unique([[1, 3], [2, 3]], return_inverse=True)")
    assert_exact(inverse, torch.tensor([[0, 2], [1, 2]]),
                 "inverse of unique([[1, 3], [2, 3]], return_inverse=True)")


@spec("torch.unique", COUNTS)
@pytest.mark.parametrize("shape, dtype", [((13,), torch.float64), ((4, 6), torch.int32),
                                          ((2, 3, 4), torch.bool)], ids=["1d", "2d", "3d"])
def test_unique_counts_number_of_occurrences_per_unique_value(run, shape, dtype):
    x = sample(dtype, shape, seed=10 + len(shape))
    expected, _, counts = numpy_unique(x)
    output, got = run(torch.unique, x, return_counts=True)
    assert_exact(output, expected, "output of unique(x, return_counts=True)")
    assert_exact(got, counts, "counts of unique(x, return_counts=True)")


@spec("torch.unique", RETURNS)
def test_unique_returns_output_inverse_counts_in_that_order(run):
    x = torch.tensor([[5, 1, 5], [7, 1, 5]])
    result = run(torch.unique, x, return_inverse=True, return_counts=True)
    assert isinstance(result, tuple) and len(result) == 3, \
        f"unique(x, return_inverse=True, return_counts=True): expected 3 tensors, got {result!r}"
    output, inverse, counts = result
    assert_exact(output, torch.tensor([1, 5, 7]), "output (first of the tuple)")
    assert_exact(inverse, torch.tensor([[1, 0, 1], [2, 0, 1]]), "inverse_indices (second)")
    assert_exact(counts, torch.tensor([2, 3, 1]), "counts (third)")


@spec("torch.unique", "Otherwise, each of the tensors indexed by the given dimension is treated "
      "as one of the elements to apply the unique operation upon.")
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_unique_dim_finds_unique_subtensors(run, dim):
    # Every dim of x has repeated slices (not adjacent) and slices that differ only in one value.
    base = sample(torch.int64, (3, 3, 3), seed=20)
    x = repeat_along_every_dim(base, torch.tensor([1, 0, 2, 1, 0]))
    expected, inverse, counts = numpy_unique(x, axis=dim)
    assert_exact(run(torch.unique, x, dim=dim), expected, f"unique(x, dim={dim})")
    output, got_inverse, got_counts = run(torch.unique, x, dim=dim, return_inverse=True,
                                          return_counts=True)
    assert_exact(output, expected, f"output of unique(x, dim={dim}, return_inverse/counts=True)")
    assert_exact(got_inverse, inverse, f"inverse of unique(x, dim={dim}) (one per x.size(dim))")
    assert_exact(got_counts, counts, f"counts of unique(x, dim={dim}) (one per output.size(dim))")


@spec("torch.unique", "This means individual values may appear multiple times in the output if "
      "they exist in different sub-tensors.")
def test_unique_dim_keeps_repeated_values_in_distinct_subtensors(run):
    x = torch.tensor([[1, 3, 2, 3], [1, 2, 1, 2]])
    assert_exact(run(torch.unique, x, dim=0), torch.tensor([[1, 2, 1, 2], [1, 3, 2, 3]]),
                 "unique(x, dim=0) (the documented example)")
    assert_exact(run(torch.unique, x, dim=1), torch.tensor([[1, 2, 3], [1, 1, 2]]),
                 "unique(x, dim=1) (the documented example)")
    assert_exact(run(torch.unique, x), torch.tensor([1, 2, 3]), "unique(x) (the documented example)")


# ---------------------------------------------------------------------- torch.unique_consecutive

FIRST_OF_GROUP = ("Eliminates all but the first element from every consecutive group of equivalent "
                  "elements.")


@spec("torch.unique_consecutive", FIRST_OF_GROUP)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_unique_consecutive_removes_only_consecutive_duplicates(run, dtype):
    if dtype != torch.bool:
        x = torch.tensor([1, 1, 2, 2, 3, 1, 1, 2]).to(dtype)
        assert_exact(run(torch.unique_consecutive, x), torch.tensor([1, 2, 3, 1, 2]).to(dtype),
                     "unique_consecutive([1, 1, 2, 2, 3, 1, 1, 2]) (the documented example)")
    x = with_runs(sample(dtype, (60,), seed=30), seed=31)
    expected, _, _ = consecutive_groups(x)
    assert_exact(run(torch.unique_consecutive, x), expected, "unique_consecutive(x)")


@spec("torch.unique_consecutive", FIRST_OF_GROUP)
def test_unique_consecutive_keeps_the_first_of_equal_signed_zeros(run):
    # 0.0 == -0.0, so each run below is one group; only its first element's sign may survive.
    x = torch.tensor([0.0, -0.0, -0.0, 1.0, -0.0, 0.0])
    output = run(torch.unique_consecutive, x)
    assert_exact(output, torch.tensor([0.0, 1.0, 0.0]), "unique_consecutive(x)")
    assert_exact(output.signbit(), torch.tensor([False, False, True]),
                 "signbit of unique_consecutive([0., -0., -0., 1., -0., 0.])")
    rows = torch.tensor([[-0.0, 1.0], [0.0, 1.0], [2.0, 2.0]])
    output = run(torch.unique_consecutive, rows, dim=0)
    assert_exact(output.signbit(), torch.tensor([[True, False], [False, False]]),
                 "signbit of unique_consecutive([[-0., 1.], [0., 1.], [2., 2.]], dim=0)")


@spec("torch.unique_consecutive", INVERSE)
@pytest.mark.parametrize("shape", [(8,), (3, 4), (2, 3, 4)], ids=["1d", "2d", "3d"])
def test_unique_consecutive_inverse_has_input_shape(run, shape):
    x = with_runs(sample(torch.int64, (16,), seed=40), seed=41)[: int(np.prod(shape))].reshape(shape)
    expected, inverse, _ = consecutive_groups(x)
    output, got = run(torch.unique_consecutive, x, return_inverse=True)
    assert_exact(output, expected, "output of unique_consecutive(x, return_inverse=True)")
    assert_exact(got, inverse, "inverse of unique_consecutive(x, return_inverse=True)")
    single = run(torch.unique_consecutive, x, return_inverse=False)
    assert isinstance(single, torch.Tensor), ("unique_consecutive(x, return_inverse=False): "
                                              f"expected a single tensor, got {type(single).__name__}")
    assert_exact(single, expected, "unique_consecutive(x, return_inverse=False)")


@spec("torch.unique_consecutive", COUNTS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool], ids=str)
def test_unique_consecutive_counts_the_length_of_each_group(run, dtype):
    x = torch.tensor([1, 1, 2, 2, 3, 1, 1, 2]).to(dtype)
    expected, _, counts = consecutive_groups(x)
    output, got = run(torch.unique_consecutive, x, return_counts=True)
    assert_exact(output, expected, "output of unique_consecutive(x, return_counts=True)")
    assert_exact(got, counts, "counts of unique_consecutive(x, return_counts=True)")
    x = with_runs(sample(dtype, (40,), seed=50), seed=51).reshape(-1, 2 if dtype == torch.bool else 1)
    expected, _, counts = consecutive_groups(x)
    output, got = run(torch.unique_consecutive, x, return_counts=True)
    assert_exact(output, expected, "output of unique_consecutive(x, return_counts=True)")
    assert_exact(got, counts, "counts of unique_consecutive(x, return_counts=True)")


@spec("torch.unique_consecutive", RETURNS)
def test_unique_consecutive_returns_output_inverse_counts_in_that_order(run):
    x = torch.tensor([1, 1, 2, 2, 3, 1, 1, 2])
    result = run(torch.unique_consecutive, x, return_inverse=True, return_counts=True)
    assert isinstance(result, tuple) and len(result) == 3, \
        ("unique_consecutive(x, return_inverse=True, return_counts=True): expected 3 tensors, "
         f"got {result!r}")
    output, inverse, counts = result
    assert_exact(output, torch.tensor([1, 2, 3, 1, 2]), "output (first of the tuple)")
    assert_exact(inverse, torch.tensor([0, 0, 1, 1, 2, 3, 3, 4]), "inverse_indices (second)")
    assert_exact(counts, torch.tensor([2, 2, 1, 2, 1]), "counts (third)")


@spec("torch.unique_consecutive", "dim (int): the dimension to apply unique. If ``None``, the "
      "unique of the flattened input is returned.")
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_unique_consecutive_dim_removes_consecutive_equal_subtensors(run, dim):
    # Along every dim: adjacent equal slices (collapse) and a slice that recurs later (stays).
    base = sample(torch.int64, (3, 3, 3), seed=60)
    x = repeat_along_every_dim(base, torch.tensor([0, 0, 1, 2, 2, 0]))
    expected, inverse, counts = consecutive_groups(x, dim)
    assert_exact(run(torch.unique_consecutive, x, dim=dim), expected,
                 f"unique_consecutive(x, dim={dim})")
    output, got_inverse, got_counts = run(torch.unique_consecutive, x, dim=dim, return_inverse=True,
                                          return_counts=True)
    assert_exact(output, expected, f"output of unique_consecutive(x, dim={dim}, return_inverse/counts)")
    assert_exact(got_inverse, inverse, f"inverse of unique_consecutive(x, dim={dim})")
    assert_exact(got_counts, counts, f"counts of unique_consecutive(x, dim={dim})")
