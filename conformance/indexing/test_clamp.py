"""torch.clamp: into [min, max] with numbers or tensors, one bound only, and max winning when min > max."""

import numpy as np
import pytest
import torch

from suite.expect import assert_exact
from suite.spec import spec

RANGE = "Clamps all elements in :attr:`input` into the range `[` :attr:`min`, :attr:`max` `]`."
ONE_BOUND = ("If :attr:`min` is ``None``, there is no lower bound. Or, if :attr:`max` is ``None`` there is no "
             "upper bound.")
MIN_ABOVE_MAX = ("If :attr:`min` is greater than :attr:`max` :func:`torch.clamp(..., min, max) <torch.clamp>` "
                 "sets all elements in :attr:`input` to the value of :attr:`max`.")

DTYPES = [torch.float32, torch.int32]


def sample(dtype):
    return torch.arange(-6, 6).reshape(3, 4).to(dtype)


def clamped(x, lo, hi):
    a = x.numpy().astype(np.float64)
    if lo is not None:
        a = np.maximum(a, np.asarray(lo, dtype=np.float64))
    if hi is not None:
        a = np.minimum(a, np.asarray(hi, dtype=np.float64))
    return torch.from_numpy(a).to(x.dtype)


@spec("torch.clamp", RANGE)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_clamp_into_the_range(run, dtype):
    x = sample(dtype)
    lo, hi = torch.tensor([[-5, -1, 0, -2]], dtype=dtype), torch.tensor([[4], [1], [3]], dtype=dtype)  # min <= max
    scalar, tensor = run(lambda x, lo, hi: (torch.clamp(x, -2, 3), torch.clamp(x, lo, hi)), x, lo, hi)
    assert_exact(scalar, clamped(x, -2, 3), f"clamp(x, -2, 3) of 3x4 {dtype}")
    assert_exact(tensor, clamped(x, lo.numpy(), hi.numpy()), f"clamp(x, min of 1x4, max of 3x1) of 3x4 {dtype}")


@spec("torch.clamp", ONE_BOUND)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_clamp_with_one_bound(run, dtype):
    x = sample(dtype)
    t = torch.tensor([1, -3, 0, 5], dtype=dtype)
    outs = run(lambda x, t: (torch.clamp(x, min=-1), torch.clamp(x, max=2), torch.clamp(x, None, 2),
                             torch.clamp(x, -1, None), torch.clamp(x, min=t), torch.clamp(x, max=t)), x, t)
    expected = [clamped(x, -1, None), clamped(x, None, 2), clamped(x, None, 2), clamped(x, -1, None),
                clamped(x, t.numpy(), None), clamped(x, None, t.numpy())]
    names = ["min=-1", "max=2", "None, 2", "-1, None", "min=tensor", "max=tensor"]
    for got, e, name in zip(outs, expected, names):
        assert_exact(got, e, f"clamp(x, {name}) of 3x4 {dtype}")


@spec("torch.clamp", MIN_ABOVE_MAX)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_clamp_min_above_max_gives_max(run, dtype):
    x = sample(dtype)
    lo, hi = torch.tensor([3, -2, 5, 0], dtype=dtype), torch.tensor([1, 4, -1, 0], dtype=dtype)  # min > max in 2 columns
    scalar, tensor = run(lambda x, lo, hi: (torch.clamp(x, 2, -1), torch.clamp(x, lo, hi)), x, lo, hi)
    assert_exact(scalar, torch.full((3, 4), -1, dtype=dtype), f"clamp(x, 2, -1) of 3x4 {dtype}")
    expected = torch.where(lo > hi, hi, clamped(x, lo.numpy(), hi.numpy()))
    assert_exact(tensor, expected.expand(3, 4), f"clamp(x, min, max) with min > max in columns 0 and 2, {dtype}")
