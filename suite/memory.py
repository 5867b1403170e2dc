"""Peak memory of one call: bytes allocated beyond what was live before it.

CUDA: the caching allocator's own peak counter. CPU: torch has no peak counter, so the
profiler records every allocation and free of the call, and the peak is read off their
running total. Both count tensor memory only, which is what implementations differ in.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def peak_bytes(fn: Callable[[], object], device: str) -> int:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        fn()
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() - before
    if device == "cpu":
        return _cpu_peak(fn)
    raise ValueError(f"peak memory is measured on cpu and cuda, not {device!r}")


def _cpu_peak(fn: Callable[[], object]) -> int:
    from torch._C._profiler import _EventType
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = []
    stack = list(prof.profiler.kineto_results.experimental_event_tree())
    while stack:
        node = stack.pop()
        if node.tag == _EventType.Allocation:  # alloc_size is negative for a free
            events.append((node.start_time_ns, node.extra_fields.alloc_size))
        stack.extend(node.children)
    live = peak = 0
    for _, size in sorted(events):
        live += size
        peak = max(peak, live)
    return peak
