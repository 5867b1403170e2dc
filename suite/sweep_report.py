"""Sweep results read back: the support matrix, the accuracy atlas, and cells that differ.

* support matrix: per family of ops (nn.functional, linalg, special, ..., the rest as torch)
  and dtype, the share of cells that work, one panel per backend (a chart for the report);
* accuracy atlas: per backend and floating dtype, the ops whose forward is least accurate
  (largest p99 error in ULPs against the reference), with the max and the relative error;
* differences (for `opsuite compare`): the (op, dtype) cells whose verdict differs between
  machine:backend columns;
* accuracy gaps: cells that work on two columns, one far less accurate than the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from suite import validate
from suite.results import JOURNAL, ResultsError, _read_journal

SCHEMA = "opsuite.sweep/1"
FAMILIES = ("nn.functional", "linalg", "special", "fft", "sparse", "masked", "signal", "nn")
MISSING = "-"


@dataclass
class Sweep:
    label: str  # machine name, made unique among the inputs
    path: Path
    document: dict


def is_sweep(data) -> bool:
    return isinstance(data, dict) and str(data.get("schema", "")).startswith("opsuite.sweep/")


def read(path: Path) -> dict:
    """A sweep results file, or a killed sweep's journal (marked incomplete)."""
    path = Path(path)
    try:
        data = _read_journal(path) if path.name.endswith(JOURNAL) else json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path} is not a readable sweep results file: {exc}") from None
    if not is_sweep(data):
        raise ResultsError(f"{path} is not an opsuite sweep results file")
    if data["schema"] != SCHEMA:
        raise ResultsError(f"{path} has schema {data['schema']}, which this opsuite cannot read "
                           f"(it reads {SCHEMA})")
    try:
        return validate.sweep(data, path)  # every field compare and report read, checked
    except validate.Invalid as exc:
        raise ResultsError(str(exc)) from None


def merged(documents: list[dict]) -> dict:
    """A machine's sweeps as one: the newest document's header, and for each (op, dtype,
    backend) the record of the newest run that has it. documents: newest first. A narrow run
    after a whole one then updates its cells instead of hiding the others."""
    newest, records, seen = documents[0], [], set()
    backends = {}
    for document in documents:
        for b in document.get("backends", []):
            backends.setdefault(b["name"], b)
        for r in document["records"]:
            cell = (r.get("op"), r.get("dtype"), r.get("backend"))
            if cell not in seen:
                seen.add(cell)
                records.append(r)
    return newest | {"records": records, "backends": list(backends.values()),
                     "merged_from": len(documents)}


def family(op: str) -> str:
    return next((f for f in FAMILIES if op.startswith(f + ".")), "torch")


def frame(document: dict) -> pd.DataFrame:
    """One row per cell: op, family, dtype, backend, verdict (the cell's, forward and backward
    together: validate.cell_verdict), state (the verdict, or "known" for a known divergence),
    forward (the forward's verdict), and the forward's accuracy."""
    rows = []
    for r in document["records"]:
        acc = (r.get("forward") or {}).get("accuracy") or {}
        verdict = validate.cell_verdict(r)
        rows.append({"op": r.get("op"), "family": family(r.get("op") or ""), "dtype": r.get("dtype"),
                     "backend": r.get("backend"), "verdict": verdict, "forward": r.get("verdict"),
                     "state": "known" if r.get("known") else verdict,
                     "p99_ulp": _number(acc.get("p99_ulp")), "max_ulp": _number(acc.get("max_ulp")),
                     "max_rel": _number(acc.get("max_rel")),
                     "backward": (r.get("backward") or {}).get("verdict"),
                     "graph_breaks": r.get("graph_breaks", 0)})
    return pd.DataFrame(rows, columns=["op", "family", "dtype", "backend", "verdict", "forward", "state",
                                       "p99_ulp", "max_ulp", "max_rel", "backward", "graph_breaks"])


def _number(value):
    return float("inf") if value == "inf" else np.nan if value is None else float(value)


def counts(sweeps: list[Sweep]) -> pd.DataFrame:
    """machine, backend and cells per state."""
    states = ["works", "known", "wrong", "raises", "crashed", "timed out", "error", "skipped"]
    parts = []
    for s in sweeps:
        df = frame(s.document)
        table = df.groupby("backend")["state"].value_counts().unstack(fill_value=0)
        table = table.reindex(columns=states, fill_value=0).reset_index().assign(machine=s.label)
        parts.append(table)
    columns = ["machine", "backend", *states]
    return pd.concat(parts)[columns].reset_index(drop=True) if parts else pd.DataFrame(columns=columns)


def differences(sweeps: list[Sweep]) -> pd.DataFrame:
    """(op, dtype) x machine:backend, the rows whose verdict (forward, and backward where it is
    not "works") differs between columns (a known divergence shows as "known"; a cell a column
    lacks is "-", and does not by itself differ)."""
    parts = []
    for s in sweeps:
        df = frame(s.document)
        df["column"] = s.label + ":" + df["backend"]
        parts.append(df)
    if not parts:
        return pd.DataFrame()
    both = pd.concat(parts)
    backward = both["backward"].where(both["backward"].notna() & (both["backward"] != "works"))
    forward = both["forward"].where(both["state"] != "known", "known")
    both["state"] = forward + ("; backward " + backward).fillna("")
    cells = both.pivot_table(index=["op", "dtype"], columns="column", values="state", aggfunc="first")
    if cells.shape[1] < 2:
        return pd.DataFrame(columns=["op", "dtype"])
    differ = cells.apply(lambda row: row.dropna().nunique() > 1, axis=1)
    return cells[differ].fillna(MISSING).reset_index()


GAPS = ("sweep cells that work on two machines or backends, one at least 10 times less accurate "
        "(max error in ULPs: at least 100; at least 10,000 where the cpu in the same dtype is the reference)")
GAP_COLUMNS = ["op", "dtype", "pass", "less accurate", "max_ulp", "than", "its max_ulp", "times"]


def accuracy_gaps(sweeps: list[Sweep], factor: float = 10.0, at_least: float = 100.0,
                  at_least_against_cpu: float = 1e4) -> pd.DataFrame:
    """The (op, dtype, forward or backward) cells that work on two machine:backend columns where
    one's largest error, in ULPs of the result dtype, is at least ``factor`` times the other's
    (an error under 1 ULP counts as 1) and at least ``at_least`` ULPs: where two devices both
    "work", which is the less accurate. Where the reference is the cpu in the cell's own dtype
    (float64, complex128), an error is a distance from the cpu's value, which is 0 for the cpu
    itself and a few hundred ULPs for a reordered sum: there the floor is
    ``at_least_against_cpu``. A column is compared only with columns that compared
    at least as many samples: samples come in a fixed order, so those include its own, and the
    gap cannot come from a sample the other column never ran (compile-* runs one by default)."""
    rows = []
    for s in sweeps:
        for r in s.document["records"]:
            for part in ("forward", "backward"):
                result = r.get(part) or {}
                accuracy = result.get("accuracy") or {}
                verdict = r.get("verdict") if part == "forward" else result.get("verdict")
                if verdict == "works" and not r.get("known") and accuracy.get("max_ulp") is not None:
                    rows.append({"op": r["op"], "dtype": r["dtype"], "pass": part,
                                 "column": f"{s.label}:{r['backend']}",
                                 "max_ulp": _number(accuracy["max_ulp"]),
                                 "floor": at_least_against_cpu if r.get("reference") == "cpu, same dtype"
                                 else at_least,
                                 "samples": result.get("samples_compared") or 0})
    if not rows:
        return pd.DataFrame(columns=GAP_COLUMNS)
    cells = pd.DataFrame(rows)
    pairs = cells.merge(cells, on=["op", "dtype", "pass"], suffixes=("", "_other"))
    pairs = pairs[(pairs["column"] != pairs["column_other"]) & (pairs["samples_other"] >= pairs["samples"])]
    pairs = pairs.assign(times=pairs["max_ulp"] / pairs["max_ulp_other"].clip(lower=1.0))
    pairs = pairs[(pairs["times"] >= factor) & (pairs["max_ulp"] >= pairs["floor"])]
    best = pairs.sort_values("max_ulp_other").drop_duplicates(["op", "dtype", "pass", "column"])
    best = best.rename(columns={"column": "less accurate", "column_other": "than",
                                "max_ulp_other": "its max_ulp"})
    return best.sort_values("times", ascending=False)[GAP_COLUMNS].reset_index(drop=True)


def atlas(document: dict, per_dtype: int = 5) -> pd.DataFrame:
    """The least accurate ops per backend and floating dtype, by p99 error in ULPs."""
    df = frame(document)
    df = df[df["forward"].isin(["works", "wrong"]) & df["p99_ulp"].notna() & (df["max_ulp"] > 0)
            & df["dtype"].str.contains("float|complex|bfloat")]
    if df.empty:
        return pd.DataFrame(columns=["backend", "dtype", "op", "p99_ulp", "max_ulp", "max_rel"])
    worst = (df.sort_values(["p99_ulp", "max_ulp"], ascending=False)
               .groupby(["backend", "dtype"], sort=True).head(per_dtype))
    return worst.sort_values(["backend", "dtype", "p99_ulp"], ascending=[True, True, False])[
        ["backend", "dtype", "op", "p99_ulp", "max_ulp", "max_rel"]].reset_index(drop=True)


def support_matrix(document: dict, backend: str) -> pd.DataFrame:
    """family x dtype: the share of cells that work (known divergences count as not working)."""
    df = frame(document)
    df = df[(df["backend"] == backend) & (df["verdict"] != "skipped")]
    if df.empty:
        return pd.DataFrame()
    works = df.assign(ok=df["verdict"] == "works").pivot_table(
        index="family", columns="dtype", values="ok", aggfunc="mean")
    order = [d for d in _dtype_order() if d in works.columns]
    return works[order]


def _dtype_order() -> list[str]:
    from suite.opinfos import DTYPES

    return list(DTYPES)


def support_chart(document: dict, label: str):
    """One panel per backend: family x dtype, the share of cells that work, as colour and %."""
    from suite.charts import SMALL, _pyplot

    backends = [b["name"] for b in document.get("backends", []) if b.get("available", True)]
    matrices = [(b, support_matrix(document, b)) for b in backends]
    matrices = [(b, m) for b, m in matrices if not m.empty]
    if not matrices:
        return None
    plt = _pyplot()
    rows = max(len(m) for _, m in matrices)
    width = max(len(m.columns) for _, m in matrices)
    fig, axes = plt.subplots(len(matrices), 1, figsize=(2.6 + 0.62 * width, 0.4 + (1.3 + 0.34 * rows) * len(matrices)),
                             squeeze=False, layout="constrained")
    fig.suptitle(f"Which ops work where, on {label}:\nshare of OpInfo cells (op, dtype) that work, per op family")
    image = None
    for ax, (backend, m) in zip(axes[:, 0], matrices):
        image = ax.imshow(m.to_numpy(dtype=float), aspect="auto", cmap="RdYlGn", vmin=0, vmax=1,
                          interpolation="nearest")
        ax.set_xticks(range(len(m.columns)), m.columns, rotation=45, ha="right", fontsize=SMALL)
        ax.set_yticks(range(len(m.index)), m.index, fontsize=SMALL)
        ax.set_title(f"backend {backend}")
        for (i, j), value in np.ndenumerate(m.to_numpy(dtype=float)):
            if value == value:
                shown = value if value in (0, 1) else min(max(value, 0.01), 0.99)  # 100 % means all
                ax.text(j, i, f"{shown:.0%}", ha="center", va="center", fontsize=SMALL - 1)
    fig.colorbar(image, ax=axes[:, 0].tolist(), shrink=0.6, label="cells that work")
    return fig


INDUCTOR_LISTS = Path(__file__).resolve().parent.parent / "sweep" / "inductor_lists.json"
LOOSENING = ("atol", "rtol", "grad_atol", "grad_rtol")


def _tolerance(settings: dict | None) -> str | None:
    """How PyTorch's test loosens its comparison for a cell ("tolerance atol=1, rtol=0",
    "values not compared"), or None where it does not."""
    settings = settings or {}
    if settings.get("assert_equal") is False:
        return "values not compared"
    shown = [f"{k}={settings[k]:g}" for k in LOOSENING if k in settings]
    if settings.get("check_gradient") is False:
        shown.append("gradient not checked")
    return "tolerance " + ", ".join(shown) if shown else None
FOUND = ("wrong", "raises", "crashed", "timed out", "error")


def against_inductor_lists(document: dict, lists_file: Path = INDUCTOR_LISTS) -> pd.DataFrame:
    """For each compile-* backend of a sweep: the (op, dtype) cells that opsuite found not
    working, or that PyTorch's inductor OpInfo test skips or expects to fail on that device type
    (its lists, or the OpInfo entry's own decorations: "listed as" says which), and which of
    the two found them ("both", "opsuite only", "lists only"). A wrong cell for which the test
    loosens its comparison instead (atol, rtol, ...) is found by both, "listed as" its
    tolerance. A cell in a dtype PyTorch's test never runs is listed by nobody, and "found by"
    says so. Cells the sweep skipped, or did not run, are not compared."""
    columns = ["backend", "op", "dtype", "verdict", "listed as", "found by"]
    try:
        data = json.loads(Path(lists_file).read_text())
        lists = data["lists"]
    except (OSError, ValueError, KeyError):
        return pd.DataFrame(columns=columns)
    tested = set(data.get("tested_dtypes") or []) or None  # None: every dtype
    tested_by_op = {op: set(ds) for op, ds in (data.get("tested_dtypes_by_op") or {}).items()}

    def runs(op, dtype) -> bool:  # whether PyTorch's test compiles the op in the dtype at all
        wider = tested_by_op.get(op)
        return tested is None or dtype in tested or (wider is not None and dtype in wider)
    df = frame(document)
    rows = []
    for b in document.get("backends", []):
        name = b["name"]
        if not name.startswith("compile-"):
            continue
        device_type = str(b.get("device", "")).split(":")[0]
        listed = {}
        for source, suffix in ((lists, ""), (data.get("entries") or {}, " (OpInfo entry)")):
            for kind, ops in (source.get(device_type) or {}).items():
                if kind in ("skip", "xfail", "xfail_gradient", "xfail_all_samples"):
                    for op, dtypes in ops.items():
                        for dtype in dtypes:
                            if runs(op, dtype):
                                listed.setdefault((op, dtype), kind + suffix)
        loosened = (data.get("tolerances") or {}).get(device_type) or {}
        for r in df[(df["backend"] == name) & (df["verdict"] != "skipped")].itertuples():
            kind = listed.get((r.op, r.dtype))
            found = r.verdict in FOUND
            if found and not kind and r.verdict == "wrong":
                kind = _tolerance((loosened.get(r.op) or {}).get(r.dtype) or (loosened.get(r.op) or {}).get("*"))
            if not (found or kind):
                continue
            if found and kind:
                by = "both"
            elif found:
                by = "opsuite only" + ("" if runs(r.op, r.dtype) else f" (PyTorch's test does not run {r.dtype})")
            else:
                by = "lists only" + (" (graph break: ran partly eagerly)" if r.graph_breaks else "")
            rows.append({"backend": name, "op": r.op, "dtype": r.dtype, "verdict": r.verdict,
                         "listed as": kind or MISSING, "found by": by})
    table = pd.DataFrame(rows, columns=columns)
    order = table["found by"].map(lambda by: ("both", "opsuite", "lists").index(by.split()[0]))
    return table.assign(_order=order).sort_values(["backend", "_order", "op", "dtype"]) \
        .drop(columns="_order").reset_index(drop=True)
