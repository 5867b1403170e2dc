"""What the numbers were measured on: hardware, drivers, torch and its numerics flags."""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
import sys
from pathlib import Path

import torch

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        out = _command(["sysctl", "-n", "machdep.cpu.brand_string"])
        if out:
            return out
    return platform.processor() or platform.machine()


def _command(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


# What nvidia-smi says of each GPU that torch does not: the driver and the clocks. The UUID
# matches its rows to torch's devices, whose order CUDA_VISIBLE_DEVICES and CUDA may change.
SMI_FIELDS = {"uuid": "uuid", "driver_version": "driver", "clocks.max.sm": "max_sm_clock_mhz",
              "clocks.max.mem": "max_memory_clock_mhz",
              "clocks.applications.graphics": "application_sm_clock_mhz",
              "clocks.applications.memory": "application_memory_clock_mhz"}


def parse_smi(text: str | None) -> list[dict]:
    """One dict per GPU from `nvidia-smi --query-gpu=<SMI_FIELDS> --format=csv,noheader,nounits`
    (what nvidia-smi cannot report, "[N/A]", "[Not Supported]", is left out)."""
    rows = []
    for line in (text or "").splitlines():
        values = [v.strip() for v in line.split(",")]
        if len(values) == len(SMI_FIELDS):
            rows.append({key: value for key, value in zip(SMI_FIELDS.values(), values)
                         if value and not value.startswith("[")})
    return rows


def _uuid(value) -> str:
    return str(value or "").lower().removeprefix("gpu-")


def _gpus() -> list[dict]:
    if not torch.cuda.is_available():
        return []
    smi = {_uuid(row.get("uuid")): row
           for row in parse_smi(_command(["nvidia-smi", f"--query-gpu={','.join(SMI_FIELDS)}",
                                          "--format=csv,noheader,nounits"]))}
    gpus = []
    for i in range(torch.cuda.device_count()):
        p = torch.cuda.get_device_properties(i)
        gpu = {"index": i, "name": p.name, "capability": f"{p.major}.{p.minor}",
               "memory_gib": round(p.total_memory / 2**30, 1),
               "multiprocessors": p.multi_processor_count, "cuda": torch.version.cuda}
        gpu.update(smi.get(_uuid(getattr(p, "uuid", None)), {}))
        gpus.append(gpu)
    return gpus


def describe_gpu(gpu: dict) -> str:
    """'NVIDIA H100 80GB HBM3, driver 570.124.06, CUDA 12.8, max clocks 1980/2619 MHz' (SM/memory)."""
    parts = [gpu["name"]]
    if gpu.get("driver"):
        parts.append(f"driver {gpu['driver']}")
    if gpu.get("cuda"):
        parts.append(f"CUDA {gpu['cuda']}")
    if gpu.get("max_sm_clock_mhz") and gpu.get("max_memory_clock_mhz"):
        parts.append(f"max clocks {gpu['max_sm_clock_mhz']}/{gpu['max_memory_clock_mhz']} MHz "
                     "(SM/memory)")
    return ", ".join(parts)


def cpu_model(name: str) -> str:
    """The model in a CPU's brand string, without trademarks and clock: "Intel(R) Xeon(R)
    Platinum 8375C CPU @ 2.90GHz" -> "Intel Xeon Platinum 8375C"."""
    name = re.sub(r"\((R|TM|tm|r)\)|®|™", " ", name)
    name = re.sub(r"@\s*[\d.]+\s*[GM]Hz", " ", name)
    name = re.sub(r"\b(CPU|Processor)\b", " ", name)
    return " ".join(name.split()) or "unknown cpu"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def machine_name(gpus: list[dict] | None = None) -> str:
    """A stable name for results folders and asv's machine: $OPSUITE_MACHINE, else the first
    GPU's model and driver (one asv machine per GPU model and driver: a new driver can change
    the speed), else the CPU model."""
    if os.environ.get("OPSUITE_MACHINE"):
        return slug(os.environ["OPSUITE_MACHINE"])
    gpus = _gpus() if gpus is None else gpus
    if not gpus:
        return slug(cpu_model(_cpu_name()))
    # Without nvidia-smi the driver is unknown: said in the name, not left out of it.
    return slug(f"{gpus[0]['name']} driver {gpus[0].get('driver') or 'unknown'}")


def machine_info() -> dict:
    gpus = _gpus()
    info = {
        "name": machine_name(gpus),
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "gpus": gpus,
    }
    if gpus:
        info["driver"] = gpus[0].get("driver")
        info["cuda"] = torch.version.cuda
    return info


def torch_info(threads: int | None = None) -> dict:
    """The torch build and its settings; ``threads``: the intra-op threads the run's cases have
    where not this process's own (worker processes share the CPUs: suite.isolation)."""
    cuda = torch.backends.cuda
    return {
        "version": torch.__version__,
        "git_version": torch.version.git_version,
        "cuda": torch.version.cuda,
        "hip": torch.version.hip,
        "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "threads": threads or torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "flags": {
            "tf32_matmul": cuda.matmul.allow_tf32,
            "tf32_cudnn": torch.backends.cudnn.allow_tf32,
            "float32_matmul_precision": torch.get_float32_matmul_precision(),
            "fp16_reduced_precision_reduction": cuda.matmul.allow_fp16_reduced_precision_reduction,
            "bf16_reduced_precision_reduction": cuda.matmul.allow_bf16_reduced_precision_reduction,
            "deterministic": torch.are_deterministic_algorithms_enabled(),
            "cudnn_benchmark": torch.backends.cudnn.benchmark,
            "default_dtype": str(torch.get_default_dtype()),
        },
    }


def git_commit() -> dict:
    """The commit of the suite itself, and whether its code had uncommitted changes. results/
    is data the suite writes (the report rewrites tracked files there): it does not count."""
    head = _command(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"])
    if head is None:
        return {"commit": None, "dirty": None}
    status = _command(["git", "-C", str(PROJECT_ROOT), "status", "--porcelain",
                       "--untracked-files=no", "--", ".", ":(exclude)results"])
    return {"commit": head, "dirty": bool(status)}
