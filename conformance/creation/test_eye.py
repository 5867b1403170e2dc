"""torch.eye: a 2-D tensor with ones on the diagonal and zeros elsewhere, m defaulting to n."""

import numpy as np
import torch

from suite.expect import assert_exact
from suite.spec import spec

DIAGONAL = "Returns a 2-D tensor with ones on the diagonal and zeros elsewhere."
COLUMNS = "m (int, optional): the number of columns with default being :attr:`n`"
SHAPES = [(3, 3), (2, 5), (5, 2), (1, 1), (0, 3), (4, 0)]


@spec("torch.eye", DIAGONAL, needs_values=False)
def test_eye_has_ones_on_the_diagonal_only(run):
    dtypes = [None, torch.float64, torch.int64, torch.bool]
    outs = run(lambda like: [torch.eye(n, m, dtype=d, device=like.device) for n, m in SHAPES for d in dtypes],
               torch.empty(0))
    got = iter(outs)
    for n, m in SHAPES:
        for dtype in dtypes:
            expected = torch.from_numpy(np.eye(n, m)).to(dtype or torch.get_default_dtype())
            assert_exact(next(got), expected, f"eye({n}, {m}, dtype={dtype})")


@spec("torch.eye", COLUMNS, needs_values=False)
def test_eye_columns_default_to_n(run):
    outs = run(lambda like: [torch.eye(n, device=like.device) for n in (0, 1, 4)],
               torch.empty(0))
    for n, out in zip((0, 1, 4), outs):
        assert_exact(out, torch.from_numpy(np.eye(n)).to(torch.get_default_dtype()), f"eye({n})")
