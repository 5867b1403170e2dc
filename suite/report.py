"""`opsuite report`: results/README.md and its charts, from the newest results of every machine.

For each machine folder under results/conformance/ the newest results file (files are named by
UTC time), and for each under results/asv/ its newest asv results file, are read as
`opsuite compare` reads them. The page holds compare's tables in markdown, a count of outcomes
per machine and backend, and three charts drawn with matplotlib:

* charts/conformance.png: op x machine:backend, the share of each op's claims upheld of those
  judged there (grey: none judged; meta judges no values);
* charts/speed-ratio.png: each benchmark's time on each machine over the baseline machine's;
* charts/roofline.png: each benchmark's % of its own machine's roofline.

Each file is written under a temporary name and renamed over the old one, so a crash leaves the
previous report whole. The report is derived: rewriting it loses nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from suite import compare, coverage, matrix
from suite.results import staged

CHARTS = ("conformance.png", "speed-ratio.png", "roofline.png")


class ReportError(ValueError):
    """Nothing to report, or a bad input; the message says which."""


@dataclass
class Report:
    markdown: str
    charts: dict[str, object] = field(default_factory=dict)  # file name -> matplotlib Figure


# -- what to read ------------------------------------------------------------------------------

# How `opsuite conformance` names a run: UTC time first, so that names sort by time; a run
# killed before it ended left its journal (`suite.results`), which is read as an incomplete run.
RUN_NAME = re.compile(r"\d{8}T\d{6}Z[^/]*(\.json|\.partial\.jsonl)")


def runs_by_machine(root: Path) -> dict[str, list[Path]]:
    """Each machine's conformance runs under root/conformance, newest first. Other JSON files
    there (an --output of another name, a JUnit file) are not runs and are left alone."""
    found = {}
    for folder in sorted(p for p in (root / "conformance").glob("*") if p.is_dir()):
        runs = sorted((p for p in folder.glob("*.json*") if RUN_NAME.fullmatch(p.name)),
                      key=lambda p: p.name, reverse=True)
        if runs:
            found[folder.name] = runs
    return found


def asv_folders(root: Path) -> list[Path]:
    """Each machine's folder under root/asv that holds asv results."""
    return [folder for folder in sorted(p for p in (root / "asv").glob("*") if p.is_dir())
            if any(p.name != "machine.json" for p in folder.glob("*.json"))]


def newest_inputs(root: Path) -> list[Path]:
    """The newest conformance run of each machine, then each machine's asv folder."""
    return [runs[0] for runs in runs_by_machine(root).values()] + asv_folders(root)


def load_newest(root: Path, skip_bad: bool = False, warn=None) -> list:
    """The newest readable results of each machine. A bad file stops it (CompareError); with
    skip_bad it is passed to ``warn``, and the machine's previous run is read instead."""
    inputs = []
    for candidates in [*runs_by_machine(root).values(), *([f] for f in asv_folders(root))]:
        for path in candidates:
            try:
                inputs.append(compare.load(path))
                break
            except compare.CompareError as error:
                if not skip_bad:
                    raise
                if warn:
                    warn(error)
    compare.unique_labels(inputs)
    return inputs


# -- tables ------------------------------------------------------------------------------------

def outcome_counts(runs: list[compare.Conformance]) -> pd.DataFrame:
    """machine, backend and how many spec cases ended in each outcome, for the backends that
    were available (see `unavailable` for the others)."""
    parts = []
    for run in runs:
        gone = {b["name"] for b in run.document.get("backends") or [] if b.get("available") is False}
        backends = [b for b in compare.backends_in_order(run.document) if b not in gone]
        found = matrix.counts(matrix.frame(run.document["records"]), backends).reset_index()
        parts.append(found.assign(machine=run.label))
    columns = ["machine", "backend", *matrix.OUTCOMES]
    return pd.concat(parts)[columns].reset_index(drop=True) if parts else pd.DataFrame(columns=columns)


def unavailable(runs: list[compare.Conformance]) -> list[str]:
    """'machine: backend (why)' for each backend a run could not use."""
    return [f"{run.label}: {b['name']} ({b.get('reason') or 'unavailable'})"
            for run in runs for b in run.document.get("backends") or []
            if b.get("available") is False]


def claims_upheld(runs: list[compare.Conformance]) -> pd.DataFrame:
    """op x machine:backend: share of the op's claims upheld of those judged (NaN: none judged)."""
    columns = {}
    for run in runs:
        found = coverage.counts(run.document)
        for backend in dict.fromkeys(b for b, _ in found.columns):
            judged = found[(backend, "judged")]
            columns[f"{run.label}:{backend}"] = (found[(backend, "upheld")] / judged).where(judged > 0)
    return pd.DataFrame(columns).sort_index()


def speed_frames(tables: list[compare.Table]) -> dict[str, pd.DataFrame]:
    """From compare's speed tables, benchmark x machine: "ratio" (time / baseline time) and
    "% of roofline", indexed by "case params" for the charts."""
    found = {}
    for key, table in (("ratio", tables[1]), ("% of roofline", tables[2])):
        frame_ = table.frame.set_index(table.frame["case"] + " " + table.frame["params"])
        found[key] = frame_.drop(columns=["case", "params"])
    return found


# -- charts ------------------------------------------------------------------------------------

def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed, none assumed
    import matplotlib.pyplot as plt

    return plt


def heat_map(upheld: pd.DataFrame):
    plt = _pyplot()
    import numpy as np

    values = np.ma.masked_invalid(upheld.to_numpy(dtype=float))
    height = 1.5 + 0.17 * len(upheld)
    fig, ax = plt.subplots(figsize=(3.5 + 0.9 * len(upheld.columns), height))
    cmap = plt.get_cmap("RdYlGn").with_extremes(bad="#d9d9d9")
    image = ax.imshow(values, aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks(range(len(upheld.columns)), upheld.columns, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(len(upheld)), upheld.index, fontsize=6)
    ax.set_title("claims upheld / claims judged (grey: none judged)", fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    fig.tight_layout()
    return fig


def dot_chart(table: pd.DataFrame, xlabel: str, log: bool = False, reference: float | None = None):
    """One row per benchmark, one marker per machine."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 1.5 + 0.16 * len(table)))
    rows = range(len(table))
    for machine in table.columns:
        ax.plot(table[machine].to_numpy(dtype=float), rows, "o", markersize=3.5, label=machine)
    if reference is not None:
        ax.axvline(reference, color="grey", linewidth=0.8)
    if log:
        ax.set_xscale("log")
    ax.set_yticks(list(rows), table.index, fontsize=5.5)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8)
    ax.grid(axis="x", linewidth=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


# -- the page ----------------------------------------------------------------------------------

def inputs_table(inputs, root: Path) -> pd.DataFrame:
    """compare's inputs table, each file a link relative to the report."""
    table = compare.runs_table(inputs)
    table["file"] = [f"[{Path(f).name}]({_relative(Path(f), root)})" for f in table["file"]]
    return table


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def build(inputs, root: Path, baseline: str | None = None) -> Report:
    runs = [i for i in inputs if isinstance(i, compare.Conformance)]
    timed = [i for i in inputs if isinstance(i, compare.Speed)]
    if not runs and not timed:
        raise ReportError("no results to report")
    if baseline is not None and not timed:
        raise ReportError(f"--baseline {baseline} given, but there are no asv results")
    Table = compare.Table
    parts = ["# Results", "",
             "Written by `opsuite report` from the newest results of each machine in this "
             "folder (`make run` ends by writing it). Do not edit it: it is rewritten.", "",
             "## Inputs", "",
             compare.render([Table("the newest results of each machine",
                                   inputs_table(inputs, root))], "markdown")]
    charts = {}
    if runs:
        parts += ["", "## Conformance", "",
                  compare.render([Table("spec cases per outcome (xfailed: a known divergence, "
                                        "its reason in the results file)",
                                        outcome_counts(runs))], "markdown")]
        if unavailable(runs):
            parts += ["", "Unavailable, every spec skipped: " + "; ".join(unavailable(runs)) + "."]
        upheld = claims_upheld(runs)
        if upheld.notna().any().any():  # else nothing was judged (meta alone): nothing to draw
            charts["conformance.png"] = heat_map(upheld)
            parts += ["", "### claims upheld per op, of those judged on each machine and backend",
                      "", "![claims upheld per op and backend](charts/conformance.png)"]
        parts += ["", compare.render([
            Table("outcomes that differ between machines or backends", compare.outcomes(runs)),
            Table("observations that differ", compare.observations(runs), short=False)],
            "markdown")]
    if timed:
        base = compare.baseline_of(timed, baseline)
        tables = compare.speed_tables(timed, base)
        frames = speed_frames(tables)
        charts["speed-ratio.png"] = dot_chart(frames["ratio"], f"time / time on {base.label} "
                                              "(log scale; above 1: slower)", log=True, reference=1)
        charts["roofline.png"] = dot_chart(frames["% of roofline"],
                                           "% of the machine's own roofline", reference=100)
        parts += ["", f"## Speed, against {base.label}", "",
                  "Only machines with the baseline's torch version are compared; the other rows "
                  "are under 'not compared', with the reason.", "",
                  "![time relative to the baseline](charts/speed-ratio.png)", "",
                  "![% of each machine's roofline](charts/roofline.png)", "",
                  compare.render(tables, "markdown")]
    return Report("\n".join(parts) + "\n", charts)


def write(report: Report, root: Path) -> list[Path]:
    """results/README.md and results/charts/*.png. Every file is rendered to a temporary file
    first and only then renamed into place, so a failure while rendering (the slow part) leaves
    the previous report as it was. A chart this report lacks is removed."""
    charts_dir = root / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    files = {charts_dir / name: _png(figure) for name, figure in report.charts.items()}
    files[root / "README.md"] = lambda f: f.write(report.markdown.encode())
    ready = []
    try:
        for path, render in files.items():
            ready.append((staged(path, render), path))
    except BaseException:
        for tmp, _ in ready:
            tmp.unlink()
        raise
    for tmp, path in ready:
        os.replace(tmp, path)
    for name in set(CHARTS) - set(report.charts):
        (charts_dir / name).unlink(missing_ok=True)
    return [path for _, path in reversed(ready)]


def _png(figure):
    return lambda f: figure.savefig(f, format="png", dpi=110, metadata={"Software": None})


def main(root: Path, baseline: str | None = None, skip_bad: bool = False, warn=None) -> list[Path]:
    if not newest_inputs(root):
        raise ReportError(f"no results under {root}/conformance or {root}/asv; run "
                          "`opsuite conformance` or `opsuite bench` first")
    inputs = load_newest(root, skip_bad, warn)
    if not inputs:
        raise ReportError("none of the results could be read")
    report = build(inputs, root, baseline)
    try:
        return write(report, root)
    finally:
        _pyplot().close("all")
