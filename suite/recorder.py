"""One record per (spec, backend): collected from pytest's reports, streamed to the journal as
each case finishes, written as the results file when the run ends, shown as the matrix.

Under pytest-xdist the workers collect and run; the record fields travel to the controller in
each report's user_properties, and only the controller records.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from functools import lru_cache
from pathlib import Path

import pytest
import torch

from suite import divergences, isolation, keywords, matrix, results
from suite.backends import Selected
from suite.isolation import DEFAULT_TIMEOUT
from suite.machine import git_commit, machine_info, torch_info
from suite.spec import quote_drift, spec_of

PROP = "opsuite"  # key of the user_properties entry that carries a spec's record fields
DIVERGENCE = pytest.StashKey[divergences.Divergence]()  # the known divergence a case expects
EXIT_SIGNAL = {"SIGINT": 130, "SIGTERM": 143}  # 128 + the signal's number, as shells report it
EXIT_TIME_LIMIT = 124  # as timeout(1)

_drift = lru_cache(maxsize=None)(quote_drift)


def _message(report) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return report.longrepr[2].removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    return crash.message if crash is not None else str(report.longrepr or "")


def spec_id(nodeid: str, backend: str) -> str:
    """The node id without the backend, which the parametrization put last."""
    head = nodeid[: -len(backend) - 2]
    return head if nodeid.endswith(f"[{backend}]") else head + "]"


def _import_root(selector: str) -> str | None:
    """The folder a MODULE:OBJECT backend's module was imported from (what PYTHONPATH needs)."""
    module_name = selector.rpartition(":")[0]
    module = sys.modules.get(module_name)
    origin = getattr(module, "__file__", None)
    if not origin:
        return None
    root = Path(origin).resolve().parent
    for _ in range(module_name.count(".") + (Path(origin).name == "__init__.py")):
        root = root.parent
    return str(root)


def _selector(sel: Selected) -> str:
    """The --backend value, with a file path made absolute."""
    module, _, attr = sel.selector.rpartition(":")
    if module.endswith(".py") or os.sep in module:
        return f"{Path(module).resolve()}:{attr}"
    return sel.selector


def repro_line(item, sel: Selected, config) -> str:
    """One command that runs this case again, as printed, from any folder: the interpreter
    that has opsuite, the spec's absolute path, what PYTHONPATH the backend's module needs, the
    backend that ran, and the options that change the outcome."""
    nodeid = str(item.path) + "::" + item.nodeid.split("::", 1)[1]
    # --rootdir: the spec ids (and so the known divergences that name them) as in this run
    argv = [sys.executable, "-m", "pytest", "-p", "suite.plugin", f"--rootdir={config.rootpath}",
            nodeid, "--backend", _selector(sel)]
    opt = config.option
    if opt.known_divergences:
        argv += ["--known-divergences", str(Path(opt.known_divergences).resolve())]
    if getattr(opt, "timeout", None) not in (None, DEFAULT_TIMEOUT):
        argv += ["--timeout", f"{opt.timeout:g}"]
    env = ""
    root = _import_root(sel.selector) if ":" in sel.selector and not _selector(sel).startswith("/") else None
    paths = [p for p in [root, *os.environ.get("PYTHONPATH", "").split(os.pathsep)] if p]
    if paths:
        env = "PYTHONPATH=" + shlex.quote(os.pathsep.join(dict.fromkeys(paths))) + " "
    return env + shlex.join(argv)


def _backend_of(item) -> str | None:
    sel = getattr(item, "callspec", None) and item.callspec.params.get("backend")
    return sel.backend.name if isinstance(sel, Selected) else None


def fields_from_nodeid(nodeid: str, backends: list[str]) -> dict:
    """A record's fields when only the node id is known (a worker died before reporting)."""
    ends = [b for b in backends if nodeid.endswith(f"[{b}]") or nodeid.endswith(f"-{b}]")]
    backend = max(ends, key=len) if ends else "?"
    return {"spec": spec_id(nodeid, backend), "backend": backend, "op": None, "claim": None,
            "url": None, "repro": None}


class Recorder:
    def __init__(self, config, state, isolation):
        self.config = config
        self.state = state
        self.isolation = isolation
        self.is_worker = hasattr(config, "workerinput")
        self.records: dict[str, dict] = {}  # nodeid -> record
        self.drift: dict[str, str] = {}  # spec id -> why its quote is no longer in the docs
        self.written = None
        self.stopped: str | None = None  # why the run ended before every case ran
        self.keyword = config.option.keyword  # -k, which this plugin applies (suite.keywords)
        self.journal: results.Journal | None = None
        self.header = None
        if state.output is not None and not self.is_worker:
            self.header = self._header()
            self.journal = results.Journal(state.output, self.header, warn=self._warn)

    def _warn(self, message: str) -> None:
        sys.stderr.write(f"opsuite: warning: {message}\n")

    # -- collection ------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)  # before pytest's own -k, which this one replaces
    def pytest_collection_modifyitems(self, config, items):
        if config.option.keyword.strip():
            self.keyword, config.option.keyword = config.option.keyword, ""
            kept, dropped = keywords.select(items, self.keyword, _backend_of)
            if dropped:
                config.hook.pytest_deselected(items=dropped)
                items[:] = kept
        # With no backend available, parametrize leaves one placeholder case per spec: none.
        empty = [i for i in items if getattr(i, "callspec", None) is not None
                 and "backend" in i.callspec.params
                 and not isinstance(i.callspec.params["backend"], Selected)]
        if empty:
            config.hook.pytest_deselected(items=empty)
            gone = set(map(id, empty))
            items[:] = [i for i in items if id(i) not in gone]
        version = torch.__version__
        order = {s.backend.name: i for i, s in enumerate(self.state.selected)}
        for item in items:
            callspec = getattr(item, "callspec", None)
            if callspec is None or "backend" not in callspec.params:
                continue
            sel: Selected = callspec.params["backend"]
            name = sel.backend.name
            spec = spec_of(item)
            sid = spec_id(item.nodeid, name)
            item.user_properties.append((PROP, {
                "spec": sid, "backend": name,
                "op": spec and spec.op, "claim": spec and spec.claim, "url": spec and spec.url,
                "values": bool(spec and spec.needs_values), "repro": repro_line(item, sel, self.config)}))
            if spec is None:
                item.add_marker(pytest.mark.skip(reason="not a spec: add @suite.spec.spec(op, claim)"))
                continue
            why = _drift(spec)
            if why:  # travels to the controller with the reports, as the record's fields do
                item.user_properties.append((f"{PROP}.drift", why))
            if spec.needs_values and torch.device(sel.backend.device).type == "meta":
                item.add_marker(pytest.mark.skip(
                    reason="meta tensors carry no values; this claim is about values"))
            for known in self.state.known:
                if known.matches(sid, name, version):
                    item.add_marker(pytest.mark.xfail(
                        strict=True, reason=f"known divergence: {known.reason} ({known.link})"))
                    item.stash[DIVERGENCE] = known
                    break
        # One backend after another: fewer switches between backends in a process (each
        # drops dynamo's compiled code), and progress that reads per backend.
        def backend_order(item):
            sel = getattr(item, "callspec", None) and item.callspec.params.get("backend")
            return order.get(sel.backend.name, -1) if isinstance(sel, Selected) else -1

        items.sort(key=backend_order)

    # -- records ---------------------------------------------------------------------------

    def pytest_runtest_logreport(self, report):
        props = report.user_properties
        if self.is_worker or (f"{PROP}.interrupted", True) in props:
            return
        fields = next((v for k, v in props if k == PROP), None)
        if fields is None and report.nodeid not in self.records:
            if report.when != "???":  # a crashed worker's case: xdist's report has no fields
                return
            fields = fields_from_nodeid(report.nodeid, [s.backend.name for s in self.state.selected])
        rec = self.records.setdefault(report.nodeid, {
            **(fields or {}), "outcome": None, "message": None, "input": None,
            "observations": {}, "duration_s": 0.0})
        rec["duration_s"] = round(rec["duration_s"] + report.duration, 6)
        inputs = [v for k, v in props if k == f"{PROP}.input"]
        if inputs:
            rec["input"] = inputs[0] if len(inputs) == 1 else inputs
        for k, v in props:
            if k == f"{PROP}.observation":
                rec["observations"].update(v)
            elif k == f"{PROP}.drift":
                self.drift[rec["spec"]] = v
            elif k == f"{PROP}.surface":
                rec["surface"] = v
        error = next((v for k, v in props if k == f"{PROP}.error"), None)
        if rec["outcome"] == "failed" and error is not None:
            # An error of the backend (a crash, a leak) outranks the broken claim before it.
            rec["outcome"], rec["message"] = "error", f"{error} (the claim had failed too: " \
                f"{matrix.first_line(rec['message'], 200)})"
        elif rec["outcome"] not in ("failed", "error"):  # the first break is the one to report
            self._judge(rec, report, error)
        if report.when in ("teardown", "???"):
            self.finished_case(rec)

    @staticmethod
    def _judge(rec: dict, report, error: str | None) -> None:
        if error is not None:
            rec["outcome"], rec["message"] = "error", error
        elif report.when == "call":
            if report.skipped and hasattr(report, "wasxfail"):
                rec["outcome"], rec["message"] = "xfailed", report.wasxfail
            elif report.failed and str(report.longrepr).startswith("[XPASS(strict)]"):
                rec["outcome"] = "failed"  # the known divergence is gone: say so
                reason = str(report.longrepr).removeprefix("[XPASS(strict)] known divergence: ")
                rec["message"] = f"known divergence no longer fails: {reason}"
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

    def finished_case(self, rec: dict) -> None:
        if rec["outcome"] is not None and self.journal is not None and not rec.get("_written"):
            rec["_written"] = True
            self.journal.append(_public(rec))

    def finished(self) -> list[dict]:
        return [_public(r) for r in self.records.values() if r["outcome"] is not None]

    # -- the results file ------------------------------------------------------------------

    def unmatched(self) -> list[divergences.Divergence]:
        """Entries naming no spec of this run; from the records, which under xdist are the
        controller's only view of what the workers collected."""
        specs = {r["spec"] for r in self.finished()}
        return [k for k in self.state.known if not any(k.names(s) for s in specs)]

    def selected_part(self) -> bool:
        """Whether this run selected part of its files (-k, -m, node ids, --deselect, --lf)."""
        opt = self.config.option
        return bool(self.keyword or opt.markexpr or getattr(opt, "deselect", None)
                    or getattr(opt, "lf", False) or any("::" in str(a) for a in self.config.args))

    def stale(self, unmatched: list[divergences.Divergence]) -> list[divergences.Divergence]:
        """The unmatched entries worth a warning: those whose spec file ran in full. A run of
        a selection (-k, -m, node ids) leaves the others unmatched by design."""
        if self.selected_part():
            return []
        ran = {r["spec"].split("::")[0] for r in self.finished()}
        return [k for k in unmatched
                if any(f == k.spec.split("::")[0] or f.endswith("/" + k.spec.split("::")[0])
                       for f in ran)]

    def _header(self) -> dict:
        commit = git_commit()
        state = self.state
        return {
            "schema": results.SCHEMA,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.started)),
            "machine": machine_info(),
            "torch": torch_info(isolation.case_threads(self.config)),
            "commit": commit["commit"],
            "commit_dirty": commit["dirty"],
            "command": sys.argv,
            "backends": [{"name": s.backend.name, "device": str(s.backend.device),
                          "selector": s.selector, "available": s.available, "reason": s.reason}
                         for s in state.selected],
            "known_divergences": {"file": str(state.known_file), "unmatched": []},
        }

    def document(self, exitstatus, incomplete: str | None) -> dict:
        return self.header | {
            "duration_s": round(time.time() - self.state.started, 3),
            "exit_status": int(exitstatus),
            "complete": incomplete is None,
            "incomplete": incomplete,
            "known_divergences": {"file": str(self.state.known_file),
                                  "unmatched": [k.describe() for k in self.unmatched()]},
            "doc_drift": [f"{spec}: {why}" for spec, why in self.drift.items()],
            "records": self.finished(),
        }

    def _stopped(self, session) -> str | None:
        """Why the run ended before every case ran, or None."""
        if self.isolation.signal:
            return f"interrupted by {self.isolation.signal}"
        dsession = self.config.pluginmanager.getplugin("dsession")
        for reason in (session.shouldfail, session.shouldstop, getattr(dsession, "shouldstop", None)):
            if reason:
                return f"stopped early: {reason}"
        return None

    @pytest.hookimpl(tryfirst=True)  # before junitxml's, so that its failure cannot cost the JSON
    def pytest_sessionfinish(self, session, exitstatus):
        if self.is_worker:
            return
        specs = self.finished()
        stopped = self._stopped(session)
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        if stopped is None and interrupted:
            stopped = "interrupted"
        self.stopped = stopped
        if self.isolation.signal:
            session.exitstatus = EXIT_SIGNAL.get(self.isolation.signal, 130)
        elif stopped and "session-timeout" in stopped:
            session.exitstatus = EXIT_TIME_LIMIT
        elif interrupted and stopped and "stopping after" in stopped:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED  # -x under xdist
        elif interrupted:
            session.exitstatus = 130
        elif exitstatus == 0 and (all(r["outcome"] == "skipped" for r in specs) if specs
                                  else not any(s.available for s in self.state.selected)):
            session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED  # no spec actually ran
        if self.journal is None:
            return
        if not specs:
            self.journal.abandon()
            return
        try:
            self.written = self.journal.finish(self.document(session.exitstatus, stopped))
        except results.ResultsError as exc:
            sys.stderr.write(f"opsuite: {exc}\n")
            session.exitstatus = 2

    def pytest_unconfigure(self, config):
        if self.journal is not None and self.written is None:
            # Whatever happened, the finished records stay in the journal; a journal without
            # any (pytest --markers, a run that never started) is removed.
            self.journal.abandon()

    def pytest_terminal_summary(self, terminalreporter, exitstatus):
        if self.is_worker:
            return
        tr, specs = terminalreporter, self.finished()
        backends = [{"name": s.backend.name, "available": s.available, "reason": s.reason}
                    for s in self.state.selected]
        if specs and self.config.option.matrix == "none":
            pass  # the caller summarises (opsuite selfcheck)
        elif specs:
            tr.section("opsuite conformance")
            tr.line(matrix.render(specs, backends, width=tr._tw.fullwidth,
                                  rows=self.config.option.matrix))
            unmatched = self.unmatched()
            stale = self.stale(unmatched)
            for known in stale:
                tr.line(f"UNMATCHED known divergence (names no spec of this run): "
                        f"{known.describe()}", yellow=True)
            if len(stale) < len(unmatched) < len(self.state.known):
                tr.line(f"{len(unmatched) - len(stale)} known divergences name specs outside "
                        "this selection (listed in the results JSON)")
        elif not any(b["available"] for b in backends):
            tr.section("opsuite conformance")
            tr.line("No selected backend is available here, so no spec ran:")
            tr.line("\n".join(matrix.unavailable_lines(backends)[2:]))
        for spec, why in self.drift.items():
            tr.line(f"DOC DRIFT {spec}: {why}", yellow=True)
        if self.written:
            note = f" (incomplete: {self.stopped})" if self.stopped else ""
            tr.line(f"results: {self.written}{note}", bold=True)
        elif self.journal is not None and specs:
            tr.line(f"finished records: {self.journal.path}", yellow=True)


def _public(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if not k.startswith("_")}
