"""Result files: atomic, never overwriting an earlier run."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from suite.machine import PROJECT_ROOT

SCHEMA = "opsuite.conformance/1"


class ResultsError(ValueError):
    pass


def results_root() -> Path:
    """``results/`` of the checkout when run from one, else of the current directory."""
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "conformance").is_dir():
        return PROJECT_ROOT / "results"
    return Path.cwd() / "results"


def default_path(machine: str, commit: str | None, kind: str = "conformance") -> Path:
    """A new file under results/<kind>/<machine>/, named by UTC time and commit."""
    folder = results_root() / kind / machine
    stem = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + (f"-{commit[:8]}" if commit else "")
    path, n = folder / f"{stem}.json", 1
    while path.exists():
        path, n = folder / f"{stem}-{n}.json", n + 1
    return path


def check_writable(path: Path) -> None:
    """Fail before the run, not after it, when the results could not be kept."""
    if path.exists():
        raise ResultsError(f"{path} already exists; results never overwrite an earlier run")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".probe-"):
            pass
    except OSError as exc:
        raise ResultsError(f"cannot write results to {path}: {exc.strerror or exc}") from None


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
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ResultsError(f"{path} is not a readable results file: {exc}") from None
    schema = data.get("schema") if isinstance(data, dict) else None
    name, _, version = schema.partition("/") if isinstance(schema, str) else ("", "", "")
    ours, _, supported = SCHEMA.partition("/")
    if name != ours:
        raise ResultsError(f"{path} is not an opsuite conformance results file")
    if not version.isdigit() or int(version) > int(supported):
        raise ResultsError(f"{path} has schema {schema}, which this opsuite cannot read "
                           f"(it reads {SCHEMA}); use a newer opsuite")
    return data


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
