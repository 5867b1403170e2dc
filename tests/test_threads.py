"""Worker processes share the machine's cores: each runs torch with its share as intra-op
threads, the controller and the workers agree on how many, and the results say how many the
cases had (suite.isolation.threads_per_worker)."""

import json
import os
from types import SimpleNamespace

import pytest
import torch

from suite.isolation import available_cpus, threads_per_worker
from tests.test_faults import opsuite

CORES = min(available_cpus(), torch.get_num_threads())  # torch's own default, before any set

SPEC = '''
import torch
from suite.spec import spec
from suite.expect import assert_exact

@spec("torch.sum", "Returns the sum of all elements in the :attr:`input` tensor.")
def test_sum(run, observe):
    observe("threads", torch.get_num_threads())
    assert_exact(run(torch.sum, torch.tensor([1, 2])), torch.tensor(3))
'''


class Config(SimpleNamespace):
    """A pytest config as threads_per_worker reads it: after xdist's cmdline_main (-n as --tx
    specs), or a worker's (workerinput)."""

    def __init__(self, **kwargs):
        super().__init__(stash=pytest.Stash(), **kwargs)

    def getvalue(self, name):
        return getattr(self.option, name)


def controller(dist="load", tx=()):
    return Config(option=SimpleNamespace(dist=dist, tx=list(tx)))


def worker(count):
    return Config(option=SimpleNamespace(dist="load", tx=[]), workerinput={"workercount": count})


@pytest.fixture
def no_thread_settings(monkeypatch):
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("tx, workers", [(["popen"] * 2, 2), (["popen"], 1), (["3*popen"], 3),
                                         (["2*popen", "popen"], 3)])
def test_the_controller_and_its_workers_agree(no_thread_settings, tx, workers):
    # -n 4 --maxprocesses 2 reaches here as two popen specs; --tx 3*popen as one spec of three
    expected = max(1, CORES // workers)
    assert threads_per_worker(controller(tx=tx)) == threads_per_worker(worker(workers)) == expected


def test_cases_in_the_pytest_process_keep_torchs_count(no_thread_settings):
    assert threads_per_worker(controller(dist="no")) is None          # -n 0, --pdb
    assert threads_per_worker(Config(option=SimpleNamespace())) is None  # -p no:xdist


def test_a_count_the_user_chose_is_left_to_torch(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert threads_per_worker(controller(tx=["popen"] * 2)) is None
    assert threads_per_worker(worker(2)) is None


def test_the_count_is_worked_out_once_per_run(no_thread_settings, monkeypatch):
    config = worker(1)
    first = threads_per_worker(config)  # every core
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)  # as after the worker set its count
    assert threads_per_worker(config) == first


def run_threads(tmp_path, *pytest_args, env):
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


def test_two_workers_run_torch_with_half_the_cores_each(tmp_path):
    seen, recorded = run_threads(tmp_path, "-n", "2", env=without_thread_settings())
    assert seen == max(1, CORES // 2)
    assert recorded == seen  # the header names the cases' count, not the controller's


def test_a_thread_count_the_user_chose_is_kept(tmp_path):
    # one worker would have every core: the user's one thread is what it gets
    seen, recorded = run_threads(tmp_path, "-n", "1", env=without_thread_settings() | {"OMP_NUM_THREADS": "1"})
    assert seen == recorded == 1
