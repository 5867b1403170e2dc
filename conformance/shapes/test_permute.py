"""torch.permute: dimensions reordered as given (negative dims too), the result is a view."""

import numpy as np
import torch

from suite.expect import assert_exact
from suite.spec import spec

PERMUTE = "Returns a view of the original tensor :attr:`input` with its dimensions permuted."


@spec("torch.permute", PERMUTE, needs_values=False)
def test_permute_reorders_dims(run):
    x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    perms = [(2, 0, 1), (1, 2, 0), (0, 2, 1), (0, 1, 2), (-1, 0, -2)]
    outs = run(lambda x: tuple(torch.permute(x, p) for p in perms), x)
    for p, got in zip(perms, outs):
        expected = torch.from_numpy(np.transpose(x.numpy(), [d % 3 for d in p]).copy())
        assert_exact(got, expected, f"permute(x, {p}) of a 2x3x4 input")


def permute_then_write(x):
    y = torch.permute(x, (2, 0, 1))  # shape 4x2x3
    y[3, 1, 0].fill_(-1)  # x[1, 0, 3]
    y[1, 0, 2].fill_(-2)  # x[0, 2, 1]
    return x, y._base is x


@spec("torch.permute", PERMUTE, needs_values=False)
def test_permute_returns_a_view(run):
    x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    base, is_view = run(permute_then_write, x)
    expected = x.clone()
    expected[1, 0, 3], expected[0, 2, 1] = -1, -2
    assert is_view, "permute(x, (2, 0, 1)) of a 2x3x4 input is not a view of it"
    assert_exact(base, expected, "2x3x4 input after writing into permute(x, (2, 0, 1))")
