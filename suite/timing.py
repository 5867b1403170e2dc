"""Timing that is right on an asynchronous device.

CUDA (and MPS, XPU) queue work and return at once, so a plain wall clock measures the
launch, not the work. Instead of writing a timer loop, opsuite gives the loops that already
exist — asv's, pytest-benchmark's and the standard library's `timeit` — a *clock* that
drains the device queue before it reads the time. Each of those loops reads the clock once
before and once after a block of many calls, so the synchronisation sits inside the timed
region exactly once per block: never a sync around a single microsecond-scale call, and
never a block whose last kernels are still running when the clock stops.
"""

from __future__ import annotations

import os
import statistics
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass

import torch

# Extra drains for devices torch does not know how to synchronise itself (tests add a fake
# asynchronous device here; an out-of-tree backend can add its own).
SYNCHRONIZERS: list[Callable[[], None]] = []

THREADS_ENV = "OPSUITE_THREADS"


def synchronize() -> None:
    """Wait for all queued work on every accelerator this process has started."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for index in range(torch.cuda.device_count()):
            torch.cuda.synchronize(index)
    if hasattr(torch, "mps") and torch.backends.mps.is_available():
        torch.mps.synchronize()
    if hasattr(torch, "xpu") and torch.xpu.is_available() and torch.xpu.is_initialized():
        torch.xpu.synchronize()
    for drain in SYNCHRONIZERS:
        drain()


def clock() -> float:
    """`time.perf_counter` after the device queues are empty: the timer for every harness."""
    synchronize()
    return time.perf_counter()


def set_threads(threads: int | None = None) -> int:
    """Fix torch's intra-op thread count (argument, else $OPSUITE_THREADS, else torch's default).

    Returns the count in use, which every harness records beside its timings: a figure
    measured with 16 threads is not comparable with one measured with 2.
    """
    if threads is None and os.environ.get(THREADS_ENV):
        try:
            threads = int(os.environ[THREADS_ENV])
        except ValueError:
            raise ValueError(f"${THREADS_ENV} must be a whole number, not {os.environ[THREADS_ENV]!r}")
    if threads is not None:
        if threads < 1:
            raise ValueError(f"the thread count must be at least 1, not {threads}")
        torch.set_num_threads(threads)
    return torch.get_num_threads()


@dataclass(frozen=True)
class Timing:
    """Seconds per call: one figure per repeat (each the mean over `number` calls)."""

    per_call: tuple[float, ...]
    number: int

    @property
    def median(self) -> float:
        return statistics.median(self.per_call)

    @property
    def spread(self) -> tuple[float, float]:
        """Inter-quartile range of the repeats."""
        if len(self.per_call) < 2:
            return (self.per_call[0], self.per_call[0])
        q1, _, q3 = statistics.quantiles(self.per_call, n=4, method="inclusive")
        return (q1, q3)


def calibrate(fn: Callable[[], object], min_block: float = 0.02) -> int:
    """Calls per block so that one block lasts at least `min_block` seconds."""
    timer = timeit.Timer(fn, timer=clock)
    number = 1
    while (elapsed := timer.timeit(number)) < min_block:
        grow = min_block / elapsed if elapsed > 0 else 10
        number = max(number + 1, int(number * min(10, grow * 1.2)))
    return number


def measure(fn: Callable[[], object], repeat: int = 7, number: int | None = None,
            min_block: float = 0.02) -> Timing:
    """Time `fn`: `repeat` blocks of `number` calls, each block bracketed by the synced clock."""
    fn()  # warm-up: first-call costs (allocator, library handles, compilation) stay out
    if number is None:
        number = calibrate(fn, min_block)
    blocks = timeit.Timer(fn, timer=clock).repeat(repeat=repeat, number=number)
    return Timing(tuple(b / number for b in blocks), number)
