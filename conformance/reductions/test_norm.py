"""torch.norm: default Frobenius norm, vector p-norms over any dims, 'fro' vs p=2, 'nuc', keepdim,
dtype=, complex inputs."""

import math

import numpy as np
import pytest
import torch

from suite.expect import assert_close, assert_raises
from suite.spec import spec

INF = math.inf

P_ORDER = ("p (int, float, inf, -inf, 'fro', 'nuc', optional): the order of norm. "
           "Default: ``'fro'``")
FRO_IS_P2 = ("Frobenius norm produces the same result as ``p=2`` in all cases except when "
             ":attr:`dim` is a list of three or more dims, in which case Frobenius norm throws "
             "an error.")


def randn(shape, seed, dtype=torch.float32):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed)).to(dtype)


def wide(x):
    """x's values in float64 (complex128 for complex x) as a NumPy array."""
    return x.to(torch.complex128 if x.is_complex() else torch.float64).numpy()


def vector_norm(x, p, dim=None, keepdim=False):
    """float64 reference: sum(abs(x)**p)**(1/p) over the flattened dims (max/min of abs for +-inf)."""
    a = np.abs(wide(x))
    axis = tuple(dim) if isinstance(dim, list) else dim
    if p == INF:
        r = a.max(axis=axis, keepdims=keepdim)
    elif p == -INF:
        r = a.min(axis=axis, keepdims=keepdim)
    else:
        r = (a ** p).sum(axis=axis, keepdims=keepdim) ** (1.0 / p)
    return torch.from_numpy(np.asarray(r, dtype=np.float64))


def nuclear_norm(x, dim, keepdim=False):
    return torch.from_numpy(np.asarray(np.linalg.norm(wide(x), "nuc", axis=dim, keepdims=keepdim)))


@spec("torch.norm", P_ORDER)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16],
                         ids=str)
def test_norm_default_p_is_frobenius(run, dtype):
    for shape in [(7,), (3, 4), (2, 3, 4)]:
        x = randn(shape, seed=len(shape), dtype=dtype)
        assert_close(run(torch.norm, x), vector_norm(x, 2), dtype, f"norm(x of shape {shape})")
    x = randn((3, 4), seed=5, dtype=dtype)
    assert_close(run(torch.norm, x, dim=1), vector_norm(x, 2, dim=1), dtype, "norm(x, dim=1)")


@spec("torch.norm", "Number -- sum(abs(x)**ord)**(1./ord)")
@pytest.mark.parametrize("p", [1, 2, 3, 0.5, -1, INF, -INF], ids=str)
def test_norm_number_p_is_the_vector_norm(run, p):
    # For p = +-inf the formula's limit: the largest / smallest absolute value.
    x = randn((9,), seed=11)
    assert_close(run(torch.norm, x, p), vector_norm(x, p), torch.float32, f"norm(x, {p})")
    x = randn((3, 5), seed=12, dtype=torch.float64)
    assert_close(run(torch.norm, x, p=p, dim=1), vector_norm(x, p, dim=1), torch.float64,
                 f"norm(x, p={p}, dim=1)")
    assert_close(run(torch.norm, x, p=p, dim=0), vector_norm(x, p, dim=0), torch.float64,
                 f"norm(x, p={p}, dim=0)")


@spec("torch.norm", "The corresponding dimensions of :attr:`input` are flattened into one "
      "dimension, and the norm is calculated on the flattened dimension.")
@pytest.mark.parametrize("p", [1, 3, INF, -INF], ids=str)
def test_norm_number_p_over_several_dims_is_the_norm_of_the_flattened_dims(run, p):
    x = randn((2, 3, 4), seed=20, dtype=torch.float64)
    for dim in [(0, 2), (1, 2), (0, 1, 2), None]:
        assert_close(run(torch.norm, x, p=p, dim=dim), vector_norm(x, p, dim=dim), torch.float64,
                     f"norm(x, p={p}, dim={dim})")
    # A matrix with dim=None is a vector too: p=1 and p=inf are not the matrix 1- and inf-norms.
    b = torch.arange(9, dtype=torch.float64).reshape(3, 3) - 4
    assert_close(run(torch.norm, b, p), vector_norm(b, p), torch.float64, f"norm(3x3 b, {p})")


@spec("torch.norm", FRO_IS_P2)
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 1), [1, 2], (2, 0)], ids=str)
def test_norm_frobenius_equals_p2(run, dim):
    x = randn((2, 3, 4), seed=30)
    reference = vector_norm(x, 2, dim=dim)
    assert_close(run(torch.norm, x, p="fro", dim=dim), reference, torch.float32,
                 f"norm(x, p='fro', dim={dim})")
    assert_close(run(torch.norm, x, p=2, dim=dim), reference, torch.float32,
                 f"norm(x, p=2, dim={dim})")


@spec("torch.norm", FRO_IS_P2, needs_values=False)
@pytest.mark.parametrize("shape, dim", [((2, 3, 4), [0, 1, 2]), ((2, 3, 2, 2), [0, 1, 3]),
                                        ((2, 3, 2, 2), [0, 1, 2, 3])], ids=["3of3", "3of4", "4of4"])
def test_norm_frobenius_over_three_or_more_dims_raises(run, shape, dim):
    x = randn(shape, seed=31)
    assert_raises((RuntimeError, ValueError), lambda: run(torch.norm, x, p="fro", dim=dim),
                  f"norm(x of shape {shape}, p='fro', dim={dim})",
                  control=lambda: run(torch.norm, x, p="fro", dim=(0, 1)))


@spec("torch.norm", "'nuc' nuclear norm --")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_norm_nuc_is_the_nuclear_norm(run, dtype):
    x = randn((3, 5), seed=40, dtype=dtype)
    assert_close(run(torch.norm, x, p="nuc"), nuclear_norm(x, (0, 1)), dtype, "norm(3x5 x, p='nuc')")
    x = randn((2, 3, 4), seed=41, dtype=dtype)
    for dim in [(1, 2), (0, 2), (2, 1)]:
        assert_close(run(torch.norm, x, p="nuc", dim=dim), nuclear_norm(x, dim), dtype,
                     f"norm(x, p='nuc', dim={dim})")


@spec("torch.norm", "Nuclear norm can only be calculated across exactly two dimensions.",
      needs_values=False)
@pytest.mark.parametrize("dim", [None, 0, (1,), (0, 1, 2)], ids=str)
def test_norm_nuc_across_other_than_two_dims_raises(run, dim):
    x = randn((2, 3, 4), seed=42)
    assert_raises((RuntimeError, ValueError), lambda: run(torch.norm, x, p="nuc", dim=dim),
                  f"norm(x of shape (2, 3, 4), p='nuc', dim={dim})",
                  control=lambda: run(torch.norm, x, p="nuc", dim=(0, 1)))


@spec("torch.norm", "keepdim (bool, optional): whether the output tensors have :attr:`dim` "
      "retained or not.", needs_values=False)
@pytest.mark.parametrize("p, dim", [("fro", 1), ("fro", (0, 2)), (1, -1), (3, (0, 1)),
                                    (INF, (2, 0)), ("nuc", (0, 2))], ids=str)
def test_norm_keepdim_retains_the_reduced_dims(run, observe, p, dim):
    x = randn((2, 3, 4), seed=50)
    if p == "nuc":
        kept, dropped = nuclear_norm(x, dim, keepdim=True), nuclear_norm(x, dim)
    else:
        q = 2 if p == "fro" else p
        kept, dropped = vector_norm(x, q, dim, keepdim=True), vector_norm(x, q, dim)
    assert_close(run(torch.norm, x, p=p, dim=dim, keepdim=True), kept, torch.float32,
                 f"norm(x, p={p!r}, dim={dim}, keepdim=True)")
    assert_close(run(torch.norm, x, p=p, dim=dim, keepdim=False), dropped, torch.float32,
                 f"norm(x, p={p!r}, dim={dim}, keepdim=False)")
    assert_close(run(torch.norm, x, p=p, dim=dim), dropped, torch.float32,
                 f"norm(x, p={p!r}, dim={dim}) (keepdim defaults to False)")
    if p != "nuc":
        # The docs say keepdim is ignored when dim is None; what happens is device behaviour.
        observe(f"shape of norm(2x3x4 x, p={p!r}, dim=None, keepdim=True)",
                list(run(torch.norm, x, p=p, keepdim=True).shape))


@spec("torch.norm", "If specified, the input tensor is casted to :attr:`dtype` while performing "
      "the operation.")
@pytest.mark.parametrize("p", ["fro", 2, 3], ids=str)
def test_norm_dtype_casts_the_input_before_the_norm(run, p):
    q = 2 if p == "fro" else p
    # Squares and cubes of 1e20 overflow float32 but not float64: cast-after gives inf.
    big = torch.tensor([[3e20, -4e20], [2e20, 1e20]])
    assert_close(run(torch.norm, big, p=p, dtype=torch.float64), vector_norm(big, q),
                 torch.float64, f"norm(float32 x, p={p!r}, dtype=torch.float64)")
    assert_close(run(torch.norm, big, p=p, dim=1, dtype=torch.float64), vector_norm(big, q, dim=1),
                 torch.float64, f"norm(float32 x, p={p!r}, dim=1, dtype=torch.float64)")
    # bfloat16 cannot hold sqrt(3) or 3**(1/3) to float32 precision: rounding then casting is off.
    ones = torch.ones(3, dtype=torch.bfloat16)
    assert_close(run(torch.norm, ones, p=p, dtype=torch.float32), vector_norm(ones, q),
                 torch.float32, f"norm(bfloat16 ones(3), p={p!r}, dtype=torch.float32)")


@spec("torch.norm", "For complex inputs, the norm is calculated using the absolute value of each "
      "element.")
@pytest.mark.parametrize("p", ["fro", 1, 3, INF], ids=str)
def test_norm_complex_uses_the_absolute_value(run, p):
    g = torch.Generator().manual_seed(60)
    x = torch.complex(torch.randn(3, 4, generator=g), torch.randn(3, 4, generator=g))
    q = 2 if p == "fro" else p
    assert_close(run(torch.norm, x, p=p), vector_norm(x, q), torch.float32, f"norm(complex x, p={p!r})")
    assert_close(run(torch.norm, x, p=p, dim=1), vector_norm(x, q, dim=1), torch.float32,
                 f"norm(complex x, p={p!r}, dim=1)")


@spec("torch.norm", "If the input is complex and neither :attr:`dtype` nor :attr:`out` is "
      "specified, the result's data type will be the corresponding floating point type (e.g. float "
      "if :attr:`input` is complexfloat).", needs_values=False)
@pytest.mark.parametrize("dtype, real", [(torch.complex64, torch.float32),
                                         (torch.complex128, torch.float64)], ids=str)
def test_norm_complex_result_is_the_corresponding_real_dtype(run, dtype, real):
    x = torch.full((2, 3), 3 + 4j, dtype=dtype)
    assert_close(run(torch.norm, x), 5 * math.sqrt(6), real, "norm(complex x)")
    assert_close(run(torch.norm, x, p=1, dim=0), [10.0] * 3, real, "norm(complex x, p=1, dim=0)")
