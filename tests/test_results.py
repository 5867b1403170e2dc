import json
import os

import pytest

from suite.results import ResultsError, check_writable, default_path, read, write_new


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
