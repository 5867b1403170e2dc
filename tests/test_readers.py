"""compare, report, coverage and speed on malformed files of the right kind: every field of a
valid file, in turn, given a value of another type or removed. Each reader either reads it (the
field may be so) or stops with one line naming the file and the field, exit 2; never a traceback."""

import copy
import json

import pytest

from suite import charts, cli, report, sweep_report
from suite.results import ResultsError, read
from tests.crafted import asv_folder, conformance_file, record

WRONG = [None, 7, 2.5, True, "text", [], [1], {}, {"a": 1}]
GONE = object()  # the field removed


def valid_run() -> dict:
    return {"schema": "opsuite.conformance/1", "created": "2026-11-30T00:00:00Z",
            "machine": {"name": "box", "gpus": []}, "torch": {"version": "2.13.0"},
            "commit": "0123456789abcdef", "complete": True, "incomplete": None,
            "backends": [{"name": "cpu", "available": True, "reason": None}],
            "records": [record("a.py::t", "cpu", "passed", {"seen": 1}) | {"input": "torch.sum(x)"},
                        record("a.py::u", "cpu", "failed") | {"message": "broke"}]}


def fields(doc, path=()):
    """Every field's path in ``doc`` (dict keys and list indices)."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield path + (key,)
            yield from fields(value, path + (key,))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield path + (i,)
            yield from fields(value, path + (i,))


def mutations(doc):
    for path in fields(doc):
        for value in [GONE, *WRONG]:
            changed = copy.deepcopy(doc)
            parent = changed
            for key in path[:-1]:
                parent = parent[key]
            if value is GONE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
            yield ".".join(map(str, path)), changed


def cli_run(capsys, *args):
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_read_or_refused(capsys, path, args, where):
    code, out, err = cli_run(capsys, *args)
    assert code in (0, 2), (where, code, err)
    if code == 2:
        assert err.startswith("opsuite: ") and err.count("\n") == 1, (where, err)
        assert str(path) in err, (where, err)
    return code, err


def written(tmp_path, kind, document, reader):
    """The run's file under results/<kind>/box/, and whether ``reader`` accepts it."""
    path = tmp_path / "results" / kind / "box" / "20261130T000000Z-01234567.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    try:
        reader(path)
        return path, True
    except ResultsError:
        return path, False


def test_every_field_of_a_conformance_run_is_checked_by_every_reader(tmp_path, capsys):
    tried, drawn = 0, set()
    for where, document in mutations(valid_run()):
        path, valid = written(tmp_path, "conformance", document, read)
        for args in (["compare", path], ["coverage", path]):
            code, err = assert_read_or_refused(capsys, path, args, where)
            if not valid:
                assert code == 2, (where, args)
        if not valid:  # report stops before drawing anything
            code, err = assert_read_or_refused(capsys, path, ["report", "--results", tmp_path / "results"], where)
            assert code == 2, where
        elif where not in drawn:  # one readable variant of each field through the report's tables
            drawn.add(where)
            report.build(report.load_newest(tmp_path / "results"), tmp_path / "results")
            charts._pyplot().close("all")
        tried += 1
    assert tried > 150


def valid_sweep() -> dict:
    accuracy = {"max_ulp": 2.0, "p99_ulp": 1.0, "median_ulp": 0.0, "max_rel": "inf"}
    return {"schema": "opsuite.sweep/1", "created": "2026-11-30T00:00:00Z",
            "machine": {"name": "box"}, "torch": {"version": "2.13.0"}, "commit": "0123456789abcdef",
            "complete": True,
            "backends": [{"name": "cpu", "device": "cpu", "available": True, "reason": None},
                         {"name": "compile-cpu", "device": "cpu", "available": True, "reason": None}],
            "records": [{"op": "linalg.det", "dtype": "float32", "backend": "cpu", "verdict": "works",
                         "reference": "cpu, float64", "forward": {"accuracy": accuracy},
                         "backward": {"verdict": "works", "accuracy": accuracy}, "duration_s": 0.5},
                        {"op": "add", "dtype": "float16", "backend": "compile-cpu", "verdict": "raises",
                         "known": "a reason", "message": "boom", "graph_breaks": 1, "forward": None}]}


def test_every_field_of_a_sweep_is_checked_by_compare_and_report(tmp_path, capsys):
    tried, drawn = 0, set()
    for where, document in mutations(valid_sweep()):
        path, valid = written(tmp_path, "sweep", document, sweep_report.read)
        code, err = assert_read_or_refused(capsys, path, ["compare", path], where)
        if not valid:
            assert code == 2, where
            code, err = assert_read_or_refused(capsys, path, ["report", "--results", tmp_path / "results"], where)
            assert code == 2, where
            tried += 1
            continue
        document = sweep_report.read(path)  # every readable variant through the report's tables
        runs = [sweep_report.Sweep("box", path, document)]
        for table in (sweep_report.counts(runs), sweep_report.differences(runs), sweep_report.atlas(document),
                      sweep_report.against_inductor_lists(document),
                      *(sweep_report.support_matrix(document, b) for b in ("cpu", "compile-cpu"))):
            assert table is not None, where
        if where.split(".")[0] not in drawn:  # and one of each top-level field through the report
            drawn.add(where.split(".")[0])
            report.build(report.load_newest(tmp_path / "results"), tmp_path / "results")
            charts._pyplot().close("all")
        tried += 1
    assert tried > 150


def test_every_field_of_asv_results_is_checked_by_every_reader(tmp_path, capsys):
    folder = asv_folder(tmp_path, "box", [0.001, 0.002], batch=("8", "16"))
    results_file = next(p for p in folder.glob("*.json") if p.name != "machine.json")
    original = json.loads(results_file.read_text())
    tried = 0
    for where, document in mutations(original):
        results_file.write_text(json.dumps(document))
        for args in (["speed", results_file], ["compare", folder]):
            code, err = assert_read_or_refused(capsys, results_file if args[0] == "speed" else folder,
                                               args, where)
            if code == 2 and args[0] == "speed":
                assert str(results_file) in err
        tried += 1
    assert tried > 100


def test_a_record_without_a_spec_is_read_and_shown_as_such(tmp_path, capsys):
    bare = record("a.py::test_plain[cpu]", "cpu", "skipped") | {"op": None, "claim": None}
    path = conformance_file(tmp_path, "box", [record("a.py::t", "cpu", "passed"), bare],
                            backends=["cpu"])
    code, out, _ = cli_run(capsys, "coverage", path)
    assert code == 0 and "`(no @spec)`" in out
    code, out, _ = cli_run(capsys, "compare", path)
    assert code == 0


@pytest.mark.parametrize("reader", ["compare", "coverage"])
def test_a_file_that_is_not_json_or_not_ours_is_one_line(tmp_path, capsys, reader):
    for text in ["", "{", "[]", '"text"', '{"schema": 5}', "\xff\xfe"]:
        path = tmp_path / "r.json"
        path.write_bytes(text.encode("latin-1"))
        code, _, err = cli_run(capsys, reader, path)
        assert code == 2 and err.count("\n") == 1 and str(path) in err, (text, err)
