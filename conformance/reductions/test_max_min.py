"""torch.max and torch.min: the extreme of all elements, the (values, indices) namedtuple along
dim (first index on ties, keepdim, dtypes), and how the gradient reaches tied extremes."""

import numpy as np
import pytest
import torch

from conformance.reductions.shared import EXTREME_DTYPES, clear_of_zero, sample
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OPS = {"max": (torch.max, np.max, np.argmax), "min": (torch.min, np.min, np.argmin)}

ALL_ELEMENTS = [
    pytest.param("max", id="max", marks=spec(
        "torch.max", "Returns the maximum value of all elements in the ``input`` tensor.")),
    pytest.param("min", id="min", marks=spec(
        "torch.min", "Returns the minimum value of all elements in the :attr:`input` tensor.")),
]

ROWS = [
    pytest.param("max", id="max", marks=spec(
        "torch.max", "Returns a namedtuple ``(values, indices)`` where ``values`` is the maximum "
        "value of each row of the :attr:`input` tensor in the given dimension :attr:`dim`. And "
        "``indices`` is the index location of each maximum value found (argmax).")),
    pytest.param("min", id="min", marks=spec(
        "torch.min", "Returns a namedtuple ``(values, indices)`` where ``values`` is the minimum "
        "value of each row of the :attr:`input` tensor in the given dimension :attr:`dim`. And "
        "``indices`` is the index location of each minimum value found (argmin).")),
]

FIRST_ON_TIES = [
    pytest.param("max", id="max", marks=spec(
        "torch.max", "If there are multiple maximal values in a reduced row then the indices of "
        "the first maximal value are returned.")),
    pytest.param("min", id="min", marks=spec(
        "torch.min", "If there are multiple minimal values in a reduced row then the indices of "
        "the first minimal value are returned.")),
]

KEEPDIM = [
    pytest.param("max", id="max", marks=spec(
        "torch.max", "If ``keepdim`` is ``True``, the output tensors are of the same size as "
        "``input`` except in the dimension ``dim`` where they are of size 1. Otherwise, ``dim`` is "
        "squeezed (see :func:`torch.squeeze`), resulting in the output tensors having 1 fewer "
        "dimension than ``input``.", needs_values=False)),
    pytest.param("min", id="min", marks=spec(
        "torch.min", "If :attr:`keepdim` is ``True``, the output tensors are of the same size as "
        ":attr:`input` except in the dimension :attr:`dim` where they are of size 1. Otherwise, "
        ":attr:`dim` is squeezed (see :func:`torch.squeeze`), resulting in the output tensors "
        "having 1 fewer dimension than :attr:`input`.", needs_values=False)),
]

SIGNATURE = [
    pytest.param("max", id="max", marks=spec(
        "torch.max", "max(input, dim, keepdim=False, *, out=None) -> (Tensor, LongTensor)",
        needs_values=False)),
    pytest.param("min", id="min", marks=spec(
        "torch.min", "min(input, dim, keepdim=False, *, out=None) -> (Tensor, LongTensor)",
        needs_values=False)),
]

EVEN_GRADIENT = ("If reduce over all dimensions(no dim specified), gradients evenly distribute "
                 "between equally ``max``/``min`` values.")
INDEXED_GRADIENT = "If reduce over one specified axis, only propagate to the indexed element."


def both(claim):
    return [pytest.param(name, id=name, marks=spec(f"torch.{name}", claim)) for name in OPS]


DTYPES = EXTREME_DTYPES


def as_numpy(x):
    return (x.float() if x.dtype == torch.bfloat16 else x).numpy()


def values_ref(name, x, dim=None, keepdim=False):
    r = OPS[name][1](as_numpy(x), axis=dim, keepdims=keepdim)
    return torch.from_numpy(np.asarray(r)).to(x.dtype)


def indices_ref(name, x, dim, keepdim=False):
    # NumPy's argmax/argmin also return the first index on ties.
    r = OPS[name][2](as_numpy(x), axis=dim, keepdims=keepdim)
    return torch.from_numpy(np.asarray(r)).to(torch.int64)


def check_pair(out, values, indices, what):
    assert isinstance(out, tuple) and len(out) == 2, f"{what}: expected a (values, indices) pair"
    assert_exact(out.values, values, f"{what}.values")
    assert_exact(out.indices, indices, f"{what}.indices")
    assert out[0] is out.values and out[1] is out.indices, f"{what}: fields out of order"


@pytest.mark.parametrize("name", ALL_ELEMENTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_no_dim_returns_the_extreme_of_all_elements(run, name, dtype):
    op = OPS[name][0]
    # 3x4099 so that a vectorised or parallel kernel splits the input into chunks; the extreme
    # is moved to the very end, where a kernel handles the leftover tail.
    x = sample(dtype, (3, 4099), seed=DTYPES.index(dtype)).flatten()
    at = int(OPS[name][2](as_numpy(x)))
    x[[at, -1]] = x[[-1, at]]
    x = x.reshape(3, 4099)
    assert_exact(run(op, x), values_ref(name, x), f"{name}(x) of {dtype} 3x4099")
    y = clear_of_zero(name, dtype, (2, 67), seed=1)
    assert_exact(run(op, y), values_ref(name, y), f"{name}(x) of {dtype} 2x67 clear of 0 and 1")


@pytest.mark.parametrize("name", ROWS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.int64, torch.uint8,
                                   torch.bool], ids=str)
def test_dim_returns_extreme_values_and_their_indices(run, name, dtype):
    op = OPS[name][0]
    x = sample(dtype, (3, 5, 7), seed=11)
    check_pair(run(op, x, 1), values_ref(name, x, 1), indices_ref(name, x, 1), f"{name}(x, 1)")
    # A transposed (non-contiguous) input reduced along its strided dim.
    t = x.transpose(0, 2)
    check_pair(run(op, t, dim=0), values_ref(name, t, 0), indices_ref(name, t, 0),
               f"{name}(x.transpose(0, 2), dim=0)")
    y = clear_of_zero(name, dtype, (3, 67), seed=2)
    check_pair(run(op, y, -1), values_ref(name, y, -1), indices_ref(name, y, -1),
               f"{name}(3x67 x clear of 0 and 1, -1)")


@pytest.mark.parametrize("name", FIRST_ON_TIES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8, torch.bool], ids=str)
def test_dim_returns_first_index_on_ties(run, name, dtype):
    op = OPS[name][0]
    hi, lo = (True, False) if dtype == torch.bool else (9, 2)
    e, f = (hi, lo) if name == "max" else (lo, hi)
    # Per row: ties late, ties at both ends, all equal, a single extreme last.
    x = torch.tensor([[f, e, e, e], [e, f, f, e], [e, e, e, e], [f, f, f, e]], dtype=dtype)
    values = torch.tensor([e] * 4, dtype=dtype)
    first = torch.tensor([1, 0, 0, 3])
    check_pair(run(op, x, dim=1), values, first, f"{name}(x, dim=1)")
    check_pair(run(op, x.T, 0), values, first, f"{name}(x.T, 0)")


@pytest.mark.parametrize("name", FIRST_ON_TIES)
def test_dim_returns_first_index_on_ties_in_long_rows(run, name):
    op = OPS[name][0]
    e = 9.0 if name == "max" else -9.0
    # Long enough that a vectorised or parallel kernel splits each row into chunks.
    x = torch.full((3, 4099), 4.0)
    x[0, [1000, 2000, 4098]] = e
    x[1, [4097, 4098]] = e
    x[2, [7, 8, 9]] = e
    check_pair(run(op, x, dim=1), torch.full((3,), e), torch.tensor([1000, 4097, 7]),
               f"{name}(x, dim=1) on 3x4099")


@pytest.mark.parametrize("name", KEEPDIM)
@pytest.mark.parametrize("dim", [0, -1])
def test_keepdim_shapes_of_values_and_indices(run, name, dim):
    op = OPS[name][0]
    x = sample(torch.float32, (2, 3, 4), seed=dim + 7)
    kept = (values_ref(name, x, dim, keepdim=True), indices_ref(name, x, dim, keepdim=True))
    squeezed = (values_ref(name, x, dim), indices_ref(name, x, dim))
    check_pair(run(op, x, dim, keepdim=True), *kept, f"{name}(x, {dim}, keepdim=True)")
    check_pair(run(op, x, dim), *squeezed, f"{name}(x, {dim})")
    check_pair(run(op, x, dim=dim, keepdim=False), *squeezed,
               f"{name}(x, dim={dim}, keepdim=False)")


@pytest.mark.parametrize("name", KEEPDIM)
def test_keepdim_shapes_for_a_vector(run, name):
    op = OPS[name][0]
    x = torch.tensor([3.0, 7.0, -1.0, 5.0])
    v, i = (7.0, 1) if name == "max" else (-1.0, 2)
    check_pair(run(op, x, 0), torch.tensor(v), torch.tensor(i), f"{name}(x, 0)")
    check_pair(run(op, x, 0, keepdim=True), torch.tensor([v]), torch.tensor([i]),
               f"{name}(x, 0, keepdim=True)")


@pytest.mark.parametrize("name", SIGNATURE)
def test_dim_values_keep_input_dtype_and_indices_are_long(run, name):
    op = OPS[name][0]
    for dtype in DTYPES + [torch.int32]:
        x = sample(dtype, (2, 3), seed=5)
        check_pair(run(op, x, 1), values_ref(name, x, 1), indices_ref(name, x, 1),
                   f"{name}({dtype} x, 1)")


def even_split(name, x, dim, grad_output):
    """float64 reference: grad_output shared equally among the tied extremes of each slice."""
    a = x.detach().double().numpy()
    hit = a == OPS[name][1](a, axis=dim, keepdims=True)
    g = grad_output.double().numpy()
    if dim is not None and g.ndim < a.ndim:
        g = np.expand_dims(g, dim)
    return torch.from_numpy(hit * g / hit.sum(axis=dim, keepdims=True))


@pytest.mark.parametrize("name", both(EVEN_GRADIENT))
def test_no_dim_gradient_is_shared_evenly_among_ties(run, name):
    op = OPS[name][0]
    e = 5.0 if name == "max" else -5.0
    cases = [
        ([[e, 0.0, e], [2.0, e, 1.0]], torch.tensor(3.0)),  # three ties: 1.0 each
        ([[1.0, e, 2.0]], torch.tensor(0.5)),  # a single extreme takes everything
    ]
    for rows, g in cases:
        x = torch.tensor(rows, requires_grad=True)
        out, (grad,) = run.grad(op, x, grad_output=g)
        assert_exact(out, torch.tensor(e), f"{name}(x) for x={rows}")
        assert_close(grad, even_split(name, x, None, g), torch.float32,
                     f"gradient of {name}(x) for x={rows}, grad_output={g.item()}")
    # Two ties far apart in a long input.
    x = torch.zeros(3, 4099)
    x[0, 5], x[2, 4098] = e, e
    x.requires_grad_()
    _, (grad,) = run.grad(op, x)
    assert_close(grad, even_split(name, x, None, torch.tensor(1.0)), torch.float32,
                 f"gradient of {name}(x) for a 3x4099 x with two ties")


def first_index_only(name, x, dim, grad_output, keepdim):
    """grad_output of each row placed at the row's first extreme; zeros elsewhere."""
    a = x.detach().double().numpy()
    index = OPS[name][2](a, axis=dim, keepdims=True)
    g = grad_output.double().numpy()
    g = g if keepdim else np.expand_dims(g, dim)
    grad = np.zeros_like(a)
    np.put_along_axis(grad, index, g, axis=dim)
    return torch.from_numpy(grad)


@pytest.mark.parametrize("name", both(INDEXED_GRADIENT))
@pytest.mark.parametrize("keepdim", [False, True])
def test_dim_gradient_goes_only_to_the_indexed_element(run, name, keepdim):
    op = OPS[name][0]
    e = 5.0 if name == "max" else -5.0
    # Per row: ties late, ties at both ends, all equal, a single extreme.
    rows = [[1.0, e, e, e], [e, 2.0, 3.0, e], [e, e, e, e], [1.0, 2.0, e, 0.0]]
    # Distinct per-row gradients, so a gradient routed to the wrong row shows.
    g = torch.tensor([1.0, 2.0, 3.0, 4.0])
    for dim, x in [(1, torch.tensor(rows)), (0, torch.tensor(rows).T.contiguous())]:
        go = g.unsqueeze(dim) if keepdim else g
        x.requires_grad_()
        out, (grad,) = run.grad(op, x, dim, keepdim=keepdim, grad_output=go)
        assert_exact(out.indices, torch.tensor([1, 0, 0, 2]).reshape(go.shape),
                     f"{name}(x, {dim}, keepdim={keepdim}).indices")
        assert_close(grad, first_index_only(name, x, dim, go, keepdim), torch.float32,
                     f"gradient of {name}(x, {dim}, keepdim={keepdim})")
