"""Benchmark cases, each defined once and used by asv (benchmarks/) and pytest-benchmark.

A `Case` is: static parameters -> `build(**params)` -> a `Workload` (the callable to time,
already on its device and warmed up, plus the analytic bytes and FLOPs of one call). The
parameters are the same on every machine, so asv's history lines up across machines; a
combination a machine cannot run (no such device, too little memory, a package missing)
raises `Skip` with the reason instead of vanishing from the parameter list.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch

DEVICES = ("cpu", "cuda")
STEPS = ("forward", "forward+backward")


class Skip(Exception):
    """This parameter combination cannot run here; the message says why."""


@dataclass(frozen=True)
class Workload:
    """One timed call and the work it does, for throughput and the roofline."""

    fn: Callable[[], object]
    bytes: int = 0     # minimum bytes read + written by one call
    flops: int = 0     # floating-point operations of one call
    dtype: torch.dtype = torch.float32  # whose matmul ceiling bounds the FLOPs


def _no_limit(**_) -> int:
    return 0


def _no_reason(**_) -> str | None:
    return None


class _Combinations:
    """Shared by cases and tracks: iterate, name and pre-check parameter combinations."""

    params: dict[str, tuple]
    memory: Callable[..., int]
    skip: Callable[..., str | None]

    def combinations(self) -> Iterator[dict]:
        for values in itertools.product(*self.params.values()):
            yield dict(zip(self.params, values))

    def id(self, params: dict) -> str:
        return "-".join(str(params[k]) for k in self.params)

    def check(self, memory: bool = True, **params) -> None:
        """Raise Skip if this combination cannot run on this machine; cheap, builds nothing.

        memory=False leaves out the free-memory check, which on CUDA creates a context (and
        so must not run in a process that forks benchmark processes).
        """
        reason = device_missing(params["device"]) or self.skip(**params)
        if reason:
            raise Skip(reason)
        need = self.memory(**params) if memory else 0
        if need:
            have = free_memory(params["device"])
            if need > have:
                raise Skip(f"needs {need / 2**30:.1f} GiB on {params['device']}, "
                           f"which has {have / 2**30:.1f} GiB free")


@dataclass(frozen=True)
class Track(_Combinations):
    """A figure other than time, per parameter combination (an accuracy, a peak memory)."""

    name: str
    unit: str
    fn: Callable[..., float]   # fn(**params) -> the figure
    version: str
    params: dict[str, tuple]
    memory: Callable[..., int] = _no_limit
    skip: Callable[..., str | None] = _no_reason

    def measure(self, **params) -> float:
        self.check(**params)
        return self.fn(**params)


@dataclass(frozen=True)
class Case(_Combinations):
    name: str
    params: dict[str, tuple]            # name -> static values; "device" comes first
    build: Callable[..., Workload]      # build(**params) -> Workload, or raises Skip
    version: str                        # bump when the meaning of a figure changes
    memory: Callable[..., int] = _no_limit          # bytes needed, checked before build
    skip: Callable[..., str | None] = _no_reason    # reasons beyond device and memory
    tracks: list[Track] = field(default_factory=list)
    # analytic (bytes, FLOPs, dtype) of one call from the parameters alone, so that a stored
    # time (an asv result) can be turned into a rate without building anything
    work: Callable[..., tuple[int, int, torch.dtype]] | None = None

    def workload(self, **params) -> Workload:
        """Check, build, and warm up (first call, library handles, compilation)."""
        self.check(**params)
        try:
            work = self.build(**params)
            work.fn()
        except torch.OutOfMemoryError as error:
            raise Skip(f"out of memory on {params['device']}: {str(error).splitlines()[0]}")
        return work


def device_missing(device: str) -> str | None:
    if device == "cpu":
        return None
    if device == "cuda":
        return None if torch.cuda.is_available() else "no CUDA device on this machine"
    return f"unknown device {device!r}"


def free_memory(device: str) -> int:
    if device == "cuda":
        free, _total = torch.cuda.mem_get_info()
        return free
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def randn(shape, device: str, dtype: torch.dtype, seed: int = 0, requires_grad=False):
    """Seeded inputs, drawn on the CPU so every device times the same numbers."""
    g = torch.Generator().manual_seed(seed)
    t = torch.randn(shape, generator=g, dtype=torch.float32).to(device=device, dtype=dtype)
    return t.requires_grad_(requires_grad)


def as_tuple(out) -> tuple:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def with_backward(forward: Callable[[], object], inputs) -> Callable[[], None]:
    """forward+backward as one call, with fixed output gradients (no extra sum or cat).

    Gradients are set to None after each call, as `optimizer.zero_grad()` does by default,
    so each call allocates them afresh and nothing accumulates between calls.
    """
    grads = tuple(torch.ones_like(o) for o in as_tuple(forward()))

    def step():
        torch.autograd.backward(as_tuple(forward()), grads)
        for t in inputs:
            t.grad = None

    return step


def registry() -> dict[str, Case]:
    """Every case, by name (imported here so that `suite.cases` stays cheap to import)."""
    from suite.cases import cdist, ceilings, focal_loss, linear

    found = {}
    for module in (ceilings, cdist, linear, focal_loss):
        for case in module.CASES:
            found[case.name] = case
    return found
