"""`opsuite report`: results/README.md and its charts, from the newest results of every machine.

For each machine folder under results/conformance/ the newest results file (files are named by
UTC time), and for each under results/asv/ its newest asv results file, are read as
`opsuite compare` reads them. The page holds compare's tables in markdown, a count of outcomes
per machine and backend, and the charts of `suite.charts` under charts/:

* conformance.png: op x machine:backend, whether its claims hold (known divergences apart);
* <machine>-cdist.png, -linear.png, -focal-loss.png, -roofline.png: each machine's own
  comparisons and how close it comes to its measured ceilings;
* speed-ratio.png: with more than one machine, each benchmark's time over the baseline's.

Each file is written under a temporary name and renamed over the old one, so a crash leaves the
previous report whole. The report is derived: rewriting it loses nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from suite import charts as charts_
from suite import compare, matrix, sweep_report
from suite.results import staged

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


def runs_by_machine(root: Path, kind: str = "conformance") -> dict[str, list[Path]]:
    """Each machine's runs under root/<kind> (conformance, sweep), newest first. Other JSON
    files there (an --output of another name, a JUnit file) are not runs and are left alone."""
    found = {}
    for folder in sorted(p for p in (root / kind).glob("*") if p.is_dir()):
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
    return ([runs[0] for runs in runs_by_machine(root).values()] + asv_folders(root)
            + [runs[0] for runs in runs_by_machine(root, "sweep").values()])


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
    for runs in runs_by_machine(root, "sweep").values():  # every run of a machine, newest cell first
        read = []
        for path in runs:
            try:
                read.append(compare.load(path))
            except compare.CompareError as error:
                if not skip_bad:
                    raise
                if warn:
                    warn(error)
        if read:
            inputs.append(sweep_report.Sweep(read[0].label, read[0].path,
                                             sweep_report.merged([r.document for r in read])))
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


def speed_frames(tables: list[compare.Table]) -> dict[str, pd.DataFrame]:
    """From compare's speed tables, benchmark x machine: "ratio" (time / baseline time) and
    "% of roofline", indexed by "case params" for the charts."""
    found = {}
    for key, table in (("ratio", tables[1]), ("% of roofline", tables[2])):
        frame_ = table.frame.set_index(table.frame["case"] + " " + table.frame["params"])
        found[key] = frame_.drop(columns=["case", "params"])
    return found


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
    sweeps = [i for i in inputs if isinstance(i, sweep_report.Sweep)]
    if not runs and not timed and not sweeps:
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

    def chart(name: str, figure, caption: str) -> None:
        if figure is not None:
            charts[name] = figure
            parts.extend(["", f"![{caption}](charts/{name})"])

    if runs:
        parts += ["", "## Conformance", "",
                  compare.render([Table("spec cases per outcome (xfailed: a known divergence, "
                                        "its reason in the results file)",
                                        outcome_counts(runs))], "markdown")]
        if unavailable(runs):
            parts += ["", "Unavailable, nothing ran there: " + "; ".join(unavailable(runs)) + "."]
        states = charts_.op_states(runs)
        if (states != "not judged").any().any():  # else nothing was judged (meta alone)
            chart("conformance.png", charts_.conformance_map(states),
                  "whether each op's claims hold, per machine and backend")
        parts += ["", compare.render([
            Table("outcomes that differ between machines or backends", compare.outcomes(runs)),
            Table("observations that differ", compare.observations(runs), short=False)],
            "markdown")]
    if timed:
        base = compare.baseline_of(timed, baseline)
        tables = compare.speed_tables(timed, base)
        parts += ["", "## Speed", ""]
        for run in timed:
            slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", run.label)
            parts += [f"### {run.label}"]
            chart(f"{slug}-cdist.png", charts_.cdist_modes(run.table, run.label),
                  f"cdist's compute modes on {run.label}")
            chart(f"{slug}-linear.png", charts_.linear_layouts(run.table, run.label),
                  f"fused against separate Linear on {run.label}")
            chart(f"{slug}-focal-loss.png", charts_.focal_implementations(run.table, run.label),
                  f"focal-loss implementations against vectorized on {run.label}")
            chart(f"{slug}-roofline.png", charts_.roofline(run.table, run.label),
                  f"% of the roofline on {run.label}")
            parts.append("")
        ratio = speed_frames(tables)["ratio"]
        if len(ratio.columns) > 1:
            parts += [f"### Against {base.label}", "",
                      "Only machines with the baseline's torch version are compared; the other "
                      "rows are under 'not compared', with the reason."]
            chart("speed-ratio.png", charts_.machine_ratios(ratio, base.label),
                  f"time relative to {base.label}")
        parts += ["", compare.render(tables, "markdown")]
    if sweeps:
        parts += ["", "## Sweep: every OpInfo entry, dtype and sample", "",
                  "From `opsuite sweep`: each (op, dtype) cell against a reference computed "
                  "outside the backend (see the README). *known*: a known divergence of "
                  "sweep/known_divergences.toml, its reason in the results file.", "",
                  compare.render([Table("cells per verdict", sweep_report.counts(sweeps))], "markdown")]
        for run in sweeps:
            slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", run.label)
            chart(f"{slug}-support.png", sweep_report.support_chart(run.document, run.label),
                  f"share of cells that work per op family and dtype on {run.label}")
            parts += ["", compare.render([Table(
                f"accuracy atlas, {run.label}: the least accurate ops per dtype (forward, error "
                "in ULPs of the result dtype against the reference)",
                sweep_report.atlas(run.document))], "markdown")]
            versus = sweep_report.against_inductor_lists(run.document)
            if len(versus):
                parts += ["", compare.render([Table(
                    f"compile-* on {run.label} against PyTorch's own inductor OpInfo lists "
                    "(test/inductor/test_torchinductor_opinfo.py: skips and expected failures; "
                    "source in sweep/inductor_lists.json)", versus)], "markdown")]
        parts += ["", compare.render([Table("sweep cells whose verdict differs between machines "
                                            "or backends", sweep_report.differences(sweeps)),
                                      Table(sweep_report.GAPS, sweep_report.accuracy_gaps(sweeps))],
                                     "markdown")]
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
    for stale in set(p.name for p in charts_dir.glob("*.png")) - set(report.charts):
        (charts_dir / stale).unlink()
    return [path for _, path in reversed(ready)]


def _png(figure):
    return lambda f: figure.savefig(f, format="png", dpi=110, metadata={"Software": None})


def main(root: Path, baseline: str | None = None, skip_bad: bool = False, warn=None) -> list[Path]:
    if not newest_inputs(root):
        raise ReportError(f"no results under {root}/conformance, {root}/asv or {root}/sweep; "
                          "run `opsuite conformance`, `opsuite bench` or `opsuite sweep` first")
    inputs = load_newest(root, skip_bad, warn)
    if not inputs:
        raise ReportError("none of the results could be read")
    report = build(inputs, root, baseline)
    try:
        return write(report, root)
    finally:
        charts_._pyplot().close("all")
