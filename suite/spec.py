"""Spec metadata: which op, which documented sentence, which page.

    @spec("torch.argmax", "If there are multiple maximal values then the indices of the "
          "first maximal value are returned.")
    def test_argmax_returns_first_index_on_ties(run): ...

The claim is quoted verbatim from the op's docstring in the installed torch; `quote_drift`
reports the quotes that no longer occur there.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

import pytest

MARKER = "opsuite_spec"
DOCS = "https://docs.pytorch.org/docs/stable/generated/{op}.html"


@dataclass(frozen=True)
class Spec:
    op: str
    claim: str
    url: str
    needs_values: bool = True


def spec(op: str, claim: str, *, url: str | None = None, needs_values: bool = True):
    """Mark a conformance spec.

    op:           dotted name of the documented callable, e.g. ``torch.median``.
    claim:        a sentence copied from ``op.__doc__`` (whitespace may differ).
    url:          the documentation page; defaults to the op's generated page.
    needs_values: False when the spec checks only shapes and dtypes, so it also runs on
                  ``meta``; specs that need values are skipped there with a reason.
    """
    return pytest.mark.opsuite_spec(Spec(op, claim, url or DOCS.format(op=op), needs_values))


def spec_of(item: pytest.Item) -> Spec | None:
    mark = item.get_closest_marker(MARKER)
    return mark.args[0] if mark else None


def resolve(op: str):
    """The object a dotted name refers to (``torch.nn.functional.normalize``, ``torch.Tensor.sum``)."""
    parts = op.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"cannot import {op}")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def quote_drift(s: Spec) -> str | None:
    """Why the claim is no longer in the installed docs, or None when it still is."""
    try:
        doc = resolve(s.op).__doc__ or ""
    except (ImportError, AttributeError):
        return f"{s.op} no longer exists in this torch"
    if normalise(s.claim) not in normalise(doc):
        return f"the {s.op} docstring no longer says: {s.claim!r}"
    return None
