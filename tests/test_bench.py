"""`opsuite bench`: filters are checked before asv runs; the asv selection is exact."""

import re
import subprocess
import sys

import pytest
import torch

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
