"""torch.transpose: the two dimensions swap (negative dims, a dim with itself), storage is shared."""

import numpy as np
import torch

from suite.expect import assert_exact
from suite.spec import spec

SWAP = "The given dimensions :attr:`dim0` and :attr:`dim1` are swapped."
SHARES = ("If :attr:`input` is a strided tensor then the resulting :attr:`out` tensor shares its underlying "
          "storage with the :attr:`input` tensor, so changing the content of one would change the content "
          "of the other.")


@spec("torch.transpose", SWAP, needs_values=False)
def test_transpose_swaps_two_dims(run):
    x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    pairs = [(0, 1), (1, 0), (0, 2), (-1, 1), (2, -3), (1, 1)]
    outs = run(lambda x: tuple(torch.transpose(x, a, b) for a, b in pairs), x)
    for (a, b), got in zip(pairs, outs):
        expected = torch.from_numpy(np.swapaxes(x.numpy(), a, b).copy())
        assert_exact(got, expected, f"transpose(x, {a}, {b}) of a 2x3x4 input")


def transpose_then_write(x):
    y = torch.transpose(x, 0, 2)  # shape 4x3x2
    y[3, 1, 0].fill_(-1)  # x[0, 1, 3], through the result
    x[1, 2, 0].fill_(-2)  # y[0, 2, 1], through the input
    return x, y, y._base is x


@spec("torch.transpose", SHARES, needs_values=False)
def test_transpose_shares_storage(run):
    x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    base, y, is_view = run(transpose_then_write, x)
    expected = x.clone()
    expected[0, 1, 3], expected[1, 2, 0] = -1, -2
    assert is_view, "transpose(x, 0, 2) of a 2x3x4 input is not a view of it"
    assert_exact(base, expected, "2x3x4 input after writing into it and into transpose(x, 0, 2)")
    assert_exact(y, expected.transpose(0, 2), "transpose(x, 0, 2) after writing into it and into x")
