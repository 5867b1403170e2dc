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

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from suite import compare, coverage
from suite.matrix import frame
from suite.results import replace_text, replace_with

CHARTS = ("conformance.png", "speed-ratio.png", "roofline.png")
OUTCOMES = ["passed", "failed", "error", "xfailed", "skipped"]


class ReportError(ValueError):
    """Nothing to report, or a bad input; the message says which."""


@dataclass
class Report:
    markdown: str
    charts: dict[str, object] = field(default_factory=dict)  # file name -> matplotlib Figure


# -- what to read ------------------------------------------------------------------------------

def newest_inputs(root: Path) -> list[Path]:
    """The newest conformance file of each machine, then each machine's asv folder."""
    found = []
    for folder in sorted(p for p in (root / "conformance").glob("*") if p.is_dir()):
        files = sorted(folder.glob("*.json"), key=lambda p: p.name)  # by UTC time
        if files:
            found.append(files[-1])
    for folder in sorted(p for p in (root / "asv").glob("*") if p.is_dir()):
        if any(p.name != "machine.json" for p in folder.glob("*.json")):
            found.append(folder)
    return found


# -- tables ------------------------------------------------------------------------------------

def outcome_counts(runs: list[compare.Conformance]) -> pd.DataFrame:
    """machine, backend and how many spec cases ended in each outcome."""
    rows = []
    for run in runs:
        df = frame(run.document["records"])
        present = list(dict.fromkeys(df.backend))
        order = [b["name"] for b in run.document.get("backends", []) if b["name"] in present]
        for backend in order + [b for b in present if b not in order]:
            counts = df[df.backend == backend].outcome.value_counts()
            rows.append({"machine": run.label, "backend": backend,
                         **{o: int(counts.get(o, 0)) for o in OUTCOMES}})
    return pd.DataFrame(rows, columns=["machine", "backend", *OUTCOMES])


def claims_upheld(runs: list[compare.Conformance]) -> pd.DataFrame:
    """op x machine:backend: share of the op's claims upheld of those judged (NaN: none judged)."""
    columns = {}
    for run in runs:
        found = coverage.counts(run.document)
        for backend in dict.fromkeys(b for b, _ in found.columns):
            judged = found[(backend, "judged")]
            columns[f"{run.label}:{backend}"] = (found[(backend, "upheld")] / judged).where(judged > 0)
    return pd.DataFrame(columns).sort_index()


def speed_frames(timed: list[compare.Speed], baseline: compare.Speed) -> dict[str, pd.DataFrame]:
    """benchmark x machine: "ratio" (time / baseline time) and "% of roofline", rows as in
    compare (the baseline's rows, machines with its torch version)."""
    tables = compare.speed_tables(timed, baseline)
    found = {}
    for key, table in (("ratio", tables[1]), ("% of roofline", tables[2])):
        frame_ = table.frame.copy()
        frame_.index = frame_["case"] + " " + frame_["params"]
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
    Table = compare.Table
    tables = [Table("inputs: the newest results of each machine", inputs_table(inputs, root))]
    parts = ["# Results", "",
             "Written by `opsuite report` from the newest results of each machine in this "
             "folder (`make run` ends by writing it). Do not edit it: it is rewritten.", ""]
    charts = {}
    if runs:
        charts["conformance.png"] = heat_map(claims_upheld(runs))
        tables += [Table("spec cases per outcome (xfailed: a known divergence, its reason in the "
                         "results file)", outcome_counts(runs))]
    parts.append(compare.render(tables, "markdown"))
    if runs:
        parts += ["", "### claims upheld per op, of those judged on each machine and backend", "",
                  "![claims upheld per op and backend](charts/conformance.png)", "",
                  compare.render([Table("outcomes that differ between machines or backends",
                                        compare.outcomes(runs)),
                                  Table("observations that differ", compare.observations(runs),
                                        short=False)], "markdown")]
    if timed:
        base = compare.baseline_of(timed, baseline)
        frames = speed_frames(timed, base)
        charts["speed-ratio.png"] = dot_chart(frames["ratio"], f"time / time on {base.label} "
                                              "(log scale; above 1: slower)", log=True, reference=1)
        charts["roofline.png"] = dot_chart(frames["% of roofline"],
                                           "% of the machine's own roofline", reference=100)
        parts += ["", f"## Speed, against {base.label}", "",
                  "Only machines with the baseline's torch version are compared; the other rows "
                  "are under 'not compared', with the reason.", "",
                  "![time relative to the baseline](charts/speed-ratio.png)", "",
                  "![% of each machine's roofline](charts/roofline.png)", "",
                  compare.render(compare.speed_tables(timed, base), "markdown")]
    elif baseline is not None:
        raise ReportError(f"--baseline {baseline} given, but there are no asv results")
    return Report("\n".join(parts) + "\n", charts)


def write(report: Report, root: Path) -> list[Path]:
    """results/README.md and results/charts/*.png; a chart this report lacks is removed."""
    charts_dir = root / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CHARTS:
        path = charts_dir / name
        if name in report.charts:
            figure = report.charts[name]
            replace_with(path, lambda f: figure.savefig(f, format="png", dpi=110,
                                                        metadata={"Software": None}))
            written.append(path)
        elif path.exists():
            path.unlink()
    readme = root / "README.md"
    replace_text(readme, report.markdown)
    return [readme, *written]


def main(root: Path, baseline: str | None = None, skip_bad: bool = False, warn=None) -> list[Path]:
    paths = newest_inputs(root)
    if not paths:
        raise ReportError(f"no results under {root}/conformance or {root}/asv; run "
                          "`opsuite conformance` or `opsuite bench` first")
    inputs = compare.load_all(paths, skip_bad=skip_bad, warn=warn)
    if not inputs:
        raise ReportError("none of the results could be read")
    report = build(inputs, root, baseline)
    try:
        return write(report, root)
    finally:
        _pyplot().close("all")
