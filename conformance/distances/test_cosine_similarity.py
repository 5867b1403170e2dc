"""torch.nn.functional.cosine_similarity: values along dim, broadcasting to a common shape, the
squeezed output, eps clamping each norm separately, the defaults dim=1 and eps=1e-8, type promotion."""

import numpy as np
import torch
import torch.nn.functional as F

from suite.expect import TOLERANCE, assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.functional.cosine_similarity"
ALONG_DIM = "Returns cosine similarity between ``x1`` and ``x2``, computed along dim."
BROADCAST = ("``x1`` and ``x2`` must be broadcastable to a common shape. ``dim`` refers to the "
             "dimension in this common shape.")
SQUEEZED = ("Dimension ``dim`` of the output is squeezed (see :func:`torch.squeeze`), resulting in the "
            "output tensor having 1 fewer dimension.")
FORMULA = (r"\text{similarity} = \dfrac{x_1 \cdot x_2}{\max(\Vert x_1 \Vert _2, \epsilon) \cdot "
           r"\max(\Vert x_2 \Vert _2, \epsilon)}")
DIM_DEFAULT = "dim (int, optional): Dimension along which cosine similarity is computed. Default: 1"
EPS_DEFAULT = "eps (float, optional): Small value to avoid division by zero. Default: 1e-8"
PROMOTION = "Supports :ref:`type promotion <type-promotion-doc>`."


def randn(shape, seed, dtype=torch.float32):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed)).to(dtype)


def cosine(x1, x2, dim=1, eps=1e-8):
    """float64 reference of the documented formula, on the broadcast inputs."""
    a, b = np.broadcast_arrays(x1.double().numpy(), x2.double().numpy())
    norms = np.maximum(np.sqrt((a * a).sum(dim)), eps) * np.maximum(np.sqrt((b * b).sum(dim)), eps)
    return torch.from_numpy(np.asarray((a * b).sum(dim) / norms))


@spec(OP, ALONG_DIM)
def test_cosine_similarity_along_each_dim(run):
    x1, x2 = randn((3, 4, 5), 0), randn((3, 4, 5), 1)
    x2[1, :, 2] = -2.5 * x1[1, :, 2]  # opposite directions along dim 1: exactly -1
    dims = (0, 1, 2, -1, -3)
    out = run(lambda a, b: tuple(F.cosine_similarity(a, b, dim=d) for d in dims), x1, x2)
    for d, got in zip(dims, out):
        assert_close(got, cosine(x1, x2, d), torch.float32,
                     f"cosine_similarity(x1, x2, dim={d}) of 3x4x5 inputs")
    assert_close(out[1][1, 2], torch.tensor(-1.0), torch.float32, "cosine similarity of opposite vectors")


@spec(OP, BROADCAST)
def test_inputs_broadcast_and_dim_indexes_the_common_shape(run):
    row, rows = randn((4,), 2), randn((3, 4), 3)
    column, grid = randn((3, 1, 4), 4), randn((5, 4), 5)
    out = run(lambda r, rs, c, g: (F.cosine_similarity(r, rs, dim=1), F.cosine_similarity(r, rs, dim=0),
                                   F.cosine_similarity(c, g, dim=-1), F.cosine_similarity(g, c, dim=2)),
              row, rows, column, grid)
    # dim=1 of the common 3x4 shape: x1 has no dim 1 of its own.
    assert_close(out[0], cosine(row, rows, 1), torch.float32, "cosine_similarity(4, 3x4, dim=1)")
    assert_close(out[1], cosine(row, rows, 0), torch.float32, "cosine_similarity(4, 3x4, dim=0)")
    assert_close(out[2], cosine(column, grid, -1), torch.float32, "cosine_similarity(3x1x4, 5x4, dim=-1)")
    assert_close(out[3], cosine(grid, column, 2), torch.float32, "cosine_similarity(5x4, 3x1x4, dim=2)")


@spec(OP, SQUEEZED, needs_values=False)
def test_dim_is_squeezed_from_the_output(run):
    x1, x2 = randn((2, 1, 3, 1), 6), randn((2, 1, 3, 1), 7)
    dims = (0, 1, 2, 3, -1)
    out = run(lambda a, b: tuple(F.cosine_similarity(a, b, dim=d) for d in dims), x1, x2)
    for d, got in zip(dims, out):
        # Only dim goes: the other size-1 dims stay.
        assert_close(got, cosine(x1, x2, d), torch.float32, f"cosine_similarity(2x1x3x1, 2x1x3x1, dim={d})")
    vectors = run(F.cosine_similarity, x1.flatten(), x2.flatten(), dim=0)
    assert_close(vectors, cosine(x1.flatten(), x2.flatten(), 0), torch.float32,
                 "cosine_similarity of two vectors, dim=0")


@spec(OP, FORMULA)
def test_eps_clamps_each_norm_separately(run):
    # Rows: tiny against ordinary (one norm clamped), tiny against tiny (both), zero against
    # ordinary (0, not NaN), ordinary against ordinary (no clamping).
    x1 = torch.tensor([[1e-9, 0.0], [1e-9, 0.0], [0.0, 0.0], [0.3, 0.4]])
    x2 = torch.tensor([[3.0, 4.0], [0.0, 2e-9], [3.0, 4.0], [-4.0, 3.0]])
    x2[1] = torch.tensor([1e-9, 0.0])
    big_1, big_2 = torch.tensor([[0.3, 0.4], [0.6, 0.8]]), torch.tensor([[6.0, 8.0], [0.0, 0.5]])
    out = run(lambda a, b, c, d: (F.cosine_similarity(a, b, dim=1, eps=1e-8),
                                  F.cosine_similarity(c, d, dim=1, eps=1.0),
                                  F.cosine_similarity(c, d, dim=1, eps=0.0)), x1, x2, big_1, big_2)
    assert_close(out[0], cosine(x1, x2, 1, 1e-8), torch.float32, "cosine_similarity(x1, x2, eps=1e-8)")
    assert_close(out[0], torch.tensor([0.06, 0.01, 0.0, 0.0]), torch.float32,
                 "cosine_similarity(x1, x2, eps=1e-8) by hand")
    # eps=1: the norms 0.5 and 1 of the first input and 0.5 of the second are clamped to 1.
    assert_close(out[1], torch.tensor([0.5, 0.4]), torch.float32, "cosine_similarity(x1, x2, eps=1.0)")
    assert_close(out[2], cosine(big_1, big_2, 1, 0.0), torch.float32, "cosine_similarity(x1, x2, eps=0.0)")


@spec(OP, DIM_DEFAULT)
def test_default_dim_is_1(run):
    x1, x2 = randn((2, 3, 4), 8), randn((2, 3, 4), 9)
    default, explicit = run(lambda a, b: (F.cosine_similarity(a, b), F.cosine_similarity(a, b, dim=1)),
                            x1, x2)
    assert_close(default, cosine(x1, x2, 1), torch.float32, "cosine_similarity(x1, x2) of 2x3x4 inputs")
    assert_exact(default, explicit, "cosine_similarity(x1, x2) against dim=1")


@spec(OP, EPS_DEFAULT)
def test_default_eps_is_1e_8(run):
    # Norms 5e-9 and 2e-8 of x1 clamp to 1e-8 and do not: the default is neither 0 nor 1e-6.
    x1 = torch.tensor([[3e-9, 4e-9], [2e-8, 0.0], [0.0, 0.0]])
    x2 = torch.tensor([[3.0, 4.0], [1.0, 1.0], [1.0, 0.0]])
    default, explicit = run(lambda a, b: (F.cosine_similarity(a, b), F.cosine_similarity(a, b, eps=1e-8)),
                            x1, x2)
    assert_close(default, cosine(x1, x2, 1, 1e-8), torch.float32, "cosine_similarity(x1, x2) of tiny x1")
    assert_close(default, torch.tensor([0.5, 2 ** -0.5, 0.0]), torch.float32,
                 "cosine_similarity(x1, x2) of tiny x1 by hand")
    assert_close(explicit, cosine(x1, x2, 1, 1e-8), torch.float32, "cosine_similarity(x1, x2, eps=1e-8)")


PROMOTIONS = [(torch.float32, torch.float64, torch.float64), (torch.float16, torch.float32, torch.float32),
              (torch.bfloat16, torch.float16, torch.float32), (torch.float64, torch.bfloat16, torch.float64)]
BITS = {torch.float64: 53, torch.float32: 24, torch.float16: 11, torch.bfloat16: 8}


@spec(OP, PROMOTION, needs_values=False)
def test_inputs_of_different_dtypes_are_promoted(run, observe):
    # Values exact in every dtype above, so the reference is the same for each pair. The result
    # has the promoted dtype; the docs promise no more precision than the narrower input has, so
    # values are held to that input's tolerance (each input may be normalised in its own dtype).
    x1 = torch.tensor([[1.0, 2.0, -0.5], [0.25, 0.0, 3.0]])
    x2 = torch.tensor([[-1.0, 0.5, 2.0], [1.5, -2.0, 0.75]])
    inputs = [(x1.to(a), x2.to(b)) for a, b, _ in PROMOTIONS]
    out = run(lambda *xs: tuple(F.cosine_similarity(xs[i], xs[i + 1]) for i in range(0, len(xs), 2)),
              *[x for pair in inputs for x in pair])
    reference = cosine(x1, x2)
    for (a, b, result), got in zip(PROMOTIONS, out):
        rtol, atol = TOLERANCE[min(a, b, key=BITS.get)]
        assert_close(got, reference, result, f"cosine_similarity of {a} and {b} inputs",
                     rtol=rtol, atol=atol)
        if got.device.type != "meta":
            name = f"max_abs_error_{a}_{b}".replace("torch.", "")
            observe(name, (got.double() - reference).abs().max().item())
