"""pytest-benchmark over the same cases as asv (suite/cases/): quick local figures.

    pytest benchmarks                          # every case on this machine
    pytest benchmarks -k "linear and cpu"      # a subset
    pytest benchmarks --benchmark-autosave     # keep the run, under results/pytest-benchmark
    pytest benchmarks --benchmark-disable      # each case once, no timing: the CI smoke test

Each case's row carries, in `extra_info`, its parameters, the thread count, the achieved
GB/s and GFLOP/s, the percentage of the machine's roofline (ceilings measured once per
session on each device used) and the case's other figures (accuracy, peak memory).
"""

import pytest
from .conftest import ROWS

from suite.cases import Skip, registry
from suite.roofline import Ceilings, rate
from suite.timing import clock, set_threads

THREADS = set_threads()
CASES = registry()

# The synced clock brackets each round; min_time makes a round a block of calls lasting
# at least 20 ms, so a device sync is never timed around a single short call (as in asv).
pytestmark = pytest.mark.benchmark(timer=clock, min_time=0.02, min_rounds=5, warmup=False)


GRID = [pytest.param(case, params, id=f"{case.name}[{case.id(params)}]")
        for case in CASES.values() for params in case.combinations()]
_TRACKED: dict[tuple, float] = {}  # a track's figure is shared by the cases it spans


def _track(track, params: dict) -> float:
    key = (track.name, *(params[k] for k in track.params))
    if key not in _TRACKED:
        _TRACKED[key] = track.measure(**{k: params[k] for k in track.params})
    return _TRACKED[key]


@pytest.fixture(scope="session")
def ceilings(request):
    """Ceilings per device, measured on first use (not at all when timing is disabled)."""
    measured = {}
    disabled = request.config.getoption("benchmark_disable")

    def of(device):
        if disabled:
            return None
        if device not in measured:
            measured[device] = Ceilings.measure(device)
        return measured[device]

    return of


@pytest.mark.parametrize(("case", "params"), GRID)
def test_case(benchmark, ceilings, case, params):
    try:
        work = case.workload(**params)  # built and warmed up outside the timed rounds
    except Skip as reason:
        pytest.skip(str(reason))
    benchmark.group = case.name
    benchmark.extra_info.update(params, threads=THREADS, bytes=work.bytes, flops=work.flops)
    for track in case.tracks:
        benchmark.extra_info[f"{track.name} ({track.unit})"] = _track(track, params)
    benchmark(work.fn)
    limits = ceilings(params["device"])
    if limits is not None and case.name not in ("copy_bandwidth", "matmul_throughput"):
        achieved = rate(work.bytes, work.flops, work.dtype, benchmark.stats.stats.median, limits)
        benchmark.extra_info.update(gbps=achieved.gbps, gflops=achieved.gflops,
                                    percent_of_roofline=achieved.percent, bound=achieved.bound)
        ROWS.append({"case": f"{case.name}[{case.id(params)}]",
                     "median (s)": benchmark.stats.stats.median, "GB/s": achieved.gbps,
                     "GFLOP/s": achieved.gflops, "% of roofline": achieved.percent,
                     "bound by": achieved.bound})
