"""The machine's physical limits, measured in the same run as everything else.

Memory bandwidth: one large copy (bytes read + written), far larger than any cache.
Matrix throughput: one large square matmul per dtype, 2·n³ FLOPs.
Every other case is reported as a fraction of these (see suite.roofline).
"""

from __future__ import annotations

import torch

from suite.cases import DEVICES, Case, Workload, randn

# Large enough to leave every cache behind, small enough for a laptop.
COPY_BYTES = {"cpu": 512 * 2**20, "cuda": 2 * 2**30}
MATMUL_N = {"cpu": 2048, "cuda": 8192}
MATMUL_DTYPES = ("float32", "float64", "bfloat16", "float16")


def copy_work(device: str):
    return 2 * COPY_BYTES[device], 0, torch.float32  # read + write


def build_copy(device: str) -> Workload:
    src = randn((COPY_BYTES[device] // 4,), device, torch.float32)
    dst = torch.empty_like(src)
    return Workload(lambda: dst.copy_(src), bytes=copy_work(device)[0])


def matmul_work(device: str, dtype: str):
    n, dt = MATMUL_N[device], getattr(torch, dtype)
    return 3 * n * n * dt.itemsize, 2 * n**3, dt


def build_matmul(device: str, dtype: str) -> Workload:
    n = MATMUL_N[device]
    traffic, flops, dt = matmul_work(device, dtype)
    a, b = randn((n, n), device, dt, seed=1), randn((n, n), device, dt, seed=2)
    out = torch.empty((n, n), device=device, dtype=dt)
    return Workload(lambda: torch.mm(a, b, out=out), bytes=traffic, flops=flops, dtype=dt)


def matmul_skip(device: str, dtype: str) -> str | None:
    # Half-precision matmul is emulated on CPUs without AVX512-BF16/AMX: 99 s for one
    # 2048³ bfloat16 product on a 2-core EPYC, which is no ceiling worth a benchmark run.
    if device == "cpu" and dtype in ("bfloat16", "float16") and not _cpu_has_native_half():
        return f"{dtype} matmul is emulated on this CPU; no ceiling measured"
    return None


def _cpu_has_native_half() -> bool:
    # torch reports the widest vector ISA it dispatches to; below AVX512 there is no bf16 unit.
    return torch.backends.cpu.get_cpu_capability().startswith("AVX512")


COPY = Case("copy_bandwidth", {"device": DEVICES}, build_copy, version="1", work=copy_work,
            memory=lambda device: 2 * COPY_BYTES[device])
MATMUL = Case("matmul_throughput", {"device": DEVICES, "dtype": MATMUL_DTYPES}, build_matmul,
              version="1", skip=matmul_skip, work=matmul_work,
              memory=lambda device, dtype: 3 * MATMUL_N[device] ** 2 * getattr(torch, dtype).itemsize)
CASES = [COPY, MATMUL]
