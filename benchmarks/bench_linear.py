"""asv: N separate Linears against one fused Linear + chunk (suite/cases/linear.py)."""

from suite.asv_suite import timing_benchmark
from suite.cases import linear

Linear = timing_benchmark(linear.CASE)
