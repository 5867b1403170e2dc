"""A measured time as a fraction of what the machine could physically do.

The floor of a call is the longer of moving its bytes at the copy bandwidth and doing its
FLOPs at the matmul throughput of its dtype (the roofline). `percent` is floor / measured:
100 % means the call runs at the machine's limit; the `bound` names the limit that binds.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from suite.cases import Skip, registry
from suite.timing import measure


@dataclass(frozen=True)
class Ceilings:
    device: str
    bandwidth: float                 # bytes/s of a large copy
    matmul: dict[str, float]         # dtype name -> FLOP/s of a large matmul

    @classmethod
    def measure(cls, device: str, repeat: int = 5) -> Ceilings:
        cases = registry()
        copy = cases["copy_bandwidth"].workload(device=device)
        bandwidth = copy.bytes / measure(copy.fn, repeat=repeat).median
        matmul = {}
        for params in cases["matmul_throughput"].combinations():
            if params["device"] != device:
                continue
            try:
                work = cases["matmul_throughput"].workload(**params)
            except Skip:
                continue
            matmul[params["dtype"]] = work.flops / measure(work.fn, repeat=repeat).median
            del work  # free the operands before the next dtype
        return cls(device, bandwidth, matmul)


@dataclass(frozen=True)
class Rate:
    gbps: float          # achieved GB/s (1e9 bytes)
    gflops: float        # achieved GFLOP/s
    percent: float       # floor / measured time, in %; NaN where no ceiling applies
    bound: str           # "memory" or "compute"


def rate(nbytes: int, flops: int, dtype: torch.dtype, seconds: float,
         ceilings: Ceilings | None) -> Rate:
    gbps, gflops = nbytes / seconds / 1e9, flops / seconds / 1e9
    if ceilings is None:
        return Rate(gbps, gflops, float("nan"), "")
    memory_floor = nbytes / ceilings.bandwidth
    peak = ceilings.matmul.get(str(dtype).removeprefix("torch."))
    compute_floor = flops / peak if (flops and peak) else 0.0
    bound = "compute" if compute_floor > memory_floor else "memory"
    return Rate(gbps, gflops, 100 * max(memory_floor, compute_floor) / seconds, bound)
