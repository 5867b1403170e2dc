"""Progress lines of a conformance run: where it is per backend, and the cold-compile warning."""

from types import SimpleNamespace

from suite.backends import select
from suite.progress import Progress


class _Terminal:
    def __init__(self):
        self.lines = []

    def write_line(self, text):
        self.lines.append(text)


def _progress(terminal, workers=2):
    config = SimpleNamespace(pluginmanager=SimpleNamespace(get_plugin=lambda name: terminal),
                             option=SimpleNamespace(numprocesses=workers))
    recorder = SimpleNamespace(records={})
    return Progress(config, select(["cpu", "compile-cpu"]), recorder)


IDS = [f"conformance/t.py::test_{n}[{b}]" for n in range(10) for b in ("cpu", "compile-cpu")]


def test_an_empty_inductor_cache_is_announced_with_an_estimate(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "empty"))
    terminal = _Terminal()
    _progress(terminal).pytest_xdist_node_collection_finished(None, IDS)
    assert terminal.lines == [f"opsuite: compile-cpu: inductor's cache ({tmp_path / 'empty'}) is empty, "
                              "so this first run compiles every spec: about 8 s for 10 cases here "
                              "(later runs reuse the cache and take a tenth of it)"]


def test_a_warm_cache_says_nothing_and_a_finished_backend_is_reported(tmp_path, monkeypatch):
    (tmp_path / "warm").mkdir()
    (tmp_path / "warm" / "kernel").write_text("x")
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "warm"))
    terminal = _Terminal()
    progress = _progress(terminal)
    progress.pytest_xdist_node_collection_finished(None, IDS)
    assert terminal.lines == []
    for nodeid in IDS[::2]:  # every cpu case
        progress.recorder.records[nodeid] = {"backend": "cpu", "outcome": "passed", "duration_s": 0.1}
        progress.pytest_runtest_logreport(SimpleNamespace(when="teardown", nodeid=nodeid))
    assert any(line.startswith("opsuite: cpu done, 10 cases in ") and "10 passed" in line
               for line in terminal.lines), terminal.lines
