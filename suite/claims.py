"""Published performance claims from the seed articles, checked by measurement.

Each claim compares a `slow` and a `fast` variant of one benchmark case and states how
many times faster (or smaller) `fast` is. opsuite measures the ratio per device over
repeated *paired* runs (slow then fast, alternating which goes first, so drift hits both)
and gives a verdict against the smallest ratio the source's own spread allows:

    holds           the 95 % interval of the measured ratio lies at or above it
    does not hold   the interval lies below it
    inconclusive    the interval straddles it (within noise)
    not measurable  a variant cannot run here (no such device, a package missing)
"""

from __future__ import annotations

import timeit
from dataclasses import dataclass, field

import numpy as np

from suite.cases import Skip, registry
from suite.memory import peak_bytes
from suite.timing import calibrate, clock

SEED = "shared/seeds/002_17c4ae64c127dee5.txt"  # "13 PyTorch features you should know" (2021)
FOCAL_SEED = "shared/seeds/000_590d2f3875dc12ac.txt"  # a Q&A on replacing MMCV's focal loss


@dataclass(frozen=True)
class Claim:
    key: str
    statement: str
    source: str
    quote: str
    case: str
    slow: dict          # parameters of the slower (or larger) variant, device left out
    fast: dict
    claimed: float      # the ratio slow / fast the source reports
    lowest: float       # the smallest ratio consistent with the source's own spread
    why_lowest: str
    quantity: str = "time"   # or "memory" (peak bytes, deterministic: one measurement)
    note: str = ""


CDIST = dict(shape="512x512x2", dtype="float32", step="forward")
LINEAR = dict(batch=8, step="forward")
FOCAL = dict(shape="65536x80", dtype="float32", step="forward+backward")

CLAIMS = [
    Claim("cdist-mm",
          "torch.cdist with the matrix product is about 2x faster than without, 512x2 points",
          SEED, "沒有矩陣乘法或有矩陣乘法的性能,在我的機(jī)器上使用mm時(shí),速度快了2倍以上。"
                "  donot_use_mm: 867μs±142μs;  default: 417μs±52.9μs",
          "cdist", {**CDIST, "mode": "donot_use_mm_for_euclid_dist"},
          {**CDIST, "mode": "use_mm_for_euclid_dist_if_necessary"},
          claimed=867 / 417, lowest=(867 - 142) / (417 + 52.9),
          why_lowest="(867−142)/(417+52.9): both means one standard deviation towards each other",
          note="the article's timed cell also draws both inputs with torch.rand; opsuite times "
               "cdist alone"),
    Claim("linear-chunk",
          "one Linear(1024, 384) + chunk beats three Linear(1024, 128) at batch 8",
          SEED, "三個 Linear: 289 μs ± 30.8 μs;  one_layer + torch.chunk: 202 μs ± 8.09 μs",
          "linear", {**LINEAR, "layout": "separate"}, {**LINEAR, "layout": "fused"},
          claimed=289 / 202, lowest=(289 - 30.8) / (202 + 8.09),
          why_lowest="(289−30.8)/(202+8.09): both means one standard deviation towards each other"),
    Claim("focal-vs-mmcv-time",
          "the vectorized BCE-with-logits focal loss is 2.3x faster than MMCV's",
          FOCAL_SEED, "MMCV原生实现 1250 samples/sec; 本文优化方案 2870 (+129%) (Tesla V100)",
          "focal_loss", {**FOCAL, "impl": "mmcv"}, {**FOCAL, "impl": "vectorized"},
          claimed=2870 / 1250, lowest=2870 / 1250, why_lowest="no spread is given"),
    Claim("focal-vs-mmcv-memory",
          "the vectorized focal loss uses 23% less memory than MMCV's",
          FOCAL_SEED, "内存占用 (MB): MMCV原生实现 1843; 本文优化方案 1421 (-23%)",
          "focal_loss", {**FOCAL, "impl": "mmcv"}, {**FOCAL, "impl": "vectorized"},
          claimed=1843 / 1421, lowest=1843 / 1421, why_lowest="no spread is given",
          quantity="memory"),
    Claim("focal-kornia",
          "Kornia's focal loss is faster still than the vectorized one",
          FOCAL_SEED, "Kornia实现 3020 samples/sec, against 2870 for 本文优化方案",
          "focal_loss", {**FOCAL, "impl": "vectorized"}, {**FOCAL, "impl": "kornia"},
          claimed=3020 / 2870, lowest=1.0, why_lowest="'faster' claims only a ratio above 1"),
    Claim("focal-fused",
          "opsuite's fused focal loss is at least 2x faster than the vectorized one on a CPU",
          "suite/focal_loss/fused.py", "The target: forward+backward at least 2x faster than "
          "vectorized at 8192 x 128 float32 on a CPU (3x on a GPU)",
          "focal_loss", {**FOCAL, "shape": "8192x128", "impl": "vectorized"},
          {**FOCAL, "shape": "8192x128", "impl": "fused"},
          claimed=2.0, lowest=2.0, why_lowest="the target is a floor"),
]


@dataclass
class Verdict:
    claim: Claim
    device: str
    verdict: str
    ratio: float = float("nan")          # median of the paired ratios
    quartiles: tuple = (float("nan"), float("nan"))
    interval: tuple = (float("nan"), float("nan"))  # 95 % bootstrap interval of the median
    pairs: int = 0
    reason: str = ""
    slow_value: float = float("nan")     # median seconds (or bytes) of each variant
    fast_value: float = float("nan")
    extra: dict = field(default_factory=dict)


def judge(ratios: np.ndarray, lowest: float, seed: int = 0) -> tuple[str, tuple[float, float]]:
    """Verdict from paired ratios: a bootstrap interval of their median against `lowest`."""
    rng = np.random.default_rng(seed)
    medians = np.median(rng.choice(ratios, size=(2000, len(ratios)), replace=True), axis=1)
    lo, hi = (float(v) for v in np.percentile(medians, [2.5, 97.5]))
    if lo >= lowest:
        return "holds", (lo, hi)
    if hi < lowest:
        return "does not hold", (lo, hi)
    return "inconclusive", (lo, hi)


def check(claim: Claim, device: str, pairs: int = 15, min_block: float = 0.02) -> Verdict:
    case = registry()[claim.case]
    slow, fast = ({**p, "device": device} for p in (claim.slow, claim.fast))
    try:  # an absent device or implementation is a Skip, with its reason
        slow_work, fast_work = case.workload(**slow), case.workload(**fast)
    except Skip as why:
        return Verdict(claim, device, "not measurable", reason=str(why))

    if claim.quantity == "memory":
        a, b = peak_bytes(slow_work.fn, device), peak_bytes(fast_work.fn, device)
        ratio = a / b
        verdict = "holds" if ratio >= claim.lowest else "does not hold"
        return Verdict(claim, device, verdict, ratio, (ratio, ratio), (ratio, ratio), 1,
                       slow_value=a, fast_value=b)

    numbers = [calibrate(w.fn, min_block) for w in (slow_work, fast_work)]
    timers = [timeit.Timer(w.fn, timer=clock) for w in (slow_work, fast_work)]
    times = np.empty((pairs, 2))
    for i in range(pairs):
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for side in order:
            times[i, side] = timers[side].timeit(numbers[side]) / numbers[side]
    ratios = times[:, 0] / times[:, 1]
    verdict, interval = judge(ratios, claim.lowest)
    q1, q3 = np.percentile(ratios, [25, 75])
    return Verdict(claim, device, verdict, float(np.median(ratios)), (float(q1), float(q3)),
                   interval, pairs, slow_value=float(np.median(times[:, 0])),
                   fast_value=float(np.median(times[:, 1])))


def table(verdicts: list[Verdict]):
    """One row per claim and device, for the terminal and the results file."""
    import pandas as pd

    def figure(v: Verdict, value: float) -> str:
        if v.verdict == "not measurable":
            return ""
        return f"{value / 2**20:.1f} MiB" if v.claim.quantity == "memory" else f"{value * 1e6:.0f} µs"

    rows = []
    for v in verdicts:
        measured = "" if v.verdict == "not measurable" else (
            f"{v.ratio:.2f}x" if v.pairs == 1 else
            f"{v.ratio:.2f}x (IQR {v.quartiles[0]:.2f}-{v.quartiles[1]:.2f}; "
            f"95% {v.interval[0]:.2f}-{v.interval[1]:.2f}; {v.pairs} pairs)")
        rows.append({"claim": v.claim.key, "device": v.device,
                     "claimed": f"{v.claim.claimed:.2f}x (>= {v.claim.lowest:.2f}x)",
                     "slow": figure(v, v.slow_value), "fast": figure(v, v.fast_value),
                     "measured": measured, "verdict": v.verdict + (f": {v.reason}" if v.reason else "")})
    return pd.DataFrame(rows)


def document(verdicts: list[Verdict], threads: int) -> dict:
    from suite.machine import git_commit, machine_info, torch_info

    return {
        "schema": "opsuite.claims/1",
        "machine": machine_info(), "torch": torch_info(), "commit": git_commit(),
        "threads": threads,
        "claims": [{
            "claim": v.claim.key, "statement": v.claim.statement, "source": v.claim.source,
            "quote": v.claim.quote, "device": v.device, "quantity": v.claim.quantity,
            "slow": v.claim.slow, "fast": v.claim.fast,
            "claimed": v.claim.claimed, "lowest": v.claim.lowest, "why_lowest": v.claim.why_lowest,
            "verdict": v.verdict, "reason": v.reason, "ratio": v.ratio,
            "quartiles": list(v.quartiles), "interval95": list(v.interval), "pairs": v.pairs,
            "slow_value": v.slow_value, "fast_value": v.fast_value,
        } for v in verdicts],
    }
