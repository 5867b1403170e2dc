"""What `pip install opsuite` (not a checkout) carries: the data the commands read by default,
and the dependencies the sweep imports."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_the_known_divergences_and_inductor_lists_and_needs_expecttest(tmp_path):
    # build-isolation off: the venv's setuptools, no index needed; pyproject's SPDX license
    # string needs setuptools 77. (The build leaves build/ in the checkout: ignored by git.)
    pytest.importorskip("setuptools", minversion="77")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300,
                           cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("opsuite-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for data in ("conformance/known_divergences.toml", "sweep/known_divergences.toml",
                 "sweep/inductor_lists.json"):
        assert data in names, f"{data} is not installed: an installed opsuite would run without it"
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist: expecttest")]
    assert any("extra ==" not in line for line in requires), "the sweep imports expecttest"
