"""torch.cdist (p=2): its three compute modes, timed and checked for accuracy.

The matrix-product modes compute ‖x‖² + ‖y‖² − 2·x·yᵀ, which is fast but cancels badly
when the points sit far from the origin; the direct mode subtracts coordinates first.
So speed is tracked next to the maximum error against a float64 reference, per mode.
"""

from __future__ import annotations

import numpy as np
import torch

from suite.cases import DEVICES, STEPS, Case, Track, Workload, randn, with_backward

MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
         "donot_use_mm_for_euclid_dist")

# batch, P points, R points, M coordinates
SHAPES = {
    "512x512x2": (1, 512, 512, 2),          # the seed article's claim
    "20x20x2": (1, 20, 20, 2),              # <= 25 points: the default mode skips the mm
    "4096x4096x64": (1, 4096, 4096, 64),    # large
    "8x1024x1024x32": (8, 1024, 1024, 32),  # batched
}
DTYPES = ("float32", "float64")

# Accuracy data sit this far from the origin, where ‖x‖² dwarfs the distances.
OFFSET = 1000.0
ROWS = 256  # rows of the distance matrix checked against the reference


def points(shape: str, device: str, dtype: str, offset: float = 0.0, requires_grad=False):
    b, p, r, m = SHAPES[shape]
    dt = getattr(torch, dtype)
    squeeze = b == 1  # the seed's case is plain 2-D points, no batch dimension
    x1 = randn((b, p, m), device, torch.float64, seed=1) + offset
    x2 = randn((b, r, m), device, torch.float64, seed=2) + offset
    x1, x2 = (x.to(dt) for x in (x1, x2))
    if squeeze:
        x1, x2 = x1[0], x2[0]
    return x1.requires_grad_(requires_grad), x2.requires_grad_(requires_grad)


def uses_mm(mode: str, p: int, r: int) -> bool:
    """Which path the mode documents: 'if_necessary' uses mm when P > 25 or R > 25."""
    return mode == "use_mm_for_euclid_dist" or (
        mode == "use_mm_for_euclid_dist_if_necessary" and (p > 25 or r > 25))


def work(device: str, shape: str, dtype: str, mode: str, step: str):
    """Analytic (bytes, FLOPs, dtype) of one call."""
    b, p, r, m = SHAPES[shape]
    size = getattr(torch, dtype).itemsize
    flops = b * p * r * (2 * m + 3 if uses_mm(mode, p, r) else 3 * m + 1)
    traffic = b * (p * m + r * m + p * r) * size  # read both point sets, write distances
    if step == "forward+backward":
        flops *= 3   # the gradient costs about two more forward passes
        traffic *= 3  # read grad, points and distances again; write two point gradients
    return traffic, flops, getattr(torch, dtype)


def build(device: str, shape: str, dtype: str, mode: str, step: str) -> Workload:
    grad = step == "forward+backward"
    x1, x2 = points(shape, device, dtype, requires_grad=grad)

    def forward():
        return torch.cdist(x1, x2, p=2.0, compute_mode=mode)

    fn = with_backward(forward, (x1, x2)) if grad else forward
    traffic, flops, dt = work(device, shape, dtype, mode, step)
    return Workload(fn, bytes=traffic, flops=flops, dtype=dt)


def memory(device: str, shape: str, dtype: str, mode: str, step: str) -> int:
    b, p, r, m = SHAPES[shape]
    size = getattr(torch, dtype).itemsize
    # inputs, output, and the mm path's or backward's temporaries of the output's size
    return b * ((p + r) * m + 4 * p * r) * size


def accuracy_memory(device: str, shape: str, dtype: str, mode: str) -> int:
    b, p, r, m = SHAPES[shape]
    return memory(device, shape, dtype, mode, "forward") + b * ROWS * r * m * 8 * 2


def max_error(device: str, shape: str, dtype: str, mode: str) -> float:
    """Largest absolute error of the distances on points offset from the origin.

    The reference is float64 NumPy on the CPU, from the same (rounded) coordinates, over
    the first 256 rows of every batch (all of them for the smaller shapes): enough to see
    the cancellation, and cheap next to the 4096x4096 product itself.
    """
    x1, x2 = points(shape, device, dtype, offset=OFFSET)
    got = torch.cdist(x1, x2, p=2.0, compute_mode=mode)[..., :ROWS, :].double().cpu().numpy()
    a = x1[..., :ROWS, :].double().cpu().numpy()
    b = x2.double().cpu().numpy()
    ref = np.sqrt(((a[..., :, None, :] - b[..., None, :, :]) ** 2).sum(-1))
    return float(np.abs(got - ref).max())


PARAMS = {"device": DEVICES, "shape": tuple(SHAPES), "dtype": DTYPES, "mode": MODES}
MAX_ERROR = Track("cdist_max_error", "absolute error", max_error, version="1", params=PARAMS,
                  memory=accuracy_memory)
CASE = Case("cdist", {**PARAMS, "step": STEPS}, build, version="1", memory=memory,
            tracks=[MAX_ERROR], work=work)
CASES = [CASE]
