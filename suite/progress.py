"""Where a long run is: a line when a backend finishes, one a minute in between with the time
left at the pace so far, and, before compile backends start on an empty compile cache, what
that first run costs.

    opsuite: cpu done, 839 cases in 41 s (790 passed, 23 xfailed, 26 skipped)
    opsuite: 1,230 of 2,517 cases (cpu 839/839, meta 839/839, compile-cpu 52/839), about 14 min left
"""

from __future__ import annotations

import getpass
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

from suite.backends import _compile as builtin_compile

EVERY = 60.0  # seconds between progress lines
# A compile-cpu case with an empty inductor cache, measured on this project's 2-core machine:
# cpu + meta + compile-cpu over every spec took 22.6 min with -n 2 (839 compile-cpu cases).
COLD_COMPILE_S = 1.6


def inductor_cache() -> Path:
    """Where inductor keeps compiled kernels (its default, unless TORCHINDUCTOR_CACHE_DIR)."""
    folder = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    if folder:
        return Path(folder)
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    return Path(tempfile.gettempdir()) / f"torchinductor_{user}"


def cache_is_empty(folder: Path) -> bool:
    return not folder.is_dir() or not any(folder.iterdir())


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    def __init__(self, config, selected, recorder):
        self.config = config
        self.recorder = recorder
        self.order = [s.backend.name for s in selected if s.available]
        self.compiles = [s.backend.name for s in selected
                         if s.available and s.backend.wrap is builtin_compile]
        self.total: Counter = Counter()
        self.done: Counter = Counter()
        self.seconds: Counter = Counter()
        self.started = time.monotonic()
        self.first_started: dict[str, float] = {}
        self.last_line = time.monotonic()
        self.counted = False

    def _write(self, text: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"opsuite: {text}")

    def _backend(self, nodeid: str) -> str | None:
        ends = [b for b in self.order if nodeid.endswith(f"[{b}]") or nodeid.endswith(f"-{b}]")]
        return max(ends, key=len) if ends else None

    def _count(self, nodeids) -> None:
        if self.counted:
            return
        self.counted = True
        for nodeid in nodeids:
            backend = self._backend(nodeid)
            if backend:
                self.total[backend] += 1
        self._compile_note()

    def _compile_note(self) -> None:
        cold = [b for b in self.compiles if self.total[b]]
        cache = inductor_cache()
        if not cold or not cache_is_empty(cache):
            return
        workers = max(1, int(getattr(self.config.option, "numprocesses", None) or 1))
        cases = sum(self.total[b] for b in cold)
        self._write(f"{', '.join(cold)}: inductor's cache ({cache}) is empty, so this first run "
                    f"compiles every spec: about {_duration(cases * COLD_COMPILE_S / workers)} "
                    f"for {cases} cases here (later runs reuse the cache and take a tenth of it)")

    # in-process: the items (after -k); under xdist: the first worker's collection
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        self._count(item.nodeid for item in items)

    def pytest_xdist_node_collection_finished(self, node, ids):
        self._count(ids)

    def pytest_runtest_logreport(self, report):
        if report.when not in ("teardown", "???") or hasattr(self.config, "workerinput"):
            return
        backend = self._backend(report.nodeid)
        if backend is None:
            return
        self.done[backend] += 1
        record = self.recorder.records.get(report.nodeid) or {}
        self.seconds[backend] += record.get("duration_s") or 0.0
        now = time.monotonic()
        self.first_started.setdefault(backend, now)
        if self.done[backend] == self.total[backend]:
            outcomes = Counter(r["outcome"] for r in self.recorder.records.values()
                               if r.get("backend") == backend and r["outcome"])
            summary = ", ".join(f"{n} {o}" for o, n in outcomes.most_common())
            self._write(f"{backend} done, {self.total[backend]} cases in "
                        f"{_duration(now - self.first_started[backend])} ({summary})")
            self.last_line = now
        elif now - self.last_line >= EVERY:
            self.last_line = now
            self._write(self._status(now))

    def _status(self, now: float) -> str:
        done, total = sum(self.done.values()), sum(self.total.values())
        parts = ", ".join(f"{b} {self.done[b]}/{self.total[b]}" for b in self.order if self.total[b])
        left = ""
        if done:
            pace = (now - self.started) / done  # seconds per case, all workers together
            mean = {b: self.seconds[b] / self.done[b] for b in self.order if self.done[b]}
            overall = sum(self.seconds.values()) / done
            work_left = sum((self.total[b] - self.done[b]) * mean.get(b, overall)
                            for b in self.order)
            scale = pace / overall if overall else 1.0  # wall time per case-second
            left = f", about {_duration(work_left * scale)} left"
        return f"{done:,} of {total:,} cases ({parts}){left}"
