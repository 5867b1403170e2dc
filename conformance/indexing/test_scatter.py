"""Tensor.scatter_ and torch.scatter: where src values land, repeated and empty indices, scalar value, reduce."""

import itertools

import numpy as np
import pytest
import torch

from suite.expect import assert_exact
from suite.spec import spec

WRITES = ("Writes all values from the tensor :attr:`src` into :attr:`self` at the indices specified in the "
          ":attr:`index` tensor. For each value in :attr:`src`, its output index is specified by its index in "
          ":attr:`src` for ``dimension != dim`` and by the corresponding value in :attr:`index` for "
          "``dimension = dim``.")
SMALLER = ("It is also required that ``index.size(d) <= src.size(d)`` for all dimensions ``d``, and that "
           "``index.size(d) <= self.size(d)`` for all dimensions ``d != dim``.")
REPEATED = ("When indices are not unique, the behavior is non-deterministic (one of the values from ``src`` "
            "will be picked arbitrarily)")
EMPTY = "When empty, the operation returns ``self`` unchanged."
VALUE = "Writes the value from :attr:`value` into :attr:`self` at the indices specified in the :attr:`index` tensor."
REDUCE = ("Additionally accepts an optional :attr:`reduce` argument that allows specification of an optional "
          "reduction operation, which is applied to all values in the tensor :attr:`src` into :attr:`self` at "
          "the indices specified in the :attr:`index`.")
OUT_OF_PLACE = "Out-of-place version of :meth:`torch.Tensor.scatter_`"


def targets(index, dim):
    """(position in index and src, position in self) for every element of index."""
    for pos in itertools.product(*(range(n) for n in index.shape)):
        out = list(pos)
        out[dim] = int(index[pos])
        yield pos, tuple(out)


def reference(self, dim, index, src):
    out = self.clone()
    for pos, at in targets(index, dim % self.dim()):
        out[at] = src[pos] if isinstance(src, torch.Tensor) else src
    return out


def unique_index(self_shape, index_shape, dim, seed):
    """Along dim, distinct targets for each line of index (a slice of a random permutation)."""
    g = torch.Generator().manual_seed(seed)
    lines = int(np.prod(index_shape)) // index_shape[dim]
    perms = torch.stack([torch.randperm(self_shape[dim], generator=g)[:index_shape[dim]] for _ in range(lines)])
    moved = list(index_shape)
    moved.append(moved.pop(dim))
    return perms.reshape(moved).movedim(-1, dim).contiguous()


def numbered(*shape, start=0.0):
    return torch.arange(int(np.prod(shape)), dtype=torch.float32).reshape(shape) + start


# (dim, self shape, index shape, src shape): index as large as src, and smaller than src and self.
CASES = [(0, (4, 3, 2), (4, 3, 2), (4, 3, 2)), (1, (2, 5, 3), (2, 3, 3), (2, 3, 3)),
         (2, (2, 3, 6), (2, 3, 4), (2, 3, 4)), (-1, (3, 5), (3, 2), (3, 2)),
         (0, (5, 4), (2, 3), (3, 4)), (1, (3, 6), (2, 4), (4, 5))]

SCATTERS = [
    pytest.param(lambda s, *a: s.scatter_(*a), [c for c in CASES if c[2] == c[3]], id="scatter_",
                 marks=spec("torch.Tensor.scatter_", WRITES)),
    pytest.param(lambda s, *a: s.scatter_(*a), [c for c in CASES if c[2] != c[3]], id="smaller-index",
                 marks=spec("torch.Tensor.scatter_", SMALLER)),
    pytest.param(torch.scatter, CASES, id="scatter", marks=spec("torch.scatter", OUT_OF_PLACE)),
]


@pytest.mark.parametrize("op, cases", SCATTERS)
def test_scatter_writes_src_at_index(run, op, cases):
    selves = [-numbered(*s) - 1 for _, s, _, _ in cases]
    indices = [unique_index(s, i, d, k) for k, (d, s, i, _) in enumerate(cases)]
    srcs = [numbered(*shape, start=100) for _, _, _, shape in cases]
    outs = run(lambda selves, indices, srcs: tuple(op(s, d, i, src) for s, i, src, (d, *_) in
                                                   zip(selves, indices, srcs, cases)),
               [s.clone() for s in selves], indices, srcs)
    for s, i, src, (d, *shapes), got in zip(selves, indices, srcs, cases, outs):
        assert_exact(got, reference(s, d, i, src), f"scatter(dim={d}) of self, index, src of shapes {shapes}")


def scatter_leaving_input(x, index, src):
    return torch.scatter(x, 1, index, src), x


@spec("torch.scatter", OUT_OF_PLACE)
def test_scatter_leaves_its_input_alone(run):
    x, index, src = -numbered(2, 4), torch.tensor([[3, 0], [1, 2]]), numbered(2, 2, start=10)
    got, after = run(scatter_leaving_input, x.clone(), index, src)
    assert_exact(got, reference(x, 1, index, src), "scatter(x, 1, index, src) of a 2x4 x")
    assert_exact(after, x, "x after scatter(x, 1, index, src)")


@spec("torch.Tensor.scatter_", REPEATED)
def test_scatter_repeated_index_picks_one_of_the_values(run, observe):
    x = torch.zeros(2, 5)
    index = torch.tensor([[1, 3, 1, 1, 0], [4, 4, 2, 4, 4]])
    src = torch.tensor([[10.0, 11, 12, 13, 14], [20, 21, 22, 23, 24]])
    got = run(lambda x, i, s: x.scatter_(1, i, s), x.clone(), index, src)
    assert_exact(got[:, [0, 2, 3]], torch.tensor([[14.0, 0, 11], [0, 22, 0]]),
                 "scatter_(1, index, src) at the targets written once or never")
    assert got[0, 1].item() in (10, 12, 13), f"scatter_ wrote {got[0, 1].item()} where 10, 12 or 13 collide"
    assert got[1, 4].item() in (20, 21, 23, 24), f"scatter_ wrote {got[1, 4].item()} where 20, 21, 23, 24 collide"
    observe("picked", [got[0, 1].item(), got[1, 4].item()])


@spec("torch.Tensor.scatter_", EMPTY)
def test_scatter_with_an_empty_index_leaves_self(run):
    x = numbered(3, 4)
    got = run(lambda x, i, s: x.scatter_(0, i, s), x.clone(), torch.empty(0, dtype=torch.int64), numbered(3, 4, start=50))
    assert_exact(got, x, "scatter_(0, empty index, src) of a 3x4 self")


@spec("torch.Tensor.scatter_", VALUE)
def test_scatter_value_writes_a_scalar(run):
    x, index = torch.zeros(3, 5), torch.tensor([[0, 1, 2, 0], [2, 2, 1, 0]])
    got = run(lambda x, i: (x.clone().scatter_(0, i, 2), x.scatter_(1, i[:, :2], -1.5)), x.clone(), index)
    expected = (reference(x, 0, index, 2.0), reference(x, 1, index[:, :2], -1.5))
    assert_exact(got[0], expected[0], "scatter_(0, index, 2) of a 3x5 zero tensor")
    assert_exact(got[1], expected[1], "scatter_(1, index[:, :2], -1.5) of a 3x5 zero tensor")


def scatter_reduce_value(a, b, index):
    return a.scatter_(1, index, 3.0, reduce="add"), b.scatter_(1, index, 1.5, reduce="multiply")


@spec("torch.Tensor.scatter_", REDUCE)
def test_scatter_reduce_applies_every_value(run):
    x, index = torch.full((2, 4), 2.0), torch.tensor([[2, 2, 0], [3, 1, 3]])
    added, multiplied = run(scatter_reduce_value, x.clone(), x.clone(), index)
    # Row 0: column 2 receives two values, column 0 one; row 1: column 3 two, column 1 one.
    assert_exact(added, torch.tensor([[5.0, 2, 8, 2], [2, 5, 2, 8]]), "scatter_(1, index, 3.0, reduce='add')")
    assert_exact(multiplied, torch.tensor([[3.0, 2, 4.5, 2], [2, 3, 2, 4.5]]),
                 "scatter_(1, index, 1.5, reduce='multiply')")
