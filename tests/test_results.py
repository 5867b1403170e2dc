import errno
import json
import os

import pytest

from suite.results import (Journal, ResultsError, check_writable, default_path, journal_path,
                           read, reserve, write_new)
from tests.crafted import record


def test_write_new_creates_a_complete_file_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "deep" / "r.json"
    write_new(path, {"schema": "opsuite.conformance/1", "records": []})
    assert json.loads(path.read_text())["records"] == []
    assert os.listdir(path.parent) == ["r.json"]


def test_write_new_never_overwrites(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("earlier run")
    with pytest.raises(ResultsError, match="appeared during the run"):
        write_new(path, {"x": 1})
    assert path.read_text() == "earlier run"
    assert os.listdir(tmp_path) == ["r.json"]


def test_check_writable_refuses_existing_and_unwritable_paths(tmp_path):
    existing = tmp_path / "r.json"
    existing.write_text("{}")
    with pytest.raises(ResultsError, match="already exists"):
        check_writable(existing)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ResultsError, match="cannot write results"):
        check_writable(blocker / "r.json")


def test_default_path_is_new_and_per_machine():
    path = default_path("some-machine", "0123456789abcdef")
    assert path.parent.name == "some-machine" and path.parent.parent.name == "conformance"
    assert path.name.endswith("-01234567.json") and not path.exists()


def test_read_rejects_files_that_are_not_ours(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(ResultsError, match="not an opsuite"):
        read(other)
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": ')
    with pytest.raises(ResultsError, match="not a readable"):
        read(broken)
    newer = tmp_path / "newer.json"
    newer.write_text('{"schema": "opsuite.conformance/2", "records": []}')
    with pytest.raises(ResultsError, match="has schema opsuite.conformance/2, which this opsuite cannot read"):
        read(newer)


def test_runs_started_at_the_same_moment_get_distinct_files(tmp_path):
    first = reserve(folder=tmp_path, commit="0123456789abcdef")
    second = reserve(folder=tmp_path, commit="0123456789abcdef")
    assert first != second and first.parent == second.parent == tmp_path
    assert journal_path(first).exists() and journal_path(second).exists()
    assert second.name == first.name.replace(".json", "-1.json")


def test_the_journal_holds_each_record_as_it_finishes_and_the_end_replaces_it(tmp_path):
    path = reserve(tmp_path / "r.json")
    journal = Journal(path, {"schema": "opsuite.conformance/1", "machine": {"name": "m"}})
    journal.append(record("a.py::t", "cpu", "passed"))
    # Read as a killed run would leave it: the header, the record, complete false.
    partial = read(journal.path)
    assert partial["complete"] is False and [r["spec"] for r in partial["records"]] == ["a.py::t"]
    assert partial["incomplete"].startswith("the run was killed before it ended")
    final = journal.finish({"schema": "opsuite.conformance/1", "machine": {"name": "m"},
                            "complete": True, "records": partial["records"]})
    assert final == path and read(path)["complete"] is True and not journal.path.exists()


def test_a_journal_cut_off_mid_line_is_read_up_to_its_last_whole_record(tmp_path):
    journal = tmp_path / "20261130T000000Z-x.partial.jsonl"
    lines = [json.dumps({"schema": "opsuite.conformance/1", "machine": {"name": "m"}}),
             json.dumps(record("a.py::t", "cpu", "passed")), '{"spec": "b.py::t", "back']
    journal.write_text("\n".join(lines))
    assert [r["spec"] for r in read(journal)["records"]] == ["a.py::t"]


def test_a_full_disk_is_one_error_that_says_where_the_finished_records_are(tmp_path, monkeypatch):
    path = reserve(tmp_path / "r.json")
    journal = Journal(path, {"schema": "opsuite.conformance/1", "machine": {"name": "m"}})
    journal.append(record("a.py::t", "cpu", "passed"))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("suite.results.write_new", full)
    with pytest.raises(ResultsError) as error:
        journal.finish({"schema": "opsuite.conformance/1", "records": [{}]})
    assert str(error.value) == (f"cannot write results to {path}: No space left on device; "
                                f"the 1 records finished are in {journal.path}")
    assert json.loads(journal.path.read_text().splitlines()[1])["spec"] == "a.py::t"


def test_a_journal_that_cannot_be_written_warns_once_and_keeps_the_records_for_the_end(tmp_path):
    warnings = []
    path = reserve(tmp_path / "r.json")
    journal = Journal(path, {"schema": "opsuite.conformance/1", "machine": {"name": "m"}},
                      warn=warnings.append)
    journal._file.close()
    journal._file = open("/dev/full", "w")  # every write: No space left on device
    journal.append(record("a.py::t", "cpu", "passed"))
    journal.append(record("b.py::t", "cpu", "passed"))
    assert len(warnings) == 1 and "No space left on device" in warnings[0]
    assert journal.finish({"schema": "opsuite.conformance/1", "machine": {"name": "m"},
                           "records": [record("a.py::t", "cpu", "passed")]}) == path


def test_readers_check_every_field_and_name_it(tmp_path):
    bad = tmp_path / "bad.json"
    for document, field in [
        ({"machine": {"name": 3}, "records": []}, "machine.name is 3, not text"),
        ({"machine": {"name": "m"}, "records": {}}, "records is {}, not a list"),
        ({"machine": {"name": "m"}, "records": [record("s", "cpu", "fine")]},
         "records[0].outcome is 'fine', not one of passed, failed, error, skipped, xfailed"),
        ({"machine": {"name": "m"}, "records": [record("s", "cpu", "passed") | {"duration_s": "1"}]},
         "records[0].duration_s is '1', not an integer or a number"),
        ({"machine": {"name": "m"}, "complete": "no", "records": []}, "complete is 'no', not true or false"),
    ]:
        bad.write_text(json.dumps({"schema": "opsuite.conformance/1"} | document))
        with pytest.raises(ResultsError) as error:
            read(bad)
        assert str(error.value) == f"{bad} is a malformed conformance results file: {field}"
