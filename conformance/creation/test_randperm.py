"""torch.randperm: a random permutation of 0 .. n - 1, int64 by default."""

import torch

from suite.expect import assert_exact
from suite.spec import spec

PERMUTATION = "Returns a random permutation of integers from ``0`` to ``n - 1``."
DTYPE = ("dtype (:class:`torch.dtype`, optional): the desired data type of returned tensor. "
         "Default: ``torch.int64``.")
SIZES = [0, 1, 2, 7, 300, 5000]


@spec("torch.randperm", PERMUTATION)
def test_randperm_is_a_permutation_of_0_to_n_minus_1(run):
    torch.manual_seed(0)
    outs = run(lambda like: [torch.randperm(n, device=like.device) for n in SIZES], torch.empty(0))
    for n, out in zip(SIZES, outs):
        assert_exact(out.sort().values, torch.arange(n), f"sorted randperm({n})")
    # Random: the identity of 300 or 5000 elements has probability 1/300! or less.
    for out in outs[-2:]:
        assert not torch.equal(out, torch.arange(out.numel())), f"randperm({out.numel()}) returned 0 .. n - 1 in order"


@spec("torch.randperm", DTYPE, needs_values=False)
def test_randperm_dtype_defaults_to_int64(run):
    torch.manual_seed(0)
    dtypes = (None, torch.int32, torch.float32)
    outs = run(lambda like: [torch.randperm(5, dtype=dtype, device=like.device) for dtype in dtypes], torch.empty(0))
    for out, dtype in zip(outs, (torch.int64, torch.int32, torch.float32)):
        assert_exact(out.sort().values, torch.arange(5, dtype=dtype), f"sorted randperm(5) with dtype {dtype}")
