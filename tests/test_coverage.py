"""The coverage table: claims per op, and per backend the claims upheld of those judged."""

import json

import pytest

from suite import coverage
from suite.cli import main


def record(op, claim, backend, outcome, spec="s"):
    return {"spec": f"{spec}-{claim}-{outcome}", "op": op, "claim": claim, "backend": backend,
            "outcome": outcome, "message": None, "repro": ""}


DOCUMENT = {
    "schema": "opsuite.conformance/1",
    "torch": {"version": "2.13.0"}, "machine": {"name": "box"}, "commit": "0123456789ab",
    "backends": [{"name": n} for n in ("cpu", "meta", "compile-cpu", "cuda")],
    "records": [
        # torch.a: two claims; the first has two records (two parametrizations).
        record("torch.a", "one", "cpu", "passed"), record("torch.a", "one", "cpu", "passed", "t"),
        record("torch.a", "two", "cpu", "passed"),
        record("torch.a", "one", "meta", "passed"), record("torch.a", "two", "meta", "skipped"),
        record("torch.a", "one", "compile-cpu", "passed"),
        record("torch.a", "one", "compile-cpu", "xfailed", "t"),  # a known divergence breaks it
        record("torch.a", "two", "compile-cpu", "passed"),
        record("torch.b", "three", "cpu", "failed"), record("torch.b", "three", "meta", "skipped"),
        record("torch.b", "three", "compile-cpu", "error"),
        record("torch.a", "one", "cuda", "skipped"), record("torch.b", "three", "cuda", "skipped"),
    ],
}


def test_cells_count_claims_upheld_of_claims_judged():
    t = coverage.table(DOCUMENT).set_index("op")
    assert list(t.columns) == ["claims", "cpu", "meta", "compile-cpu"]  # cuda judged nothing
    assert t.loc["torch.a"].tolist() == [2, "2/2", "1/1", "1/2"]
    assert t.loc["torch.b"].tolist() == [1, "0/1", "–", "0/1"]


def test_update_replaces_only_the_marked_table_and_reads_back():
    text = f"# Title\n\nbefore\n{coverage.START}\nold table\n{coverage.END}\nafter\n"
    updated = coverage.update(text, DOCUMENT)
    assert updated.startswith("# Title\n\nbefore\n") and updated.endswith(f"{coverage.END}\nafter\n")
    assert "old table" not in updated and "2 ops, 3 claims" in updated
    assert coverage.claims_per_op(updated) == {"torch.a": 2, "torch.b": 1}
    with pytest.raises(ValueError, match="no coverage markers"):
        coverage.update("no markers", DOCUMENT)


def test_cli_prints_markdown_and_refuses_bad_input(tmp_path, capsys):
    good = tmp_path / "run.json"
    good.write_text(json.dumps(DOCUMENT))
    assert main(["coverage", str(good)]) == 0
    assert "| `torch.a` | 2 | 2/2 | 1/1 | 1/2 |" in capsys.readouterr().out
    readme = tmp_path / "README.md"
    readme.write_text("no markers here\n")
    assert main(["coverage", str(good), "--update", str(readme)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("opsuite: no coverage markers") and len(err.strip().splitlines()) == 1
    assert readme.read_text() == "no markers here\n"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["coverage", str(bad)]) == 2
    assert "is not a readable results file" in capsys.readouterr().err
