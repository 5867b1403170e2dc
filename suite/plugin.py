"""The pytest plugin: ``pytest --backend NAME`` runs every spec on every chosen backend.

It parametrizes each spec that uses ``run`` by backend, marks known divergences as strict
xfails, runs each case isolated (`suite.isolation`), records one result per (spec, backend)
with the claim, the input and any observations (`suite.recorder`), streams them to disk with
``--output``/``--output-dir``, and ends with the matrix.
Active only where asked: `opsuite conformance` loads it (``-p suite.plugin``), and a folder of
specs opts in from its conftest.py (``pytest_plugins = ["suite.plugin"]``, as conformance/ does).
Installing opsuite changes no other project's pytest runs.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from suite import divergences, isolation, results, variants
from suite.backends import BackendError, Selected, select
from suite.isolation import CaseTimeout, Isolation
from suite.machine import git_commit
from suite.progress import Progress
from suite.recorder import DIVERGENCE, PROP, Recorder
from suite.expect import SpecUsageError
from suite.runner import BackendFault, Runner
from suite.spec import MARKER


@dataclass
class State:
    selected: list[Selected]
    known: list[divergences.Divergence]
    known_file: Path
    output: Path | None  # the results file this run will write (its journal is reserved)
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
    group.addoption("--output-dir", metavar="DIR", default=None,
                    help="write the results JSON to a new file in DIR, named by time and commit")
    group.addoption("--known-divergences", metavar="PATH", default=None,
                    help=f"TOML file of known divergences (default: {divergences.DEFAULT_FILE})")
    group.addoption("--surface-checks", choices=["auto", "on", "off"], default="auto",
                    help="vary every call a spec makes along the op's documented surface "
                         "(layout, dtypes, parameters, in-place and out= forms, gradient) and "
                         "compare the backend with CPU torch (suite.variants). 'auto' (default): "
                         "on every backend but cpu (the reference itself), meta and the "
                         "built-in compile-*; 'on': on those too, but meta; 'off': never.")
    group.addoption("--record-surface", action="store_true",
                    help="record in each result what its calls exercise of the op's documented "
                         "surface (dtypes, layouts, parameters, forms, surface checks), for "
                         "`opsuite coverage` (suite.exercised)")
    group.addoption("--matrix", choices=["broken", "all", "none"], default="broken",
                    help="rows of the end-of-run matrix: 'broken' (default) shows the specs with "
                         "a failure, error or known divergence on some backend; 'all' every "
                         "spec; 'none' no matrix. The results JSON always has every record.")


def _resolve(config) -> State:
    opt = config.option
    known_file = Path(opt.known_divergences) if opt.known_divergences else divergences.DEFAULT_FILE
    selected = select(opt.backend)
    known = divergences.load(known_file) if known_file.exists() or opt.known_divergences else []
    output = None
    if not hasattr(config, "workerinput") and not opt.collectonly:
        results.check_junitxml(getattr(opt, "xmlpath", None))
        if opt.output:
            output = results.reserve(Path(opt.output))
        elif opt.output_dir:
            output = results.reserve(folder=Path(opt.output_dir), commit=git_commit()["commit"])
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
    isolation.prepare_run(config)
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}(spec): opsuite spec metadata (use suite.spec.spec)")
    if STATE not in config.stash:  # e.g. pytest.main() in a process that skipped cmdline_main
        config.stash[STATE] = _resolve(config)
    guard = Isolation(config)
    guard.install_signal_handlers()
    config.pluginmanager.register(guard, "opsuite-isolation")
    recorder = Recorder(config, config.stash[STATE], guard)
    config.pluginmanager.register(recorder, "opsuite-recorder")
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(Progress(config, config.stash[STATE].selected, recorder),
                                      "opsuite-progress")


def pytest_report_header(config):
    state = config.stash.get(STATE, None)
    if state is None:
        return None
    return [f"opsuite: warning: {sel.note}" for sel in state.selected if sel.note]


def pytest_unconfigure(config):
    guard = config.pluginmanager.get_plugin("opsuite-isolation")
    if guard is not None:
        guard.restore_signal_handlers()
        guard.close()


@pytest.hookimpl(trylast=True)  # last, so the backend is the last part of each test id
def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    state = metafunc.config.stash[STATE]
    # An unavailable backend gets no cases (it is listed, with why, in the results and the
    # summary): thousands of skips would say one thing thousands of times.
    chosen = [sel for sel in state.selected if sel.available]
    narrow = metafunc.config.stash.get(BACKENDS_OF_SPEC, None)
    if narrow is not None:  # e.g. opsuite selfcheck: each mutant runs its own op's specs only
        marks = list(metafunc.definition.iter_markers(MARKER))
        for call in getattr(metafunc, "_calls", []):  # a spec per parameter (pytest.param marks)
            marks += [m for m in call.marks if m.name == MARKER]
        chosen = narrow({m.args[0].op for m in marks}, chosen)
    metafunc.parametrize("backend", [pytest.param(sel, id=sel.backend.name) for sel in chosen])


# A plug-in may narrow the backends a spec function runs on: (the ops its specs name,
# [Selected]) -> [Selected]; its cases of another op are then its to deselect.
BACKENDS_OF_SPEC = pytest.StashKey()
_CHECKERS: dict[str, variants.Checker] = {}  # per backend, for the whole process


def surface_checks(config, sel: Selected) -> bool:
    """Whether the calls on this backend get surface checks (see --surface-checks)."""
    mode = config.option.surface_checks
    device = torch_device_type(sel.backend.device)
    if mode == "off" or device == "meta":
        return False
    if mode == "on":
        return True
    builtin = sel.selector == sel.backend.name and sel.backend.context is None
    return not (builtin and (sel.backend.wrap is not None or sel.backend.name == "cpu"))


def torch_device_type(device) -> str:
    import torch

    return torch.device(device).type


@pytest.fixture
def run(request, backend: Selected) -> Runner:
    """Runs the operation under test on the backend; see suite.runner."""
    props = request.node.user_properties
    guard = request.config.pluginmanager.get_plugin("opsuite-isolation")

    def remember(call: str):
        props.append((f"{PROP}.input", call))
        guard.note_call(request.node.nodeid, call)

    runner = Runner(backend.backend, remember)
    name = backend.backend.name
    if surface_checks(request.config, backend) or request.config.option.record_surface:
        if name not in _CHECKERS:
            _CHECKERS[name] = variants.Checker(None, torch_device_type(backend.backend.device))
        _CHECKERS[name].backend_call = runner._variant_call
    if surface_checks(request.config, backend):
        runner.checker = _CHECKERS[name]
    if request.config.option.record_surface and torch_device_type(backend.backend.device) != "meta":
        runner.recorder = _CHECKERS[name]
    return runner


@pytest.fixture
def examples(backend: Selected):
    """hypothesis settings for generated inputs on this backend (suite.generated)."""
    from suite.generated import examples_for

    return examples_for(backend.backend)


@pytest.fixture
def observe(request):
    """observe(name, value): record device-specific behaviour that the docs leave open."""
    def record(name: str, value):
        request.node.user_properties.append((f"{PROP}.observation", {name: value}))
    return record


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    """After the spec's own assertions pass, the surface checks of its calls (suite.variants)."""
    result = yield
    runner = getattr(item, "funcargs", {}).get("run")
    if isinstance(runner, Runner) and runner.checker is not None:
        runner.check_surface()
    return result


def _error(item, call, report) -> str | None:
    """Why this phase of a spec case is an error of the backend (not a judged claim), or None.

    A timeout or a fault of the backend's machinery is an error even where a known
    divergence expected a failure; so is a case in which no call on the backend returned
    (a backend that runs nothing passes nothing)."""
    runner = getattr(item, "funcargs", {}).get("run")
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, CaseTimeout):
        return str(error)
    if isinstance(error, BackendFault):
        return f"the backend failed: {error}"
    if isinstance(error, SpecUsageError):
        return f"the spec is wrong: {error}"
    if runner is None or report.when != "call":
        return None
    if error is not None and error is runner.raised:
        known = item.stash.get(DIVERGENCE, None)
        if hasattr(report, "wasxfail") and known is not None and known.expects(error):
            return None  # the known divergence is this very error
        if report.failed or hasattr(report, "wasxfail"):
            # The operation raised and neither the spec nor a known divergence expected it:
            # the claim could not be judged.
            return f"the backend raised: {type(error).__name__}: {error}"
    if report.passed and runner.completed == 0:
        return ("no call on the backend returned normally, so nothing was checked"
                if runner.calls else "the spec made no call on the backend")
    return None


def _expected(item, call) -> bool:
    """Whether the exception that ended an xfailed case is the failure its known divergence
    describes: a broken claim (an assertion), or the error it names raised by the operation."""
    error = call.excinfo.value
    known = item.stash.get(DIVERGENCE, None)
    runner = getattr(item, "funcargs", {}).get("run")
    if isinstance(error, AssertionError):
        return True
    return known is not None and runner is not None and error is runner.raised and known.expects(error)


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: sees the report after xfail's verdict
def pytest_runtest_makereport(item, call):
    report = yield
    if not isolation.is_spec_case(item):
        return report
    error = _error(item, call, report)
    if report.when == "teardown":
        guard = item.config.pluginmanager.get_plugin("opsuite-isolation")
        left = guard.state_left_behind(item) if guard else []
        if left:
            error = "the case " + "; ".join(left) + " (now restored)"
    if error is not None:
        report.outcome = "failed"
        report.longrepr = error if call.excinfo is None else report.longrepr
        if hasattr(report, "wasxfail"):
            del report.wasxfail
        report.user_properties.append((f"{PROP}.error", error))
    elif hasattr(report, "wasxfail") and call.excinfo is not None and not _expected(item, call):
        # The spec failed, but not as the known divergence says (the spec's own code choked on
        # what the backend returned): a broken claim, not the known one.
        report.outcome = "failed"
        del report.wasxfail
    runner = getattr(item, "funcargs", {}).get("run")
    if report.when == "call" and isinstance(runner, Runner) and runner.recorder is not None:
        report.user_properties.append((f"{PROP}.surface", {"calls": runner.exercised,
                                                           "gradients": sorted(runner.used)}))
    if report.failed:
        props = dict(item.user_properties)
        fields = props.get(PROP)
        if fields:
            text = [f"claim ({fields['op']}): {fields['claim']}", f"backend: {fields['backend']}"]
            text += [f"input: {v}" for k, v in item.user_properties if k == f"{PROP}.input"]
            text.append(f"docs: {fields['url']}")
            report.sections.append(("opsuite", "\n".join(text)))
    return report
