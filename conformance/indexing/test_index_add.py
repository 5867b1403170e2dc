"""Tensor.index_add_ and torch.index_add: alpha times source added at index, repeats, default alpha, shape errors."""

import numpy as np
import pytest
import torch

from suite.expect import assert_close, assert_exact, assert_raises
from suite.spec import spec

ACCUMULATE = ("Accumulate the elements of :attr:`alpha` times ``source`` into the :attr:`self` tensor by "
              "adding to the indices in the order given in :attr:`index`.")
SUBTRACTED = ("For example, if ``dim == 0``, ``index[i] == j``, and ``alpha=-1``, then the ``i``\\ th row of "
              "``source`` is subtracted from the ``j``\\ th row of :attr:`self`.")
INDEX_DTYPE = ("index (Tensor): indices of ``source`` to select from, should have dtype either `torch.int64` "
               "or `torch.int32`")
SHAPES = ("The :attr:`dim`\\ th dimension of ``source`` must have the same size as the length of :attr:`index` "
          "(which must be a vector), and all other dimensions must match :attr:`self`, or an error will be "
          "raised.")
SIGNATURE = "index_add_(dim, index, source, *, alpha=1) -> Tensor"
OUT_OF_PLACE = "See :meth:`~Tensor.index_add_` for function description."


def reference(self, dim, index, source, alpha):
    """float64 loop over index: self[..., index[i], ...] += alpha * source[..., i, ...]."""
    out = self.double().numpy().copy()
    src = np.moveaxis(source.double().numpy(), dim, 0)
    view = np.moveaxis(out, dim, 0)  # a NumPy view: writes land in out
    for i, j in enumerate(index.tolist()):
        view[j] += alpha * src[i]
    return torch.from_numpy(out)


def sample(shape, seed, dtype=torch.float32):
    return torch.randint(-8, 9, shape, generator=torch.Generator().manual_seed(seed)).to(dtype)


# (dim, index, alpha) for a 4x3x5 self; indices repeat, skip rows and come in any order.
CASES = [(0, [3, 0, 3, 1, 3], 2.5), (1, [2, 2], -1), (2, [4, 0, 1, 0, 4, 4, 2], 0.5), (-1, [1], 3)]


def index_add_all(op, selves, sources, indices):
    return tuple(op(s, dim, i, src, alpha=alpha)
                 for s, src, i, (dim, _, alpha) in zip(selves, sources, indices, CASES))


ACCUMULATES = [
    pytest.param(lambda s, *a, **k: s.index_add_(*a, **k), id="index_add_",
                 marks=spec("torch.Tensor.index_add_", ACCUMULATE)),
    pytest.param(torch.index_add, id="index_add", marks=spec("torch.index_add", OUT_OF_PLACE)),
]


@pytest.mark.parametrize("op", ACCUMULATES)
def test_index_add_accumulates_alpha_times_source(run, op):
    selves = [sample((4, 3, 5), k) for k in range(len(CASES))]
    sources, indices = [], []
    for k, (dim, index, _) in enumerate(CASES):
        shape = [4, 3, 5]
        shape[dim] = len(index)
        sources.append(sample(shape, 10 + k))
        indices.append(torch.tensor(index))
    outs = run(lambda *a: index_add_all(op, *a), [s.clone() for s in selves], sources, indices)
    for s, src, i, (dim, index, alpha), got in zip(selves, sources, indices, CASES, outs):
        assert_close(got, reference(s, dim, i, src, alpha), torch.float32,
                     f"index_add(dim={dim}, index={index}, alpha={alpha}) into a 4x3x5 tensor")


def in_place(s, index, source):
    out = s.index_add_(0, index, source, alpha=-1)
    return out, s, out is s


@spec("torch.Tensor.index_add_", SUBTRACTED)
def test_index_add_alpha_minus_1_subtracts_rows_in_place(run):
    s = torch.tensor([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
    source = torch.tensor([[1.0, 1, 1], [10, 20, 30], [100, 200, 300]])
    out, after, same = run(in_place, s.clone(), torch.tensor([2, 0, 2]), source)
    expected = torch.tensor([[-9.0, -18, -27], [4, 5, 6], [-94, -193, -292]])
    assert same, "index_add_ did not return self"
    assert_exact(out, expected, "index_add_(0, [2, 0, 2], source, alpha=-1)")
    assert_exact(after, expected, "self after index_add_(0, [2, 0, 2], source, alpha=-1)")


@spec("torch.Tensor.index_add_", INDEX_DTYPE)
def test_index_add_takes_int32_and_int64_indices(run):
    s, source = sample((5, 2), 20), sample((4, 2), 21)
    for dtype in (torch.int32, torch.int64):
        index = torch.tensor([4, 1, 4, 0], dtype=dtype)
        got = run(lambda s, i, src: s.index_add_(0, i, src, alpha=2), s.clone(), index, source)
        assert_close(got, reference(s, 0, index, source, 2), torch.float32,
                     f"index_add_(0, {dtype} index [4, 1, 4, 0], source, alpha=2)")


@spec("torch.Tensor.index_add_", SIGNATURE)
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64], ids=str)
def test_index_add_default_alpha_is_1(run, dtype):
    s, source, index = sample((4, 3), 30, dtype), sample((5, 3), 31, dtype), torch.tensor([1, 3, 1, 0, 1])
    default, one = run(lambda a, b, i, src: (a.index_add_(0, i, src), b.index_add_(0, i, src, alpha=1)),
                       s.clone(), s.clone(), index, source)
    expected = reference(s, 0, index, source, 1).to(dtype)
    assert_exact(default, expected, f"index_add_(0, [1, 3, 1, 0, 1], source) of {dtype}")
    assert_exact(one, expected, f"index_add_(0, [1, 3, 1, 0, 1], source, alpha=1) of {dtype}")


@pytest.mark.parametrize("index, shape", [([0, 1, 2], (2, 3)), ([0, 1], (2, 4)), ([[0], [1]], (2, 3))],
                         ids=["source-rows", "other-dim", "2d-index"])
@spec("torch.Tensor.index_add_", SHAPES, needs_values=False)
def test_index_add_shape_mismatch_raises(run, index, shape):
    s, source = torch.zeros(4, 3), torch.ones(shape)
    assert_raises((RuntimeError, IndexError, ValueError),
                  lambda: run(lambda s, i, src: s.index_add_(0, i, src), s, torch.tensor(index), source),
                  f"index_add_(0, {index}, source of shape {shape}) into a 4x3 tensor",
                  control=lambda: run(lambda s, i, src: s.index_add_(0, i, src), s,
                                      torch.tensor([0, 1]), torch.ones(2, 3)))
