"""asv times as rates and as a fraction of the ceilings measured in the same asv run.

asv stores seconds. Each case knows its analytic bytes and FLOPs from its parameters alone
(`Case.work`), and the ceilings are asv benchmarks of the same results file, so every stored
time becomes GB/s, GFLOP/s and % of this machine's roofline without re-running anything.
"""

from __future__ import annotations

import ast
import itertools
import json
import math
from pathlib import Path

import pandas as pd

from suite import validate
from suite.cases import registry
from suite.roofline import Ceilings, rate


class SpeedError(ValueError):
    pass


def _times(results: dict, case) -> dict[tuple, float]:
    """{parameter values: seconds} of a case's time_ benchmark in one asv results file."""
    suffix = "." + "".join(p.capitalize() for p in case.name.split("_")) + f".time_{case.name}"
    names = [n for n in results["results"] if n.endswith(suffix)]
    if not names or results["results"][names[0]] is None:
        return {}
    column = results["result_columns"]
    row = dict(zip(column, results["results"][names[0]]))
    if row.get("result") is None:  # not run (asv writes null)
        return {}
    grid = [[ast.literal_eval(v) for v in values] for values in row["params"]]
    return {combo: t for combo, t in zip(itertools.product(*grid), row["result"])
            if t is not None and not math.isnan(t)}


def ceilings(results: dict) -> dict[str, Ceilings]:
    cases = registry()
    copy, matmul = _times(results, cases["copy_bandwidth"]), _times(results, cases["matmul_throughput"])
    found = {}
    for (device,), seconds in copy.items():
        peaks = {dtype: cases["matmul_throughput"].work(dev, dtype)[1] / t
                 for (dev, dtype), t in matmul.items() if dev == device}
        found[device] = Ceilings(device, cases["copy_bandwidth"].work(device)[0] / seconds, peaks)
    return found


def load(path: Path) -> dict:
    """An asv results file, every field `suite.speed` uses checked (`suite.validate`)."""
    try:
        results = json.loads(Path(path).read_text())
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise SpeedError(f"{path} is not an asv results file ({type(error).__name__})") from None
    try:
        return validate.asv(results, path)
    except validate.Invalid as error:
        raise SpeedError(f"{error}") from None


def table(path: Path, results: dict | None = None) -> pd.DataFrame:
    results = load(path) if results is None else results
    try:
        limits = ceilings(results)
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError):
        raise SpeedError(f"{path}: the ceiling benchmarks (copy bandwidth, matmul throughput) "
                         "have parameters or times this opsuite cannot use") from None
    rows = []
    for case in registry().values():
        if case.name in ("copy_bandwidth", "matmul_throughput") or case.work is None:
            continue
        for combo, seconds in _times(results, case).items():
            params = dict(zip(case.params, combo))
            try:
                nbytes, flops, dtype = case.work(**params)
                r = rate(nbytes, flops, dtype, seconds, limits.get(params["device"]))
            except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError):
                raise SpeedError(f"{path}: {case.name} has parameters {combo} that it does not "
                                 "take (another opsuite's benchmarks?)") from None
            rows.append({"case": case.name, "params": case.id(params), "seconds": seconds,
                         "GB/s": r.gbps, "GFLOP/s": r.gflops, "% of roofline": r.percent,
                         "bound by": r.bound})
    if not rows:
        raise SpeedError(f"{path} holds no opsuite benchmark times")
    return pd.DataFrame(rows)


def newest(results_dir: Path, machine: str) -> Path:
    folder = results_dir / machine
    files = [p for p in folder.glob("*.json") if p.name not in ("machine.json",)]
    if not files:
        raise SpeedError(f"no asv results for machine {machine!r} under {results_dir}; "
                         "run `opsuite bench` first")
    return max(files, key=_date)


def _date(path: Path) -> float:
    """When asv ran the results in ``path``; a file that cannot tell is named, not skipped."""
    return float(load(path).get("date") or 0)
