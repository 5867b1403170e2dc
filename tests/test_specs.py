"""Meta-tests over the shipped specs: documentation drift, metadata, known divergences."""

from pathlib import Path

import pytest

import conformance
from suite import divergences
from suite.spec import Spec, quote_drift, resolve, spec_of

SPECS_DIR = Path(conformance.__file__).parent


class Collector:
    def __init__(self):
        self.items = []

    def pytest_collection_modifyitems(self, items):
        self.items = list(items)


@pytest.fixture(scope="module")
def collected():
    """Every conformance spec as pytest collects it (on cpu), without running any."""
    collector = Collector()
    code = pytest.main([str(SPECS_DIR), "--collect-only", "-q", "-p", "no:cacheprovider",
                        "--backend", "cpu"], plugins=[collector])
    assert code == 0, "the conformance specs do not collect"
    return collector.items


def test_every_spec_quotes_the_installed_docs(collected):
    drift = sorted({f"{item.nodeid}: {why}" for item in collected
                    if (why := quote_drift(spec_of(item)))})
    assert not drift, "documentation drift:\n" + "\n".join(drift)


def test_every_conformance_test_is_a_spec_that_runs_on_a_backend(collected):
    assert len(collected) > 100
    for item in collected:
        s = spec_of(item)
        assert s is not None, f"{item.nodeid} has no @spec(op, claim)"
        assert "backend" in item.callspec.params, f"{item.nodeid} does not use the run fixture"
        assert callable(resolve(s.op)) and s.url.startswith("https://")


def squash(name: str) -> str:
    """CrossEntropyLoss, cross_entropy_loss -> crossentropyloss: how names are matched."""
    return name.replace("_", "").lower()


def test_spec_files_are_found_by_op_name(collected):
    for item in collected:
        name = spec_of(item).op.split(".")[-1]  # unique_consecutive lives beside unique
        stem = squash(Path(item.fspath).stem)
        assert squash(name) in stem or squash(name.split("_")[0]) in stem, \
            f"{item.nodeid}: {name} not in its file name"


def test_drift_is_detected():
    assert quote_drift(Spec("torch.argmax", "the LAST maximal value", "u")) is not None
    assert quote_drift(Spec("torch.no_such_op", "x", "u")) == "torch.no_such_op no longer exists in this torch"
    # Whitespace and line breaks in the quote do not matter.
    assert quote_drift(Spec("torch.argmax", "If there are multiple\n   maximal values then the "
                            "indices of the first maximal value are returned.", "u")) is None


def test_shipped_known_divergences_name_existing_specs(collected):
    known = divergences.load(divergences.DEFAULT_FILE)
    spec_ids = {item.nodeid.rsplit("[", 1)[0] for item in collected} | {
        item.nodeid.replace("-cpu]", "]").replace("[cpu]", "") for item in collected}
    stale = [k.describe() for k in known if not any(k.names(s) for s in spec_ids)]
    assert not stale, f"known divergences that name no spec: {stale}"


def test_known_divergence_file_errors_are_one_sentence(tmp_path):
    bad = tmp_path / "k.toml"
    bad.write_text('[[divergence]]\nspec = "x"\nbackend = "cpu"\nreason = "r"\n')
    with pytest.raises(divergences.DivergenceFileError, match="entry 1 lacks link"):
        divergences.load(bad)
    bad.write_text('[[divergence]]\nspec="x"\nbackend="cpu"\nreason="r"\nlink="l"\ntorch="~~2"\n')
    with pytest.raises(divergences.DivergenceFileError, match="invalid torch range"):
        divergences.load(bad)


def test_readme_coverage_table_lists_every_op_and_claim_count(collected):
    """The README's table is generated (`opsuite coverage --update README.md`); this keeps it
    in step with the specs: every op, with the number of distinct claims its specs quote."""
    from suite import coverage
    from suite.machine import PROJECT_ROOT

    claims: dict[str, set[str]] = {}
    for item in collected:
        s = spec_of(item)
        claims.setdefault(s.op, set()).add(s.claim)
    readme = coverage.claims_per_op((PROJECT_ROOT / "README.md").read_text())
    assert readme == {op: len(c) for op, c in claims.items()}, (
        "README's coverage table is out of date: run the suite and `opsuite coverage --update README.md`")
