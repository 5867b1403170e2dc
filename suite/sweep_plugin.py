"""The sweep as a pytest run: one case per (OpInfo entry, dtype, backend) cell.

`opsuite sweep` loads this plugin (``-p suite.sweep_plugin``) on `suite/sweep_cells.py`. Being
pytest cases, the cells get conformance's fault isolation (`suite.isolation`: worker
processes, time limits, torch's state put back): a cell that kills its process is "crashed",
one past the time limit "timed out", and the run goes on. Records stream to a journal as
they finish and become one ``opsuite.sweep/1`` file at the end (`suite.results`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import torch

from suite import accuracy, isolation, opinfos, results, sweep_cache, sweep_known
from suite.backends import BackendError, Selected, select
from suite.isolation import Isolation
from suite.machine import git_commit, machine_info, torch_info
from suite.validate import VERDICTS, cell_verdict

SCHEMA = "opsuite.sweep/1"
PROP = "opsuite.sweep"
# Samples per cell unless --samples says otherwise. 32 covers 44 % of the 135,000 samples of
# every cell on cpu, and every sample of 80 % of the cells; the whole sweep of cpu and meta
# then takes 7.1 min on a 2-core machine, and 9.5 min with all samples (--samples all). On a
# backend with a wrap (torch.compile) each sample is a compilation: one.
DEFAULT_SAMPLES = 32
WRAP_SAMPLES = 1


@dataclass(frozen=True)
class Cell:
    op: str      # the entry's full name
    dtype: str
    samples: int | None  # at most this many samples (None: all)

    def __str__(self):
        return f"{self.op} {self.dtype}"


@dataclass
class State:
    selected: list[Selected]
    patterns: list[str] | None
    dtypes: list[torch.dtype] | None
    samples: int | None | str  # a cap, None for all, "default"
    known: list[sweep_known.Known]
    known_file: Path
    output: Path | None
    cache_keys: dict[str, str | None] = field(default_factory=dict)
    started: float = field(default_factory=time.time)


STATE = pytest.StashKey[State]()


def pytest_addoption(parser):
    group = parser.getgroup("opsuite-sweep", "opsuite sweep")
    group.addoption("--backend", action="append", default=[], metavar="NAME")
    group.addoption("--sweep-ops", action="append", default=[], metavar="PATTERN")
    group.addoption("--sweep-dtypes", action="append", default=[], metavar="DTYPE")
    group.addoption("--sweep-samples", default=None, metavar="N|all")
    group.addoption("--sweep-no-backward", action="store_true")
    group.addoption("--output", metavar="PATH", default=None)
    group.addoption("--output-dir", metavar="DIR", default=None)
    group.addoption("--known-divergences", metavar="PATH", default=None)
    group.addoption("--sweep-cache", metavar="DIR", default=None,
                    help="reuse cells measured by earlier sweeps in DIR (suite.sweep_cache)")


def _resolve(config) -> State:
    opt = config.option
    selected = select(opt.backend)
    patterns = [p for arg in opt.sweep_ops for p in arg.split(",") if p] or None
    opinfos.select(patterns)  # an unmatched pattern is bad input, before anything runs
    dtypes = opinfos.parse_dtypes([d for arg in opt.sweep_dtypes for d in arg.split(",") if d])
    samples = _samples(opt.sweep_samples)
    known_file = Path(opt.known_divergences) if opt.known_divergences else sweep_known.DEFAULT_FILE
    known = sweep_known.load(known_file) if known_file.exists() or opt.known_divergences else []
    output = None
    state = State(selected, patterns, dtypes, samples, known, known_file, None)
    available = [sel for sel in selected if sel.available]
    if not available:
        raise opinfos.SweepError("no selected backend is available here: " + "; ".join(
            f"{sel.backend.name} ({sel.reason})" for sel in selected))
    if not any(cells_for(state, sel) for sel in available):
        raise opinfos.SweepError("no cell to run: no selected entry declares "
                                 + ("these dtypes" if dtypes else "any dtype") + " for "
                                 + ", ".join(sel.backend.name for sel in available))
    if output is None and not hasattr(config, "workerinput") and not opt.collectonly:
        if opt.output:
            output = results.reserve(Path(opt.output))
        elif opt.output_dir:
            output = results.reserve(folder=Path(opt.output_dir), commit=git_commit()["commit"])
    state.output = output
    return state


def cache_keys(config, state: State) -> dict[str, str | None]:
    """Each available backend's cache key (suite.sweep_cache). Made once the worker count is
    known (after xdist's -n auto): the cases' thread count depends on it."""
    return {sel.backend.name: sweep_cache.key(sel, cells_samples(state, sel), not config.option.sweep_no_backward,
                                              isolation.case_threads(config))
            for sel in state.selected if sel.available}


def _samples(text: str | None) -> int | None | str:
    """--samples: a count, "all" (None), or "default" when not given."""
    if text is None:
        return "default"
    if text == "all":
        return None
    if not text.isdigit() or int(text) < 1:
        raise opinfos.SweepError(f"--samples must be a number of at least 1, or all, not {text!r}")
    return int(text)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    if config.option.help or config.option.version:
        return None
    try:
        config.stash[STATE] = _resolve(config)
    except (BackendError, results.ResultsError, opinfos.SweepError, sweep_known.KnownError) as exc:
        sys.stderr.write(f"opsuite: {exc}\n")
        return 2
    isolation.prepare_run(config)
    return None


def pytest_configure(config):
    if STATE not in config.stash:
        config.stash[STATE] = _resolve(config)
    config.stash[STATE].cache_keys = cache_keys(config, config.stash[STATE])
    guard = Isolation(config)
    guard.install_signal_handlers()
    config.pluginmanager.register(guard, "opsuite-isolation")
    config.pluginmanager.register(SweepRecorder(config, config.stash[STATE], guard), "opsuite-sweep")


def cells_samples(state: State, sel: Selected) -> int | None:
    return state.samples if state.samples != "default" else (
        WRAP_SAMPLES if sel.backend.wrap is not None else DEFAULT_SAMPLES)


def cells_for(state: State, sel: Selected) -> list[Cell]:
    device_type = torch.device(sel.backend.device).type
    samples = cells_samples(state, sel)
    return [Cell(opinfos.full_name(op), opinfos.dtype_name(dtype), samples)
            for op in opinfos.select(state.patterns)
            for dtype in opinfos.dtypes_for(op, device_type)
            if state.dtypes is None or dtype in state.dtypes]


def pytest_generate_tests(metafunc):
    if "cell" not in metafunc.fixturenames:
        return
    state = metafunc.config.stash[STATE]
    params = [pytest.param(cell, sel, id=f"{cell.op}-{cell.dtype}-{sel.backend.name}")
              for sel in state.selected if sel.available for cell in cells_for(state, sel)]
    metafunc.parametrize(("cell", "backend"), params)


@pytest.fixture(scope="session")
def measured(request) -> dict:
    """Cells reusable from earlier sweeps (--sweep-cache), loaded once per process."""
    folder = request.config.option.sweep_cache
    return sweep_cache.load(Path(folder), request.config.stash[STATE].cache_keys) if folder else {}


@pytest.fixture
def note_call(request):
    guard = request.config.pluginmanager.getplugin("opsuite-isolation")
    return lambda call: guard.note_call(request.node.nodeid, call)


def pytest_report_teststatus(report, config):
    """No dot per cell: the recorder prints progress lines instead."""
    if report.when == "call" or (report.when == "setup" and not report.passed):
        return report.outcome, "", ""
    return None


class SweepRecorder:
    def __init__(self, config, state: State, guard: Isolation):
        self.config, self.state, self.guard = config, state, guard
        self.is_worker = hasattr(config, "workerinput")
        self.records: dict[str, dict] = {}
        self.total = 0
        self.next_progress = 30.0  # a line each 30 s: the first estimate from 30 s of work
        self.written: Path | None = None
        self.journal = None
        if state.output is not None and not self.is_worker:
            self.header = self._header()
            self.journal = results.Journal(state.output, self.header,
                                           warn=lambda m: sys.stderr.write(f"opsuite: warning: {m}\n"))

    def _header(self) -> dict:
        commit = git_commit()
        s = self.state
        return {
            "schema": SCHEMA,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s.started)),
            "machine": machine_info(), "torch": torch_info(isolation.case_threads(self.config)) | {"git": torch.version.git_version},
            "commit": commit["commit"], "commit_dirty": commit["dirty"], "command": sys.argv,
            "backends": [{"name": x.backend.name, "device": str(x.backend.device), "selector": x.selector,
                          "available": x.available, "reason": x.reason} for x in s.selected],
            "options": {"ops": s.patterns, "dtypes": [opinfos.dtype_name(d) for d in s.dtypes or []] or None,
                        "samples": DEFAULT_SAMPLES if s.samples == "default" else s.samples or "all",
                        "samples_with_wrap": WRAP_SAMPLES if s.samples == "default" else s.samples or "all"},
            "tolerances": {opinfos.dtype_name(d): {"rtol": r, "atol": a}
                           for d, (r, a) in accuracy.TOLERANCE.items()},
            "known_divergences": {"file": str(s.known_file)},
            "cache_keys": s.cache_keys,
        }

    def pytest_collection_finish(self, session):
        self.total = len(session.items)

    def pytest_xdist_node_collection_finished(self, node, ids):
        self.total = len(ids)  # every worker collects every cell

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        rec = getattr(item, "_sweep_record", None)
        if rec is not None and report.when == "call":
            report.user_properties.append((PROP, rec))

    def pytest_runtest_logreport(self, report):
        if self.is_worker:
            return
        props = dict((k, v) for k, v in report.user_properties if isinstance(k, str))
        rec = props.get(PROP)
        if rec is None:
            error = props.get(f"{isolation.PROP}.error")
            if error is None and not (report.failed and report.when in ("setup", "call", "???")):
                return
            rec = _from_nodeid(report.nodeid, self.state)
            message = error or _first(report.longrepr)
            verdict = "timed out" if "timed out" in message else "crashed" if message.startswith("crashed") \
                else "error"
            rec |= {"verdict": verdict, "message": message}
            if props.get(f"{isolation.PROP}.input"):
                rec["input"] = props[f"{isolation.PROP}.input"]
        if report.nodeid in self.records:
            return
        known = sweep_known.match(self.state.known, rec)
        if known is not None:
            rec["known"] = known.reason
        self.records[report.nodeid] = rec
        if self.journal is not None:
            self.journal.append(rec)
        self._progress()

    def _progress(self):
        done, elapsed = len(self.records), time.time() - self.state.started
        if done < self.total and elapsed < self.next_progress or done > self.total:
            return
        self.next_progress = elapsed + 30
        left = elapsed / done * (self.total - done) if done else 0
        tr = self.config.pluginmanager.getplugin("terminalreporter")
        if tr is None:
            return
        line = f"opsuite sweep: {done:,} of {self.total:,} cells ({done / max(self.total, 1):.0%}) in {_duration(elapsed)}"
        if done < self.total:
            last = last_cells(self.guard.started, self.records, self.total - done, self.state)
            line += f"; still running: {last}" if last else f", about {_duration(left)} left"
        tr.write_line(line)

    def stale(self) -> list[sweep_known.Known]:
        names = {opinfos.full_name(op) for op in opinfos.database()}
        return sweep_known.stale(self.state.known, list(self.records.values()), names)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session, exitstatus):
        if self.is_worker:
            return
        recs = list(self.records.values())
        unexpected = [r for r in recs if cell_verdict(r) not in ("works", "skipped") and "known" not in r]
        stopped = f"interrupted by {self.guard.signal}" if self.guard.signal else None
        if stopped is None and len(recs) < self.total:
            stopped = "stopped early"
        if session.exitstatus in (0, 1):
            session.exitstatus = 1 if unexpected or self.stale() else 0
        if self.journal is None:
            return
        if not recs:
            self.journal.abandon()
            return
        document = self.header | {
            "duration_s": round(time.time() - self.state.started, 3), "exit_status": int(session.exitstatus),
            "complete": stopped is None, "incomplete": stopped,
            "known_divergences": {"file": str(self.state.known_file),
                                  "stale": [k.describe() for k in self.stale()]},
            "records": recs}
        try:
            self.written = self.journal.finish(document)
        except results.ResultsError as exc:
            sys.stderr.write(f"opsuite: {exc}\n")
            session.exitstatus = 2

    def pytest_unconfigure(self, config):
        if self.journal is not None and self.written is None:
            self.journal.abandon()
        if not self.is_worker:
            self.guard.restore_signal_handlers()
            self.guard.close()

    def pytest_terminal_summary(self, terminalreporter, exitstatus):
        if self.is_worker:
            return
        tr = terminalreporter
        tr.section("opsuite sweep")
        for line in summary_lines(list(self.records.values()), self.state.selected):
            tr.line(line)
        for k in self.stale():
            tr.line(f"STALE known divergence (the cells it names work now): {k.describe()}", yellow=True)
        reused = sum("reused_from" in r for r in self.records.values())
        if reused:
            tr.line(f"{reused:,} of {len(self.records):,} cells reused from earlier sweeps with the same "
                    "torch, code, backend and options (--no-cache runs them again)")
        if self.written:
            tr.line(f"results: {self.written}", bold=True)


def summary_lines(recs: list[dict], selected: list[Selected]) -> list[str]:
    """Cells per verdict and backend, and the cells that do not work (known ones counted apart)."""
    lines = [f"{'backend':<16}" + "".join(f"{v:>10}" for v in VERDICTS) + f"{'known':>10}"]
    for sel in selected:
        name = sel.backend.name
        if not sel.available:
            lines.append(f"{name:<16} unavailable: {sel.reason}")
            continue
        mine = [r for r in recs if r["backend"] == name]
        counts = [sum(cell_verdict(r) == v and "known" not in r for r in mine) for v in VERDICTS]
        lines.append(f"{name:<16}" + "".join(f"{c:>10,}" for c in counts)
                     + f"{sum('known' in r for r in mine):>10,}")
    bad = [r for r in recs if cell_verdict(r) not in ("works", "skipped") and "known" not in r]
    if bad:
        lines.append("")
        lines.append(f"Cells that do not work ({len(bad)}; every one is in the results JSON):")
        for r in bad[:40]:
            backward = r["verdict"] == "works"  # then it is the backward that does not
            message = ("backward: " + (r["backward"].get("message") or "") if backward
                       else r.get("message") or "")
            lines.append(f"  {r['backend']:<14} {r['op']:<36} {r['dtype']:<10} {cell_verdict(r):<9} "
                         f"{message[:90]}")
        if len(bad) > 40:
            lines.append(f"  ... and {len(bad) - 40} more")
    return lines


def last_cells(started: dict[str, float], finished, left: int, state: State, now: float | None = None) -> str | None:
    """The cells still running, with how long each has run, once every cell left has started
    (the average then says nothing: one slow cell can take minutes); None before that."""
    running = [n for n in started if n not in finished]
    if not running or len(running) < left:
        return None
    now = time.monotonic() if now is None else now
    named = [(now - started[n], _from_nodeid(n, state)) for n in running]
    return ", ".join(f"{c['op']} {c['dtype']} on {c['backend']} ({_duration(t)})"
                     for t, c in sorted(named, key=lambda x: -x[0]))


def _from_nodeid(nodeid: str, state: State) -> dict:
    """op, dtype and backend of a cell from its id (a crashed worker's report has nothing else)."""
    ident = nodeid.rpartition("[")[2].rstrip("]")
    for sel in sorted(state.selected, key=lambda s: -len(s.backend.name)):  # compile-cpu before cpu
        if ident.endswith("-" + sel.backend.name):
            rest = ident[: -len(sel.backend.name) - 1]
            op, _, dtype = rest.rpartition("-")
            return {"op": op, "dtype": dtype, "backend": sel.backend.name}
    return {"op": ident, "dtype": None, "backend": None}


def _first(longrepr) -> str:
    """What went wrong, in a line: the exception and its message where pytest kept them."""
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and crash.message:
        return f"opsuite could not judge the cell: {crash.message.splitlines()[0][:300]}"
    text = str(longrepr or "").strip().splitlines()
    return text[-1][:300] if text else "failed"


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"

