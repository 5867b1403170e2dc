"""torch.masked_select: selected elements in row-major order, mask broadcasting, a result with its own storage."""

import numpy as np
import torch

from suite.expect import assert_exact, assert_raises
from suite.spec import spec

SELECT = ("Returns a new 1-D tensor which indexes the :attr:`input` tensor according to the boolean mask "
          ":attr:`mask` which is a `BoolTensor`.")
BROADCAST = ("The shapes of the :attr:`mask` tensor and the :attr:`input` tensor don't need to match, but they "
             "must be :ref:`broadcastable <broadcasting-semantics>`.")
NEW_STORAGE = "The returned tensor does **not** use the same storage as the original tensor"


def numbered(*shape):
    return torch.arange(int(np.prod(shape)), dtype=torch.float32).reshape(shape)


def selected(x, mask):
    a, m = np.broadcast_arrays(x.numpy(), mask.numpy())
    return torch.from_numpy(a[m].copy())


@spec("torch.masked_select", SELECT)
def test_masked_select_in_row_major_order(run):
    x = numbered(3, 4, 5)
    masks = [x.remainder(3) == 1, torch.zeros(3, 4, 5, dtype=torch.bool), torch.ones(3, 4, 5, dtype=torch.bool),
             torch.rand(3, 4, 5, generator=torch.Generator().manual_seed(0)) > 0.5]
    outs = run(lambda x, masks: tuple(torch.masked_select(x, m) for m in masks), x, masks)
    for m, got, what in zip(masks, outs, ("every third", "none", "all", "random half")):
        assert_exact(got, selected(x, m), f"masked_select of a 3x4x5 input, mask selecting {what}")


@spec("torch.masked_select", BROADCAST)
def test_masked_select_broadcasts_mask_and_input(run):
    x, row_mask, col_mask = numbered(3, 4), torch.tensor([[True, False, True, True]]), torch.tensor([[False], [True], [True]])
    v, big_mask = numbered(4), torch.tensor([[True, False, False, True], [False, True, True, False], [True] * 4])
    outs = run(lambda x, r, c, v, b, t: (torch.masked_select(x, r), torch.masked_select(x, c),
                                         torch.masked_select(v, b), torch.masked_select(x, t)),
               x, row_mask, col_mask, v, big_mask, torch.tensor(True))
    cases = [(x, row_mask, "3x4 input, 1x4 mask"), (x, col_mask, "3x4 input, 3x1 mask"),
             (v, big_mask, "input of 4, 3x4 mask"), (x, torch.tensor(True), "3x4 input, 0-dim mask")]
    for (a, m, what), got in zip(cases, outs):
        assert_exact(got, selected(a, m), f"masked_select of a {what}")
    assert_raises((RuntimeError, ValueError), lambda: run(torch.masked_select, x, torch.ones(3, 3, dtype=torch.bool)),
                  "masked_select of a 3x4 input with a 3x3 mask")


def select_then_write(x, mask):
    out = torch.masked_select(x, mask)
    out.fill_(-1)
    return x, out


@spec("torch.masked_select", NEW_STORAGE)
def test_masked_select_result_does_not_share_storage(run):
    x = numbered(2, 3)
    after, out = run(select_then_write, x.clone(), torch.ones(2, 3, dtype=torch.bool))
    assert_exact(out, torch.full((6,), -1.0), "masked_select with an all-True mask, after writing into it")
    assert_exact(after, x, "the input after writing into masked_select(x, all-True mask)")
