"""Faulty backends end to end through `opsuite conformance`: a crash, a hang, a broken context
or wrap, a state leak each cost only the faulty backend's own records, and nothing finished is
lost when the run itself is interrupted or killed. The backends are in tests/faulty.py."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SPECS = '''
import torch
from suite.spec import spec
from suite.expect import assert_exact, assert_raises

@spec("torch.argmax", "If there are multiple maximal values then the indices of the first "
      "maximal value are returned.")
def test_argmax(run):
    assert_exact(run(torch.argmax, torch.tensor([1, 3, 3])), torch.tensor(1))

@spec("torch.sum", "Returns the sum of all elements in the :attr:`input` tensor.")
def test_sum(run):
    assert_exact(run(torch.sum, torch.tensor([1, 2])), torch.tensor(3))

@spec("torch.ones", "Returns a tensor filled with the scalar value `1`, with the shape defined "
      "by the variable argument :attr:`size`.")
def test_ones_and_its_gradient(run):
    assert_exact(run(torch.ones, 2), torch.tensor([1.0, 1.0], dtype=torch.float32))
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    _, (grad,) = run.grad(lambda x: x * 2, x)
    assert_exact(grad, torch.tensor([2.0, 2.0]))

@spec("torch.mean", "Input must be floating point or complex.", needs_values=False)
def test_mean_of_integers_raises(run):
    assert_raises(RuntimeError, lambda: run(torch.mean, torch.tensor([1, 2])), "mean of int64",
                  control=lambda: run(torch.mean, torch.tensor([1.0, 2.0])))
'''


@pytest.fixture
def specs(tmp_path):
    (tmp_path / "test_specs.py").write_text(SPECS)
    return tmp_path


def opsuite(cwd, *args, timeout=300, env=None):
    """`python -m suite ...` as a user runs it, with tests.faulty importable (in ``env``, or
    this process's environment)."""
    env = os.environ if env is None else env
    env = env | {"PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "suite", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=timeout)


def outcomes(path):
    data = json.loads(Path(path).read_text())
    return data, {(r["spec"].split("::")[-1], r["backend"]): (r["outcome"], r["message"])
                  for r in data["records"]}


def backends(*names):
    return [arg for name in names for arg in ("--backend", name)]


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["default", "n2"])
def test_a_case_that_kills_its_process_is_an_error_with_the_cause_and_the_run_goes_on(specs, workers):
    out = specs / "run.json"
    result = opsuite(specs, "conformance", "--output", str(out),
                     *backends("tests.faulty:SEGFAULT", "tests.faulty:ABORT", "tests.faulty:EXIT",
                               "tests.faulty:SYS_EXIT", "cpu"),
                     "--", "test_specs.py", *workers)
    assert result.returncode == 1, result.stdout + result.stderr
    data, got = outcomes(out)
    assert data["complete"] is True
    causes = {"segfault": "crashed: SIGSEGV (Segmentation fault)",
              "abort": "crashed: SIGABRT (Aborted)",
              "os-exit": "crashed: exited with status 3",
              "sys-exit": "the backend failed: the backend called sys.exit(4)"}
    for backend, cause in causes.items():
        assert got["test_argmax", backend] == ("error", cause)
        for spec in ("test_sum", "test_ones_and_its_gradient", "test_mean_of_integers_raises"):
            assert got[spec, backend] == ("passed", None), (spec, backend)
    assert all(got[spec, "cpu"][0] == "passed" for spec, _ in got)
    # The record of a crash says which call did it; the matrix and the counts show it.
    crashed = next(r for r in data["records"] if r["backend"] == "segfault" and r["outcome"] == "error")
    assert crashed["input"] == "torch.argmax(torch.tensor([1, 3, 3], dtype=torch.int64))"
    assert "ERROR test_specs.py::test_argmax on segfault" in result.stdout
    assert "crashed: SIGSEGV" in result.stdout
    counts = result.stdout.split("Counts per backend:")[1]
    assert any(line.split()[:4] == ["segfault", "3", "0", "1"] for line in counts.splitlines())


def test_a_hang_is_bounded_and_the_run_goes_on(specs):
    out = specs / "run.json"
    result = opsuite(specs, "conformance", "--output", str(out),
                     *backends("tests.faulty:HANG", "tests.faulty:SLOW", "cpu"),
                     "--", "test_specs.py", "--timeout", "2")
    assert result.returncode == 1, result.stdout + result.stderr
    _, got = outcomes(out)
    # Python code that sleeps is interrupted at the limit; native code that never returns to
    # Python is ended with its worker process.
    assert got["test_argmax", "slow"] == ("error", "timed out after 2 s")
    outcome, message = got["test_argmax", "hang"]
    assert outcome == "error" and message.startswith("timed out after 2 s: the case did not return")
    for backend in ("hang", "slow", "cpu"):
        assert got["test_sum", backend] == ("passed", None)


def test_the_backends_machinery_failing_is_an_error_never_passed_or_a_known_divergence(specs):
    known = specs / "known.toml"
    known.write_text('[[divergence]]\nspec = "test_specs.py::test_sum"\nbackend = "*"\n'
                     'reason = "a divergence listed for every backend"\nlink = "https://example.org/1"\n'
                     '[[divergence]]\nspec = "test_specs.py::test_sum"\nbackend = "cpu"\n'
                     'reason = "never mind"\nlink = "https://example.org/2"\ntorch = "<1"\n')
    out = specs / "run.json"
    result = opsuite(specs, "conformance", "--output", str(out), "--known-divergences", str(known),
                     *backends("tests.faulty:BAD_CONTEXT", "tests.faulty:BAD_WRAP",
                               "tests.faulty:RUNS_NOTHING"),
                     "--", "test_specs.py", "-n", "0")
    assert result.returncode == 1, result.stdout + result.stderr
    _, got = outcomes(out)
    for spec in ("test_argmax", "test_sum", "test_ones_and_its_gradient",
                 "test_mean_of_integers_raises"):
        assert got[spec, "bad-context"] == ("error", "the backend failed: entering the backend's "
                                            "context raised RuntimeError: the device is not initialised")
        assert got[spec, "bad-wrap"] == ("error", "the backend failed: the backend's wrap raised "
                                         "RuntimeError: cannot compile")
        # It raises a RuntimeError, as torch.mean of integers should: still not a pass.
        assert got[spec, "runs-nothing"] == ("error", "the backend raised: RuntimeError: not implemented")


def test_a_backend_that_leaks_global_state_gets_the_error_and_no_other_record_changes(specs):
    out = specs / "run.json"
    # In one process, the leaky backend first: without the guard, cpu would then run in
    # float64 with gradients off.
    result = opsuite(specs, "conformance", "--output", str(out),
                     *backends("tests.faulty:LEAKY", "cpu"), "--", "test_specs.py", "-n", "0")
    assert result.returncode == 1, result.stdout + result.stderr
    data, got = outcomes(out)
    outcome, message = got["test_sum", "leaky"]
    assert outcome == "error"
    assert "left the default dtype at torch.float64 (was torch.float32)" in message
    assert "left grad mode at False (was True)" in message
    assert "replaced torch.sum" in message
    assert {got[spec, "cpu"] for spec in ("test_argmax", "test_sum", "test_ones_and_its_gradient",
                                          "test_mean_of_integers_raises")} == {("passed", None)}


@pytest.mark.parametrize("plug_in, says", [
    ("tests.faulty:NAMED_CPU", "backend 'tests.faulty:NAMED_CPU' is named 'cpu', as is backend 'cpu'"),
    ("tests.faulty_exits_on_import:B", "importing 'tests.faulty_exits_on_import' called sys.exit("),
])
def test_a_plug_in_that_cannot_be_used_is_one_line_and_exit_2(specs, plug_in, says):
    result = opsuite(specs, "conformance", "--output", str(specs / "r.json"),
                     *backends("cpu", plug_in), "--", "test_specs.py")
    assert result.returncode == 2
    assert result.stderr.startswith("opsuite: ") and says in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stdout + result.stderr
    assert not list(specs.glob("r.*"))


def test_paths_after_the_separator_are_all_that_runs(specs):
    out = specs / "run.json"
    result = opsuite(specs, "conformance", "--output", str(out), "--",
                     "test_specs.py::test_sum", "-k", "sum or argmax")
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(outcomes(out)[1]) == [("test_sum", "cpu")]


def _start(specs, out, spec, *args):
    """A run whose spec ``spec`` (in test_slow.py) blocks until killed; returns when it does.
    One worker, so that every case of test_specs.py has finished when test_slow.py starts."""
    (specs / "test_slow.py").write_text('''
import pathlib, time, torch
from suite.spec import spec

@spec("torch.argmax", "If there are multiple maximal values then the indices of the first "
      "maximal value are returned.")
def test_z_blocks(run):
    run(torch.argmax, torch.tensor([1, 2]))
    pathlib.Path("started").touch()
    time.sleep(600)
''')
    # temporary files in the test's own folder: a run killed with SIGKILL cannot remove its own
    tmp = specs / "tmp"
    tmp.mkdir(exist_ok=True)
    env = os.environ | {"PYTHONPATH": str(ROOT), "TMPDIR": str(tmp)}
    proc = subprocess.Popen([sys.executable, "-m", "suite", "conformance", "--output", str(out),
                             "--", "test_specs.py", "test_slow.py", "-n", "1", *args],
                            cwd=specs, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not (specs / "started").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
        time.sleep(0.1)
    return proc


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
                         ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_writes_what_it_finished_marked_incomplete(specs, signum, status):
    out = specs / "run.json"
    proc = _start(specs, out, "test_z_blocks")
    proc.send_signal(signum)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == status, output
    data, got = outcomes(out)
    name = signal.Signals(signum).name
    assert data["complete"] is False and data["incomplete"] == f"interrupted by {name}"
    assert set(got) == {(s, "cpu") for s in ("test_argmax", "test_sum",
                                             "test_ones_and_its_gradient",
                                             "test_mean_of_integers_raises")}
    assert f"results: {out} (incomplete: interrupted by {name})" in output
    assert not list(specs.glob("*.partial.jsonl"))


def test_after_sigkill_the_finished_records_are_on_disk_and_the_readers_say_incomplete(specs):
    folder = specs / "results" / "conformance" / "box"
    out = folder / "20261130T000000Z-abcdef12.json"
    proc = _start(specs, out, "test_z_blocks")
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, with no chance to clean up
    proc.communicate(timeout=60)
    journal = folder / "20261130T000000Z-abcdef12.partial.jsonl"
    assert not out.exists() and journal.exists()
    lines = journal.read_text().splitlines()
    assert len(lines) == 5  # the header and the four cases that finished
    assert json.loads(lines[0])["machine"]["name"] and json.loads(lines[1])["outcome"] == "passed"

    compared = opsuite(specs, "compare", str(journal))
    assert compared.returncode == 0, compared.stderr
    assert "no: the run was killed before it ended" in compared.stdout
    covered = opsuite(specs, "coverage", str(journal))
    assert covered.returncode == 0 and "**Incomplete run**" in covered.stdout
    reported = opsuite(specs, "report", "--results", str(specs / "results"))
    assert reported.returncode == 0, reported.stderr
    page = (specs / "results" / "README.md").read_text()
    assert "20261130T000000Z-abcdef12.partial.jsonl" in page and "no: the run was killed" in page


def test_state_a_plug_in_module_changes_on_import_is_put_back_and_said(specs):
    out = specs / "run.json"
    result = opsuite(specs, "conformance", "--output", str(out),
                     *backends("cpu", "tests.faulty_leaks_on_import:IMPORTED"), "--", "test_specs.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("opsuite: warning: importing 'tests.faulty_leaks_on_import' left the default dtype at "
            "torch.float64 (was torch.float32) (put back)") in result.stdout
    assert {outcome for outcome, _ in outcomes(out)[1].values()} == {"passed"}

