"""What the readers (compare, report, coverage, speed) accept: each field's type, checked on
reading, so that a malformed file is one line naming the file and the field, not a traceback
somewhere later.

    conformance(document, path)   # raises Invalid("... records[3].outcome is 5, not one of ...")
    sweep(document, path)
    asv(results, path)
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from pathlib import Path

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed")


class Invalid(ValueError):
    """A file of the right kind whose content is malformed; the message names file and field."""


@dataclass(frozen=True)
class Optional:
    """A key that may be missing (and then is not checked)."""
    schema: object


@dataclass(frozen=True)
class OneOf:
    values: tuple


@dataclass(frozen=True)
class Either:
    """Any of several schemas (a type, a list schema, ...)."""
    schemas: tuple


NUMBER = (int, float)
TEXT_OR_NONE = (str, type(None))

RECORD = {
    "spec": str,
    "backend": str,
    "outcome": OneOf(OUTCOMES),
    "op": Optional(TEXT_OR_NONE),       # None: a test that uses `run` without @spec
    "claim": Optional(TEXT_OR_NONE),
    "url": Optional(TEXT_OR_NONE),
    "message": Optional(TEXT_OR_NONE),
    "repro": Optional(TEXT_OR_NONE),
    "input": Optional(Either((str, [str], type(None)))),
    "observations": Optional((dict, type(None))),
    "duration_s": Optional(NUMBER),
    "values": Optional(bool),
    "surface": Optional((dict, type(None))),
}

CONFORMANCE = {
    "schema": str,
    "machine": {"name": str, "gpus": Optional((list, type(None)))},
    "torch": Optional({"version": Optional(TEXT_OR_NONE)}),
    "commit": Optional(TEXT_OR_NONE),
    "created": Optional(TEXT_OR_NONE),
    "complete": Optional(bool),
    "incomplete": Optional(TEXT_OR_NONE),
    "backends": Optional([{"name": str, "available": Optional(bool),
                           "reason": Optional(TEXT_OR_NONE)}]),
    "records": [RECORD],
}

# a sweep cell: what compare and report read of it
VERDICTS = ("works", "wrong", "raises", "crashed", "timed out", "error", "skipped")


def cell_verdict(record: dict) -> str:
    """A sweep cell's verdict, forward and backward together. A record's "verdict" is its
    forward's; where the forward works and the backward does not (a wrong gradient, a backward
    that raises), the cell does not work either, and takes the backward's verdict."""
    backward = (record.get("backward") or {}).get("verdict")
    if record.get("verdict") == "works" and backward not in (None, "works", "skipped"):
        return backward
    return record.get("verdict")
ERROR = Either((NUMBER, OneOf(("inf",)), type(None)))  # an error figure; "inf" past the dtype's range
ACCURACY = Optional(Either(({"max_ulp": ERROR, "p99_ulp": ERROR, "median_ulp": Optional(ERROR),
                             "max_rel": ERROR}, type(None))))
CELL = {
    "op": str,
    "dtype": str,
    "backend": str,
    "verdict": OneOf(VERDICTS),
    "known": Optional(str),
    "message": Optional(TEXT_OR_NONE),
    "reference": Optional(TEXT_OR_NONE),
    "forward": Optional(Either(({"accuracy": ACCURACY, "samples_compared": Optional(int)}, type(None)))),
    "backward": Optional(Either(({"verdict": OneOf(VERDICTS), "accuracy": ACCURACY,
                                  "samples_compared": Optional(int)}, type(None)))),
    "graph_breaks": Optional(int),
    "duration_s": Optional(NUMBER),
}

SWEEP = {
    "schema": str,
    "machine": {"name": str},
    "torch": Optional({"version": Optional(TEXT_OR_NONE)}),
    "commit": Optional(TEXT_OR_NONE),
    "created": Optional(TEXT_OR_NONE),
    "complete": Optional(bool),
    "backends": Optional([{"name": str, "device": Optional(TEXT_OR_NONE),
                           "available": Optional(bool), "reason": Optional(TEXT_OR_NONE)}]),
    "records": [CELL],
}


def _name(schema) -> str:
    if isinstance(schema, tuple):
        return " or ".join(_name(s) for s in schema)
    if isinstance(schema, dict):
        return "an object"
    if isinstance(schema, list):
        return "a list of text" if schema[0] is str else "a list"
    if isinstance(schema, OneOf):
        return "one of " + ", ".join(schema.values)
    if isinstance(schema, Either):
        return " or ".join(_name(s) for s in schema.schemas)
    return {str: "text", int: "an integer", float: "a number", bool: "true or false",
            list: "a list", dict: "an object", type(None): "null"}.get(schema, schema.__name__)


def _is(value, kind) -> bool:
    if kind in (int, float) and isinstance(value, bool):
        return False  # JSON's true is not a number
    return isinstance(value, kind)


def check(value, schema, where: str) -> None:
    """Raise Invalid naming ``where`` (a field path) when ``value`` does not fit ``schema``."""
    if isinstance(schema, Optional):
        schema = schema.schema
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise Invalid(f"{where} is {_show(value)}, not an object")
        for key, sub in schema.items():
            if key not in value:
                if isinstance(sub, Optional):
                    continue
                raise Invalid(f"{where}.{key} is missing".lstrip("."))
            check(value[key], sub, f"{where}.{key}".lstrip("."))
    elif isinstance(schema, list):
        if not isinstance(value, list):
            raise Invalid(f"{where} is {_show(value)}, not a list")
        for i, item in enumerate(value):
            check(item, schema[0], f"{where}[{i}]")
    elif isinstance(schema, OneOf):
        if value not in schema.values:
            raise Invalid(f"{where} is {_show(value)}, not {_name(schema)}")
    elif isinstance(schema, Either):
        for alternative in schema.schemas:
            try:
                return check(value, alternative, where)
            except Invalid:
                continue
        raise Invalid(f"{where} is {_show(value)}, not {_name(schema)}")
    else:
        kinds = schema if isinstance(schema, tuple) else (schema,)
        if not any(_is(value, k) for k in kinds):
            raise Invalid(f"{where} is {_show(value)}, not {_name(schema)}")


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def conformance(document: dict, path: Path) -> dict:
    """``document`` if it is a well-formed conformance results document, else Invalid."""
    return _checked(document, path, "conformance", lambda: check(document, CONFORMANCE, ""))


def sweep(document: dict, path: Path) -> dict:
    """``document`` if it is a well-formed sweep results document, else Invalid."""
    return _checked(document, path, "sweep", lambda: check(document, SWEEP, ""))


def asv(results, path: Path) -> dict:
    """``results`` if it is a well-formed asv results file (as `suite.speed` reads it)."""
    return _checked(results, path, "asv", lambda: _asv(results))


def _checked(data, path: Path, kind: str, checking):
    try:
        checking()
    except Invalid as error:
        raise Invalid(f"{path} is a malformed {kind} results file: {error}") from None
    return data


def _asv(results) -> None:
    check(results, {"results": dict, "result_columns": [str],
                    "params": Optional((dict, type(None))),
                    "requirements": Optional((dict, type(None))),
                    "commit_hash": Optional(TEXT_OR_NONE), "date": Optional(NUMBER)}, "")
    columns = results["result_columns"]
    for needed in ("result", "params"):
        if needed not in columns:
            raise Invalid(f"result_columns lacks {needed!r}")
    for name, row in results["results"].items():
        where = f"results[{name!r}]"
        if row is None:
            continue  # asv writes null for a benchmark that failed to run
        check(row, list, where)
        fields = dict(zip(columns, row))
        grid = fields.get("params")
        check(grid, [[str]], f"{where}.params")
        for i, values in enumerate(grid):
            for j, text in enumerate(values):
                try:
                    ast.literal_eval(text)
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    raise Invalid(f"{where}.params[{i}][{j}] is {_show(text)}, not a "
                                  "Python literal") from None
        times = fields.get("result")
        if times is None:
            continue
        check(times, [(int, float, type(None))], f"{where}.result")
        expected = math.prod(len(v) for v in grid)
        if len(times) != expected:
            raise Invalid(f"{where}.result has {len(times)} values for {expected} parameter "
                          "combinations")
