"""Known divergences of the sweep: cells that are expected not to work, with the reason.

    [[divergence]]
    op = "nonzero"               # an entry's full name, or a shell-style pattern
    dtype = "*"                  # optional, default every dtype
    backend = "meta"             # a backend name, or a pattern
    verdict = "raises"           # what the cell does: raises, wrong, crashed or timed out
                                 # (its backward's, where the forward works and the backward not)
    reason = "meta has no values, and nonzero's output shape depends on them"

Strict, as conformance's: an entry that names cells of a run but explains none of them (they
work now, or fail another way), or that names no OpInfo entry at all, is reported as stale.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

from suite.validate import cell_verdict

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "sweep" / "known_divergences.toml"
VERDICTS = ("raises", "wrong", "crashed", "timed out", "error")


class KnownError(ValueError):
    pass


@dataclass(frozen=True)
class Known:
    op: str
    backend: str
    verdict: str
    reason: str
    dtype: str = "*"

    def names(self, rec: dict) -> bool:
        return (fnmatch.fnmatchcase(rec.get("op") or "", self.op)
                and fnmatch.fnmatchcase(rec.get("dtype") or "", self.dtype)
                and fnmatch.fnmatchcase(rec.get("backend") or "", self.backend))

    def describe(self) -> str:
        return f"{self.op} {self.dtype} on {self.backend}: {self.verdict} ({self.reason})"


def load(path: Path) -> list[Known]:
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KnownError(f"cannot read known divergences {path}: {exc}") from None
    found = []
    for n, entry in enumerate(data.get("divergence", []), 1):
        missing = [k for k in ("op", "backend", "verdict", "reason") if not entry.get(k)]
        if missing:
            raise KnownError(f"{path}: divergence {n} has no {missing[0]}")
        if entry["verdict"] not in VERDICTS:
            raise KnownError(f"{path}: divergence {n} has verdict {entry['verdict']!r}; "
                             f"choose from {', '.join(VERDICTS)}")
        unknown = set(entry) - {"op", "backend", "verdict", "reason", "dtype"}
        if unknown:
            raise KnownError(f"{path}: divergence {n} has an unknown key {sorted(unknown)[0]!r}")
        found.append(Known(**entry))
    return found


def match(known: list[Known], rec: dict) -> Known | None:
    """The entry that explains a cell that does not work as it does (forward or backward:
    suite.validate.cell_verdict), or None."""
    verdict = cell_verdict(rec)
    if verdict in ("works", "skipped"):
        return None
    return next((k for k in known if k.names(rec) and k.verdict == verdict), None)


def stale(known: list[Known], recs: list[dict], entries: set[str] | None = None) -> list[Known]:
    """Entries that name cells of this run but explain none of them (they work now, or fail
    another way), and entries whose op pattern names no OpInfo entry of this torch at all (a
    typo, or a renamed op)."""
    out = []
    for k in known:
        named = [r for r in recs if k.names(r)]
        if named and not any(match([k], r) for r in named):
            out.append(k)
        elif entries is not None and not any(fnmatch.fnmatchcase(e, k.op) for e in entries):
            out.append(k)
    return out
