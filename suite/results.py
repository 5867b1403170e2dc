"""Result files: atomic, never overwriting an earlier run, and nothing finished lost.

A conformance run streams its records to a journal as they finish, then writes the results
file in one piece at the end:

    results/conformance/<machine>/20261130T201500Z-80f0168a.partial.jsonl   during the run
    results/conformance/<machine>/20261130T201500Z-80f0168a.json            at its end

The journal is JSON Lines: the run's header (the results document without its records), then
one record per line. Creating it reserves the name (O_EXCL), so two runs never share a file.
A run that ends (even by Ctrl-C, SIGTERM or a time limit) writes the final file, marked
``"complete": false`` when it did not finish, and removes the journal; a run killed outright
leaves the journal, which `read` accepts as an incomplete run.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from suite import validate
from suite.machine import PROJECT_ROOT

SCHEMA = "opsuite.conformance/1"
JOURNAL = ".partial.jsonl"


class ResultsError(ValueError):
    pass


def results_root() -> Path:
    """``results/`` of the checkout when run from one, else of the current directory."""
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "conformance").is_dir():
        return PROJECT_ROOT / "results"
    return Path.cwd() / "results"


def run_stem(commit: str | None) -> str:
    """A new run's file name without extension: UTC time and commit."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + (f"-{commit[:8]}" if commit else "")


def default_folder(machine: str, kind: str = "conformance") -> Path:
    return results_root() / kind / machine


def default_path(machine: str, commit: str | None, kind: str = "conformance") -> Path:
    """A new file under results/<kind>/<machine>/, named by UTC time and commit."""
    folder = default_folder(machine, kind)
    stem = run_stem(commit)
    path, n = folder / f"{stem}.json", 1
    while os.path.lexists(path) or os.path.lexists(journal_path(path)):
        path, n = folder / f"{stem}-{n}.json", n + 1
    return path


def journal_path(path: Path) -> Path:
    """Where a run writing ``path`` keeps its records until it ends."""
    path = Path(path)
    return path.with_name(path.name.removesuffix(".json") + JOURNAL)


def final_path(journal: Path) -> Path:
    return journal.with_name(journal.name.removesuffix(JOURNAL) + ".json")


def _exists(path: Path) -> str | None:
    """Why ``path`` cannot be a new results file, or None."""
    if path.is_symlink() and not path.exists():
        return f"{path} is a symbolic link to {os.readlink(path)}, which does not exist"
    if os.path.lexists(path):
        return f"{path} already exists"
    return None


def check_writable(path: Path) -> None:
    """Fail before the run, not after it, when the results could not be kept."""
    why = _exists(path)
    if why:
        raise ResultsError(f"{why}; results never overwrite an earlier run")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".probe-"):
            pass
    except OSError as exc:
        raise ResultsError(f"cannot write results to {path}: {exc.strerror or exc}") from None


def check_junitxml(path: str | None) -> None:
    """pytest writes JUnit XML only at the end: an unwritable path must fail before the run."""
    if not path:
        return
    target = Path(os.path.expanduser(os.path.expandvars(path))).absolute()
    try:
        if target.is_dir():
            raise IsADirectoryError(21, "it is a directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.close(os.open(target, os.O_WRONLY | os.O_APPEND))  # opened, not changed
        else:
            with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".probe-"):
                pass
    except OSError as exc:
        raise ResultsError(f"cannot write JUnit XML to {path}: "
                                   f"{exc.strerror or exc}") from None


def reserve(path: Path | None = None, folder: Path | None = None,
            commit: str | None = None) -> Path:
    """Claim a new results file (``path``, or a new name in ``folder``) by creating its journal
    with O_EXCL: a second run asking for the same name gets the next one (or, for an explicit
    ``path``, an error). Returns the final path; its journal exists, empty."""
    if path is not None:
        check_writable(path)
        try:
            _create(journal_path(path))
        except FileExistsError:
            raise ResultsError(f"{journal_path(path)} exists: another run is writing {path}, or "
                               "one was killed and left its records there") from None
        return path
    stem, n = run_stem(commit), 0
    while True:
        path = folder / (f"{stem}.json" if n == 0 else f"{stem}-{n}.json")
        n += 1
        if os.path.lexists(path):
            continue
        check_writable(path)
        try:
            _create(journal_path(path))
        except FileExistsError:
            continue
        if os.path.lexists(path):  # another run finished this name meanwhile
            journal_path(path).unlink()
            continue
        return path


def _create(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        raise
    except OSError as exc:
        raise ResultsError(f"cannot write results to {path.parent}: {exc.strerror or exc}") from None


class Journal:
    """The records of a run in progress, each on disk as soon as it finishes (see module doc).
    A write that fails (a full disk) is reported once through ``warn``; the records are still
    kept in memory for the final file."""

    def __init__(self, final: Path, header: dict, warn=lambda message: None):
        self.final = Path(final)
        self.path = journal_path(self.final)
        self._warn = warn
        self.failed: str | None = None
        self.written = 0
        try:
            self._file = open(self.path, "a", encoding="utf-8")
            self._file.write(json.dumps(header, default=str) + "\n")
            self._file.flush()
        except OSError as exc:
            self._file = None
            self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        if self.failed is None:
            self.failed = exc.strerror or str(exc)
            self._warn(f"cannot write to {self.path} ({self.failed}); finished records are kept "
                       "in memory until the run ends")

    def append(self, record: dict) -> None:
        if self._file is None or self.failed:
            return
        try:
            self._file.write(json.dumps(record, default=str) + "\n")
            self._file.flush()  # in the kernel's hands: a SIGKILL of this process loses nothing
            self.written += 1
        except OSError as exc:
            self._failed(exc)

    def finish(self, document: dict) -> Path:
        """Write the final file and remove the journal; on failure the journal stays and the
        ResultsError says where the finished records are."""
        self.close()
        try:
            write_new(self.final, document)
        except (ResultsError, OSError) as exc:
            detail = str(exc) if isinstance(exc, ResultsError) else (
                f"cannot write results to {self.final}: {exc.strerror or exc}")
            kept = (f"the {self.written} records finished are in {self.path}"
                    if self.failed is None and self.path.exists() else
                    f"{self.written} of {len(document.get('records', []))} finished records "
                    f"reached {self.path} before writing failed ({self.failed})")
            raise ResultsError(f"{detail}; {kept}") from None
        self.path.unlink(missing_ok=True)
        return self.final

    def abandon(self) -> None:
        """Nothing to keep (no record finished): remove the journal."""
        self.close()
        if self.written == 0:
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                self._failed(exc)
            self._file = None


def readable(fd: int) -> None:
    """Give a temporary file (0600) the mode of a file made by open(): 0666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)


def write_new(path: Path, data: dict) -> None:
    """Write ``data`` as JSON to a new file: a complete file appears, or none does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=1, default=str) + "\n"
    tmp = staged(path, lambda f: f.write(text.encode()))
    try:
        os.link(tmp, path)  # unlike rename, link refuses to replace an existing file
    except FileExistsError:
        raise ResultsError(f"{path} appeared during the run; results kept nothing over it") from None
    finally:
        tmp.unlink()


def read(path: Path) -> dict:
    """A conformance results file, or the journal of a run that was killed (as a document
    marked ``"complete": false``), its schema and every field's type checked (`suite.validate`)."""
    path = Path(path)
    try:
        if path.name.endswith(JOURNAL):
            data = _read_journal(path)
        else:
            data = json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path} is not a readable results file: {exc}") from None
    schema = data.get("schema") if isinstance(data, dict) else None
    name, _, version = schema.partition("/") if isinstance(schema, str) else ("", "", "")
    ours, _, supported = SCHEMA.partition("/")
    if name != ours:
        raise ResultsError(f"{path} is not an opsuite conformance results file")
    if not version.isdigit() or int(version) > int(supported):
        raise ResultsError(f"{path} has schema {schema}, which this opsuite cannot read "
                           f"(it reads {SCHEMA}); use a newer opsuite")
    try:
        return validate.conformance(data, path)
    except validate.Invalid as exc:
        raise ResultsError(f"{exc}") from None


def _read_journal(path: Path) -> dict:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise ValueError("it is empty (the run had not started writing)")
    header = json.loads(lines[0])
    if not isinstance(header, dict):
        raise ValueError("its first line is not a run's header")
    records = []
    for n, line in enumerate(lines[1:], 2):
        try:
            records.append(json.loads(line))
        except ValueError:
            if n == len(lines):
                break  # the last line was being written when the run was killed
            raise ValueError(f"line {n} is not JSON") from None
    return header | {"records": records, "complete": False,
                     "incomplete": header.get("incomplete") or
                     "the run was killed before it ended: these are the records it finished"}


def is_run_file(path: Path) -> bool:
    """A results file or a killed run's journal (not a temporary or probe file)."""
    name = Path(path).name
    return not name.startswith(".") and (name.endswith(JOURNAL) or name.endswith(".json"))


def replace_text(path: Path, text: str) -> None:
    """Replace ``path`` whole with ``text``: a temporary file renamed over it, so a crash leaves
    the old file or the new one, never half of either. For derived files (annotations)."""
    os.replace(staged(path, lambda f: f.write(text.encode())), path)


def staged(path: Path, write) -> Path:
    """A complete temporary file beside ``path`` holding what ``write(binary_file)`` writes,
    for the caller to rename over ``path``; on failure, nothing is left behind."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        readable(fd)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp)
