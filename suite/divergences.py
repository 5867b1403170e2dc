"""Known divergences are data: a TOML file maps (spec, backend[, torch range]) to a reason.

    [[divergence]]
    spec = "reductions/test_median_nanmedian.py::test_median_even_count_returns_lower_middle"
    backend = "mps"                # a backend name; fnmatch patterns such as "cuda:*" allowed
    torch = ">=2.4,<2.7"           # optional PEP 440 range of torch versions
    raises = "TypeError"           # optional: the divergence is this error from the operation
    reason = "why it diverges"
    link = "https://github.com/pytorch/pytorch/issues/..."

``spec`` matches a spec id by suffix (the leading folders, or the whole file part, may be left out) and may end
in ``*`` to cover every parameter set. A matching spec is expected to fail (strict xfail):
one that passes again is reported as failed, and an entry that matches no spec is reported.

The failure expected is a broken claim (an assertion). Where the divergence is an error the
operation raises, ``raises`` names its class (or a base class); any other error of the backend
is then an ``error`` record, not hidden behind the entry.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "conformance" / "known_divergences.toml"
REQUIRED = ("spec", "backend", "reason", "link")


class DivergenceFileError(ValueError):
    pass


@dataclass(frozen=True)
class Divergence:
    spec: str
    backend: str
    reason: str
    link: str
    torch: str = ""
    raises: str = ""

    def expects(self, error: BaseException) -> bool:
        """Whether ``error``, ending the spec, is the failure this entry describes."""
        names = {cls.__name__ for cls in type(error).__mro__}
        return isinstance(error, AssertionError) or bool(self.raises and self.raises in names)

    def matches(self, spec_id: str, backend: str, torch_version: str) -> bool:
        if not fnmatch.fnmatchcase(backend, self.backend):
            return False
        if self.torch and Version(torch_version.split("+")[0]) not in SpecifierSet(self.torch):
            return False
        return self.names(spec_id)

    def names(self, spec_id: str) -> bool:
        """Whether the entry's spec pattern names this spec id (any backend, any torch)."""
        pattern = re.escape(self.spec).replace(r"\*", ".*")
        return re.search(rf"(^|/|::){pattern}$", spec_id) is not None

    def describe(self) -> str:
        where = f" on torch {self.torch}" if self.torch else ""
        return f"{self.spec} on {self.backend}{where}"


def load(path: Path) -> list[Divergence]:
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise DivergenceFileError(f"known-divergences file {path} does not exist") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DivergenceFileError(f"known-divergences file {path} is not valid TOML: {exc}") from None
    entries = []
    for i, entry in enumerate(data.get("divergence", []), 1):
        missing = [k for k in REQUIRED if not entry.get(k)]
        unknown = set(entry) - set(REQUIRED) - {"torch", "raises"}
        if missing or unknown:
            problem = f"lacks {', '.join(missing)}" if missing else f"has unknown keys {sorted(unknown)}"
            raise DivergenceFileError(f"known-divergences file {path}: entry {i} {problem}")
        if not all(isinstance(entry.get(k, ""), str) for k in (*REQUIRED, "torch", "raises")):
            raise DivergenceFileError(f"known-divergences file {path}: entry {i} has a value "
                                      "that is not text")
        if entry.get("torch"):
            try:
                SpecifierSet(entry["torch"])
            except InvalidSpecifier:
                raise DivergenceFileError(f"known-divergences file {path}: entry {i} has an "
                                          f"invalid torch range {entry['torch']!r}") from None
        entries.append(Divergence(**entry))
    return entries
