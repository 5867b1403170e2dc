"""N separate nn.Linear(d, k) against one nn.Linear(d, N·k) followed by torch.chunk.

The seed article's trick: one wide matmul instead of N narrow ones saves N−1 kernel launches
and reads the input once. The batch sweep shows where that stops mattering, as the matmul
itself comes to dominate.
"""

from __future__ import annotations

import torch
from torch import nn

from suite.cases import DEVICES, STEPS, Case, Workload, randn, with_backward

D, K, N = 1024, 128, 3        # the seed article's sizes (bias=False, as there)
BATCHES = (8, 64, 256, 1024, 4096)
LAYOUTS = ("separate", "fused")


def layers(device: str, seed: int = 0) -> tuple[list[nn.Linear], nn.Linear]:
    """N separate layers and the fused layer holding exactly their weights, stacked."""
    torch.manual_seed(seed)
    separate = [nn.Linear(D, K, bias=False) for _ in range(N)]
    fused = nn.Linear(D, N * K, bias=False)
    with torch.no_grad():
        fused.weight.copy_(torch.cat([layer.weight for layer in separate]))
    return [layer.to(device) for layer in separate], fused.to(device)


def separate_forward(separate, x):
    return tuple(layer(x) for layer in separate)


def fused_forward(fused, x):
    return torch.chunk(fused(x), N, dim=1)


def work(device: str, batch: int, layout: str, step: str):
    """Analytic (bytes, FLOPs, dtype) of one call: minimum traffic, float32."""
    input_reads = N if layout == "separate" else 1  # each separate layer reads the input again
    flops = 2 * batch * D * N * K
    traffic = (input_reads * batch * D + D * N * K + batch * N * K) * 4
    if step == "forward+backward":
        flops *= 3  # grad input and grad weight: two more matmuls of the same size
        traffic += (batch * N * K + input_reads * batch * D + D * N * K) * 4 * 2
    return traffic, flops, torch.float32


def build(device: str, batch: int, layout: str, step: str) -> Workload:
    separate, fused = layers(device)
    grad = step == "forward+backward"
    x = randn((batch, D), device, torch.float32, requires_grad=grad)
    if layout == "separate":
        def forward():
            return separate_forward(separate, x)
        params = [x, *(layer.weight for layer in separate)]
    else:
        def forward():
            return fused_forward(fused, x)
        params = [x, fused.weight]
    fn = with_backward(forward, params) if grad else forward
    traffic, flops, dtype = work(device, batch, layout, step)
    return Workload(fn, bytes=traffic, flops=flops, dtype=dtype)


CASE = Case("linear", {"device": DEVICES, "batch": BATCHES, "layout": LAYOUTS, "step": STEPS},
            build, version="1", work=work)
CASES = [CASE]
