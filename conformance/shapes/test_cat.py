"""torch.cat: concatenation along a dimension, 1-D empty tensors, mismatched shapes, default dim."""

import numpy as np
import pytest
import torch

from suite.expect import assert_exact, assert_raises
from suite.spec import spec

CONCAT = "Concatenates the given sequence of tensors in :attr:`tensors` in the given dimension."
SHAPES = ("All tensors must either have the same shape (except in the concatenating dimension) or be "
          "a 1-D empty tensor with size ``(0,)``.")
NON_EMPTY = ("tensors (sequence of Tensors): Non-empty tensors provided must have the same shape, "
             "except in the cat dimension.")
SIGNATURE = "cat(tensors, dim=0, *, out=None) -> Tensor"


def numbered(*shapes):
    """Tensors of these shapes holding consecutive numbers, so every element is distinct."""
    out, start = [], 0
    for shape in shapes:
        n = int(np.prod(shape))
        out.append(torch.arange(start, start + n, dtype=torch.float32).reshape(shape))
        start += n
    return out


def concatenated(tensors, dim):
    return torch.from_numpy(np.concatenate([t.numpy() for t in tensors], axis=dim))


@spec("torch.cat", CONCAT, needs_values=False)
def test_cat_along_each_dim(run):
    cases = [(numbered((2, 3), (1, 3), (4, 3)), 0), (numbered((2, 1, 2), (2, 3, 2), (2, 2, 2)), 1),
             (numbered((3, 2), (3, 0), (3, 4)), -1), (numbered((2, 2, 1), (2, 2, 3)), 2)]
    outs = run(lambda groups: tuple(torch.cat(ts, d) for ts, (_, d) in zip(groups, cases)),
               [ts for ts, _ in cases])
    for (ts, d), got in zip(cases, outs):
        shapes = [tuple(t.shape) for t in ts]
        assert_exact(got, concatenated(ts, d), f"cat of shapes {shapes} along dim {d}")


@spec("torch.cat", SHAPES, needs_values=False)
def test_cat_skips_1d_empty_tensors(run):
    a, b, c = numbered((2, 3), (1, 3), (2, 2))
    empty = torch.empty(0)
    dim0, dim1, alone = run(lambda a, b, c, e: (torch.cat([a, e, b, e], 0), torch.cat([e, a, c], 1),
                                                torch.cat([e, a])), a, b, c, empty)
    assert_exact(dim0, concatenated([a, b], 0), "cat([2x3, empty (0,), 1x3, empty (0,)], 0)")
    assert_exact(dim1, concatenated([a, c], 1), "cat([empty (0,), 2x3, 2x2], 1)")
    assert_exact(alone, a, "cat([empty (0,), 2x3])")


@pytest.mark.parametrize("shapes, dim", [(((2, 3), (2, 4)), 0), (((2, 3), (3, 3)), 1),
                                         (((2, 3), (2, 3, 1)), 0)], ids=["dim0", "dim1", "ndim"])
@spec("torch.cat", NON_EMPTY, needs_values=False)
def test_cat_mismatched_shapes_raise(run, shapes, dim):
    ts = numbered(*shapes)
    assert_raises((RuntimeError, ValueError), lambda: run(torch.cat, ts, dim),
                  f"cat of shapes {list(shapes)} along dim {dim}",
                  control=lambda: run(torch.cat, [ts[0], ts[0]], dim))


@spec("torch.cat", SIGNATURE, needs_values=False)
def test_cat_default_dim_is_0(run):
    a, b = numbered((2, 2), (2, 2))
    default, dim0 = run(lambda a, b: (torch.cat((a, b)), torch.cat((a, b), 0)), a, b)
    assert_exact(default, concatenated([a, b], 0), "cat((a, b)) of two 2x2 inputs")
    assert_exact(dim0, concatenated([a, b], 0), "cat((a, b), 0) of two 2x2 inputs")
