"""torch.sort: ascending and descending along each dim, the default dim, stability, indices, dtypes, signature."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from suite.expect import assert_exact
from suite.generated import dims, tensors
from suite.spec import spec

ASCENDING = ("Sorts the elements of the :attr:`input` tensor along a given dimension in ascending order by "
             "value.")
DESCENDING = ("If :attr:`descending` is ``True`` then the elements are sorted in descending order by value.")
DEFAULT_DIM = "If :attr:`dim` is not given, the last dimension of the `input` is chosen."
STABLE = ("If :attr:`stable` is ``True`` then the sorting routine becomes stable, preserving the order of "
          "equivalent elements.")
INDICES = ("A namedtuple of (values, indices) is returned, where the `values` are the sorted values and "
           "`indices` are the indices of the elements in the original `input` tensor.")
SIGNATURE = "sort(input, dim=-1, descending=False, *, stable=False, out=None) -> (Tensor, LongTensor)"


def distinct(shape, seed):
    """Distinct values in random order, so the sorted order and its indices are unique."""
    n = int(np.prod(shape))
    return (torch.randperm(n, generator=torch.Generator().manual_seed(seed)).float() - n / 2).reshape(shape) / 4


def stable_sort(x, dim, descending=False):
    """(values, indices) of NumPy's stable sort; descending keeps equal elements in input order too."""
    a = x.double().numpy()
    order = np.argsort(-a if descending else a, axis=dim, kind="stable")
    return torch.from_numpy(np.take_along_axis(a, order, axis=dim)).to(x.dtype), torch.from_numpy(order)


ORDERS = [
    pytest.param(False, id="ascending", marks=spec("torch.sort", ASCENDING)),
    pytest.param(True, id="descending", marks=spec("torch.sort", DESCENDING)),
]


@pytest.mark.parametrize("descending", ORDERS)
def test_sort_orders_each_dim(run, descending):
    x, dims = distinct((3, 4, 5), 0), [0, 1, 2, -2]
    outs = run(lambda x: tuple(torch.sort(x, d, descending=descending) for d in dims), x)
    for d, got in zip(dims, outs):
        values, indices = stable_sort(x, d, descending)
        assert_exact(got.values, values, f"sort(x, {d}, descending={descending}).values of 3x4x5")
        assert_exact(got.indices, indices, f"sort(x, {d}, descending={descending}).indices of 3x4x5")
    if not descending:  # descending=False is the default
        got = run(lambda x: torch.sort(x, 1), x)
        assert_exact(got.indices, stable_sort(x, 1)[1], "sort(x, 1).indices of 3x4x5 (default order)")


@spec("torch.sort", DEFAULT_DIM)
def test_sort_default_dim_is_the_last(run):
    x = distinct((3, 4, 5), 1)
    got = run(torch.sort, x)
    values, indices = stable_sort(x, 2)
    assert_exact(got.values, values, "sort(x).values of 3x4x5")
    assert_exact(got.indices, indices, "sort(x).indices of 3x4x5")


@spec("torch.sort", STABLE)
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64], ids=str)
def test_stable_sort_keeps_ties_in_input_order(run, dtype):
    # Few distinct values in long rows (both ways a parallel or chunked kernel may cut them),
    # and the documented example.
    x = torch.randint(0, 4, (3, 300), generator=torch.Generator().manual_seed(2)).to(dtype)
    example = torch.tensor([0, 1] * 9, dtype=dtype)
    outs = run(lambda x, xt, e: (torch.sort(x, dim=1, stable=True),
                                 torch.sort(x, dim=1, descending=True, stable=True),
                                 torch.sort(xt, dim=0, stable=True), torch.sort(e, stable=True)),
               x, x.T.contiguous(), example)
    cases = [(x, 1, False, "x of 3x300, dim 1"), (x, 1, True, "x of 3x300, dim 1, descending"),
             (x.T.contiguous(), 0, False, "x.T of 300x3, dim 0"), (example, 0, False, "[0, 1] * 9")]
    for (a, d, desc, what), got in zip(cases, outs):
        values, indices = stable_sort(a, d, desc)
        assert_exact(got.values, values, f"sort(stable=True).values of {what}")
        assert_exact(got.indices, indices, f"sort(stable=True).indices of {what}")


@spec("torch.sort", INDICES)
def test_sort_indices_point_at_the_sorted_values(run, observe):
    x = torch.randint(0, 5, (2, 40), generator=torch.Generator().manual_seed(3)).float()
    got = run(torch.sort, x, 1)
    assert_exact(got.values, stable_sort(x, 1)[0], "sort(x, 1).values of 2x40 with ties")
    assert_exact(x.gather(1, got.indices), got.values, "x at sort(x, 1).indices")
    assert_exact(got.indices.sort(1).values, torch.arange(40).expand(2, 40), "sort(x, 1).indices as a permutation")
    assert_exact(got[0], got.values, "sort(x, 1)[0]")
    observe("unstable_ties_in_input_order", bool((got.indices == stable_sort(x, 1)[1]).all()))


@spec("torch.sort", SIGNATURE, needs_values=False)
@pytest.mark.parametrize("dtype", [torch.float16, torch.int32, torch.uint8], ids=str)
def test_sort_keeps_the_dtype_and_returns_long_indices(run, dtype):
    x = torch.randperm(24, generator=torch.Generator().manual_seed(4)).reshape(4, 6).to(dtype)
    values, indices = stable_sort(x, 1)
    got = run(torch.sort, x)
    assert_exact(got.values, values, f"sort(x).values of 4x6 {dtype}")
    assert_exact(got.indices, indices, f"sort(x).indices of 4x6 {dtype}")


@spec("torch.sort", SIGNATURE, needs_values=False)
def test_sort_takes_a_positional_dim_with_the_stable_keyword(run):
    x = torch.tensor([[2.0, 1.0, 2.0, 0.0], [1.0, 1.0, 0.0, 3.0]])
    got = run(lambda x: (torch.sort(x, 0, stable=True), torch.sort(x, 1, True, stable=True)), x)
    for out, (d, desc) in zip(got, ((0, False), (1, True))):
        values, indices = stable_sort(x, d, desc)
        assert_exact(out.values, values, f"sort(x, {d}, {desc}, stable=True).values")
        assert_exact(out.indices, indices, f"sort(x, {d}, {desc}, stable=True).indices")


@spec("torch.sort", STABLE)
def test_stable_sort_of_generated_inputs(run, examples):
    # Generated shapes, dims, directions and few distinct values: ties everywhere.
    @examples
    @given(x=tensors(torch.float32, values=st.sampled_from([-1.0, 0.0, 2.5, float("inf")])),
           data=st.data())
    def check(x, data):
        dim = data.draw(dims(x.dim()), label="dim")
        descending = data.draw(st.booleans(), label="descending")
        got = run(torch.sort, x, dim=dim, descending=descending, stable=True)
        values, indices = stable_sort(x, dim, descending)
        what = f"sort(x, dim={dim}, descending={descending}, stable=True) of {x.tolist()}"
        assert_exact(got.values, values, f"{what}: values")
        assert_exact(got.indices, indices, f"{what}: indices")

    check()
