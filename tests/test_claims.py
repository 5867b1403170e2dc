"""`opsuite claims`: verdicts from paired ratios, sources quoted, bad input refused."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from suite.claims import CLAIMS, judge
from suite.machine import PROJECT_ROOT

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def opsuite(*args):
    return subprocess.run([sys.executable, "-m", "suite", *args], capture_output=True, text=True)


@pytest.mark.parametrize(("ratios", "verdict"), [
    (np.full(15, 2.5) + np.linspace(-0.05, 0.05, 15), "holds"),
    (np.full(15, 1.1) + np.linspace(-0.05, 0.05, 15), "does not hold"),
    (np.linspace(1.2, 2.8, 15), "inconclusive"),
])
def test_verdict_compares_the_interval_with_the_lowest_claimed_ratio(ratios, verdict):
    assert judge(ratios, lowest=2.0)[0] == verdict


def test_every_claim_names_its_source_and_the_figures_it_quotes():
    assert {c.key for c in CLAIMS} >= {"cdist-mm", "linear-chunk", "focal-vs-mmcv-time",
                                       "focal-vs-mmcv-memory", "focal-kornia", "focal-fused"}
    for claim in CLAIMS:
        assert claim.lowest <= claim.claimed and claim.why_lowest
        if claim.source.startswith("suite/"):  # opsuite's own target, in its module
            text = " ".join((PROJECT_ROOT / claim.source).read_text().split())
            assert claim.quote in text, f"{claim.key}: its quote is not in {claim.source}"
        elif SEEDS.is_dir():  # the seed notes sit beside the checkout
            text = (SEEDS.parent.parent / claim.source).read_text()
        else:
            continue
        figures = [w for w in claim.quote.replace("μs", " ").split() if w.isdigit()]
        assert figures and all(f in text for f in figures), claim.key


def test_unknown_claim_is_one_line_and_exit_2():
    done = opsuite("claims", "--claim", "nope")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "opsuite: unknown claim 'nope'; claims are: " + ", ".join(c.key for c in CLAIMS)]


def test_an_existing_results_file_is_never_replaced(tmp_path):
    earlier = tmp_path / "claims.json"
    earlier.write_text("{}")
    done = opsuite("claims", "--claim", "linear-chunk", "--output", str(earlier))
    assert done.returncode == 2 and "already exists" in done.stderr
    assert earlier.read_text() == "{}"


def test_a_claim_is_measured_and_written(tmp_path):
    out = tmp_path / "claims.json"
    done = opsuite("claims", "--claim", "linear-chunk", "--claim", "focal-vs-mmcv-time",
                   "--device", "cpu", "--pairs", "3", "--output", str(out))
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    assert doc["schema"] == "opsuite.claims/1" and doc["threads"] >= 1
    linear, focal = doc["claims"]
    assert linear["verdict"] in ("holds", "does not hold", "inconclusive")
    assert linear["pairs"] == 3 and linear["interval95"][0] <= linear["ratio"] <= linear["interval95"][1]
    assert focal["verdict"] == "not measurable" and "mmcv" in focal["reason"]
