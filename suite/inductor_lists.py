"""PyTorch's own inductor skip/xfail lists, read as data.

PyTorch's ``test/inductor/test_torchinductor_opinfo.py`` compiles every OpInfo
entry with torch.compile and keeps, per device type, the (op, dtype) pairs it
skips or expects to fail there (``inductor_skips["cpu"]``,
``inductor_expected_failures_single_sample["cuda"]``, ...).  opsuite uses them
to tell a gap inductor already admits upstream from a new divergence.

The file is parsed with ``ast``, never imported or run (it needs PyTorch's test
tree).  Only unconditional module-level statements count: entries added under
``if`` (macOS, ROCm, ARM64, old GPUs, config flags) are platform specific and
left out.  Dtype abbreviations (``f32 = torch.float32``) are read from the file
itself; an op key ``("op", "variant")`` becomes ``"op.variant"``, the OpInfo
full name (name + "." + variant_test_name).

Two more things decide what that test expects, and both are recorded beside the lists:
``tested_dtypes``, the dtypes it runs at all (every ``allowed_dtypes`` of the file,
intersected: PyTorch's test never compiles bfloat16, int8, int16 or complex; ``tested_dtypes_by_op``
names the few ops it runs in more, uint8 for the interpolate ops among them), and ``entries``,
the skips and expected failures the OpInfo entries attach to it themselves
(``DecorateInfo(unittest.skip(...), "TestInductorOpInfo", ...)``), read from the installed
torch.  A third, ``tolerances``, is where the test accepts a divergence by loosening its
comparison instead of listing it (``inductor_override_kwargs["cpu"]``: atol, rtol,
grad_atol, ..., or ``assert_equal: False``), per device, op and dtype ("*": every dtype).
Command line:
``python -m suite.inductor_lists FILE --source "pytorch/pytorch@<commit>" > out.json``.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import unittest
from importlib import metadata

FORMAT = "opsuite.inductor_lists/1"

# dict in the test file -> list kind; any other `inductor_*` dict whose values
# are dtype sets is kept under its name without the prefix
KINDS = {
    "inductor_skips": "skip",
    "inductor_expected_failures_single_sample": "xfail",
    "inductor_expected_failures": "xfail",  # its name in early versions
    "inductor_gradient_expected_failures_single_sample": "xfail_gradient",
    "inductor_expected_failures_all_samples": "xfail_all_samples",
    "inductor_gradient_expected_failures_all_samples": "xfail_gradient_all_samples",
    "inductor_should_fail_with_exception": "fail_with_exception",  # {dtype: message}
    "inductor_one_sample": "one_sample",
}
# only for abbreviations the file does not define itself
DEFAULT_ABBRS = dict(b8="bool", bf16="bfloat16", f16="float16", f32="float32", f64="float64",
                     i8="int8", i16="int16", i32="int32", i64="int64", u8="uint8", u16="uint16",
                     u32="uint32", u64="uint64", c32="complex32", c64="complex64", c128="complex128")
ALIASES = dict(half="float16", float="float32", double="float64", short="int16", int="int32",
               long="int64", chalf="complex32", cfloat="complex64", cdouble="complex128")
DTYPE_NAME = re.compile(r"(bool|bfloat16|u?int\d+|float\d+(_\w+)?|b?complex\d+)$")


def _op_name(key):
    """"op" -> "op"; ("op", "variant") -> "op.variant"; None if the key names no op."""
    try:
        value = ast.literal_eval(key)
    except (ValueError, TypeError, SyntaxError):
        return None  # e.g. ("op", f16), a key of the tolerance overrides
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return ".".join(v for v in value if v)
    return value if isinstance(value, str) else None


class _Reader:
    def __init__(self):
        self.abbrs = {}    # module-level name -> set of dtype names (f32, named dtype sets)
        self.helpers = {}  # module-level dict literals, for `X["cpu"].update(name)`
        self.lists = {}    # device -> kind -> op -> set of dtype names

    def dtypes(self, node, kind=None):
        """The dtype names an expression stands for; None if it is no set of dtypes
        (a ValueError instead when `kind` is a known list, where that would lose data)."""
        parts = found = None
        if isinstance(node, ast.Name):
            found = self.abbrs.get(node.id) or ({DEFAULT_ABBRS[node.id]} if node.id in DEFAULT_ABBRS else None)
        elif isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "torch":
            name = ALIASES.get(node.attr, node.attr)
            found = {name} if DTYPE_NAME.match(name) else None
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # set union
            parts = [node.left, node.right]
        elif isinstance(node, (ast.Set, ast.List, ast.Tuple, ast.Dict)):  # Dict: {dtype: message}
            parts = node.keys if isinstance(node, ast.Dict) else node.elts
        if parts is not None:
            pieces = [self.dtypes(p) for p in parts]
            found = None if None in pieces else set().union(*pieces)
        if found is None and kind in KINDS.values():
            raise ValueError(f"line {node.lineno}: cannot read the dtypes of a {kind} entry")
        return found

    def entries(self, node, kind):
        """{op: dtypes} from a dict literal, or the name of one."""
        node = self.helpers.get(node.id) if isinstance(node, ast.Name) else node
        pairs = zip(node.keys, node.values) if isinstance(node, ast.Dict) else ()
        found = {_op_name(key): self.dtypes(value, kind) for key, value in pairs}
        return {op: ds for op, ds in found.items() if op is not None and ds is not None}

    def target(self, node):
        """(device, kind[, op]) for `inductor_x["dev"]` or `inductor_x["dev"][op]`, else None."""
        keys = []
        while isinstance(node, ast.Subscript):
            keys.insert(0, node.slice)
            node = node.value
        if not (isinstance(node, ast.Name) and node.id.startswith("inductor_") and 0 < len(keys) <= 2
                and isinstance(getattr(keys[0], "value", None), str)):
            return None
        ops = [_op_name(k) for k in keys[1:]]
        kind = KINDS.get(node.id, node.id.removeprefix("inductor_"))
        return None if None in ops else (keys[0].value, kind, *ops)

    def read(self, tree):
        for stmt in tree.body:  # `if` blocks and functions are deliberately not entered
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                self.assign(stmt.targets[0], stmt.value)
            elif (isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "update"
                  and len(call.args) == 1 and len(where := self.target(call.func.value) or ()) == 2):
                self.table(*where).update(self.entries(call.args[0], where[1]))  # X["cpu"].update(..)
        known = set(KINDS.values())
        return {dev: {kind: {op: sorted(ds) for op, ds in sorted(ops.items())}
                      for kind, ops in sorted(kinds.items()) if ops or kind in known}
                for dev, kinds in sorted(self.lists.items())}

    def assign(self, target, value):
        where = self.target(target)
        if isinstance(target, ast.Name) and isinstance(value, ast.Dict):
            self.helpers[target.id] = value
        elif isinstance(target, ast.Name) and (dtypes := self.dtypes(value)) is not None:
            self.abbrs[target.id] = dtypes  # f32 = torch.float32, or a named set of dtypes
        elif where and len(where) == 2:  # X["cpu"] = {...}
            self.lists.setdefault(where[0], {})[where[1]] = self.entries(value, where[1])
        elif where and (dtypes := self.dtypes(value, where[1])) is not None:  # X["cpu"]["op"] = {...}
            self.table(*where[:2])[where[2]] = dtypes

    def table(self, device, kind):
        return self.lists.setdefault(device, {}).setdefault(kind, {})


def parse_lists(source: str) -> dict:
    """{device: {kind: {op full name: sorted dtype names}}} from the test file's text.
    SyntaxError if it is not Python; ValueError if a known list holds a non-dtype entry."""
    return _Reader().read(ast.parse(source))


def tolerances(source: str) -> dict:
    """{device: {op: {dtype name or "*": {setting: value}}}} from the test file's
    ``inductor_override_kwargs[device] = {...}`` (and unconditional ``.update({...})``): keys
    are an op's full name, or (name, dtype)."""
    reader, found = _Reader(), {}
    for stmt in ast.parse(source).body:  # module level only, as the lists
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            reader.assign(stmt.targets[0], stmt.value)
            target, value = stmt.targets[0], stmt.value
        elif (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
              and getattr(stmt.value.func, "attr", None) == "update" and len(stmt.value.args) == 1):
            target, value = stmt.value.func.value, stmt.value.args[0]
        else:
            continue
        where = reader.target(target)
        if not (where and len(where) == 2 and where[1] == "override_kwargs" and isinstance(value, ast.Dict)):
            continue
        for key, settings in zip(value.keys, value.values):
            op, dtype = key, None
            if isinstance(key, ast.Tuple) and len(key.elts) == 2:
                op, dtype = key.elts
            dtypes = {"*"} if dtype is None else reader.dtypes(dtype)
            if not (isinstance(op, ast.Constant) and isinstance(op.value, str) and dtypes):
                continue
            try:
                settings = ast.literal_eval(settings)
            except ValueError:
                continue
            for name in dtypes:
                found.setdefault(where[0], {}).setdefault(op.value, {})[name] = settings
    return {dev: {op: dict(sorted(ds.items())) for op, ds in sorted(ops.items())}
            for dev, ops in sorted(found.items())}


def _abbreviations(tree) -> _Reader:
    """A reader that knows the file's own module-level names (f32 = torch.float32, dtype sets)."""
    reader = _Reader()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            reader.assign(stmt.targets[0], stmt.value)
    return reader


def dtypes_run(source: str) -> list[str] | None:
    """The dtypes the test runs at all: every ``allowed_dtypes = [...]`` or
    ``allowed_dtypes=[...]`` in the file, intersected (None if there is none)."""
    tree = ast.parse(source)
    reader, found = _abbreviations(tree), None
    for node in ast.walk(tree):
        value = None
        if isinstance(node, ast.keyword) and node.arg == "allowed_dtypes":
            value = node.value
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "allowed_dtypes"
                                                  for t in node.targets):
            value = node.value
        if value is not None and (dtypes := reader.dtypes(value)) is not None:
            found = dtypes if found is None else found & dtypes
    return None if found is None else sorted(found)


def _not_in(node) -> bool:
    return isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.NotIn)


def dtypes_run_by_op(source: str) -> dict[str, list[str]]:
    """The ops the test runs in more dtypes than ``dtypes_run``: those named in an
    ``if op_name not in (...)`` whose body skips a dtype outside ``allowed_dtypes`` (uint8 for
    the upsampling and interpolate ops, fill and full_like). They run in every dtype of the
    widest ``allowed_dtypes`` of the file, {op full name: sorted dtype names}."""
    tree = ast.parse(source)
    reader, widest = _abbreviations(tree), set()
    for node in ast.walk(tree):
        value = node.value if isinstance(node, ast.keyword) and node.arg == "allowed_dtypes" else None
        if value is not None and (dtypes := reader.dtypes(value)) is not None:
            widest |= dtypes
    found = {}
    for node in ast.walk(tree):
        test = node.test if isinstance(node, ast.If) else None
        if not (_not_in(test) and isinstance(test.left, ast.Name)
                and isinstance(test.comparators[0], (ast.Tuple, ast.List, ast.Set))):
            continue  # not `if op_name not in ("a", "b"):`
        names = [e.value for e in test.comparators[0].elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        guards_dtypes = any(_not_in(n) and isinstance(n.comparators[0], ast.Name)
                            and n.comparators[0].id == "allowed_dtypes"
                            for stmt in node.body for n in ast.walk(stmt))  # `if dtype not in allowed_dtypes`
        if names and guards_dtypes:
            found.update((name, sorted(widest)) for name in names)
    return dict(sorted(found.items()))


TEST = ("TestInductorOpInfo", "test_comprehensive")


def _kind(decorator) -> str | None:
    """"skip" or "xfail" for the unittest decorators that make the test skip or fail; None for
    the rest (tolerances, platform conditions such as skipIfRocm)."""
    if decorator is unittest.expectedFailure:
        return "xfail"
    if decorator is unittest.skip or getattr(decorator, "__qualname__", "") == "skip.<locals>.decorator":
        return "skip"  # unittest.skip used bare, or unittest.skip("reason")
    return None


def entry_decorations(database, device_types) -> dict:
    """{device: {"skip"|"xfail": {op full name: sorted dtype names}}}: what the OpInfo entries
    themselves make PyTorch's inductor test skip or expect to fail, per device type, for the
    dtypes each entry declares there (a decoration with no dtypes covers them all)."""
    from suite import opinfos

    found = {}
    for op in database:
        decorations = [d for d in op.decorators if hasattr(d, "is_active")]  # DecorateInfo
        if not decorations:
            continue
        for device in device_types:
            for dtype in opinfos.dtypes_for(op, device):
                for d in decorations:
                    try:
                        active = d.is_active(*TEST, device, dtype, {})
                    except Exception:  # an active_if that needs a test's parameters: not ours
                        active = False
                    for kind in filter(None, map(_kind, d.decorators if active else ())):
                        ops = found.setdefault(device, {}).setdefault(kind, {})
                        ops.setdefault(opinfos.full_name(op), set()).add(str(dtype).removeprefix("torch."))
    return {dev: {kind: {op: sorted(ds) for op, ds in sorted(ops.items())} for kind, ops in sorted(kinds.items())}
            for dev, kinds in sorted(found.items())}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser("python -m suite.inductor_lists", description=__doc__.splitlines()[0])
    parser.add_argument("path", help="a copy of test/inductor/test_torchinductor_opinfo.py")
    parser.add_argument("--source", help="where the copy comes from, e.g. pytorch/pytorch@<commit>")
    parser.add_argument("--torch", help="torch version the lists are for (default: the installed one)")
    args = parser.parse_args(argv)
    try:
        with open(args.path, encoding="utf-8") as f:
            text = f.read()
        lists, tested, loosened = parse_lists(text), dtypes_run(text), tolerances(text)
        tested_by_op = dtypes_run_by_op(text)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as e:
        print(f"inductor_lists: {args.path}: {e}".replace("\n", " "), file=sys.stderr)
        return 2
    from suite import opinfos

    installed = metadata.version("torch")
    out = {"format": FORMAT, "source": args.source or args.path, "torch": args.torch or installed,
           "lists": lists, "tested_dtypes": tested, "tested_dtypes_by_op": tested_by_op, "tolerances": loosened,
           "entries": entry_decorations(opinfos.database(), sorted(lists)), "entries_torch": installed}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
