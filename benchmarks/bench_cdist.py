"""asv: torch.cdist's compute modes, speed and accuracy (suite/cases/cdist.py)."""

from suite.asv_suite import timing_benchmark, tracking_benchmark
from suite.cases import cdist

Cdist = timing_benchmark(cdist.CASE)
CdistMaxError = tracking_benchmark(cdist.MAX_ERROR)
