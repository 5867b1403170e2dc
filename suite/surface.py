"""The documented surface of every op the specs cover, as data (conformance/surface.json).

For each op: its parameters and their defaults (from the signature, or the docstring's
signature lines for torch's C functions), the functions a spec's call reaches it through (a
module class such as nn.Conv2d calls nn.functional.conv2d), the dtypes it supports per device
type (PyTorch's OpInfo declarations where an OpInfo exists, else stated in
conformance/surface_stated.toml), whether it is differentiable, and its in-place and ``out=``
variants.

    opsuite surface --update      # rebuild conformance/surface.json from the installed torch

Only the rebuild imports ``torch.testing._internal`` (not public API, and seconds to import);
conformance reads the JSON.
"""

from __future__ import annotations

import inspect
import json
import re
import tomllib
from pathlib import Path

import torch

from suite.spec import resolve

FOLDER = Path(__file__).resolve().parent.parent / "conformance"
SURFACE_FILE = FOLDER / "surface.json"
STATED_FILE = FOLDER / "surface_stated.toml"
SCHEMA = "opsuite.surface/1"

# A module class's documented parameters are its constructor's; a spec's call reaches it
# through the function its forward calls, whose keywords carry the same names.
FUNCTION_OF = {
    "torch.nn.AdaptiveAvgPool2d": "torch.nn.functional.adaptive_avg_pool2d",
    "torch.nn.AvgPool2d": "torch.nn.functional.avg_pool2d",
    "torch.nn.BCELoss": "torch.nn.functional.binary_cross_entropy",
    "torch.nn.BCEWithLogitsLoss": "torch.nn.functional.binary_cross_entropy_with_logits",
    "torch.nn.Conv1d": "torch.nn.functional.conv1d",
    "torch.nn.Conv2d": "torch.nn.functional.conv2d",
    "torch.nn.CosineEmbeddingLoss": "torch.nn.functional.cosine_embedding_loss",
    "torch.nn.CrossEntropyLoss": "torch.nn.functional.cross_entropy",
    "torch.nn.HuberLoss": "torch.nn.functional.huber_loss",
    "torch.nn.KLDivLoss": "torch.nn.functional.kl_div",
    "torch.nn.L1Loss": "torch.nn.functional.l1_loss",
    "torch.nn.LeakyReLU": "torch.nn.functional.leaky_relu",
    "torch.nn.MSELoss": "torch.nn.functional.mse_loss",
    "torch.nn.MarginRankingLoss": "torch.nn.functional.margin_ranking_loss",
    "torch.nn.MaxPool2d": "torch.nn.functional.max_pool2d",
    "torch.nn.NLLLoss": "torch.nn.functional.nll_loss",
    "torch.nn.PoissonNLLLoss": "torch.nn.functional.poisson_nll_loss",
    "torch.nn.ReLU": "torch.nn.functional.relu",
    "torch.nn.Sigmoid": "torch.sigmoid",
    "torch.nn.SmoothL1Loss": "torch.nn.functional.smooth_l1_loss",
    "torch.nn.TripletMarginLoss": "torch.nn.functional.triplet_margin_loss",
}
# Where the OpInfo's name is not the op's own (torch.X -> "X", nn.functional.X -> "nn.functional.X").
OPINFO_OF = {"torch.Tensor.index_add_": "index_add", "torch.Tensor.scatter_": "scatter",
             "torch.Tensor.expand": "expand", "torch.Tensor.view": "view",
             "torch.nn.functional.relu": "nn.functional.relu", "torch.sigmoid": "sigmoid"}
# Ops whose index outputs may differ between devices (and layouts) among equal values: the
# docs leave which index open, so only their values are compared across variants.
TIE_INDICES = {"torch.max", "torch.min", "torch.median", "torch.nanmedian", "torch.sort"}
# Ops whose result is random or uninitialised: no two calls agree, so no variant is compared.
UNREPEATABLE = {"torch.rand", "torch.rand_like", "torch.randperm", "torch.empty_like"}
# Parameters a surface check must not give another value: the docs leave the result open then.
NOT_VARIED = {
    "torch.unique": {"sorted": "with sorted=False the order of the result is not documented"},
    "torch.sort": {"stable": "stable=False leaves the order of equal elements open; True is checked by its specs"},
}

SIGNATURE_LINE = re.compile(r"^\s*(?:\.\. function:: )?(?:[\w.]+\.)?(\w+)\((.*)\)\s*->", re.M)
# An entry of a docstring's argument list: "    keepdim (bool, optional): ... Default: ``False``."
ARGUMENT = re.compile(r"^\s+(\w+) \(([^)]*)\):(.*?)(?=^\s+\w+ \([^)]*\):|^\S|\Z)", re.M | re.S)
DEFAULT = re.compile(r"Default(?:s to|:)?\s*:?\s*``([^`]*)``|Default(?:s to|:)\s*([\w.'\"-]+)",
                     re.I)


def _parse_params(text: str) -> dict[str, dict]:
    """``input, dim, keepdim=False, *, dtype=None`` -> {name: {"default": ..., "keyword": ...}}."""
    params, keyword, depth, token = {}, False, 0, ""
    parts = []
    for ch in text + ",":
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(token.strip())
            token = ""
        else:
            token += ch
    for part in parts:
        if part == "*":
            keyword = True
            continue
        if not part or part.startswith("*"):
            continue
        name, _, default = part.partition("=")
        name = name.strip().split(":")[0].strip()
        if not name.isidentifier():
            continue
        entry = {"keyword": keyword}
        if default:
            entry["default"] = default.strip()
        params[name] = entry
    return params


def parameters(obj, doc_name: str) -> dict[str, dict]:
    """Every documented parameter, with its default as text where it has one, and the options
    the docs list for a string one. From the signature where Python has one; else from the
    docstring's signature lines (overloads merged: a parameter required in one form and absent
    from another has no default); then the docstring's argument list adds what both hide."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    merged: dict[str, dict] = {}
    try:
        for p in inspect.signature(target).parameters.values():
            if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            merged[p.name] = {"keyword": p.kind == p.KEYWORD_ONLY}
            if p.default is not p.empty:
                merged[p.name]["default"] = repr(p.default)
    except (TypeError, ValueError):
        pass
    doc = obj.__doc__ or ""
    if not merged:
        for name, args in SIGNATURE_LINE.findall(doc):
            if name != doc_name:
                continue
            for param, entry in _parse_params(args).items():
                if param not in merged:
                    merged[param] = entry
                elif "default" not in entry:
                    merged[param].pop("default", None)
    for name, kind, text in ARGUMENT.findall(doc):
        entry = merged.setdefault(name, {"keyword": False})
        found = DEFAULT.search(text)
        if "default" not in entry and found:
            entry["default"] = (found[1] if found[1] is not None else found[2]).strip(".")
        options = list(dict.fromkeys(re.findall(r"``'(\w+)'``", text)))
        if len(options) > 1 and entry.get("default", "").startswith("'"):  # 'none' | 'mean' | 'sum'
            entry["choices"] = " ".join(f"'{o}'" for o in options)
    return merged


def _opinfos(op: str, db) -> list:
    target = OPINFO_OF.get(op)
    if target is None:
        function = FUNCTION_OF.get(op, op)
        target = function.removeprefix("torch.").removeprefix("Tensor.")
    return [info for info in db if info.name == target]


def _stated() -> dict:
    try:
        return tomllib.loads(STATED_FILE.read_text()).get("op", {})
    except FileNotFoundError:
        return {}


def describe(op: str, db) -> dict:
    obj = resolve(op)
    doc_name = op.rsplit(".", 1)[-1]
    entry = {"calls": [op] + ([FUNCTION_OF[op]] if op in FUNCTION_OF else []),
             "params": parameters(obj, doc_name), "tie_indices": op in TIE_INDICES,
             "unrepeatable": op in UNREPEATABLE, "not_varied": NOT_VARIED.get(op, {})}
    infos = _opinfos(op, db)
    stated = _stated().get(op, {})
    if infos:
        entry["opinfo"] = sorted({i.name + (f".{i.variant_test_name}" if i.variant_test_name else "")
                                  for i in infos})
        # dtypes every OpInfo variant supports (interpolate's uint8 is nearest's, not bilinear's)
        entry["dtypes"] = {device: sorted(set.intersection(*[
                               {str(d).removeprefix("torch.") for d in i.supported_dtypes(device)}
                               for i in infos]))
                           for device in ("cpu", "cuda")}
        entry["differentiable"] = any(i.supports_autograd for i in infos)
        inplace = [i.inplace_variant for i in infos if i.inplace_variant is not None]
        entry["inplace"] = bool(inplace)
        entry["out"] = any(i.supports_out for i in infos)
    else:
        entry["opinfo"] = None
    entry.update(stated)
    if "dtypes" not in entry:
        raise ValueError(f"{op} has no OpInfo: state its dtypes in {STATED_FILE.name}")
    return entry


def build(ops: list[str]) -> dict:
    """The surface of ``ops`` in the installed torch (imports torch.testing._internal)."""
    from torch.testing._internal.common_methods_invocations import op_db

    return {"schema": SCHEMA, "torch": torch.__version__.split("+")[0],
            "ops": {op: describe(op, op_db) for op in sorted(ops)}}


def covered_ops() -> list[str]:
    """Every op some spec names, from a collection of the specs."""
    import pytest

    from suite.spec import spec_of

    found: set[str] = set()

    class Collect:
        def pytest_collection_modifyitems(self, items):
            found.update(s.op for s in map(spec_of, items) if s is not None)

    code = pytest.main(["--collect-only", "-q", "-p", "suite.plugin", "-p", "no:cacheprovider",
                        "-n", "0", str(FOLDER), "--backend", "cpu"], plugins=[Collect()])
    if code != 0:
        raise ValueError(f"collecting the specs failed (pytest exit {int(code)}): surface.json "
                         "is left as it was")
    return sorted(found)


class SurfaceError(ValueError):
    pass


def load(path: Path = SURFACE_FILE) -> dict:
    try:
        return json.loads(Path(path).read_text())["ops"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SurfaceError(f"cannot read the surface data {path} ({type(error).__name__}: "
                           f"{error}); rebuild it with `opsuite surface --update`") from None


def update(path: Path = SURFACE_FILE) -> Path:
    # not sort_keys: a parameter's place in the signature is what a positional argument binds to
    text = json.dumps(build(covered_ops()), indent=1) + "\n"
    Path(path).write_text(text)
    return Path(path)
