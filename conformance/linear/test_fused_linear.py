"""One nn.Linear(d, N·k) + torch.chunk is N nn.Linear(d, k): the benchmark's premise.

The fused layer is built from the separate layers' weights stacked along the output
dimension; by y = xAᵀ, each chunk of its output is then one separate layer's output, and the
gradients agree too (the fused weight's gradient is the separate gradients stacked).
"""

import pytest
import torch
import torch.nn.functional as F

from suite.expect import assert_close
from suite.spec import spec

LINEAR = "Applies a linear transformation to the incoming data: :math:`y = xA^T + b`."
D, K, N = 64, 16, 3  # the benchmark's shape (1024, 128, 3), scaled down to stay quick


def inputs(dtype):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, D, generator=g).to(dtype)
    weights = [torch.randn(K, D, generator=g).div(D**0.5).to(dtype) for _ in range(N)]
    grad_out = torch.randn(8, N * K, generator=g).to(dtype)
    return x, weights, grad_out


def separate(x, w1, w2, w3):
    return torch.cat([F.linear(x, w) for w in (w1, w2, w3)], dim=1)


def fused(x, weight):
    return torch.cat(torch.chunk(F.linear(x, weight), N, dim=1), dim=1)


@spec("torch.nn.functional.linear", LINEAR)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_fused_layer_and_chunk_equal_the_separate_layers(run, dtype):
    x, weights, grad_out = inputs(dtype)
    stacked = torch.cat(weights)
    reference = x.double() @ stacked.double().T  # float64, outside the backend
    got_separate = run(separate, x, *weights)
    got_fused = run(fused, x, stacked)
    assert_close(got_separate, reference, dtype, "three F.linear(x, w_i), concatenated")
    assert_close(got_fused, reference, dtype, f"chunk(F.linear(x, cat(w_i)), {N}, dim=1)")


@spec("torch.nn.functional.linear", LINEAR)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_fused_layer_has_the_separate_layers_gradients(run, dtype):
    x, weights, grad_out = inputs(dtype)
    stacked = torch.cat(weights)
    # Analytic float64 gradients of y = x Wᵀ: dx = g W, dW = gᵀ x.
    g64, x64, w64 = grad_out.double(), x.double(), stacked.double()
    want_x, want_w = g64 @ w64, g64.T @ x64

    leaves = [t.clone().requires_grad_() for t in (x, *weights)]
    _, (gx, *gws) = run.grad(separate, *leaves, grad_output=grad_out)
    assert_close(gx, want_x, dtype, "d/dx of the separate layers")
    assert_close(torch.cat(gws), want_w, dtype, "d/dw_i of the separate layers, stacked")

    x_leaf, w_leaf = x.clone().requires_grad_(), stacked.clone().requires_grad_()
    _, (gx, gw) = run.grad(fused, x_leaf, w_leaf, grad_output=grad_out)
    assert_close(gx, want_x, dtype, "d/dx of the fused layer + chunk")
    assert_close(gw, want_w, dtype, "d/dW of the fused layer + chunk")
