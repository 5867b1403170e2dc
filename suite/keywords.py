"""``-k`` for specs: the expression is matched against the spec's names, not the backend's.

pytest matches ``-k`` against every part of a case's name, the backend's parameter id
included, so ``-k sum`` would also run every spec on a backend called ``broken-sum`` and
``-k "not cpu"`` would drop the cpu column. Here a spec case is matched as if its backend
were not part of its name; every other test is matched as pytest matches it.
"""

from __future__ import annotations

from _pytest.mark import KeywordMatcher
from _pytest.mark.expression import Expression


def _spec_names(item, backend: str) -> set[str]:
    names = set(KeywordMatcher.from_item(item)._names) - {backend}
    own = item.name
    for suffix in (f"[{backend}]", f"-{backend}]"):
        if own.endswith(suffix):
            names.discard(own)
            names.add(own[: -len(suffix)] + ("]" if suffix.startswith("-") else ""))
    return names


def select(items, expression: str, backend_of) -> tuple[list, list]:
    """(kept, deselected) under ``-k expression``; ``backend_of(item)`` is the name of a spec
    case's backend, or None for any other test."""
    expr = Expression.compile(expression)
    kept, dropped = [], []
    for item in items:
        backend = backend_of(item)
        names = _spec_names(item, backend) if backend else KeywordMatcher.from_item(item)._names
        lowered = [n.lower() for n in names]
        matched = expr.evaluate(lambda sub, **kw: any(sub.lower() in n for n in lowered))
        (kept if matched else dropped).append(item)
    return kept, dropped
