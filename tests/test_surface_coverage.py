"""Surface coverage (suite.surface_coverage): measured from recorded calls, gaps need a reason."""

import json

import pytest

from suite import exemptions, surface, surface_coverage
from suite.cli import main

SURFACE = {"torch.s": {"calls": ["torch.s"], "differentiable": True, "inplace": False, "out": True,
                       "dtypes": {"cpu": ["float32", "float64", "int64"]},
                       "params": {"input": {}, "keepdim": {"default": "False"},
                                  "dtype": {"default": "None", "keyword": True}}}}


def call(dtype="float32", params=(), layouts=("contiguous",), kinds=(), dtypes=(), forms=()):
    return {"fn": "torch.s", "dtype": dtype, "layouts": list(layouts), "params": list(params),
            "forms": list(forms), "checks": {"kinds": list(kinds), "dtypes": list(dtypes), "params": []}}


def record(claim, calls, outcome="passed", gradients=()):
    return {"spec": f"t-{claim}", "op": "torch.s", "claim": claim, "backend": "cpu", "outcome": outcome,
            "message": None, "repro": "", "surface": {"calls": calls, "gradients": list(gradients)}}


def measured(records):
    return surface_coverage.measure({"records": records}, SURFACE)["torch.s"]


def test_a_dtype_counts_only_when_every_claim_exercises_it():
    cov = measured([record("one", [call(dtypes=["float64", "int64"], kinds=["dtype"])]),
                    record("two", [call("float64")])])
    assert cov.dtypes_every_claim == {"float64"}
    assert {"dtype:float32", "dtype:int64"} <= set(cov.gaps())


def test_parameters_layouts_gradient_and_forms_come_from_the_calls_and_their_checks():
    cov = measured([record("one", [call(params=["keepdim"], layouts=["contiguous", "strided"],
                                        kinds=["grad", "out", "zero-size"])])])
    gaps = cov.gaps()
    assert "param:keepdim" not in gaps and "param:dtype" in gaps
    assert "gradient" not in gaps and "form:out" not in gaps
    assert {"layout:expanded", "layout:0-dim"} <= set(gaps) and "layout:zero-size" not in gaps
    assert "gradient" in measured([record("one", [call()])]).gaps()


def test_exemptions_cover_gaps_by_pattern_and_need_a_reason(tmp_path):
    cov = {"torch.s": measured([record("one", [call()])])}
    path = tmp_path / "exemptions.toml"
    path.write_text('[[exemption]]\nop = "torch.*"\naspects = ["layout:*", "dtype:*"]\nreason = "why"\n')
    left = surface_coverage.gaps(cov, exemptions.load(path))["torch.s"]
    assert left and not any(a.startswith(("layout:", "dtype:")) for a in left)
    path.write_text('[[exemption]]\nop = "torch.*"\naspects = ["gradient"]\n')
    with pytest.raises(exemptions.ExemptionError, match="reason"):
        exemptions.load(path)


def test_coverage_check_fails_on_a_gap_without_an_exemption(tmp_path, capsys, monkeypatch):
    document = {"schema": "opsuite.conformance/1", "torch": {"version": "2.13.0"},
                "machine": {"name": "box"}, "commit": "0123456789ab", "backends": [{"name": "cpu"}],
                "records": [record("one", [call()])]}
    run = tmp_path / "run.json"
    run.write_text(json.dumps(document))
    monkeypatch.setattr(surface, "load", lambda *a: SURFACE)
    exemption_file = tmp_path / "exemptions.toml"
    monkeypatch.setattr(exemptions, "FILE", exemption_file)
    assert main(["coverage", "--check", "--surface", str(run), str(run)]) == 1
    out = capsys.readouterr().out
    assert "torch.s: param:keepdim" in out and "no exemption" in out
    exemption_file.write_text('[[exemption]]\nop = "torch.s"\naspects = ["*"]\nreason = "a test"\n')
    assert main(["coverage", "--check", "--surface", str(run), str(run)]) == 0
    assert "every gap has an exemption" in capsys.readouterr().out
    assert main(["coverage", "--surface", str(run), str(run)]) == 0  # the table gains the columns
    table = capsys.readouterr().out
    assert "| op | claims | cpu | params | dtypes | gradient | layouts | forms | gaps |" in table


def test_the_shipped_exemptions_file_reads():
    assert len(exemptions.load()) > 20


def test_every_op_the_specs_cover_has_its_surface_data():
    assert set(surface.covered_ops()) == set(surface.load())
