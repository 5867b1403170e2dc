"""Sigmoid focal loss: every implementation in suite.focal_loss, at detection-head sizes.

Elementwise and memory-bound, so the figure that matters is bytes: one pass reads the logits
and the targets; a fused forward+backward reads them once more and writes the gradient.
That minimum (the memory-traffic floor) is the Workload's `bytes`, whatever an
implementation actually moves.
"""

from __future__ import annotations

import torch

from suite import focal_loss
from suite.focal_loss import adapters
from suite.cases import DEVICES, STEPS, Case, Track, Workload, randn, with_backward
from suite.memory import peak_bytes

SHAPES = {"8192x128": (8192, 128), "65536x80": (65536, 80)}
DTYPES = ("float32", "float16")
REDUCTION = "mean"   # as in training


POSITIVE_ROWS = 0.1  # anchors matched to an object; the rest are background


def inputs(device: str, shape: str, dtype: str, requires_grad=False, class_indices=False):
    """Logits and a detection head's targets: one class, or none, per row. mmcv takes the
    class indices themselves (C meaning background); the others, their one-hot rows."""
    dt = getattr(torch, dtype)
    rows, classes = SHAPES[shape]
    logits = (randn(SHAPES[shape], device, torch.float32, seed=1) * 3).to(dt)
    g = torch.Generator().manual_seed(2)
    labels = torch.randint(0, classes, (rows,), generator=g)
    labels[torch.rand(rows, generator=g) >= POSITIVE_ROWS] = classes
    if class_indices:
        return logits.requires_grad_(requires_grad), labels.to(device)
    targets = adapters.one_hot_rows(labels, classes)
    return logits.requires_grad_(requires_grad), targets.to(device=device, dtype=dt)


def workload_fn(device, impl, shape, dtype, step):
    fn = focal_loss.IMPLEMENTATIONS[impl]
    grad = step == "forward+backward"
    logits, targets = inputs(device, shape, dtype, requires_grad=grad, class_indices=impl == "mmcv")

    def forward():
        return fn(logits, targets, alpha=0.25, gamma=2.0, reduction=REDUCTION)

    return with_backward(forward, (logits,)) if grad else forward


def work(device: str, impl: str, shape: str, dtype: str, step: str):
    """Analytic (bytes, FLOPs, dtype): the memory-traffic floor, whatever impl moves."""
    n = SHAPES[shape][0] * SHAPES[shape][1]
    reads = 2 if step == "forward" else 4   # logits and targets, once more for backward
    writes = 0 if step == "forward" else 1  # the gradient
    return (reads + writes) * n * getattr(torch, dtype).itemsize, 0, getattr(torch, dtype)


def build(device: str, impl: str, shape: str, dtype: str, step: str) -> Workload:
    traffic, flops, dt = work(device, impl, shape, dtype, step)
    return Workload(workload_fn(device, impl, shape, dtype, step), bytes=traffic, dtype=dt)


def skip(device: str, impl: str, dtype: str, **_) -> str | None:
    return focal_loss.unsupported(impl, torch.device(device).type)


def memory(device: str, impl: str, shape: str, dtype: str, step: str) -> int:
    n = SHAPES[shape][0] * SHAPES[shape][1]
    return 12 * n * getattr(torch, dtype).itemsize  # inputs plus a generous count of temporaries


def peak_memory(device: str, impl: str, shape: str, dtype: str, step: str) -> float:
    """Bytes allocated by one call beyond its inputs (saved tensors and temporaries)."""
    fn = workload_fn(device, impl, shape, dtype, step)
    fn()  # warm-up, so one-time allocations are not counted
    return float(peak_bytes(fn, device))


# The float64 oracle is not a contender (it is ~20x slower by design), and leaving it out
# keeps `asv run --quick` within its five minutes.
IMPLEMENTATIONS = tuple(name for name in focal_loss.KNOWN if name != "reference")
PARAMS = {"device": DEVICES, "impl": IMPLEMENTATIONS, "shape": tuple(SHAPES),
          "dtype": DTYPES, "step": STEPS}

# Version 2: more implementations, and one-hot targets (one class or none per row).
PEAK_MEMORY = Track("focal_loss_peak_memory", "bytes", peak_memory, version="2", params=PARAMS,
                    memory=memory, skip=skip)
CASE = Case("focal_loss", PARAMS, build, version="2", memory=memory, skip=skip,
            tracks=[PEAK_MEMORY], work=work)
CASES = [CASE]
