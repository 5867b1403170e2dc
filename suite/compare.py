"""`opsuite compare`: what differs between machines (and backends), from results already kept.

Inputs are conformance results files (schema ``opsuite.conformance/1``), sweep results files
(``opsuite.sweep/1``: the cells whose verdict differs, `suite.sweep_report`) and asv result
folders (the newest results file in the folder) or asv results files. Every input is read before
anything is printed, so a bad input stops the command with one line naming it (or, with
``skip_bad``, is named in a warning and left out).

Conformance gives two tables, one column per ``machine:backend``:

* outcomes: the specs whose outcome differs between columns, with the claim and a repro line.
  ``skipped`` means the claim was not judged there, so it is shown but does not by itself
  make a row differ (meta skips every claim about values).
* observations: the recorded observations whose values differ between columns.

asv gives benchmark x machine tables: seconds, time / baseline time, and % of each machine's
own roofline (from `suite.speed.table`). Only machines with the baseline's torch version are
compared, and only benchmark rows the baseline has; every other row goes to a "not compared"
table with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from suite import speed, sweep_report
from suite.results import JOURNAL, ResultsError, read

NOT_JUDGED = "skipped"
MISSING = "-"


class CompareError(ValueError):
    """One bad input; the message names the file."""


@dataclass
class Conformance:
    label: str          # machine name, made unique among the inputs
    path: Path
    document: dict


@dataclass
class Speed:
    label: str          # machine name, made unique among the inputs
    path: Path          # the asv results file read
    torch: str | None   # None where the results do not record it
    commit: str
    table: pd.DataFrame


@dataclass
class Table:
    title: str
    frame: pd.DataFrame
    short: bool = True  # floats to 3 significant digits (speeds), else in full (observations)


# -- reading -----------------------------------------------------------------------------------

def load(path: Path) -> Conformance | Speed:
    """One input, by what it is: a conformance results file, or asv results (folder or file)."""
    path = Path(path)
    if path.is_dir():
        return _load_asv(path)
    if path.name.endswith(JOURNAL):  # a killed run's records
        try:
            first = json.loads(path.read_text(encoding="utf-8").partition("\n")[0] or "{}")
        except (OSError, ValueError):
            first = None
        return _load_sweep(path) if sweep_report.is_sweep(first) else _load_conformance(path, None)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CompareError(f"{path} is not a readable results file "
                           f"({type(error).__name__})") from None
    if isinstance(data, dict) and "result_columns" in data:
        return _load_asv(path)
    if sweep_report.is_sweep(data):
        return _load_sweep(path)
    return _load_conformance(path, data)


def _load_sweep(path: Path) -> sweep_report.Sweep:
    try:
        document = sweep_report.read(path)
    except ResultsError as error:
        raise CompareError(str(error)) from None
    return sweep_report.Sweep(document["machine"].get("name") or "unnamed", path, document)


def _load_conformance(path: Path, data) -> Conformance:
    try:
        document = read(path)  # every field's type checked
    except ResultsError as error:
        raise CompareError(str(error)) from None
    return Conformance(document["machine"]["name"], path, document)


def _load_asv(path: Path) -> Speed:
    """asv results: a folder (its newest results file) or one results file."""
    try:
        file = speed.newest(path.parent, path.name) if path.is_dir() else path
        results = speed.load(file)
        table = speed.table(file, results)
    except speed.SpeedError as error:  # it names the file
        raise CompareError(str(error)) from None
    return Speed(_asv_machine(path, results), file, torch_version(results),
                 str(results.get("commit_hash") or ""), table)


def _asv_machine(path: Path, results: dict) -> str:
    params = results.get("params") or {}
    if params.get("machine"):
        return str(params["machine"])
    machine_json = (path if path.is_dir() else path.parent) / "machine.json"
    try:
        return str(json.loads(machine_json.read_text())["machine"])
    except (OSError, ValueError, KeyError, TypeError):
        return path.name if path.is_dir() else path.parent.name


def torch_version(results: dict) -> str | None:
    """The torch version asv recorded for the environment (its params or requirements)."""
    for key in ("params", "requirements"):
        found = (results.get(key) or {}).get("torch")
        if found:
            return str(found)
    return None


def load_all(paths, skip_bad: bool = False, warn=None) -> list[Conformance | Speed]:
    """Every input, labels made unique; a bad one raises, or with skip_bad is passed to warn."""
    loaded = []
    for path in paths:
        try:
            loaded.append(load(Path(path)))
        except CompareError as error:
            if not skip_bad:
                raise
            if warn:
                warn(error)
    unique_labels(loaded)
    return loaded


def unique_labels(inputs) -> None:
    seen: dict[str, int] = {}
    for item in inputs:
        kind = type(item).__name__
        n = seen[(kind, item.label)] = seen.get((kind, item.label), 0) + 1
        if n > 1:
            item.label = f"{item.label}#{n}"


# -- conformance -------------------------------------------------------------------------------

def _records(runs: list[Conformance]):
    """(column, record) for every record, column = machine:backend."""
    for run in runs:
        for record in run.document["records"]:
            yield f"{run.label}:{record['backend']}", record


def _columns(runs: list[Conformance]) -> list[str]:
    """machine:backend, each run's backends in its own order; a backend that judged nothing
    (unavailable there) has no column: a column of skips would say nothing."""
    columns = []
    for run in runs:
        judged = {r["backend"] for r in run.document["records"] if r["outcome"] != NOT_JUDGED}
        columns += [f"{run.label}:{b}" for b in backends_in_order(run.document) if b in judged]
    return columns


def backends_in_order(document: dict) -> list[str]:
    """The backends a run has records of, in the order the run listed them."""
    present = list(dict.fromkeys(r["backend"] for r in document["records"]))
    listed = [b["name"] for b in document.get("backends") or [] if b["name"] in present]
    return listed + [b for b in present if b not in listed]


def _differs(values) -> bool:
    return len({json.dumps(v, sort_keys=True, default=str) for v in values}) > 1


def outcomes(runs: list[Conformance]) -> pd.DataFrame:
    """Specs whose judged outcome differs between columns: outcomes, claim and a repro line."""
    cells: dict[str, dict] = {}
    about: dict[str, dict] = {}
    for column, record in _records(runs):
        cells.setdefault(record["spec"], {})[column] = record["outcome"]
        about.setdefault(record["spec"], {"claim": record.get("claim"),
                                          "repro": record.get("repro")})
    columns = _columns(runs)
    rows = []
    for spec, by_column in cells.items():
        if _differs(o for o in by_column.values() if o != NOT_JUDGED):
            repro = _repro(spec, by_column, runs)
            rows.append({"spec": spec, **{c: by_column.get(c, MISSING) for c in columns},
                         "claim": about[spec]["claim"], "repro": repro})
    return pd.DataFrame(rows, columns=["spec", *columns, "claim", "repro"])


# Which record's repro line a differing row shows: the one that broke, before one that passed.
REPRO_FIRST = ("failed", "error", "xfailed", "passed", "skipped")


def _repro(spec: str, by_column: dict, runs: list[Conformance]) -> str | None:
    """The repro line of the column whose outcome is worst: it reproduces what differs."""
    found = {c: r.get("repro") for c, r in _records(runs) if r["spec"] == spec}
    worst = min(by_column, key=lambda c: REPRO_FIRST.index(by_column[c])
                if by_column[c] in REPRO_FIRST else len(REPRO_FIRST))
    return found.get(worst)


def observations(runs: list[Conformance]) -> pd.DataFrame:
    """Observations (spec, name) whose recorded values differ between columns."""
    cells: dict[tuple, dict] = {}
    for column, record in _records(runs):
        for name, value in (record.get("observations") or {}).items():
            cells.setdefault((record["spec"], name), {})[column] = value
    columns = _columns(runs)
    rows = [{"spec": spec, "observation": name,
             **{c: by_column.get(c, MISSING) for c in columns}}
            for (spec, name), by_column in cells.items() if _differs(by_column.values())]
    return pd.DataFrame(rows, columns=["spec", "observation", *columns])


def runs_table(inputs) -> pd.DataFrame:
    """Which file each column comes from, and its torch version and commit."""
    rows = []
    for item in inputs:
        if isinstance(item, Conformance):
            doc = item.document
            rows.append({"machine": item.label, "kind": "conformance",
                         "torch": (doc.get("torch") or {}).get("version") or "not recorded",
                         "commit": (doc.get("commit") or "")[:8], "complete": completeness(doc),
                         "file": str(item.path)})
        elif isinstance(item, sweep_report.Sweep):
            doc = item.document
            rows.append({"machine": item.label, "kind": "sweep",
                         "torch": (doc.get("torch") or {}).get("version") or "not recorded",
                         "commit": (doc.get("commit") or "")[:8], "complete": completeness(doc),
                         "file": str(item.path)})
        else:
            rows.append({"machine": item.label, "kind": "asv",
                         "torch": item.torch or "not recorded",
                         "commit": item.commit[:8], "complete": "", "file": str(item.path)})
    return pd.DataFrame(rows, columns=["machine", "kind", "torch", "commit", "complete", "file"])


def completeness(document: dict) -> str:
    """"yes", or "no: why" for a run that ended before every case ran (it holds the records
    it finished)."""
    if document.get("complete", True):
        return "yes"
    return f"no: {document.get('incomplete') or 'the run did not finish'}"


# -- speed -------------------------------------------------------------------------------------

def baseline_of(runs: list[Speed], name: str | None) -> Speed:
    """The run named by --baseline (its label or machine name), default the first."""
    if name is None:
        return runs[0]
    for run in runs:
        if run.label == name:
            return run
    raise CompareError(f"--baseline {name} is not one of the asv inputs: "
                       + ", ".join(r.label for r in runs))


def _version(run: Speed) -> str:
    return run.torch or "not recorded"


def _indexed(run: Speed) -> pd.DataFrame:
    return run.table.set_index(["case", "params"])


def speed_tables(runs: list[Speed], baseline: Speed) -> list[Table]:
    """seconds, time / baseline and % of roofline (benchmark x machine), and what is left out."""
    same = [r for r in runs if _version(r) == _version(baseline)]
    base = _indexed(baseline)
    seconds = pd.DataFrame({r.label: _indexed(r)["seconds"] for r in same}).reindex(base.index)
    percent = pd.DataFrame({r.label: _indexed(r)["% of roofline"] for r in same}).reindex(base.index)
    ratio = seconds.div(seconds[baseline.label], axis=0)
    return [Table(f"seconds (torch {_version(baseline)})", seconds.reset_index()),
            Table(f"time / time on {baseline.label} (above 1: slower)", ratio.reset_index()),
            Table("% of the machine's own roofline", percent.reset_index()),
            Table("not compared", not_compared(runs, baseline))]


def not_compared(runs: list[Speed], baseline: Speed) -> pd.DataFrame:
    """Rows of other torch versions, and rows the baseline does not have, with why."""
    base = set(_indexed(baseline).index)
    rows = []
    for run in runs:
        if run is baseline:
            continue
        mismatch = _version(run) != _version(baseline)
        for row in run.table.to_dict("records"):
            if mismatch:
                reason = f"torch {_version(run)} vs {_version(baseline)}"
            elif (row["case"], row["params"]) not in base:
                reason = f"not measured on {baseline.label}"
            else:
                continue
            rows.append({"machine": run.label, "case": row["case"], "params": row["params"],
                         "seconds": row["seconds"], "% of roofline": row["% of roofline"],
                         "reason": reason})
    return pd.DataFrame(rows, columns=["machine", "case", "params", "seconds",
                                       "% of roofline", "reason"])


# -- everything, and output --------------------------------------------------------------------

def tables(inputs, baseline: str | None = None) -> list[Table]:
    """All tables for these inputs, in print order."""
    runs = [i for i in inputs if isinstance(i, Conformance)]
    timed = [i for i in inputs if isinstance(i, Speed)]
    found = [Table("inputs", runs_table(inputs))]
    if runs:
        found += [Table("conformance outcomes that differ", outcomes(runs)),
                  Table("observations that differ", observations(runs), short=False)]
    sweeps = [i for i in inputs if isinstance(i, sweep_report.Sweep)]
    if sweeps:
        found += [Table("sweep cells per verdict", sweep_report.counts(sweeps)),
                  Table("sweep cells whose verdict differs between machines or backends",
                        sweep_report.differences(sweeps)),
                  Table(sweep_report.GAPS, sweep_report.accuracy_gaps(sweeps))]
    if timed:
        found += speed_tables(timed, baseline_of(timed, baseline))
    elif baseline is not None:
        raise CompareError(f"--baseline {baseline} given, but no asv results to compare")
    return found


def _cell(value, short: bool = True) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:.3g}" if short else repr(value)
    return MISSING if value is None else str(value)


def render(found: list[Table], fmt: str = "text") -> str:
    """text (aligned), markdown (pull-request comment) or csv (one block per table)."""
    parts = []
    for t in found:
        frame = t.frame.astype(object).map(_cell, short=t.short) if len(t.frame) else t.frame
        if fmt == "csv":
            parts.append(f"# {t.title}\n" + frame.to_csv(index=False).rstrip("\n"))
        elif fmt == "markdown":
            parts.append(f"### {t.title}\n\n" + (_markdown(frame) if len(frame) else "(none)"))
        else:
            parts.append(f"{t.title}:\n" + (frame.to_string(index=False) if len(frame)
                                             else "(none)"))
    return "\n\n".join(parts)


def _markdown(frame: pd.DataFrame) -> str:
    def esc(text) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(esc(c) for c in frame.columns) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(esc(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)
