"""The pytest plugin end to end, on small spec files made for each test."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

SPECS = '''
import torch
from suite.spec import spec
from suite.expect import assert_exact

TIES = "If there are multiple maximal values then the indices of the first maximal value are returned."
KEEPDIM = ("keepdim (bool, optional): whether the output tensor has :attr:`dim` retained or not. "
           "Default: ``False``.")

@spec("torch.argmax", TIES)
def test_ties(run, observe):
    observe("rows", 1)
    assert_exact(run(torch.argmax, torch.tensor([1, 3, 3])), torch.tensor(1))

@spec("torch.argmax", KEEPDIM, needs_values=False)
def test_keepdim(run):
    out = run(torch.argmax, torch.zeros(2, 3), dim=1, keepdim=True)
    assert_exact(out, torch.zeros(2, 1, dtype=torch.int64))
'''

BENDS = '''
import torch
from torch.overrides import TorchFunctionMode
from suite.backends import Backend

class LastOnTies(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.argmax and kwargs.get("dim") is None:
            x = args[0].flatten()
            return x.numel() - 1 - x.flip(0).argmax()
        return func(*args, **kwargs)

class Crash(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func is torch.argmax:
            raise NotImplementedError("argmax is not implemented on this device")
        return func(*args, **(kwargs or {}))

BENT = Backend("bent", "cpu", context=LastOnTies)
CRASH = Backend("crash", "cpu", context=Crash)
NOT_A_BACKEND = "cpu"
'''


@pytest.fixture
def suite_dir(pytester):
    # A spec repository of a user's own, opted in as the README says.
    pytester.makeconftest('pytest_plugins = ["suite.plugin"]')
    pytester.makepyfile(test_specs=SPECS, bends=BENDS)
    pytester.syspathinsert()
    return pytester


def records(path):
    data = json.loads(path.read_text())
    return data, {(r["spec"].split("::")[-1], r["backend"]): r for r in data["records"]}


def test_one_record_per_spec_and_backend_with_claim_input_and_observations(suite_dir):
    out = suite_dir.path / "results" / "run.json"
    result = suite_dir.runpytest("--backend", "cpu", "--backend", "meta", "--output", str(out))
    assert result.ret == 0
    data, recs = records(out)
    assert set(recs) == {("test_ties", "cpu"), ("test_ties", "meta"),
                         ("test_keepdim", "cpu"), ("test_keepdim", "meta")}
    ties = recs["test_ties", "cpu"]
    assert ties["outcome"] == "passed" and ties["op"] == "torch.argmax"
    assert ties["claim"].startswith("If there are multiple maximal values")
    assert ties["url"] == "https://docs.pytorch.org/docs/stable/generated/torch.argmax.html"
    assert ties["observations"] == {"rows": 1}
    assert ties["input"] == "torch.argmax(torch.tensor([1, 3, 3], dtype=torch.int64))"
    assert ties["spec"] == "test_specs.py::test_ties"
    skipped = recs["test_ties", "meta"]
    assert skipped["outcome"] == "skipped" and "meta tensors carry no values" in skipped["message"]
    assert recs["test_keepdim", "meta"]["outcome"] == "passed"
    for key in ("machine", "torch", "commit", "backends", "records", "created"):
        assert key in data
    assert data["machine"]["cpu"] and data["machine"]["name"]
    assert {"deterministic", "tf32_matmul"} <= set(data["torch"]["flags"])
    assert data["torch"]["threads"] >= 1
    result.stdout.fnmatch_lines(["*opsuite conformance*", "*Counts per backend*", f"results: {out}"])


def test_a_bent_backend_fails_with_the_claim_the_input_and_a_repro(suite_dir):
    out = suite_dir.path / "bent.json"
    result = suite_dir.runpytest("--backend", "bends:BENT", "--backend", "cpu", "--output", str(out))
    assert result.ret == 1
    _, recs = records(out)
    assert recs["test_ties", "bent"]["outcome"] == "failed"
    assert recs["test_ties", "cpu"]["outcome"] == "passed"
    result.stdout.fnmatch_lines([
        "*FAILED test_specs.py::test_ties on bent",
        "*claim (torch.argmax): If there are multiple maximal values*",
        "*got tensor(2*documented tensor(1*",
        "*input: torch.argmax(torch.tensor([[]1, 3, 3[]]*",
        f"*repro: PYTHONPATH={suite_dir.path}* {sys.executable} -m pytest -p suite.plugin "
        f"--rootdir={suite_dir.path} '{suite_dir.path}/test_specs.py::test_ties[[]bent[]]' "
        "--backend bends:BENT",
    ])


def test_a_repro_line_runs_as_printed_from_any_folder_and_fails_the_same_way(suite_dir, tmp_path):
    out = suite_dir.path / "bent.json"
    suite_dir.runpytest("--backend", "bends:BENT", "--output", str(out))
    repro = records(out)[1]["test_ties", "bent"]["repro"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    again = subprocess.run(repro, shell=True, cwd=elsewhere, env=env, text=True,
                           capture_output=True, timeout=300)
    assert again.returncode == 1, again.stdout + again.stderr
    assert "FAILED test_specs.py::test_ties on bent" in again.stdout
    assert "got tensor(2, shape=(), dtype=torch.int64), documented tensor(1" in again.stdout
    assert again.stdout.rstrip().splitlines()[-1].startswith("===") and " 1 failed in " in again.stdout


def test_a_backend_that_crashes_is_an_error_for_it_and_the_others_go_on(suite_dir):
    out = suite_dir.path / "crash.json"
    result = suite_dir.runpytest("--backend", "bends:CRASH", "--backend", "cpu", "--output", str(out))
    assert result.ret == 1
    _, recs = records(out)
    crash = recs["test_ties", "crash"]
    assert crash["outcome"] == "error" and "not implemented on this device" in crash["message"]
    assert recs["test_ties", "cpu"]["outcome"] == "passed"
    assert recs["test_keepdim", "cpu"]["outcome"] == "passed"


def test_known_divergences_expect_failure_strictly_and_report_stale_entries(suite_dir):
    known = suite_dir.path / "known.toml"
    known.write_text('''
[[divergence]]
spec = "test_specs.py::test_ties"
backend = "bent"
reason = "returns the last index"
link = "https://example.org/issue/1"

[[divergence]]
spec = "test_ties"
backend = "cpu"
torch = ">=2.0"
reason = "was broken once"
link = "https://example.org/issue/2"

[[divergence]]
spec = "test_specs.py::test_renamed_long_ago"
backend = "*"
reason = "names nothing"
link = "https://example.org/issue/3"

[[divergence]]
spec = "test_keepdim"
backend = "cpu"
torch = "<1.0"
reason = "outside the torch range, so not applied"
link = "https://example.org/issue/4"
''')
    out = suite_dir.path / "known.json"
    result = suite_dir.runpytest("--backend", "bends:BENT", "--backend", "cpu",
                                 "--known-divergences", str(known), "--output", str(out))
    data, recs = records(out)
    assert recs["test_ties", "bent"]["outcome"] == "xfailed"
    assert "returns the last index" in recs["test_ties", "bent"]["message"]
    assert recs["test_ties", "cpu"]["outcome"] == "failed"
    assert "known divergence no longer fails" in recs["test_ties", "cpu"]["message"]
    assert recs["test_keepdim", "cpu"]["outcome"] == "passed"
    assert data["known_divergences"]["unmatched"] == ["test_specs.py::test_renamed_long_ago on *"]
    result.stdout.fnmatch_lines(["*UNMATCHED known divergence*test_renamed_long_ago*"])
    assert result.ret == 1
    # A selection (-k) leaves entries unmatched by design: one line of count, no warnings.
    selection = suite_dir.runpytest("--backend", "cpu", "-k", "test_keepdim",
                                    "--known-divergences", str(known))
    assert "UNMATCHED" not in selection.stdout.str()
    selection.stdout.fnmatch_lines(["3 known divergences name specs outside this selection*"])


@pytest.mark.parametrize("args, message", [
    (["--backend", "nope"], "unknown backend 'nope'"),
    (["--backend", "no_such_module:B"], "cannot import 'no_such_module'"),
    (["--backend", "bends:NOT_A_BACKEND"], "is a str, not a suite.backends.Backend"),
    (["--output", "existing.json"], "already exists"),
    (["--output", "blocker/r.json"], "cannot write results"),
    (["--output", "dangling.json"], "dangling.json is a symbolic link to nowhere.json, which does not exist"),
    (["--output", "running.json"], "running.partial.jsonl exists: another run is writing"),
    (["--output", "r.json", "--junitxml", "blocker/junit.xml"], "cannot write JUnit XML to blocker/junit.xml"),
    (["--known-divergences", "broken.toml"], "is not valid TOML"),
    (["--known-divergences", "missing.toml"], "does not exist"),
])
def test_bad_input_is_one_line_and_exit_2(suite_dir, args, message):
    (suite_dir.path / "existing.json").write_text("earlier run")
    (suite_dir.path / "blocker").write_text("")
    (suite_dir.path / "dangling.json").symlink_to("nowhere.json")
    (suite_dir.path / "running.partial.jsonl").write_text("")
    (suite_dir.path / "adir").mkdir()
    (suite_dir.path / "broken.toml").write_text("[[divergence]\n")
    result = suite_dir.runpytest_subprocess(*args)  # as a user runs it: a real exit status
    assert result.ret == 2
    errors = [line for line in result.errlines if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("opsuite: ") and message in errors[0]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert (suite_dir.path / "existing.json").read_text() == "earlier run"
    assert not (suite_dir.path / "r.json").exists() and not (suite_dir.path / "r.partial.jsonl").exists()


def test_no_spec_ran_is_a_non_zero_exit(suite_dir):
    result = suite_dir.runpytest("--backend", "meta", "-k", "test_ties")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_unavailable_backends_are_listed_with_the_reason_not_turned_into_skips(suite_dir):
    out = suite_dir.path / "gone.json"
    result = suite_dir.runpytest("--backend", "cpu", "--backend", "cuda:7", "--output", str(out),
                                 "--matrix", "all")
    data, recs = records(out)
    # No case, no record, no column for cuda:7: it is listed with its reason beneath the matrix.
    result.assert_outcomes(passed=2)
    assert set(recs) == {("test_ties", "cpu"), ("test_keepdim", "cpu")}
    text = result.stdout.str()
    matrix, counts = text.split("opsuite conformance", 1)[1].split("Counts per backend", 1)
    assert "cpu" in matrix and "cuda:7" not in matrix
    assert "cuda:7" not in counts.split("Unavailable backends")[0]
    assert "cuda:7: device cuda:7 is not present" in text
    assert {"name": "cuda:7", "available": False}.items() <= data["backends"][1].items()
    # Only an unavailable backend: nothing ran, and the summary says why.
    alone = suite_dir.runpytest("--backend", "cuda:7")
    assert alone.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    alone.stdout.fnmatch_lines(["No selected backend is available here, so no spec ran:",
                                "  cuda:7: device cuda:7 is not present"])


def test_the_matrix_shows_the_specs_that_broke_unless_asked_for_all(suite_dir):
    result = suite_dir.runpytest("--backend", "cpu", "--backend", "bends:BENT")
    text = result.stdout.str().split("opsuite conformance", 1)[1].split("Counts per backend")[0]
    assert "1 of 2 specs have a failure, an error or a known divergence" in text
    assert "test_ties" in text and "test_keepdim" not in text
    every = suite_dir.runpytest("--backend", "cpu", "--backend", "bends:BENT", "--matrix", "all")
    text = every.stdout.str().split("opsuite conformance", 1)[1].split("Counts per backend")[0]
    assert "test_ties" in text and "test_keepdim" in text and "specs have a failure" not in text


def test_ctrl_c_in_process_writes_the_finished_records_marked_incomplete(suite_dir):
    suite_dir.makepyfile(test_slow='''
import pathlib, time, torch
from suite.spec import spec

@spec("torch.argmax", "If there are multiple maximal values then the indices of the first maximal value are returned.")
def test_slow(run):
    run(torch.argmax, torch.tensor([1, 2]))
    pathlib.Path("started").touch()
    time.sleep(60)
''')
    out = suite_dir.path / "interrupted.json"
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "test_specs.py", "test_slow.py",
                             "-p", "no:cacheprovider", "-n", "0", "--output", str(out)],
                            cwd=suite_dir.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    deadline = time.monotonic() + 120
    while not (suite_dir.path / "started").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    data, recs = records(out)
    assert data["complete"] is False and data["incomplete"] == "interrupted by SIGINT"
    assert set(recs) == {("test_ties", "cpu"), ("test_keepdim", "cpu")}
    assert not list(suite_dir.path.glob("*.partial.jsonl")) and not list(suite_dir.path.glob(".*.tmp"))
    assert f"results: {out} (incomplete: interrupted by SIGINT)" in output


def test_documentation_drift_is_reported(suite_dir):
    suite_dir.makepyfile(test_drift='''
import torch
from suite.spec import spec

@spec("torch.argmax", "Returns the index of the second largest value.")
def test_drifted(run):
    run(torch.argmax, torch.tensor([1, 2]))
''')
    out = suite_dir.path / "drift.json"
    result = suite_dir.runpytest("test_drift.py", "--output", str(out))
    data = json.loads(out.read_text())
    assert data["doc_drift"] == ["test_drift.py::test_drifted: the torch.argmax docstring no "
                                 "longer says: 'Returns the index of the second largest value.'"]
    result.stdout.fnmatch_lines(["*DOC DRIFT test_drift.py::test_drifted*"])


def test_xdist_gives_the_same_records(suite_dir):
    known = suite_dir.path / "known.toml"
    known.write_text('[[divergence]]\nspec = "test_ties"\nbackend = "bent"\n'
                     'reason = "last index"\nlink = "https://example.org/1"\n')
    serial, parallel = suite_dir.path / "serial.json", suite_dir.path / "parallel.json"
    common = ["--backend", "cpu", "--backend", "bends:BENT", "--known-divergences", str(known)]
    suite_dir.runpytest(*common, "--output", str(serial))
    result = suite_dir.runpytest(*common, "--output", str(parallel), "-n", "2")
    assert result.ret == 0
    assert json.loads(parallel.read_text())["known_divergences"]["unmatched"] == []
    assert "UNMATCHED" not in result.stdout.str()

    def outcomes(path):
        return {k: (r["outcome"], r["observations"], r["input"]) for k, r in records(path)[1].items()}

    assert outcomes(serial) == outcomes(parallel)


def test_an_unrelated_project_in_the_same_environment_runs_as_if_opsuite_were_not_installed(pytester):
    # Its own --backend option, a parameter and a fixture named backend, and no torch.
    pytester.makeconftest('''
import pytest

def pytest_addoption(parser):
    parser.addoption("--backend", default="sqlite")

@pytest.fixture
def backend(request):
    return request.config.getoption("--backend")
''')
    pytester.makepyfile(test_theirs='''
import sys
import pytest

def test_the_fixture(backend):
    assert backend == "postgres"

@pytest.mark.parametrize("backend", ["a", "b"])
def test_a_parameter(backend):
    assert backend in "ab"

def test_nothing_imported_torch():
    assert "torch" not in sys.modules and "suite" not in sys.modules
''')
    # pytest-benchmark comes with the bench extra, not with opsuite itself (see the next test),
    # and adds a .benchmarks/ folder to every run where it is installed: left out here.
    result = pytester.runpytest_subprocess("--backend", "postgres", "-p", "no:cacheprovider",
                                           "-p", "no:benchmark")
    result.assert_outcomes(passed=4)
    plugins = next(line for line in result.outlines if line.startswith("plugins:"))
    assert "suite" not in plugins and "opsuite" not in plugins
    made = {p.name for p in pytester.path.iterdir()} - {"stdout", "stderr"}  # pytester's own
    assert sorted(n for n in made if not n.startswith("runpytest")) == ["conftest.py", "test_theirs.py"]


def test_opsuite_registers_no_pytest_plugin_and_brings_none_that_acts_by_itself():
    import importlib.metadata as metadata
    import tomllib
    from pathlib import Path

    assert not [e for e in metadata.entry_points(group="pytest11") if e.value.startswith("suite")]
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    assert "pytest11" not in project.get("entry-points", {})
    # pytest-xdist, pytest-timeout and hypothesis change nothing unless asked; pytest-benchmark
    # would (a header, a .benchmarks/ folder), so only the bench extra has it.
    assert not [d for d in project["dependencies"] if d.startswith("pytest-benchmark")]


def test_k_selects_specs_by_their_names_not_by_backend_names(suite_dir):
    suite_dir.makepyfile(sums='''
from suite.backends import Backend
BROKEN_SUM = Backend("broken-sum", "cpu")
''')
    result = suite_dir.runpytest("--backend", "cpu", "--backend", "sums:BROKEN_SUM", "-k", "sum",
                                 "-p", "no:randomly")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED  # no spec is about sum
    result = suite_dir.runpytest("--backend", "cpu", "--backend", "sums:BROKEN_SUM",
                                 "-k", "ties and not cpu", "--collect-only", "-q")
    assert [line for line in result.outlines if "::" in line] == [
        "test_specs.py::test_ties[cpu]", "test_specs.py::test_ties[broken-sum]"]


def test_a_spec_that_misuses_a_helper_is_an_error_of_the_spec_not_a_broken_claim(suite_dir):
    suite_dir.makepyfile(test_misuse='''
import torch
from suite.spec import spec
from suite.expect import assert_close

@spec("torch.argmax", "If there are multiple maximal values then the indices of the first maximal value are returned.")
def test_misused(run):
    assert_close(run(torch.argmax, torch.tensor([1, 3, 3])), torch.tensor(1), "argmax")
''')
    out = suite_dir.path / "misuse.json"
    result = suite_dir.runpytest("test_misuse.py", "--output", str(out), "-n", "0")
    assert result.ret == 1
    (record,) = json.loads(out.read_text())["records"]
    assert record["outcome"] == "error"
    assert record["message"].startswith("the spec is wrong: assert_close(actual, reference, dtype, what)")
