"""`opsuite bench`: asv over chosen cases and a device, with the filters checked first.

asv itself answers a filter that matches nothing with "No benchmarks selected" and exit 0;
here an unknown case or device is one line and exit 2, before anything runs.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from suite.cases import DEVICES, device_missing, registry
from suite.machine import git_commit, machine_name
from suite.machine import PROJECT_ROOT
from suite.results import replace_text


class BenchError(ValueError):
    pass


def class_pattern(case_name: str) -> str:
    """The asv class of a case and of its tracks: Cdist, CdistMaxError, ..."""
    return "".join(part.capitalize() for part in case_name.split("_"))


def selection(cases: list[str], device: str | None) -> str:
    known = registry()
    for name in cases:
        if name not in known:
            raise BenchError(f"unknown benchmark {name!r}; benchmarks are: {', '.join(known)}")
    if device is not None:
        if device not in DEVICES:
            raise BenchError(f"unknown device {device!r}; devices are: {', '.join(DEVICES)}")
        if reason := device_missing(device):
            raise BenchError(f"cannot benchmark {device}: {reason}")
    classes = "|".join(class_pattern(c) for c in cases) if cases else r"\w+"
    params = rf"\('{re.escape(device)}'" if device else ""
    return rf"\.({classes})\w*\.\w+{params}"


def asv_command(cases: list[str], device: str | None, quick: bool,
                machine: str | None = None) -> list[list[str]]:
    config = PROJECT_ROOT / "asv.conf.json"
    if not config.is_file():
        raise BenchError(f"no asv.conf.json at {PROJECT_ROOT}; run opsuite bench from a checkout")
    commit = git_commit()["commit"]
    if not commit:
        raise BenchError("asv results are filed by commit, and this is not a git checkout")
    machine = machine or machine_name()  # the same name as the conformance results'
    asv = [sys.executable, "-m", "asv"]
    run = [*asv, "run", "--config", str(config), "-E", "existing:same", "--machine", machine,
           "--bench", selection(cases, device)]
    # An existing environment saves results only with an explicit commit; --quick results
    # are a smoke test and are not kept.
    run += ["--quick", "--dry-run"] if quick else ["--set-commit-hash", commit]
    return [[*asv, "machine", "--yes", "--config", str(config), *asv_machine_args()], run]


def asv_machine_args() -> list[str]:
    """asv's machine record. asv 0.6 keeps only values that differ from what it detects
    itself, so with --yes alone a record holds just the name; these say the CPU (and GPU)."""
    import os
    import platform

    from suite.machine import describe_gpu, machine_info

    info = machine_info()
    gpus = "; ".join(describe_gpu(g) for g in info.get("gpus", []))
    ram = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return ["--machine", info["name"], "--arch", platform.machine(),
            "--cpu", info["cpu"] + (f"; GPU: {gpus}" if gpus else ""),
            "--num_cpu", str(info["cpu_count"]), "--os", f"{platform.system()} {platform.release()}",
            "--ram", f"{ram // 2**30} GiB"]


def main(cases: list[str], device: str | None, quick: bool) -> int:
    machine = machine_name()
    try:
        commands = asv_command(cases, device, quick, machine)
    except BenchError as error:
        print(f"opsuite: {error}", file=sys.stderr)
        return 2
    for command in commands:
        done = subprocess.run(command, cwd=PROJECT_ROOT)
        if done.returncode:
            return done.returncode
    if not quick:
        record_torch_version(PROJECT_ROOT / "results" / "asv" / machine, git_commit()["commit"])
    return 0


def record_torch_version(folder: Path, commit: str) -> list[Path]:
    """Add this torch's version to the params of the results asv just saved here.

    In its own environments asv records the torch it installed; in an existing one
    (`-E existing`, as here) it records no package versions, and `opsuite compare` would
    then line up times of unknown torch versions. The local part (+cpu, +cu128) is left out:
    a CPU and a CUDA build of one release are the same torch to compare."""
    version = torch_release()
    changed = []
    for path in folder.glob(f"{commit[:8]}-existing-*.json"):
        data = json.loads(path.read_text())
        if (data.get("params") or {}).get("torch") == version:
            continue
        data.setdefault("params", {})["torch"] = version
        replace_text(path, json.dumps(data, separators=(",", ":")))
        changed.append(path)
    return changed


def torch_release() -> str:
    import torch

    return torch.__version__.split("+")[0]
