"""opsuite selfcheck: generated mutants against their op's specs, kill rate, survivors named."""

import json

from suite import cli, exemptions, selfcheck


def test_selfcheck_of_one_op_kills_every_mutant_that_bends_a_call(tmp_path, capsys):
    out = tmp_path / "selfcheck.json"
    code = cli.main(["selfcheck", "--op", "torch.argmax", "--output", str(out), "--", "-n", "0"])
    text = capsys.readouterr().out
    assert code == 0, text
    document = json.loads(out.read_text())
    rows = {r["kind"]: r for r in document["mutants"]}
    assert rows["off-by-one"]["verdict"] == "killed" and rows["off-by-one"]["killed_by"]
    assert rows["ulps"]["verdict"] == "not exercised"  # integer results: nothing to move
    assert document["killed"] == document["judged"] >= 5
    assert "kill rate" in text and "torch.argmax" in text
    assert (tmp_path / "selfcheck.records.json").exists()  # each kill with its repro line


def test_verdicts_name_survivors_and_honour_undetectable_entries():
    records = [
        {"backend": "torch.x~ulps", "spec": "a", "outcome": "passed", "message": None,
         "observations": {"mutated calls": 3}},
        {"backend": "torch.x~dtype", "spec": "a", "outcome": "failed", "message": "dtype",
         "observations": {"mutated calls": 1}},
        {"backend": "torch.x~default-eps", "spec": "a", "outcome": "passed", "message": None,
         "observations": {"mutated calls": 2}},
        {"backend": "torch.x~strides", "spec": "a", "outcome": "passed", "message": None,
         "observations": {"mutated calls": 0}},
    ]
    listed = [exemptions.Undetectable("torch.x", "default-eps", "below the tolerance")]
    rows = selfcheck.verdicts({"records": records},
                              ["torch.x~ulps", "torch.x~dtype", "torch.x~default-eps", "torch.x~strides"],
                              listed)
    assert [r["verdict"] for r in rows] == ["survived", "killed", "undetectable", "not exercised"]
    assert selfcheck.rate(rows) == (1, 2)
    text = selfcheck.summary(rows)
    assert "torch.x~ulps" in text and "50.0 %" in text and "below the tolerance" in text


def test_selfcheck_bad_input_is_one_line_and_exit_2(capsys):
    assert cli.main(["selfcheck", "--op", "torch.no_such_op"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no mutant matches" in err


def test_selfcheck_lists_mutants(capsys):
    assert cli.main(["selfcheck", "--op", "torch.sum", "--list"]) == 0
    names = capsys.readouterr().out.split()
    assert "torch.sum~ulps" in names and all(n.startswith("torch.sum~") for n in names)
