"""The pytest plugin: ``pytest --backend NAME`` runs every spec on every chosen backend.

It parametrizes each spec that uses ``run`` by backend, marks known divergences as strict
xfails, records one result per (spec, backend) with the claim, the input and any
observations, writes them atomically with ``--output``, and ends with the matrix.
Registered through the ``pytest11`` entry point, so it is active wherever opsuite is
installed; it stays out of the way of test suites that use none of its fixtures.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest
import torch

from suite import divergences, matrix, results
from suite.backends import BackendError, Selected, select
from suite.machine import git_commit, machine_info, torch_info
from suite.runner import Runner
from suite.spec import MARKER, quote_drift, spec_of

PROP = "opsuite"  # key of the user_properties entry that carries a spec's record fields


@dataclass
class State:
    selected: list[Selected]
    known: list[divergences.Divergence]
    known_file: Path
    output: Path | None
    started: float = field(default_factory=time.time)


STATE = pytest.StashKey[State]()


def pytest_addoption(parser):
    group = parser.getgroup("opsuite", "opsuite conformance")
    group.addoption("--backend", action="append", default=[], metavar="NAME",
                    help="backend to run specs on; repeatable. A built-in name (cpu, meta, "
                         "cuda:0, compile-cpu, ...), a device family (cuda), 'all', or "
                         "MODULE:OBJECT naming a suite.backends.Backend. Default: cpu.")
    group.addoption("--output", metavar="PATH", default=None,
                    help="write the results JSON to PATH (a new file; never overwritten)")
    group.addoption("--known-divergences", metavar="PATH", default=None,
                    help=f"TOML file of known divergences (default: {divergences.DEFAULT_FILE})")


def _resolve(config) -> State:
    opt = config.option
    known_file = Path(opt.known_divergences) if opt.known_divergences else divergences.DEFAULT_FILE
    output = Path(opt.output) if opt.output else None
    selected = select(opt.backend)
    known = divergences.load(known_file) if known_file.exists() or opt.known_divergences else []
    if output is not None and not hasattr(config, "workerinput"):
        results.check_writable(output)
    return State(selected, known, known_file, output)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Bad input ends here: one line on stderr, exit status 2, nothing run."""
    if config.option.help or config.option.version:
        return None
    try:
        config.stash[STATE] = _resolve(config)
    except (BackendError, results.ResultsError, divergences.DivergenceFileError) as exc:
        sys.stderr.write(f"opsuite: {exc}\n")
        return 2
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}(spec): opsuite spec metadata (use suite.spec.spec)")
    if STATE not in config.stash:  # e.g. pytest.main() in a process that skipped cmdline_main
        config.stash[STATE] = _resolve(config)
    config.pluginmanager.register(Recorder(config, config.stash[STATE]), "opsuite-recorder")


@pytest.hookimpl(trylast=True)  # last, so the backend is the last part of each test id
def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    state = metafunc.config.stash[STATE]
    params = []
    for sel in state.selected:
        marks = () if sel.available else pytest.mark.skip(reason=f"backend unavailable: {sel.reason}")
        params.append(pytest.param(sel, id=sel.backend.name, marks=marks))
    metafunc.parametrize("backend", params)


@pytest.fixture
def run(request, backend: Selected) -> Runner:
    """Runs the operation under test on the backend; see suite.runner."""
    props = request.node.user_properties

    def remember(call: str):
        props.append((f"{PROP}.input", call))

    return Runner(backend.backend, remember)


@pytest.fixture
def observe(request):
    """observe(name, value): record device-specific behaviour that the docs leave open."""
    def record(name: str, value):
        request.node.user_properties.append((f"{PROP}.observation", {name: value}))
    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    runner = getattr(item, "funcargs", {}).get("run")
    if (report.when == "call" and report.failed and runner is not None
            and call.excinfo is not None and call.excinfo.value is runner.raised):
        # The backend raised while running the operation: the claim could not be judged.
        report.user_properties.append((f"{PROP}.crash", True))
    if report.failed:
        props = dict(item.user_properties)
        fields = props.get(PROP)
        if fields:
            text = [f"claim ({fields['op']}): {fields['claim']}", f"backend: {fields['backend']}"]
            text += [f"input: {v}" for k, v in item.user_properties if k == f"{PROP}.input"]
            text.append(f"docs: {fields['url']}")
            report.sections.append(("opsuite", "\n".join(text)))
    return report


def _message(report) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return report.longrepr[2].removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    return crash.message if crash is not None else str(report.longrepr or "")


def _spec_id(item, name: str) -> str:
    """The node id without the backend, which the parametrization put last."""
    head = item.nodeid[: -len(name) - 2]
    return head if item.nodeid.endswith(f"[{name}]") else head + "]"


_drift = lru_cache(maxsize=None)(quote_drift)


class Recorder:
    """Collects one record per (spec, backend), writes them, and prints the matrix.

    Under pytest-xdist the workers collect and run; the record fields travel to the
    controller in each report's user_properties, and only the controller records.
    """

    def __init__(self, config, state: State):
        self.config = config
        self.state = state
        self.is_worker = hasattr(config, "workerinput")
        self.records: dict[str, dict] = {}  # nodeid -> record
        self.drift: dict[str, str] = {}  # spec id -> why its quote is no longer in the docs
        self.written: Path | None = None

    def pytest_collection_modifyitems(self, items):
        version = torch.__version__
        for item in items:
            callspec = getattr(item, "callspec", None)
            if callspec is None or "backend" not in callspec.params:
                continue
            sel: Selected = callspec.params["backend"]
            name = sel.backend.name
            spec = spec_of(item)
            spec_id = _spec_id(item, name)
            item.user_properties.append((PROP, {
                "spec": spec_id, "backend": name,
                "op": spec and spec.op, "claim": spec and spec.claim, "url": spec and spec.url,
                "repro": f"pytest '{item.nodeid}' --backend {sel.selector}"}))
            if spec is None:
                item.add_marker(pytest.mark.skip(reason="not a spec: add @suite.spec.spec(op, claim)"))
                continue
            why = _drift(spec)
            if why:
                self.drift[spec_id] = why
            if spec.needs_values and torch.device(sel.backend.device).type == "meta":
                item.add_marker(pytest.mark.skip(
                    reason="meta tensors carry no values; this claim is about values"))
            for known in self.state.known:
                if known.matches(spec_id, name, version):
                    item.add_marker(pytest.mark.xfail(
                        strict=True, reason=f"known divergence: {known.reason} ({known.link})"))

    def pytest_runtest_logreport(self, report):
        fields = next((v for k, v in report.user_properties if k == PROP), None)
        if self.is_worker or fields is None:
            return
        rec = self.records.setdefault(report.nodeid, {
            **fields, "outcome": None, "message": None, "input": None,
            "observations": {}, "duration_s": 0.0})
        rec["duration_s"] = round(rec["duration_s"] + report.duration, 6)
        inputs = [v for k, v in report.user_properties if k == f"{PROP}.input"]
        if inputs:
            rec["input"] = inputs[0] if len(inputs) == 1 else inputs
        for k, v in report.user_properties:
            if k == f"{PROP}.observation":
                rec["observations"].update(v)
        if rec["outcome"] in ("failed", "error"):
            return  # the first break is the one to report
        if report.when == "call":
            if report.skipped and hasattr(report, "wasxfail"):
                rec["outcome"], rec["message"] = "xfailed", report.wasxfail
            elif report.failed and str(report.longrepr).startswith("[XPASS(strict)]"):
                rec["outcome"] = "failed"  # the known divergence is gone: say so
                reason = str(report.longrepr).removeprefix("[XPASS(strict)] known divergence: ")
                rec["message"] = f"known divergence no longer fails: {reason}"
            elif report.failed and (f"{PROP}.crash", True) in report.user_properties:
                rec["outcome"], rec["message"] = "error", f"the backend raised: {_message(report)}"
            elif report.failed:
                rec["outcome"], rec["message"] = "failed", _message(report)
            elif report.skipped:
                rec["outcome"], rec["message"] = "skipped", _message(report)
            else:
                rec["outcome"] = "passed"
        elif report.failed:  # setup or teardown broke: the spec could not be judged
            rec["outcome"], rec["message"] = "error", f"{report.when}: {_message(report)}"
        elif report.skipped and report.when == "setup":
            rec["outcome"], rec["message"] = "skipped", _message(report)

    def finished(self) -> list[dict]:
        return [r for r in self.records.values() if r["outcome"] is not None]

    def unmatched(self) -> list[divergences.Divergence]:
        """Entries naming no spec of this run; from the records, which under xdist are the
        controller's only view of what the workers collected."""
        specs = {r["spec"] for r in self.finished()}
        return [k for k in self.state.known if not any(k.names(s) for s in specs)]

    def stale(self, unmatched: list[divergences.Divergence]) -> list[divergences.Divergence]:
        """The unmatched entries worth a warning: those whose spec file ran in full. A run of
        a selection (-k, -m, some files) leaves the others unmatched by design."""
        if self.config.option.keyword or self.config.option.markexpr:
            return []
        ran = {r["spec"].split("::")[0] for r in self.finished()}
        return [k for k in unmatched
                if any(f == k.spec.split("::")[0] or f.endswith("/" + k.spec.split("::")[0])
                       for f in ran)]

    def document(self, exitstatus) -> dict:
        commit = git_commit()
        state = self.state
        return {
            "schema": results.SCHEMA,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.started)),
            "duration_s": round(time.time() - state.started, 3),
            "machine": machine_info(),
            "torch": torch_info(),
            "commit": commit["commit"],
            "commit_dirty": commit["dirty"],
            "command": sys.argv,
            "exit_status": int(exitstatus),
            "backends": [{"name": s.backend.name, "device": str(s.backend.device),
                          "selector": s.selector, "available": s.available, "reason": s.reason}
                         for s in state.selected],
            "known_divergences": {"file": str(state.known_file), "unmatched": [k.describe() for k in self.unmatched()]},
            "doc_drift": [f"{spec}: {why}" for spec, why in self.drift.items()],
            "records": self.finished(),
        }

    def pytest_sessionfinish(self, session, exitstatus):
        if self.is_worker:
            return
        specs = self.finished()
        if specs and exitstatus == 0 and all(r["outcome"] == "skipped" for r in specs):
            session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED  # no spec actually ran
        if self.state.output is None or not specs or exitstatus == pytest.ExitCode.INTERRUPTED:
            return  # an interrupted run is not a result: no file at all
        try:
            results.write_new(self.state.output, self.document(session.exitstatus))
            self.written = self.state.output
        except results.ResultsError as exc:
            sys.stderr.write(f"opsuite: {exc}\n")
            session.exitstatus = 2

    def pytest_terminal_summary(self, terminalreporter, exitstatus):
        if self.is_worker:
            return
        tr, specs = terminalreporter, self.finished()
        if specs:
            backends = [{"name": s.backend.name, "available": s.available, "reason": s.reason}
                        for s in self.state.selected]
            tr.section("opsuite conformance")
            tr.line(matrix.render(specs, backends, width=tr._tw.fullwidth))
            unmatched = self.unmatched()
            stale = self.stale(unmatched)
            for known in stale:
                tr.line(f"UNMATCHED known divergence (names no spec of this run): "
                        f"{known.describe()}", yellow=True)
            if len(unmatched) > len(stale):
                tr.line(f"{len(unmatched) - len(stale)} known divergences name specs outside "
                        "this selection (listed in the results JSON)")
        for spec, why in self.drift.items():
            tr.line(f"DOC DRIFT {spec}: {why}", yellow=True)
        if self.written:
            tr.line(f"results: {self.written}", bold=True)
        elif self.state.output and exitstatus == pytest.ExitCode.INTERRUPTED:
            tr.line("interrupted: no results file written", yellow=True)
