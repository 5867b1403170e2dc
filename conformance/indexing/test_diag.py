"""torch.diag: vector to square matrix, matrix to diagonal; main, upper, lower and default diagonals."""

import numpy as np
import pytest
import torch

from suite.expect import assert_exact
from suite.spec import spec

VECTOR = ("If :attr:`input` is a vector (1-D tensor), then returns a 2-D square tensor with the elements of "
          ":attr:`input` as the diagonal.")
MATRIX = ("If :attr:`input` is a matrix (2-D tensor), then returns a 1-D tensor with the diagonal elements of "
          ":attr:`input`.")
MAIN = "If :attr:`diagonal` = 0, it is the main diagonal."
ABOVE = "If :attr:`diagonal` > 0, it is above the main diagonal."
BELOW = "If :attr:`diagonal` < 0, it is below the main diagonal."
SIGNATURE = "diag(input, diagonal=0, *, out=None) -> Tensor"

V = torch.tensor([3.0, -1.5, 7.0])
M = torch.arange(15, dtype=torch.float32).reshape(3, 5)  # wide; its transpose is tall

DIAGONALS = [
    pytest.param([0], id="main", marks=spec("torch.diag", MAIN, needs_values=False)),
    pytest.param([1, 3, 4], id="above", marks=spec("torch.diag", ABOVE, needs_values=False)),
    pytest.param([-1, -2], id="below", marks=spec("torch.diag", BELOW, needs_values=False)),
]


def reference(x, k):
    return torch.from_numpy(np.diag(x.numpy(), k).copy())


@pytest.mark.parametrize("ks", DIAGONALS)
def test_diag_of_vectors_and_matrices(run, ks):
    outs = run(lambda v, m, mt: tuple((torch.diag(v, k), torch.diag(m, k), torch.diag(mt, k)) for k in ks),
               V, M, M.T.contiguous())
    for k, got in zip(ks, outs):
        for x, g, what in zip((V, M, M.T), got, ("a vector of 3", "a 3x5 matrix", "a 5x3 matrix")):
            assert_exact(g, reference(x, k), f"diag of {what}, diagonal={k}")


KINDS = [
    pytest.param(V, id="vector", marks=spec("torch.diag", VECTOR, needs_values=False)),
    pytest.param(M, id="matrix", marks=spec("torch.diag", MATRIX, needs_values=False)),
]


@pytest.mark.parametrize("x", KINDS)
def test_diag_shape_by_input_rank(run, x):
    ks = [0, 2, -3, 6]  # 6 lies outside a 3x5 matrix: an empty diagonal
    outs = run(lambda x: tuple(torch.diag(x, k) for k in ks), x)
    for k, got in zip(ks, outs):
        expected = reference(x, k)
        if x.dim() == 1:
            assert got.dim() == 2 and got.shape[0] == got.shape[1], f"diag(vector, {k}) has shape {tuple(got.shape)}"
        assert_exact(got, expected, f"diag of a {tuple(x.shape)} input, diagonal={k}")


@spec("torch.diag", SIGNATURE, needs_values=False)
def test_diag_default_diagonal_is_0(run):
    outs = run(lambda v, m: (torch.diag(v), torch.diag(v, 0), torch.diag(m), torch.diag(m, 0)), V, M)
    for got, (x, what) in zip(outs, [(V, "diag(vector)"), (V, "diag(vector, 0)"), (M, "diag(3x5)"),
                                     (M, "diag(3x5, 0)")]):
        assert_exact(got, reference(x, 0), what)
