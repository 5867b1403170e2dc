"""torch.std and torch.var: Bessel's correction by default, the max(0, N - correction)
denominator, dim as int / list / tuple / None, keepdim, std as the square root of var."""

import numpy as np
import pytest
import torch

from suite.expect import assert_close
from suite.spec import spec

STD_FORMULA = r"\sigma = \sqrt{\frac{1}{\max(0,~N - \delta N)}\sum_{i=0}^{N-1}(x_i-\bar{x})^2}"
VAR_FORMULA = r"\sigma^2 = \frac{1}{\max(0,~N - \delta N)}\sum_{i=0}^{N-1}(x_i-\bar{x})^2"
BESSEL = ("correction (int): difference between the sample size and sample degrees of freedom. "
          "Defaults to `Bessel's correction`_, ``correction=1``.")
DIMS = (":attr:`dim` can be a single dimension, list of dimensions, or ``None`` to reduce over all "
        "dimensions.")
KEEPDIM = ("If :attr:`keepdim` is ``True``, the output tensor is of the same size as :attr:`input` "
           "except in the dimension(s) :attr:`dim` where it is of size 1. Otherwise, :attr:`dim` is "
           "squeezed (see :func:`torch.squeeze`), resulting in the output tensor having 1 (or "
           "``len(dim)``) fewer dimension(s).")


def both(claim_std, claim_var=None, needs_values=True):
    return [
        pytest.param(torch.std, id="std", marks=spec("torch.std", claim_std, needs_values=needs_values)),
        pytest.param(torch.var, id="var", marks=spec("torch.var", claim_var or claim_std,
                                                     needs_values=needs_values)),
    ]


DTYPES = [torch.float32, torch.float64]
INF, NAN = float("inf"), float("nan")


def sample(shape, dtype, seed):
    # An offset mean, so that a kernel that skips centring is visibly wrong.
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) + 3
    return x.to(dtype)


def reference(op, x, correction, dim=None, keepdim=False):
    """NumPy in float64; np.var divides by max(0, N - ddof), as documented; std is its square root."""
    axis = tuple(dim) if isinstance(dim, list) else dim
    var = np.asarray(np.var(x.double().numpy(), axis=axis, ddof=correction, keepdims=keepdim))
    var = torch.from_numpy(var)
    return var.sqrt() if op is torch.std else var


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("op", both(BESSEL))
def test_correction_defaults_to_bessel(run, op, dtype):
    x = sample((3, 5), dtype, 0)
    name = op.__name__
    assert_close(run(op, x), reference(op, x, 1), dtype, f"{name}(x)")
    assert_close(run(op, x, 1), reference(op, x, 1, dim=1), dtype, f"{name}(x, 1)")
    assert_close(run(op, x, dim=0), reference(op, x, 1, dim=0), dtype, f"{name}(x, dim=0)")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("op", both(STD_FORMULA, VAR_FORMULA))
def test_correction_divides_by_n_minus_correction(run, op, dtype):
    # Row length 6 along dim 1, 4 along dim 0, 24 in all: every correction leaves N - correction > 0.
    x = sample((4, 6), dtype, 1)
    name = op.__name__
    for correction in (0, 2, 3):
        assert_close(run(op, x, 1, correction=correction), reference(op, x, correction, dim=1), dtype,
                     f"{name}(x, 1, correction={correction})")
    assert_close(run(op, x, 0, correction=2), reference(op, x, 2, dim=0), dtype,
                 f"{name}(x, 0, correction=2)")
    assert_close(run(op, x, correction=5), reference(op, x, 5), dtype, f"{name}(x, correction=5)")


@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")
@pytest.mark.parametrize("op", both(STD_FORMULA, VAR_FORMULA))
def test_correction_at_least_n_divides_by_zero(run, op):
    # max(0, 3 - correction) = 0: row 0 spreads (sum > 0, so inf), row 1 is constant (0 / 0 = nan).
    x = torch.tensor([[1.0, 2.0, 4.0], [2.0, 2.0, 2.0]])
    name = op.__name__
    for correction in (3, 4, 7):
        assert_close(run(op, x, 1, correction=correction), torch.tensor([INF, NAN]), torch.float32,
                     f"{name}(x, 1, correction={correction})")
    # max(0, 3 - 2) = 1: sums of squares 4.6667 and 0.
    expected = torch.tensor([14 / 3, 0.0]).sqrt() if op is torch.std else torch.tensor([14 / 3, 0.0])
    assert_close(run(op, x, 1, correction=2), expected, torch.float32, f"{name}(x, 1, correction=2)")
    # One sample under Bessel's correction: 0 / 0.
    one = torch.tensor([5.0], dtype=torch.float64)
    assert_close(run(op, one), torch.tensor(NAN), torch.float64, f"{name}([5.0])")


@pytest.mark.parametrize("op", both(DIMS))
def test_dim_int_list_tuple_or_none(run, op):
    x = sample((2, 3, 4), torch.float64, 2)
    name = op.__name__
    for dim in (-1, [0, 2], (2, 0), (-1, 1), None):
        assert_close(run(op, x, dim), reference(op, x, 1, dim=dim), torch.float64, f"{name}(x, {dim})")
    assert_close(run(op, x, dim=None), reference(op, x, 1), torch.float64, f"{name}(x, dim=None)")
    assert_close(run(op, x), reference(op, x, 1), torch.float64, f"{name}(x)")


@pytest.mark.parametrize("op", both(KEEPDIM, needs_values=False))
@pytest.mark.parametrize("dim", [0, -1, (0, 2), None], ids=str)
def test_keepdim_shapes(run, op, dim):
    x = sample((2, 3, 4), torch.float32, 3)
    name = op.__name__
    kept = reference(op, x, 1, dim=dim, keepdim=True)
    assert_close(run(op, x, dim, keepdim=True), kept, torch.float32, f"{name}(x, {dim}, keepdim=True)")
    dropped = reference(op, x, 1, dim=dim)
    assert_close(run(op, x, dim), dropped, torch.float32, f"{name}(x, {dim})")
    assert_close(run(op, x, dim, keepdim=False), dropped, torch.float32, f"{name}(x, {dim}, keepdim=False)")
