"""`opsuite bench`: filters are checked before asv runs; the asv selection is exact."""

import json
import re
import subprocess
import sys

import pytest
import torch

from suite import bench, compare
from suite.bench import selection


def opsuite(*args):
    return subprocess.run([sys.executable, "-m", "suite", *args], capture_output=True, text=True)


@pytest.mark.parametrize(("args", "line"), [
    (["bench", "cdsit"], "opsuite: unknown benchmark 'cdsit'; benchmarks are: "),
    (["bench", "cdist", "--device", "tpu"], "opsuite: unknown device 'tpu'; devices are: cpu, cuda"),
])
def test_an_unknown_filter_is_one_line_and_exit_2(args, line):
    done = opsuite(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith(line)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks an absent device")
def test_an_absent_device_is_one_line_and_exit_2():
    done = opsuite("bench", "--device", "cuda")
    assert done.returncode == 2
    assert done.stderr.strip() == "opsuite: cannot benchmark cuda: no CUDA device on this machine"


def test_selection_picks_the_case_its_tracks_and_the_device_only():
    pattern = re.compile(selection(["cdist"], "cpu"))
    assert pattern.search("bench_cdist.Cdist.time_cdist('cpu', '512x512x2', 'float32')")
    assert pattern.search("bench_cdist.CdistMaxError.track_cdist_max_error('cpu', '20x20x2')")
    assert not pattern.search("bench_cdist.Cdist.time_cdist('cuda', '512x512x2', 'float32')")
    assert not pattern.search("bench_linear.Linear.time_linear('cpu', 8, 'fused', 'forward')")


def test_results_of_an_existing_environment_get_the_torch_release_that_made_them(tmp_path):
    existing = tmp_path / "abcdef12-existing-py_venv_bin_python.json"
    managed = tmp_path / "abcdef12-virtualenv-py3.11-torch2.6.0.json"
    other_commit = tmp_path / "99999999-existing-py_venv_bin_python.json"
    for path in (existing, managed, other_commit):
        path.write_text(json.dumps({"params": {"machine": "m"}, "results": {}}))
    assert bench.record_torch_version(tmp_path, "abcdef1234567890") == [existing]
    release = bench.torch_release()
    assert "+" not in release and torch.__version__.startswith(release)
    assert compare.torch_version(json.loads(existing.read_text())) == release
    for untouched in (managed, other_commit):
        assert "torch" not in json.loads(untouched.read_text())["params"]
    assert bench.record_torch_version(tmp_path, "abcdef1234567890") == []  # once is enough
