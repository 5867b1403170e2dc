"""torch.nn.functional.normalize: v / max(||v||_p, eps) along dim (an int or a tuple), the defaults
p=2, dim=1 and eps=1e-12, and out=."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.functional.normalize"
INF = math.inf
FORMULA = (r"For a tensor :attr:`input` of sizes :math:`(n_0, ..., n_{dim}, ..., n_k)`, each "
           r":math:`n_{dim}` -element vector :math:`v` along dimension :attr:`dim` is transformed as "
           r".. math:: v = \frac{v}{\max(\lVert v \rVert_p, \epsilon)}.")
DEFAULTS = ("With the default arguments it uses the Euclidean norm over vectors along dimension "
            ":math:`1` for normalization.")
P_DEFAULT = "p (float): the exponent value in the norm formulation. Default: 2"
DIM = "dim (int or tuple of ints): the dimension to reduce. Default: 1"
EPS_DEFAULT = "eps (float): small value to avoid division by zero. Default: 1e-12"
OUT = "out (Tensor, optional): the output tensor."


def randn(shape, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def normalized(x, p=2.0, dim=1, eps=1e-12):
    """float64 reference: x / max(||x||_p, eps), the norm over dim (an int or a tuple)."""
    a = x.double().numpy()
    axis = tuple(dim) if isinstance(dim, (tuple, list)) else dim
    if p == INF:
        norm = np.abs(a).max(axis=axis, keepdims=True)
    else:
        norm = (np.abs(a) ** p).sum(axis=axis, keepdims=True) ** (1.0 / p)
    return torch.from_numpy(a / np.maximum(norm, eps))


CASES = [  # (p, dim, eps)
    (2.0, 0, 1e-12), (1.0, 2, 1e-12), (3.0, -1, 1e-12), (INF, 1, 1e-12), (0.5, -3, 1e-12),
    (2.0, 2, 0.75), (1.0, 0, 2.0),
]


@spec(OP, FORMULA)
def test_each_vector_along_dim_is_divided_by_its_clamped_norm(run):
    x = randn((3, 4, 5), 0)
    x[1, :, 2] = 0.0  # a zero vector along dim 1: stays zero, no NaN
    x[:, 3, 4] = torch.tensor([0.1, -0.2, 0.05])  # a short vector along dim 0
    out = run(lambda t: tuple(F.normalize(t, p=p, dim=d, eps=e) for p, d, e in CASES), x)
    for (p, dim, eps), got in zip(CASES, out):
        assert_close(got, normalized(x, p, dim, eps), torch.float32,
                     f"normalize(x, p={p}, dim={dim}, eps={eps}) of a 3x4x5 input")
    assert_exact(out[3][1, :, 2], torch.zeros(4), "normalize(x, p=inf, dim=1) of a zero vector")


@spec(OP, DEFAULTS)
def test_defaults_are_the_euclidean_norm_along_dim_1(run):
    x = randn((2, 3, 4), 1)
    x[0, :, 1] = torch.tensor([3e-13, 0.0, -4e-13])  # norm 5e-13: clamped to the default eps
    matrix = randn((4, 3), 2)
    out = run(lambda t, m: (F.normalize(t), F.normalize(t, p=2.0, dim=1, eps=1e-12), F.normalize(m)),
              x, matrix)
    assert_close(out[0], normalized(x), torch.float32, "normalize(x) of a 2x3x4 input")
    assert_exact(out[0], out[1], "normalize(x) against normalize(x, p=2.0, dim=1, eps=1e-12)")
    assert_close(out[2], normalized(matrix), torch.float32, "normalize(x) of a 4x3 input")


@spec(OP, P_DEFAULT)
def test_default_p_is_2(run):
    x = randn((3, 6), 3)
    default, explicit = run(lambda t: (F.normalize(t, dim=0), F.normalize(t, p=2, dim=0)), x)
    assert_close(default, normalized(x, 2.0, 0), torch.float32, "normalize(x, dim=0)")
    assert_exact(default, explicit, "normalize(x, dim=0) against p=2")


@spec(OP, DIM)
def test_dim_may_be_a_tuple_and_defaults_to_1(run):
    x = randn((2, 3, 4, 2), 4)
    dims = [(1, 2), (0, -1), (3, 0, 2), (0, 1, 2, 3)]
    out = run(lambda t: (F.normalize(t), F.normalize(t, dim=1),
                         *(F.normalize(t, p=1.0, dim=d) for d in dims)), x)
    assert_close(out[0], normalized(x, 2.0, 1), torch.float32, "normalize(x) of a 2x3x4x2 input")
    assert_exact(out[0], out[1], "normalize(x) against dim=1")
    for d, got in zip(dims, out[2:]):
        assert_close(got, normalized(x, 1.0, d), torch.float32, f"normalize(x, p=1, dim={d})")


@spec(OP, EPS_DEFAULT)
def test_default_eps_is_1e_12(run):
    # Norms: 5e-13 (clamped to 1e-12), 2e-12 (not clamped), 0 (stays 0), 5.
    x = torch.tensor([[3e-13, -4e-13], [2e-12, 0.0], [0.0, 0.0], [3.0, 4.0]])
    default, explicit = run(lambda t: (F.normalize(t), F.normalize(t, eps=1e-12)), x)
    assert_close(default, torch.tensor([[0.3, -0.4], [1.0, 0.0], [0.0, 0.0], [0.6, 0.8]]), torch.float32,
                 "normalize(x) of rows with norms 5e-13, 2e-12, 0 and 5")
    assert_exact(default, explicit, "normalize(x) against eps=1e-12")


@spec(OP, OUT)
def test_out_receives_the_result(run):
    x = randn((3, 4), 5)
    result, out = run(lambda t, o: (F.normalize(t, dim=0, out=o), o), x, torch.empty(3, 4))
    assert_close(out, normalized(x, 2.0, 0), torch.float32, "out of normalize(x, dim=0, out=out)")
    assert_close(result, normalized(x, 2.0, 0), torch.float32, "normalize(x, dim=0, out=out)")
