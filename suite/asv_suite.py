"""Turn suite.cases into asv benchmark classes (the modules in benchmarks/ are one line each).

asv_runner >= 0.3 re-runs a benchmark's `setup` before *every* timed call and then times
each call alone (asv#966). For a microsecond-scale GPU call that would put a device sync
around every single call. So these classes have no `setup`:
- the workload is built and warmed up on the first call of a parameter combination, during
  asv's calibration and warm-up, and reused from a per-process cache after that;
- combinations this machine cannot run (no such device, a package missing) are known
  before anything is built and listed in `skip_params`, their reasons printed when the
  module is imported; one that does not fit in free memory is found when it first runs
  and raises asv's SkipNotImplemented, its reason printed on stderr;
- asv is run with `launch_method: forkserver` (asv.conf.json), which imports torch once
  and forks a process per benchmark, so nothing here may create a CUDA context at import:
  device discovery goes through NVML (PYTORCH_NVML_BASED_CUDA_CHECK);
- `timer` is suite.timing.clock, which drains the device queue, so each asv sample (a block
  of `number` calls between two clock reads) includes its work exactly once.
A `--quick` run times a single call per combination, so there the build is part of the
figure: quick runs check that everything runs, not how fast.
"""

from __future__ import annotations

import os
import sys

# Before torch.cuda is asked anything: count devices without initialising CUDA, so that the
# processes asv forks from this one can still use it.
os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

from asv_runner.benchmarks.mark import SkipNotImplemented  # noqa: E402

from suite.cases import Case, Skip, Track, Workload
from suite.timing import clock, set_threads

THREADS = set_threads()
_WORKLOADS: dict[tuple, Workload] = {}


def _skips(spec: Case | Track) -> list[tuple]:
    skipped, reasons = [], {}
    for params in spec.combinations():
        try:
            spec.check(memory=False, **params)
        except Skip as reason:
            skipped.append(tuple(params.values()))
            reasons[str(reason)] = reasons.get(str(reason), 0) + 1
    for reason, count in reasons.items():
        print(f"opsuite: {spec.name}: {count} combinations skipped: {reason}", file=sys.stderr)
    return skipped


def timing_benchmark(case: Case) -> type:
    """asv class with one `time_<case>` benchmark over the case's parameter grid."""
    names = list(case.params)

    def run(self, *values):
        key = (case.name, values)
        work = _WORKLOADS.get(key)
        if work is None:
            _WORKLOADS.clear()  # one combination's tensors at a time
            try:
                work = _WORKLOADS[key] = case.workload(**dict(zip(names, values)))
            except Skip as reason:
                print(f"opsuite: skipped: {reason}", file=sys.stderr)
                raise SkipNotImplemented(str(reason)) from None
        work.fn()

    run.__name__ = f"time_{case.name}"
    return type(_class_name(case.name), (), {
        "__doc__": sys.modules[case.build.__module__].__doc__,
        run.__name__: run,
        "params": [list(v) for v in case.params.values()],
        "param_names": names,
        "skip_params": _skips(case),
        "timer": staticmethod(clock),
        "version": case.version,
        "sample_time": 0.02,
        "repeat": (3, 10, 5.0),
        "timeout": 600,
    })


def tracking_benchmark(track: Track) -> type:
    names = list(track.params)

    def run(self, *values):
        try:
            return track.measure(**dict(zip(names, values)))
        except Skip as reason:
            print(f"opsuite: skipped: {reason}", file=sys.stderr)
            raise SkipNotImplemented(str(reason)) from None

    run.__name__ = f"track_{track.name}"
    run.unit = track.unit
    return type(_class_name(track.name), (), {
        "__doc__": track.fn.__doc__,
        run.__name__: run,
        "params": [list(v) for v in track.params.values()],
        "param_names": names,
        "skip_params": _skips(track),
        "version": track.version,
        "unit": track.unit,
        "timeout": 600,
    })


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
