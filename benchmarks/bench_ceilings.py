"""asv: the machine's ceilings (suite/cases/ceilings.py), measured in every run."""

from suite.asv_suite import THREADS, timing_benchmark
from suite.cases import ceilings

CopyBandwidth = timing_benchmark(ceilings.COPY)
MatmulThroughput = timing_benchmark(ceilings.MATMUL)


def track_threads():
    """torch's intra-op thread count for every figure of this run ($OPSUITE_THREADS)."""
    return THREADS


track_threads.unit = "threads"
track_threads.version = "1"
