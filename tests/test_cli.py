"""The opsuite command as a user runs it: real processes, real exit statuses."""

import subprocess
import sys

import pytest


def opsuite(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "suite", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_help_explains_the_commands():
    out = opsuite("--help")
    assert out.returncode == 0
    assert "conformance" in out.stdout and "backends" in out.stdout and "exit status" in out.stdout
    sub = opsuite("conformance", "--help")
    assert sub.returncode == 0 and "--backend" in sub.stdout and "MODULE:OBJECT" in sub.stdout


def test_version_and_help_answer_without_importing_torch():
    from importlib import metadata

    out = opsuite("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"opsuite {metadata.version('opsuite')}"
    probe = ("import sys\nfrom suite import cli\n"
             "for args in (['--help'], ['--version'], ['conformance', '--help'], ['sweep', '--help']):\n"
             "    try:\n        cli.main(args)\n    except SystemExit:\n        pass\n"
             "print('torch' in sys.modules, file=sys.stderr)")
    checked = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert checked.stderr.strip().splitlines()[-1] == "False", checked.stderr


def test_backends_lists_builtins_with_availability():
    out = opsuite("backends")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert any(line.startswith("cpu ") and "available" in line for line in lines)
    assert any(line.startswith("meta ") for line in lines)


@pytest.mark.parametrize("args, message", [
    (["conformance", "--backend", "tpu9"], "unknown backend 'tpu9'"),
    (["conformance", "--backend", "nowhere.at.all:X"], "cannot import 'nowhere.at.all'"),
    (["conformance", "--junitxml", "/"], "cannot write JUnit XML to /: it is a directory"),
    (["conformance", "--junitxml", "/proc/junit.xml"], "cannot write JUnit XML to /proc/junit.xml: "),
])
def test_bad_input_is_one_line_exit_2_and_no_file(tmp_path, args, message):
    out = opsuite(*args, "--output", str(tmp_path / "r.json"))
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and message in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert not list(tmp_path.iterdir())


def test_existing_output_is_refused_and_kept(tmp_path):
    earlier = tmp_path / "r.json"
    earlier.write_text("earlier run")
    out = opsuite("conformance", "--output", str(earlier))
    assert out.returncode == 2 and "already exists" in out.stderr
    assert earlier.read_text() == "earlier run"


def test_unknown_command_is_a_usage_error():
    out = opsuite("conform")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_conformance_passes_pytest_arguments_and_writes_results(tmp_path):
    path = tmp_path / "argmax.json"
    out = opsuite("conformance", "--backend", "cpu", "--output", str(path),
                  "--", "-k", "argmax and ties_along_dim", "-q")
    assert out.returncode == 0, out.stdout[-2000:]
    assert path.exists() and "results: " in out.stdout
