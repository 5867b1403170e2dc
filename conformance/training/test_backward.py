"""torch.Tensor.backward: gradients accumulate in .grad, so half-batch passes add up to the full batch's."""

import numpy as np
import torch

from suite.expect import assert_close
from suite.spec import spec

ACCUMULATES = ("This function accumulates gradients in the leaves - you might need to zero ``.grad`` attributes or "
               "set them to ``None`` before calling it.")


def loss(w, x):
    return torch.tanh(x @ w).sum()


@spec("torch.Tensor.backward", ACCUMULATES)
def test_backward_accumulates_half_batches_into_the_full_batch_gradient(run):
    g = torch.Generator().manual_seed(0)
    w, x, earlier = torch.randn(3, 2, generator=g), torch.randn(6, 3, generator=g), torch.randn(3, 2, generator=g)

    def fn(w, x, earlier):
        loss(w, x[:3]).backward()
        loss(w, x[3:]).backward()
        accumulated = w.grad.clone()
        w.grad = None
        loss(w, x).backward()
        full = w.grad.clone()
        w.grad = earlier.clone()  # a gradient left over from before
        loss(w, x).backward()
        return accumulated, full, w.grad

    accumulated, full, added = run(fn, w.clone().requires_grad_(), x, earlier)
    # d/dw sum(tanh(x w)) = x^T (1 - tanh(x w)^2), in float64.
    w64, x64 = w.double().numpy(), x.double().numpy()
    reference = x64.T @ (1 - np.tanh(x64 @ w64) ** 2)
    assert_close(accumulated, reference, torch.float32, "w.grad after backward() of two half-batch losses")
    assert_close(full, reference, torch.float32, "w.grad after backward() of the full-batch loss, from None")
    assert_close(added, reference + earlier.double().numpy(), torch.float32,
                 "w.grad after backward() onto an existing gradient")
