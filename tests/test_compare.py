"""`opsuite compare`: results crafted to differ in known ways, and every bad-input path."""

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from suite import compare
from suite.cli import main
from tests.crafted import asv_folder, conformance_file, record

MEDIAN = "conformance/reductions/test_median.py::test_ties"
MEAN = "conformance/reductions/test_mean.py::test_value"
COS = "conformance/distances/test_cosine.py::test_value"


@pytest.fixture
def two_machines(tmp_path):
    a = conformance_file(tmp_path, "alpha", [
        record(MEDIAN, "cpu", "passed", {"index": 1}),
        record(MEAN, "cpu", "passed", {"error": 0.5}),
        record(MEAN, "meta", "skipped"),
        record(COS, "cpu", "passed"),
        record(COS, "meta", "passed")])
    b = conformance_file(tmp_path, "beta", [
        record(MEDIAN, "cpu", "passed", {"index": 2}),
        record(MEAN, "cpu", "failed", {"error": 0.5}),
        record(COS, "cpu", "skipped")])
    return a, b


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["compare", *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


def by_title(found, start):
    return next(t.frame for t in found if t.title.startswith(start))


def test_outcomes_that_differ_with_claim_and_repro(two_machines):
    found = compare.tables(compare.load_all(two_machines))
    frame = by_title(found, "conformance outcomes")
    # MEDIAN agrees; COS differs only by a skip, which is not a judgement
    assert list(frame.columns) == ["spec", "alpha:cpu", "alpha:meta", "beta:cpu", "claim", "repro"]
    assert frame.values.tolist() == [[MEAN, "passed", "skipped", "failed", f"claim of {MEAN}",
                                      f"pytest '{MEAN}[cpu]' --backend cpu"]]


def test_a_backend_that_judged_nothing_has_no_column_and_columns_follow_the_runs_order(tmp_path):
    a = conformance_file(tmp_path, "alpha", [
        record(MEAN, "cuda", "skipped"), record(MEAN, "meta", "failed"),
        record(MEAN, "cpu", "passed")], backends=("cpu", "meta", "cuda"))
    frame = by_title(compare.tables(compare.load_all([a])), "conformance outcomes")
    assert list(frame.columns) == ["spec", "alpha:cpu", "alpha:meta", "claim", "repro"]


def test_observations_that_differ(two_machines):
    frame = by_title(compare.tables(compare.load_all(two_machines)), "observations")
    assert list(frame.columns) == ["spec", "observation", "alpha:cpu", "alpha:meta", "beta:cpu"]
    assert frame.values.tolist() == [[MEDIAN, "index", 1, "-", 2]]  # the equal error is left out


def test_inputs_table_names_files_and_versions(two_machines, tmp_path):
    folder = asv_folder(tmp_path, "gamma", [0.002])
    frame = by_title(compare.tables(compare.load_all([*two_machines, folder])), "inputs")
    assert frame[["machine", "kind", "torch", "commit"]].values.tolist() == [
        ["alpha", "conformance", "2.13.0", "01234567"],
        ["beta", "conformance", "2.13.0", "01234567"],
        ["gamma", "asv", "not recorded", "abcdef12"]]


def test_speed_tables_against_the_baseline(tmp_path):
    fast = asv_folder(tmp_path, "fast", [0.001, 0.004], torch="2.13.0", batch=("8", "64"))
    slow = asv_folder(tmp_path, "slow", [0.003], torch="2.13.0")
    found = compare.tables(compare.load_all([fast, slow]), baseline="slow")
    seconds = by_title(found, "seconds (torch 2.13.0)")
    assert seconds.values.tolist() == [["linear", "cpu-8-fused-forward", 0.001, 0.003]]
    ratio = by_title(found, "time / time on slow")
    assert ratio[["fast", "slow"]].values.tolist() == [[pytest.approx(1 / 3), 1.0]]
    percent = by_title(found, "% of the machine's own roofline")
    assert percent["fast"][0] == pytest.approx(3 * percent["slow"][0])  # same ceilings, 3x faster
    left = by_title(found, "not compared")
    assert left[["machine", "params", "seconds", "reason"]].values.tolist() == [
        ["fast", "cpu-64-fused-forward", 0.004, "not measured on slow"]]


def test_other_torch_versions_are_not_compared(tmp_path):
    new = asv_folder(tmp_path, "new", [0.001], torch="2.13.0")
    old = asv_folder(tmp_path, "old", [0.002], torch="2.6.0")
    found = compare.tables(compare.load_all([new, old]))  # baseline: the first
    assert list(by_title(found, "seconds").columns) == ["case", "params", "new"]
    left = by_title(found, "not compared")
    assert left[["machine", "seconds", "reason"]].values.tolist() == [
        ["old", 0.002, "torch 2.6.0 vs 2.13.0"]]


def test_text_markdown_and_csv(two_machines, tmp_path):
    fast, slow = (asv_folder(tmp_path, m, [t]) for m, t in (("fast", 0.001), ("slow", 0.002)))
    code, text, err = run(*two_machines, fast, slow, "--baseline", "slow")
    assert (code, err) == (0, "")
    assert "time / time on slow (above 1: slower):" in text and "seconds (torch not recorded):" in text
    code, md, _ = run(*two_machines, "--format", "markdown")
    assert code == 0
    assert f"| {MEAN} | passed | skipped | failed | claim of {MEAN} |" in md
    assert "### observations that differ" in md
    code, csv, _ = run(*two_machines, fast, slow, "--format", "csv")
    blocks = {b.split("\n", 1)[0]: b.split("\n", 1)[1] for b in csv.strip().split("\n\n")}
    ratio = pd.read_csv(io.StringIO(blocks["# time / time on fast (above 1: slower)"]))
    assert ratio.values.tolist() == [["linear", "cpu-8-fused-forward", 1.0, 2.0]]
    assert blocks["# not compared"] == "machine,case,params,seconds,% of roofline,reason"


def test_unknown_baseline_is_bad_input(tmp_path):
    fast = asv_folder(tmp_path, "fast", [0.001])
    assert run(fast, "--baseline", "nope") == (
        2, "", "opsuite: --baseline nope is not one of the asv inputs: fast\n")


@pytest.mark.parametrize("content, message", [
    ('{"schema": "someone.else/1", "records": []}',
     "{} is not an opsuite conformance results file"),
    ('{"schema": "opsuite.conformance/1", "rec', "{} is not a readable results file (JSONDecodeError)"),
    ('{"schema": "opsuite.conformance/2", "records": []}',
     "{} has schema opsuite.conformance/2, which this opsuite cannot read "
     "(it reads opsuite.conformance/1); use a newer opsuite"),
    ('{"schema": "opsuite.conformance/1", "machine": {"name": "x"}, "records": [{"spec": "s"}]}',
     "{} is a malformed conformance results file: records[0].backend is missing"),
    ('{"result_columns": ["result"], "results": {}}',
     "{} is a malformed asv results file: result_columns lacks 'params'"),
])
def test_a_bad_file_is_one_line_exit_2_and_nothing_printed(two_machines, tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert run(two_machines[0], bad, two_machines[1]) == (
        2, "", "opsuite: " + message.format(bad, bad) + "\n")


def test_skip_bad_reads_the_others_and_warns(two_machines, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "opsuite.conformance/2"}')
    code, out, err = run(two_machines[0], bad, two_machines[1], "--skip-bad")
    assert code == 0
    assert err == (f"opsuite: warning: skipped {bad} has schema opsuite.conformance/2, which this "
                   "opsuite cannot read (it reads opsuite.conformance/1); use a newer "
                   "opsuite\n")
    assert MEAN in out and "beta:cpu" in out
    assert run(bad, "--skip-bad")[0::2] == (2, err + "opsuite: no readable results among the inputs\n")


def test_the_repro_line_is_the_one_of_the_column_that_broke(tmp_path):
    def machine(name, outcome):
        rec = record(MEAN, "cpu", outcome) | {"repro": f"repro on {name}"}
        return conformance_file(tmp_path, name, [rec])

    for outcomes, shown in [(("passed", "failed"), "b"), (("error", "passed"), "a"),
                            (("passed", "xfailed"), "b"), (("failed", "xfailed"), "a")]:
        files = [machine("a", outcomes[0]), machine("b", outcomes[1])]
        frame = by_title(compare.tables(compare.load_all(files)), "conformance outcomes")
        assert frame["repro"].tolist() == [f"repro on {shown}"], outcomes
