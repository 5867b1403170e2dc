"""torch.broadcast_tensors and torch.broadcast_to: NumPy's broadcasting rules, incompatible shapes, broadcast_to as expand."""

import numpy as np
import pytest
import torch

from suite.expect import assert_exact, assert_raises
from suite.spec import spec

RULE = "Broadcasts the given tensors according to :ref:`broadcasting-semantics`."
TO = "Equivalent to calling ``input.expand(shape)``. See :meth:`~Tensor.expand` for details."


def numbered(shape, start=0):
    n = int(np.prod(shape))
    return torch.arange(start, start + n, dtype=torch.float32).reshape(shape)


def broadcast_all(tensors):
    return [torch.from_numpy(a.copy()) for a in np.broadcast_arrays(*(t.numpy() for t in tensors))]


# Groups of shapes, checked in two calls: fewer dims against more (that also broadcast, wrongly,
# when aligned from the left), then sizes of 1 and 0 stretched against others.
GROUPS = [
    [[(3,), (3, 3)], [(), (2, 3)], [(2,), (2, 2), (1, 2, 2)], [(1,), (2, 3)]],
    [[(1, 3), (2, 1)], [(2, 1, 3), (1, 4, 1), (2, 4, 3)], [(0,), (1,)], [(2, 0), (1, 1)], [(3, 1), (3, 1)],
     [(4,), (3, 4)], [(5, 1, 4, 1), (3, 1, 1)]],
]


@pytest.mark.parametrize("groups", GROUPS, ids=["ranks", "sizes"])
@spec("torch.broadcast_tensors", RULE, needs_values=False)
def test_broadcast_tensors_follows_numpy_rules(run, groups):
    inputs = [[numbered(s, 100 * k) for k, s in enumerate(g)] for g in groups]
    outs = run(lambda groups: tuple(torch.broadcast_tensors(*g) for g in groups), inputs)
    for shapes, ts, got in zip(groups, inputs, outs):
        assert len(got) == len(ts), f"broadcast_tensors of shapes {shapes}: {len(got)} results"
        for k, (g, expected) in enumerate(zip(got, broadcast_all(ts))):
            assert_exact(g, expected, f"broadcast_tensors of shapes {shapes}, result {k}")


@pytest.mark.parametrize("shapes", [[(3,), (4,)], [(2, 3), (3, 2)], [(2, 1), (1, 3), (3, 3)]], ids=str)
@spec("torch.broadcast_tensors", RULE, needs_values=False)
def test_broadcast_tensors_rejects_incompatible_shapes(run, shapes):
    ts = [numbered(s) for s in shapes]
    assert_raises((RuntimeError, ValueError), lambda: run(torch.broadcast_tensors, *ts),
                  f"broadcast_tensors of shapes {shapes}",
                  control=lambda: run(torch.broadcast_tensors, ts[0], ts[0]))


def broadcast_to_both_ways(x):
    a, b = torch.broadcast_to(x, (2, 3, 4)), torch.broadcast_to(x, (3, -1))
    return a, b, a.stride(), a._base is x


@spec("torch.broadcast_to", TO, needs_values=False)
def test_broadcast_to_is_expand(run):
    x = torch.arange(4, dtype=torch.float32).reshape(1, 4)
    a, b, stride, is_view = run(broadcast_to_both_ways, x)
    assert_exact(a, torch.from_numpy(np.broadcast_to(x.numpy(), (2, 3, 4)).copy()), "broadcast_to(x, (2, 3, 4)) of 1x4")
    assert_exact(b, torch.from_numpy(np.broadcast_to(x.numpy(), (3, 4)).copy()), "broadcast_to(x, (3, -1)) of 1x4")
    assert is_view and tuple(stride) == (0, 0, 1), \
        f"broadcast_to(x, (2, 3, 4)) of 1x4: view {is_view}, strides {stride}; expand gives a view, strides (0, 0, 1)"
    assert_raises((RuntimeError, ValueError), lambda: run(torch.broadcast_to, x, (4, 3)),
                  "broadcast_to(x, (4, 3)) of a 1x4 input")
