"""The end-of-run matrix: specs x backends, counts per backend, and what broke."""

from __future__ import annotations

import pandas as pd

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed")
CELL = {"passed": "ok", "failed": "FAIL", "error": "ERROR", "skipped": "skip", "xfailed": "xfail"}


NOT_A_SPEC = "(no @spec)"


def frame(records: list[dict]) -> pd.DataFrame:
    """The records as a table; a test that used `run` without @spec has no op or claim, and is
    shown under NOT_A_SPEC rather than dropped."""
    df = pd.DataFrame(records, columns=["spec", "op", "claim", "backend", "outcome",
                                        "message", "input", "repro"])
    return df.fillna({"op": NOT_A_SPEC, "claim": ""})


def counts(df: pd.DataFrame, backends: list[str]) -> pd.DataFrame:
    """backend x outcome: how many spec cases ended so, for ``backends`` (in that order)."""
    found = (df.groupby("backend").outcome.value_counts().unstack(fill_value=0)
             .reindex(columns=list(OUTCOMES), fill_value=0))
    found.columns.name = "outcome"
    return found.reindex([b for b in backends if b in found.index])


NOT_PASSING = ("failed", "error", "xfailed")


def render(records: list[dict], backends: list[dict], width: int = 120, rows: str = "broken") -> str:
    """The matrix as text. ``backends`` lists every selected backend, available or not.
    ``rows``: "broken" shows only the specs with a failure, error or known divergence on some
    backend; "all" every spec."""
    df = frame(records)
    # An unavailable backend ran nothing: it is listed below, not given a column.
    shown = [b["name"] for b in backends if b["available"] and b["name"] in set(df.backend)]
    lines = []
    if not df.empty:
        short = df.assign(spec=df.spec.str.split("::").str[-1])
        matrix = (short.pivot_table(index=["op", "spec"], columns="backend", values="outcome",
                                    aggfunc="first")
                  .reindex(columns=shown))
        total = len(matrix)
        if rows == "broken":
            matrix = matrix[matrix.isin(NOT_PASSING).any(axis=1)]
        matrix = matrix.apply(lambda col: col.map(CELL)).fillna("")
        matrix.columns.name = None
        if rows == "broken":
            lines.append(f"{len(matrix)} of {total} specs have a failure, an error or a known "
                         "divergence (--matrix all shows every spec; the results file has every "
                         "record):")
        if len(matrix):
            with pd.option_context("display.width", width, "display.max_rows", None,
                                   "display.max_colwidth", 70):
                lines.append(matrix.to_string())
        lines += ["", "Counts per backend:", counts(df, shown).to_string()]
    lines += unavailable_lines(backends)
    broken = df[df.outcome.isin(["failed", "error"])] if not df.empty else df
    if not broken.empty:
        lines += ["", f"{len(broken)} broken (spec x backend):"]
        for r in broken.itertuples():
            lines += [f"  {r.outcome.upper()} {r.spec} on {r.backend}",
                      f"    claim ({r.op}): {r.claim}",
                      f"    {first_line(r.message)}"]
            if r.input:  # the last call on the backend is the one that broke
                call = r.input[-1] if isinstance(r.input, list) else r.input
                lines.append(f"    input: {first_line(call, 200)}")
            lines.append(f"    repro: {r.repro}")
    return "\n".join(lines)


def unavailable_lines(backends: list[dict]) -> list[str]:
    gone = [b for b in backends if not b["available"]]
    if not gone:
        return []
    return ["", "Unavailable backends (nothing ran there):",
            *[f"  {b['name']}: {b['reason']}" for b in gone]]


def first_line(text: str | None, limit: int = 300) -> str:
    text = (text or "").strip().splitlines()[0] if text and text.strip() else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."
