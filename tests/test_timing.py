"""The timing harness must not under-measure, least of all on an asynchronous device."""

import queue
import threading
import time

import pytest
import torch

from suite import timing
from suite.asv_suite import timing_benchmark
from suite.cases import Case, Workload

WORK = 0.004  # seconds of "device" work per call


class FakeAsyncDevice:
    """Calls return at once; the work runs later on a worker thread, as on a GPU stream."""

    def __init__(self):
        self.jobs = queue.Queue()
        threading.Thread(target=self._worker, daemon=True).start()

    def _worker(self):
        while True:
            seconds = self.jobs.get()
            time.sleep(seconds)
            self.jobs.task_done()

    def launch(self):
        self.jobs.put(WORK)


@pytest.fixture
def device(monkeypatch):
    fake = FakeAsyncDevice()
    monkeypatch.setattr(timing, "SYNCHRONIZERS", [fake.jobs.join])
    yield fake
    fake.jobs.join()


def test_a_known_duration_is_not_under_measured():
    measured = timing.measure(lambda: time.sleep(WORK), repeat=3)
    assert measured.median >= WORK


def test_the_sync_is_inside_the_timed_region(device):
    measured = timing.measure(device.launch, repeat=3)
    assert measured.median >= WORK, "the clock stopped before the queued work ran"


def test_a_plain_clock_would_under_measure(device):
    """The control: without the sync, the same workload looks almost free."""
    start = time.perf_counter()
    for _ in range(10):
        device.launch()
    assert (time.perf_counter() - start) / 10 < WORK / 2
    device.jobs.join()


def test_blocks_hold_many_calls_not_one():
    measured = timing.measure(lambda: None, repeat=2, min_block=0.005)
    assert measured.number > 100  # a sync per call would dominate microsecond calls


def test_asv_benchmarks_time_with_the_synced_clock_and_no_setup():
    case = Case("probe", {"device": ("cpu",)}, lambda device: Workload(lambda: None),
                version="1")
    cls = timing_benchmark(case)
    assert cls.timer is timing.clock
    # asv_runner re-runs `setup` before every timed call, one call per sample (asv#966).
    assert not hasattr(cls, "setup")
    assert cls.version == "1" and cls.param_names == ["device"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_kernel_of_known_duration():
    cycles = 10_000_000
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    torch.cuda._sleep(cycles)
    end.record()
    torch.cuda.synchronize()
    expected = start.elapsed_time(end) / 1e3
    measured = timing.measure(lambda: torch.cuda._sleep(cycles), repeat=3)
    assert measured.median >= 0.95 * expected


def test_threads_come_from_the_environment(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv(timing.THREADS_ENV, "1")
        assert timing.set_threads() == 1
        monkeypatch.setenv(timing.THREADS_ENV, "many")
        with pytest.raises(ValueError, match="whole number"):
            timing.set_threads()
    finally:
        torch.set_num_threads(before)
