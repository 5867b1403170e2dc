"""Fault isolation: a backend that crashes, hangs or leaks state costs only its own records.

* Each case runs in a worker process (pytest-xdist; `DEFAULT_WORKERS` unless the user chose ``-n``).
  A case that kills its worker (a signal, ``abort()``, ``os._exit``) is an ``error`` record
  with the cause; xdist starts a new worker and the run goes on. ``-n 0`` runs in-process
  (for ``--pdb``), where a crash ends the run; the records finished before it are on disk.
* Each case is bounded in time (pytest-timeout's ``--timeout``; `DEFAULT_TIMEOUT` otherwise):
  at the limit the case is interrupted (``CaseTimeout``); a case that does not return to Python
  is ended with its worker `HARD_GRACE` seconds later. Either way: ``error``, "timed out".
* torch's process-wide state is the same at the start of every case: what a case changed is
  put back and the case is an ``error`` of its backend (`suite.torch_state`).
* The workers share the machine's CPUs: each runs torch with its share of them as intra-op
  threads (`threads_per_worker`), not with all of them each.
"""

from __future__ import annotations

import faulthandler
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import torch

from suite import torch_state

# Seconds a case may take. The slowest case measured here is a compile-cpu focal-loss case:
# 14 s with a warm compile cache, about a minute cold on a busy 2-core machine (four kernels
# at 5-15 s each). 300 s leaves room for a slower machine's first compilation (a GPU's
# autotuning) while a hang still costs only five minutes.
DEFAULT_TIMEOUT = 300.0
# After the timeout, how long a case that does not return to Python (stuck in native code)
# gets before its process is ended (at most the timeout itself).
HARD_GRACE = 15.0
# Workers that die before running any case (a backend that crashes at import): after this
# many, the run stops instead of starting new workers forever.
STARTUP_CRASHES = 3

# Worker processes unless the user gives -n: two, so that one slow case (a cold compilation of
# the fused focal loss, 30 s here) does not hold up the rest, and work stealing (xdist's
# worksteal), so that the cases queued behind it move to the idle worker. cpu + meta with an
# empty compile cache on a 2-core machine: 69 s with one worker, 51-59 s with these.
DEFAULT_WORKERS = 2

PROP = "opsuite"
CALLS_DIR = "OPSUITE_CALLS_DIR"


class CaseTimeout(BaseException):
    """Raised in a case that ran past its time limit. A BaseException: neither a spec's
    assert_raises nor an ``except Exception`` in a backend can swallow it."""

    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds:g} s")
        self.seconds = seconds


def use_workers(config) -> None:
    """Run in worker processes unless the user chose otherwise (-n, --pdb, -p no:xdist)."""
    opt = config.option
    if (hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist")
            or opt.numprocesses is not None or getattr(opt, "usepdb", False)
            or getattr(opt, "trace", False) or opt.collectonly or opt.dist != "no"):
        return
    opt.numprocesses = min(DEFAULT_WORKERS, available_cpus())
    opt.dist, opt.tx = "worksteal", ["popen"] * opt.numprocesses
    if opt.maxworkerrestart is None:
        # Each crash costs one case and one worker; `Isolation` stops a run whose workers die
        # before running anything, which is what xdist's default limit is there for.
        opt.maxworkerrestart = str(10**9)


def available_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# Where the user set these, torch takes its thread count from them and so does opsuite.
THREAD_SETTINGS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
THREADS = pytest.StashKey["int | None"]()  # a run's threads_per_worker, worked out once


def threads_per_worker(config) -> int | None:
    """torch's intra-op threads in each of the run's worker processes: the threads torch would
    give one process (a thread per core) shared among the workers, at least one each. Left to
    torch, every worker starts a thread per core, and two workers on two cores fight over them:
    the cpu + meta sweep took 26.6 min on a 2-core machine that way and 7.1 min with one thread
    a worker. None where cases run in the pytest process itself (-n 0, no xdist) or where
    OMP_NUM_THREADS or MKL_NUM_THREADS chose. Worked out once per run, before any worker sets
    its count: the controller (for the results' header and the sweep's cache key) and the
    workers must agree."""
    if THREADS not in config.stash:
        config.stash[THREADS] = _threads_per_worker(config)
    return config.stash[THREADS]


def _threads_per_worker(config) -> int | None:
    if any(os.environ.get(name) for name in THREAD_SETTINGS):
        return None
    workers = _workers(config)
    cores = min(available_cpus(), torch.get_num_threads())  # torch's default: physical cores
    return max(1, cores // workers) if workers else None


def _workers(config) -> int:
    """How many worker processes xdist starts (0: none), counted as xdist counts them: -n with
    --maxprocesses, or the --tx specs (xdist has turned -n auto into them by now)."""
    if hasattr(config, "workerinput"):
        return int(config.workerinput.get("workercount") or 0)
    if getattr(config.option, "dist", "no") == "no" or not getattr(config.option, "tx", None):
        return 0
    try:
        from xdist.workermanage import parse_tx_spec_config

        return len(parse_tx_spec_config(config))
    except (ImportError, pytest.UsageError):
        return 0


def case_threads(config) -> int:
    """The intra-op thread count the run's cases have, for the results' header."""
    return threads_per_worker(config) or torch.get_num_threads()


def small_machine_compiles_in_process() -> None:
    """On a machine with two CPUs or fewer, inductor compiles in the worker itself instead of
    starting its pool of compile processes (unless TORCHINDUCTOR_COMPILE_THREADS says otherwise):
    the pool competes with the other worker for the same CPUs. The fused focal loss's four
    kernels, cold, on 2 cores: 31 s in process, 37 s with the pool."""
    if available_cpus() <= 2:
        os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")


def default_timeout(config) -> None:
    """pytest-timeout's --timeout, unless given (option, PYTEST_TIMEOUT or ini)."""
    import os

    if (config.pluginmanager.hasplugin("timeout") and config.option.timeout is None
            and not os.environ.get("PYTEST_TIMEOUT") and not config.getini("timeout")):
        config.option.timeout = DEFAULT_TIMEOUT


def prepare_run(config) -> None:
    """What every opsuite run sets before pytest starts (conformance and sweep alike)."""
    use_workers(config)
    small_machine_compiles_in_process()
    default_timeout(config)
    skip_log_capture(config)


LOG_SETTINGS = ("log_level", "log_cli_level", "log_file", "log_file_level", "log_cli")


def skip_log_capture(config) -> None:
    """No pytest log capture unless a log option or setting asks for it. pytest attaches its
    handler to every non-propagating logger around each phase of each case; torch has about 80,
    which made it a sixth of a cpu run. torch's warnings are Python warnings, and what its
    loggers print reaches the captured stderr either way."""
    if config.pluginmanager.has_plugin("logging") and not any(
            config.getoption(name, None) or config.getini(name) for name in LOG_SETTINGS):
        config.pluginmanager.set_blocked("logging-plugin")


def is_spec_case(item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "backend" in callspec.params


def exit_cause(returncode: int | None) -> str:
    """How a worker process ended, in words: "SIGSEGV (Segmentation fault)"."""
    if returncode is None:
        return "its process ended (cause unknown)"
    if returncode < 0:
        try:
            sig = signal.Signals(-returncode)
            return f"{sig.name} ({signal.strsignal(sig)})"
        except ValueError:
            return f"signal {-returncode}"
    return f"exited with status {returncode}"


def _returncode(node) -> int | None:
    """The exit status of a dead xdist worker (execnet keeps the Popen object)."""
    popen = getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None)
    if popen is None:
        return None
    try:
        return popen.wait(timeout=10)
    except Exception:
        return None


INTERRUPTIONS = ("SIGINT", "SIGTERM", "SIGHUP")


class Isolation:
    """The hooks that isolate cases; registered by the plugin when opsuite is in use."""

    def __init__(self, config):
        self.config = config
        self.is_worker = hasattr(config, "workerinput")
        self.baseline: torch_state.Baseline | None = None
        self.last_backend: str | None = None
        self.started: dict[str, float] = {}     # nodeid -> when it started (controller)
        self.down: dict[str, object] = {}       # worker id -> why it went down
        self.collected: set[str] = set()        # workers that finished collecting
        self.startup_crashes = 0
        self.signal: str | None = None          # SIGINT or SIGTERM, when the run got one
        self._handlers: dict[int, object] = {}
        # Each worker writes the call it is making on the backend to a file of its own, so
        # that the record of a case that kills its worker still says which call did it.
        if self.is_worker:
            threads = threads_per_worker(config)
            if threads is not None:  # before any case: torch_state's baseline has this count
                torch.set_num_threads(threads)
            folder = os.environ.get(CALLS_DIR)
            worker = os.environ.get("PYTEST_XDIST_WORKER")
            self.calls = Path(folder) / worker if folder and worker else None
        else:
            self.calls = Path(tempfile.mkdtemp(prefix="opsuite-calls-"))
            self._environ = os.environ.get(CALLS_DIR)
            os.environ[CALLS_DIR] = str(self.calls)  # inherited by the workers xdist starts

    def note_call(self, nodeid: str, call: str) -> None:
        if self.is_worker and self.calls is not None:
            try:
                self.calls.write_text(f"{nodeid}\n{call}")
            except OSError:
                pass  # only a diagnostic

    def last_call(self, worker: str, nodeid: str) -> str | None:
        try:
            noted, _, call = (self.calls / worker).read_text().partition("\n")
        except (OSError, TypeError):
            return None
        return call if noted == nodeid else None

    def close(self) -> None:
        if not self.is_worker and self.calls is not None:
            shutil.rmtree(self.calls, ignore_errors=True)
            if self._environ is None:
                os.environ.pop(CALLS_DIR, None)
            else:
                os.environ[CALLS_DIR] = self._environ

    # -- signals: an interrupted run still writes what it finished --------------------------

    def install_signal_handlers(self) -> None:
        if self.is_worker or threading.current_thread() is not threading.main_thread():
            return
        for signum, default in ((signal.SIGINT, signal.default_int_handler),
                                (signal.SIGTERM, signal.SIG_DFL)):
            if signal.getsignal(signum) is default:  # leave a user's own handler alone
                self._handlers[signum] = signal.signal(signum, self._interrupted)

    def _interrupted(self, signum, frame):
        self.signal = self.signal or signal.Signals(signum).name
        raise KeyboardInterrupt(self.signal)

    def restore_signal_handlers(self) -> None:
        for signum, handler in self._handlers.items():
            signal.signal(signum, handler)

    # -- time limits -----------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_timeout_set_timer(self, item, settings):
        if not is_spec_case(item):
            return None  # pytest-timeout's own timer for everything else
        seconds = float(settings.timeout)

        def expired(signum, frame):
            raise CaseTimeout(seconds)

        soft = threading.current_thread() is threading.main_thread()
        if soft:
            signal.signal(signal.SIGALRM, expired)
            signal.setitimer(signal.ITIMER_REAL, seconds)
        # A C watchdog thread, so it fires even while native code holds the GIL; its traceback
        # goes to the process's own stderr (pytest may have replaced sys.stderr).
        try:
            faulthandler.dump_traceback_later(seconds + min(HARD_GRACE, seconds), exit=True,
                                              file=sys.__stderr__)
            hard = True
        except (AttributeError, ValueError, OSError):  # no stderr with a file descriptor
            hard = False

        def cancel():
            if hard:
                faulthandler.cancel_dump_traceback_later()
            if soft:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, signal.SIG_DFL)

        item._opsuite_cancel_timer = cancel
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_timeout_cancel_timer(self, item):
        cancel = getattr(item, "_opsuite_cancel_timer", None)
        if cancel is None:
            return None
        cancel()
        return True

    # -- process-wide state ----------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        if not is_spec_case(item):
            return
        if self.baseline is None:
            self.baseline = torch_state.Baseline()
        name = item.callspec.params["backend"].backend.name
        if self.last_backend is not None and name != self.last_backend:
            torch_state.reset_compiled()  # one backend's compiled code is not another's
        self.last_backend = name

    def state_left_behind(self, item) -> list[str]:
        """After a case: what it changed of torch's state, now put back."""
        if self.baseline is None or not is_spec_case(item):
            return []
        return self.baseline.restore()

    # -- crashes (controller side, under xdist) --------------------------------------------

    def pytest_runtest_logstart(self, nodeid, location):
        self.started[nodeid] = time.monotonic()

    def pytest_xdist_node_collection_finished(self, node, ids):
        self.collected.add(node.gateway.id)

    def pytest_testnodedown(self, node, error):
        if error is None:
            return
        self.down[node.gateway.id] = error
        if node.gateway.id not in self.collected:
            self.startup_crashes += 1
            if self.startup_crashes >= STARTUP_CRASHES:
                dsession = self.config.pluginmanager.getplugin("dsession")
                if dsession is not None:
                    cause = exit_cause(_returncode(node))
                    dsession.shouldstop = (f"{self.startup_crashes} workers died before running "
                                           f"a case (the last: {cause})")

    def pytest_handlecrashitem(self, crashitem, report, sched):
        """A worker died running ``crashitem``: say why, as the case's error."""
        node = getattr(report, "node", None)
        worker = getattr(getattr(node, "gateway", None), "id", None)
        error = self.down.get(worker)
        returncode = _returncode(node)
        cause = exit_cause(returncode)
        timeout = getattr(self.config.option, "timeout", None)
        elapsed = time.monotonic() - self.started.get(crashitem, time.monotonic())
        if self.signal or error == "keyboard-interrupt" or cause.split()[0] in INTERRUPTIONS:
            report.user_properties.append((f"{PROP}.interrupted", True))
            message = f"interrupted ({self.signal or cause})"
        elif returncode == 1 and timeout and elapsed >= float(timeout):
            # faulthandler's watchdog (pytest_timeout_set_timer) ends the process with status 1
            message = (f"timed out after {float(timeout):g} s: the case did not return to "
                       f"Python and its worker process was ended")
        else:
            message = f"crashed: {cause}"
        report.longrepr = message
        report.user_properties.append((f"{PROP}.error", message))
        call = self.last_call(worker, crashitem)
        if call is not None:
            report.user_properties.append((f"{PROP}.input", call))
