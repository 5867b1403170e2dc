"""torch.amax and torch.amin: the extreme of each slice over one dim, several dims or all dims,
keepdim, NumPy's amax/amin as the reference, and gradients shared evenly among tied extremes."""

import numpy as np
import pytest
import torch

from conformance.reductions.shared import (DIM_CLAIM, EXTREME_DTYPES, KEEPDIM_CLAIM,
                                           clear_of_zero, sample)
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OPS = {"amax": (torch.amax, np.amax), "amin": (torch.amin, np.amin)}

MULTIPLE_DIMS = "``amax``/``amin`` supports reducing on multiple dimensions"
EVEN_GRADIENT = ("Both ``amax``/``amin`` evenly distribute gradients between equal values when "
                 "there are multiple input elements with the same minimum or maximum value.")

SLICES = [
    pytest.param("amax", id="amax", marks=spec(
        "torch.amax", "Returns the maximum value of each slice of the :attr:`input` tensor in the "
        "given dimension(s) :attr:`dim`.")),
    pytest.param("amin", id="amin", marks=spec(
        "torch.amin", "Returns the minimum value of each slice of the :attr:`input` tensor in the "
        "given dimension(s) :attr:`dim`.")),
]


def both(claim, **kwargs):
    return [pytest.param(name, id=name, marks=spec(f"torch.{name}", claim, **kwargs))
            for name in OPS]


DTYPES = EXTREME_DTYPES


def reference(name, x, dim=None, keepdim=False):
    """NumPy's amax/amin, in x's dtype (bfloat16 goes through float32, which holds it exactly)."""
    a = (x.float() if x.dtype == torch.bfloat16 else x).numpy()
    r = OPS[name][1](a, axis=dim, keepdims=keepdim)
    return torch.from_numpy(np.asarray(r)).to(x.dtype)


@pytest.mark.parametrize("name", SLICES)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_extreme_of_each_slice_along_one_dim(run, name, dtype):
    op = OPS[name][0]
    x = sample(dtype, (3, 5, 7), seed=DTYPES.index(dtype))
    assert_exact(run(op, x, 1), reference(name, x, 1), f"{name}(x, 1)")
    t = x.transpose(0, 2)
    assert_exact(run(op, t, dim=0), reference(name, t, 0), f"{name}(x.transpose(0, 2), dim=0)")
    # Rows long enough for a vectorised kernel.
    y = clear_of_zero(name, dtype, (3, 67), seed=17)
    assert_exact(run(op, y, -1), reference(name, y, -1), f"{name}(3x67 x clear of 0 and 1, -1)")


@pytest.mark.parametrize("name", both(MULTIPLE_DIMS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.uint8], ids=str)
def test_tuple_dim_reduces_every_listed_dim(run, name, dtype):
    op = OPS[name][0]
    x = sample(dtype, (3, 4, 5, 2), seed=3)
    for dim in [(0, 2), (-1, 1), (0, 1, 2, 3)]:
        assert_exact(run(op, x, dim=dim), reference(name, x, dim), f"{name}(x, dim={dim})")
    assert_exact(run(op, x, [3, 0]), reference(name, x, (3, 0)), f"{name}(x, [3, 0])")


@pytest.mark.parametrize("name", both(DIM_CLAIM))
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64], ids=str)
def test_dim_none_reduces_all_dims(run, name, dtype):
    op = OPS[name][0]
    # 3x4099 so that a vectorised or parallel kernel splits the input into chunks.
    x = sample(dtype, (3, 4099), seed=29)
    assert_exact(run(op, x), reference(name, x), f"{name}(x)")
    assert_exact(run(op, x, dim=None), reference(name, x), f"{name}(x, dim=None)")
    z = sample(dtype, (2, 3, 4), seed=31)
    assert_exact(run(op, z, None, True), reference(name, z, keepdim=True),
                 f"{name}(x, None, True)")


@pytest.mark.parametrize("name", both(KEEPDIM_CLAIM, needs_values=False))
@pytest.mark.parametrize("dim", [-1, (2, 0)], ids=str)
def test_keepdim_shape(run, name, dim):
    op = OPS[name][0]
    x = sample(torch.float32, (2, 3, 4), seed=5)
    assert_exact(run(op, x, dim=dim, keepdim=True), reference(name, x, dim, keepdim=True),
                 f"{name}(x, dim={dim}, keepdim=True)")
    assert_exact(run(op, x, dim=dim), reference(name, x, dim), f"{name}(x, dim={dim})")
    assert_exact(run(op, x, dim, False), reference(name, x, dim), f"{name}(x, {dim}, False)")


def even_split(name, x, dim, grad_output, keepdim):
    """float64 reference: grad_output shared equally among the tied extremes of each slice."""
    a = x.detach().double().numpy()
    hit = a == OPS[name][1](a, axis=dim, keepdims=True)
    g = grad_output.double().numpy()
    if dim is not None and not keepdim:
        g = np.expand_dims(g, dim)
    return torch.from_numpy(hit * g / hit.sum(axis=dim, keepdims=True))


@pytest.mark.parametrize("name", both(EVEN_GRADIENT))
def test_gradient_is_shared_evenly_among_ties(run, name):
    op = OPS[name][0]
    s = 1.0 if name == "amax" else -1.0  # amin sees the same input negated
    x = torch.tensor([1.0, 3.0, 3.0]) * s
    out, (grad,) = run.grad(op, x.requires_grad_(), 0)
    assert_exact(out, torch.tensor(3.0 * s), f"{name}(x, 0) for x={x.tolist()}")
    assert_close(grad, [0.0, 0.5, 0.5], torch.float32,
                 f"gradient of {name}(x, 0) for x={x.tolist()}")

    # Per row along dim 1: two ties, all four tied, a single extreme, three ties.
    rows = torch.tensor([[1.0, 5.0, 0.0, 5.0], [2.0, 2.0, 2.0, 2.0],
                         [4.0, 0.0, 3.0, 1.0], [7.0, 7.0, -1.0, 7.0]]) * s
    g = torch.tensor([1.0, 2.0, 3.0, 6.0])  # distinct per row, so a mixed-up row shows
    for dim, keepdim in [(1, True), (-1, False)]:
        go = g.unsqueeze(1) if keepdim else g
        x = rows.clone().requires_grad_()
        _, (grad,) = run.grad(op, x, dim, keepdim, grad_output=go)
        assert_close(grad, even_split(name, x, dim, go, keepdim), torch.float32,
                     f"gradient of {name}(x, {dim}, {keepdim})")

    # Ties spread over several dims, and all dims at once.
    cube = torch.tensor([[[5.0, 1.0], [5.0, 5.0]], [[0.0, 5.0], [2.0, 3.0]],
                         [[1.0, 1.0], [1.0, 1.0]]]) * s
    for dim, keepdim, go in [((1, 2), False, torch.tensor([4.0, 2.0, 8.0])),
                             ((2, 0), True, torch.tensor([[[3.0], [6.0]]])),
                             (None, False, torch.tensor(3.0))]:
        x = cube.clone().requires_grad_()
        _, (grad,) = run.grad(op, x, dim=dim, keepdim=keepdim, grad_output=go)
        assert_close(grad, even_split(name, x, dim, go, keepdim), torch.float32,
                     f"gradient of {name}(x, dim={dim}, keepdim={keepdim})")
