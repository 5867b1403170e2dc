"""Every deliberately bent backend (tests/bends.py) makes at least one spec fail.

Each is plugged in through ``--backend MODULE:OBJECT``, exactly as a user would, and run on
the spec files of the ops it bends. That the real cpu backend passes every spec is what
`make test`'s own conformance run checks.
"""

import json
from pathlib import Path

import pytest

import conformance
from tests import bends

SPECS = Path(conformance.__path__[0])


def spec_files(ops: set[str]) -> list[str]:
    """The files whose names carry an op's name or family (unique_consecutive: test_unique.py)."""
    names = {op.strip("_") for op in ops} | {op.strip("_").split("_")[0] for op in ops}
    return sorted({str(f) for name in names for f in SPECS.rglob(f"test_*{name}*.py")})


@pytest.mark.parametrize("name", list(bends.BENDS))
def test_bent_backend_fails_a_spec(tmp_path, name):
    why, ops = bends.BENDS[name]
    files = [str(SPECS / f) for f in bends.FILES[name]] or spec_files(ops)
    assert files, f"no spec file for {sorted(ops)}"
    out = tmp_path / "results.json"
    # In this process (-n 0): what is tested is the specs, not the isolation of a crash; and
    # the specs alone, without the surface checks (tests/test_variants.py tests those).
    code = pytest.main([*files, "-q", "-p", "no:cacheprovider", "-n", "0", "--output", str(out),
                        "--surface-checks", "off",
                        "--backend", f"tests.bends:{name.upper().replace('-', '_')}"])
    assert code == pytest.ExitCode.TESTS_FAILED
    records = json.loads(out.read_text())["records"]
    assert any(r["outcome"] == "failed" for r in records), f"no spec caught {name!r}: {why}"
