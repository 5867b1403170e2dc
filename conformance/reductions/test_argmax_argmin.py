"""torch.argmax and torch.argmin: first index on ties, flattened input, dim and keepdim."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from suite.expect import assert_exact
from suite.generated import dims, tensors
from suite.spec import spec

FIRST_ON_TIES = [
    pytest.param(torch.argmax, 9, id="argmax", marks=spec(
        "torch.argmax",
        "If there are multiple maximal values then the indices of the first maximal value are returned.")),
    pytest.param(torch.argmin, 0, id="argmin", marks=spec(
        "torch.argmin",
        "If there are multiple minimal values then the indices of the first minimal value are returned.")),
]

FLATTENED = [
    pytest.param(torch.argmax, 9, id="argmax", marks=spec(
        "torch.argmax", "If ``None``, the argmax of the flattened input is returned.")),
    pytest.param(torch.argmin, 0, id="argmin", marks=spec(
        "torch.argmin", "If ``None``, the argmin of the flattened input is returned.")),
]

KEEPDIM = [
    pytest.param(torch.argmax, id="argmax", marks=spec(
        "torch.argmax", "keepdim (bool, optional): whether the output tensor has :attr:`dim` "
        "retained or not. Default: ``False``.", needs_values=False)),
    pytest.param(torch.argmin, id="argmin", marks=spec(
        "torch.argmin", "keepdim (bool, optional): whether the output tensor has :attr:`dim` "
        "retained or not. Default: ``False``.", needs_values=False)),
]

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32,
          torch.uint8, torch.int8]


@pytest.mark.parametrize("op, extreme", FIRST_ON_TIES)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_first_index_on_ties_flattened(run, op, extreme, dtype):
    x = torch.tensor([[4, extreme, 3], [extreme, 2, extreme]], dtype=dtype)  # 0 <= values <= 9
    assert_exact(run(op, x), torch.tensor(1), f"{op.__name__} of a 2x3 input with three tied extremes")


@pytest.mark.parametrize("op, extreme", FIRST_ON_TIES)
def test_first_index_on_ties_along_dim(run, op, extreme):
    e = float(extreme)
    # Per row: ties late, ties at both ends, all equal, a single extreme last.
    x = torch.tensor([[4.0, e, e, e], [e, 1.0, 2.0, e], [e, e, e, e], [1.0, 2.0, 3.0, e]])
    assert_exact(run(op, x, dim=1), torch.tensor([1, 0, 0, 3]), f"{op.__name__}(x, dim=1)")
    assert_exact(run(op, x.T.contiguous(), dim=0), torch.tensor([1, 0, 0, 3]),
                 f"{op.__name__}(x.T, dim=0)")


@pytest.mark.parametrize("op, extreme", FIRST_ON_TIES)
def test_first_index_on_ties_long_row(run, op, extreme):
    # Long enough that a vectorised or parallel kernel splits the row into chunks.
    x = torch.full((3, 4099), 4.0)
    x[0, [1000, 2000, 4098]] = extreme
    x[1, [4097, 4098]] = extreme
    x[2, [7, 8, 9]] = extreme
    assert_exact(run(op, x, dim=1), torch.tensor([1000, 4097, 7]), f"{op.__name__}(dim=1) on 3x4099")


@pytest.mark.parametrize("op, extreme", FLATTENED)
def test_dim_none_indexes_the_flattened_input(run, op, extreme):
    x = torch.full((3, 4, 5), 4.0)
    x[2, 1, 3] = extreme
    assert_exact(run(op, x), torch.tensor(2 * 20 + 1 * 5 + 3), f"{op.__name__}(x) on 3x4x5")
    assert_exact(run(op, x, dim=None), torch.tensor(48), f"{op.__name__}(x, dim=None)")
    # keepdim with dim=None keeps every dimension, each of size 1.
    assert_exact(run(op, x, dim=None, keepdim=True), torch.tensor([[[48]]]),
                 f"{op.__name__}(x, dim=None, keepdim=True)")


@pytest.mark.parametrize("op", KEEPDIM)
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_keepdim_shape_and_long_dtype(run, op, dim):
    x = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(dim + 7))
    reference = getattr(np, op.__name__)(x.numpy(), axis=dim, keepdims=True)
    expected = torch.from_numpy(reference).to(torch.int64)
    dropped = [s for i, s in enumerate(x.shape) if i != dim % 3]
    assert_exact(run(op, x, dim=dim, keepdim=True), expected, f"{op.__name__}(dim={dim}, keepdim=True)")
    assert_exact(run(op, x, dim=dim), expected.reshape(dropped), f"{op.__name__}(dim={dim})")
    assert_exact(run(op, x, dim=dim, keepdim=False), expected.reshape(dropped),
                 f"{op.__name__}(dim={dim}, keepdim=False)")


@pytest.mark.parametrize("op, extreme", FIRST_ON_TIES)
def test_first_index_on_ties_generated(run, examples, op, extreme):
    # Generated shapes, dims (negative too) and few distinct values, so ties are the rule.
    @examples
    @given(x=tensors(torch.int64), data=st.data())
    def check(x, data):
        dim = data.draw(dims(x.dim()), label="dim")
        keepdim = data.draw(st.booleans(), label="keepdim")
        got = run(op, x, dim=dim, keepdim=keepdim)
        pick = np.argmax if op is torch.argmax else np.argmin  # numpy's: the first on ties
        want = torch.from_numpy(np.expand_dims(pick(x.numpy(), axis=dim), dim) if keepdim
                                else np.asarray(pick(x.numpy(), axis=dim)))
        assert_exact(got, want, f"{op.__name__}(x, dim={dim}, keepdim={keepdim}) of "
                                f"{x.tolist()}")

    check()
