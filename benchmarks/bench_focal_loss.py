"""asv: every focal-loss implementation, time and peak memory (suite/cases/focal_loss.py)."""

from suite.asv_suite import timing_benchmark, tracking_benchmark
from suite.cases import focal_loss

FocalLoss = timing_benchmark(focal_loss.CASE)
FocalLossPeakMemory = tracking_benchmark(focal_loss.PEAK_MEMORY)
