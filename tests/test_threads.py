"""Worker processes share the machine's CPUs: each runs torch with its share as intra-op
threads, and the results say how many the cases had (suite.isolation.threads_per_worker)."""

import json
import os

import pytest

from suite.isolation import available_cpus
from tests.test_faults import opsuite

SPEC = '''
import torch
from suite.spec import spec
from suite.expect import assert_exact

@spec("torch.sum", "Returns the sum of all elements in the :attr:`input` tensor.")
def test_sum(run, observe):
    observe("threads", torch.get_num_threads())
    assert_exact(run(torch.sum, torch.tensor([1, 2])), torch.tensor(3))
'''


def run_threads(tmp_path, *pytest_args, env=None):
    (tmp_path / "test_spec.py").write_text(SPEC)
    out = tmp_path / "run.json"
    result = opsuite(tmp_path, "conformance", "--output", str(out), "--", "test_spec.py", *pytest_args,
                     env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(out.read_text())
    (record,) = data["records"]
    return record["observations"]["threads"], data["torch"]["threads"]


def without_thread_settings():
    return {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_each_worker_runs_torch_with_its_share_of_the_cpus(tmp_path, workers):
    seen, recorded = run_threads(tmp_path, "-n", str(workers), env=without_thread_settings())
    assert seen == max(1, available_cpus() // workers)
    assert recorded == seen  # the header names the cases' count, not the controller's


def test_a_thread_count_the_user_chose_is_kept(tmp_path):
    # one worker would have every CPU: the user's one thread is what it gets
    seen, recorded = run_threads(tmp_path, "-n", "1", env=without_thread_settings() | {"OMP_NUM_THREADS": "1"})
    assert seen == recorded == 1
