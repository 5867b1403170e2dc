"""torch.stack: a new dimension at each allowed position (negative too), its range, equal sizes."""

import numpy as np
import pytest
import torch

from suite.expect import assert_exact, assert_raises
from suite.spec import spec

NEW_DIM = "Concatenates a sequence of tensors along a new dimension."
DIM = ("dim (int, optional): dimension to insert. Has to be between 0 and the number of dimensions of "
       "concatenated tensors (inclusive). Default: 0")
SAME_SIZE = "All tensors need to be of the same size."


def inputs():
    return [torch.arange(6, dtype=torch.float32).reshape(2, 3) + 10 * k for k in range(3)]


def stacked(ts, dim):
    return torch.from_numpy(np.stack([t.numpy() for t in ts], axis=dim))


@spec("torch.stack", NEW_DIM, needs_values=False)
def test_stack_inserts_a_new_dim(run):
    ts, dims = inputs(), [0, 1, 2, -1, -2, -3]
    outs = run(lambda ts: tuple(torch.stack(ts, d) for d in dims), ts)
    for d, got in zip(dims, outs):
        assert_exact(got, stacked(ts, d), f"stack of three 2x3 tensors, dim={d}")


@spec("torch.stack", DIM, needs_values=False)
def test_stack_default_dim_and_range(run):
    ts = inputs()
    default, dim0 = run(lambda ts: (torch.stack(ts), torch.stack(ts, dim=0)), ts)
    assert_exact(default, stacked(ts, 0), "stack of three 2x3 tensors")
    assert_exact(dim0, stacked(ts, 0), "stack of three 2x3 tensors, dim=0")
    assert_raises((RuntimeError, IndexError), lambda: run(torch.stack, ts, 3),
                  "stack of three 2x3 tensors, dim=3 (past the number of dimensions)")


@spec("torch.stack", SAME_SIZE, needs_values=False)
def test_stack_of_different_sizes_raises(run):
    assert_raises((RuntimeError, ValueError), lambda: run(torch.stack, [torch.zeros(2, 3), torch.zeros(3, 2)]),
                  "stack of a 2x3 and a 3x2 tensor",
                  control=lambda: run(torch.stack, [torch.zeros(2, 3), torch.zeros(2, 3)]))
    assert_raises((RuntimeError, ValueError), lambda: run(torch.stack, [torch.zeros(2, 3), torch.zeros(2, 4)], 2),
                  "stack of a 2x3 and a 2x4 tensor, dim=2")
