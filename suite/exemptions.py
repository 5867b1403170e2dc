"""conformance/exemptions.toml: what the specs leave out on purpose, each with its reason.

    [[exemption]]     a coverage gap (`opsuite coverage --check`): op, aspects, reason
    [[undetectable]]  a mutant no spec can tell from a conforming backend (`opsuite
                      selfcheck`): op, kind, reason

op, aspects and kind are fnmatch patterns.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

from suite import surface as surface_data

FILE = surface_data.FOLDER / "exemptions.toml"


class ExemptionError(ValueError):
    pass


@dataclass(frozen=True)
class Exemption:
    op: str          # fnmatch pattern
    aspects: tuple   # fnmatch patterns of aspects ("param:*", "layout:0-dim")
    reason: str

    def covers(self, op: str, aspect: str) -> bool:
        return fnmatch.fnmatchcase(op, self.op) and any(
            fnmatch.fnmatchcase(aspect, a) for a in self.aspects)


@dataclass(frozen=True)
class Undetectable:
    op: str      # fnmatch pattern
    kind: str    # fnmatch pattern of the mutant kind
    reason: str

    def covers(self, op: str, kind: str) -> bool:
        return fnmatch.fnmatchcase(op, self.op) and fnmatch.fnmatchcase(kind, self.kind)


def _entries(table: str, fields: tuple[str, ...], path: Path | None) -> list[dict]:
    """The [[table]] entries of the file, each with every field (reason non-empty)."""
    path = FILE if path is None else Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return []
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ExemptionError(f"exemptions file {path} is not valid TOML: {error}") from None
    entries = data.get(table, [])
    for i, entry in enumerate(entries, 1):
        if not all(isinstance(entry.get(k), list if k == "aspects" else str) for k in fields) \
                or not entry["reason"].strip():
            raise ExemptionError(f"exemptions file {path}: [[{table}]] entry {i} needs "
                                 f"{', '.join(fields)} (aspects a list, the others text)")
    return entries


def load(path: Path | None = None) -> list[Exemption]:
    return [Exemption(e["op"], tuple(e["aspects"]), e["reason"])
            for e in _entries("exemption", ("op", "aspects", "reason"), path)]


def load_undetectable(path: Path | None = None) -> list[Undetectable]:
    return [Undetectable(e["op"], e["kind"], e["reason"])
            for e in _entries("undetectable", ("op", "kind", "reason"), path)]
