"""`opsuite speed`: asv times become rates and roofline fractions from the same run."""

import json
import subprocess
import sys

import pytest

from suite import speed
from suite.cases import linear
from suite.cases.ceilings import COPY_BYTES, MATMUL_N

COLUMNS = ["result", "params", "version"]
NAN = float("nan")


def asv_file(tmp_path, linear_seconds):
    results = {
        "bench_ceilings.CopyBandwidth.time_copy_bandwidth": [[0.1, NAN], [["'cpu'", "'cuda'"]], "1"],
        "bench_ceilings.MatmulThroughput.time_matmul_throughput": [
            [1.0, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
            [["'cpu'", "'cuda'"], ["'float32'", "'float64'", "'bfloat16'", "'float16'"]], "1"],
        "bench_linear.Linear.time_linear": [
            linear_seconds, [["'cpu'"], ["8"], ["'fused'", "'separate'"], ["'forward'"]], "1"],
    }
    path = tmp_path / "abc12345-existing.json"
    path.write_text(json.dumps({"result_columns": COLUMNS, "results": results, "date": 1}))
    return path


def test_times_become_rates_against_the_same_runs_ceilings(tmp_path):
    table = speed.table(asv_file(tmp_path, [0.001, None]))
    assert list(table["params"]) == ["cpu-8-fused-forward"]  # the missing time is left out
    row = table.iloc[0]
    nbytes, flops, _ = linear.work("cpu", 8, "fused", "forward")
    assert row["GB/s"] == pytest.approx(nbytes / 0.001 / 1e9)
    assert row["GFLOP/s"] == pytest.approx(flops / 0.001 / 1e9)
    bandwidth, peak = 2 * COPY_BYTES["cpu"] / 0.1, 2 * MATMUL_N["cpu"] ** 3 / 1.0
    floor = max(nbytes / bandwidth, flops / peak)
    assert row["% of roofline"] == pytest.approx(100 * floor / 0.001)


def test_a_file_that_is_not_asv_results_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    done = subprocess.run([sys.executable, "-m", "suite", "speed", str(bad)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == f"opsuite: {bad} is not an asv results file (JSONDecodeError)"
