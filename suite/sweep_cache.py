"""Cells already measured: a sweep reuses them, so that a second run repeats nothing.

A cell's record is reused from an earlier sweep file in the same folder when its backend's key
is the same: the machine, the torch build and its settings (torch.backends flags, TORCH* and
TORCHINDUCTOR* environment variables, the cases' thread count), NumPy's version (NumPy refs),
the sweep's own code (the modules that run and judge a cell), the backend, the samples per cell
and whether the backward was compared. Built-in backends only: a plugged-in backend's code can
change between runs without anything here knowing.
Cells that crashed, timed out or errored are run again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch

from suite.results import JOURNAL

JUDGING_CODE = ("sweep.py", "accuracy.py", "opinfos.py", "runner.py", "backends.py", "sweep_plugin.py",
                "sweep_cells.py", "isolation.py", "torch_state.py", "sweep_cache.py")
NOT_REUSED = ("crashed", "timed out", "error")


def key(selected, samples, backward: bool, threads: int) -> str | None:
    """The cache key of a backend's cells, or None (a plugged-in backend: never cached).
    ``threads``: the cases' intra-op thread count (a reduction's order, and so its rounding,
    can depend on it)."""
    if ":" in selected.selector and not selected.selector.startswith(("cuda:", "xpu:", "compile-")):
        return None
    import os

    import numpy

    from suite.machine import machine_name, torch_info

    here = Path(__file__).parent
    digest = hashlib.sha256()
    # (how many processes inductor compiles in changes no result, and opsuite sets it itself)
    environment = sorted((k, v) for k, v in os.environ.items() if k.startswith(("TORCH", "PYTORCH"))
                         and k != "TORCHINDUCTOR_COMPILE_THREADS")
    for part in (machine_name(), torch.__version__, torch.version.git_version,
                 json.dumps(torch_info(threads), sort_keys=True, default=str), repr(environment),
                 numpy.__version__, selected.backend.name, str(selected.backend.device),
                 repr(samples), repr(backward)):
        digest.update(part.encode() + b"\0")
    for name in JUDGING_CODE:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def load(folder: Path, keys: dict[str, str | None]) -> dict[tuple, dict]:
    """(op, dtype, backend) -> the newest reusable record under ``folder`` whose file recorded
    the same key for that backend."""
    found: dict[tuple, dict] = {}
    files = sorted((p for p in Path(folder).glob("*") if p.name.endswith((".json", JOURNAL))
                    and not p.name.startswith(".")), key=lambda p: p.name, reverse=True)
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8")
            if path.name.endswith(JOURNAL):
                rows = [json.loads(line) for line in lines.splitlines() if line.strip()[-1:] == "}"]
                header, records = (rows[0], rows[1:]) if rows else ({}, [])
            else:
                header = json.loads(lines)
                records = header.get("records", [])
        except (OSError, ValueError):
            continue  # not a sweep file, or one being written: nothing to reuse from it
        if not str(header.get("schema", "")).startswith("opsuite.sweep/"):
            continue
        recorded = header.get("cache_keys") or {}
        for r in records:
            b = r.get("backend")
            if keys.get(b) and recorded.get(b) == keys[b] and r.get("verdict") not in NOT_REUSED:
                found.setdefault((r.get("op"), r.get("dtype"), b),
                                 {**r, "reused_from": r.get("reused_from") or path.name})
    return found
