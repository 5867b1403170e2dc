"""What a spec's calls exercise of an op's documented surface, for `opsuite coverage`.

With ``--record-surface`` the run fixture records, for each call a spec makes, the functions of
covered ops it reaches (the call itself, or, inside a function of the spec's, every torch
function it calls, seen by a TorchFunctionMode on a CPU copy of the call) and what each is
given: the dtype, the layouts of its tensors, the parameters set to other than their
default, its in-place or ``out=`` form; and the surface checks (`suite.variants`) the call
gets on a backend under test. Coverage is measured from these, not declared by hand.
"""

from __future__ import annotations

import functools
import warnings

import torch
from torch.overrides import TorchFunctionMode
from torch.utils import _pytree as pytree

from suite import surface as surface_data
from suite import variants
from suite.spec import resolve

LAYOUTS = ("contiguous", "strided", "expanded", "zero-size", "0-dim")
NOT_PARAMS = {"input", "self", "out", "device", "layout", "memory_format", "generator",
              "requires_grad", "pin_memory", "size_average", "reduce"}


def layout_of(t: torch.Tensor) -> str:
    if t.dim() == 0:
        return "0-dim"
    if t.numel() == 0:
        return "zero-size"
    if 0 in t.stride() and any(s > 1 for s, st in zip(t.shape, t.stride()) if st == 0):
        return "expanded"
    return "contiguous" if t.is_contiguous() else "strided"


_NAMES: dict[int, dict[int, str]] = {}


def _names(surface: dict) -> dict[int, str]:
    """id(callable) -> its full name, for every function the surface lists and their Tensor
    methods (e.g. torch.Tensor.sum for torch.sum)."""
    if id(surface) in _NAMES:
        return _NAMES[id(surface)]
    found = _NAMES[id(surface)] = {}
    for entry in surface.values():
        for name in entry.get("calls", []):
            try:
                found[id(resolve(name))] = name
            except (ImportError, AttributeError):
                continue
            short = name.rsplit(".", 1)[-1]
            method = getattr(torch.Tensor, short, None)
            if method is not None and "nn" not in name:
                found[id(method)] = f"torch.Tensor.{short}"
                inplace = getattr(torch.Tensor, f"{short}_", None)
                if inplace is not None:
                    found[id(inplace)] = f"torch.Tensor.{short}_"
    return found


@functools.cache
def _signature(name: str) -> dict[str, dict]:
    try:
        return surface_data.parameters(resolve(name), name.rsplit(".", 1)[-1].rstrip("_"))
    except (ImportError, AttributeError):
        return {}


def _differs(value, default: str) -> bool:
    try:
        return repr(value) != default and value != eval(default, {"torch": torch, "inf": float("inf")})
    except Exception:
        return repr(value) != default


def summarize(name: str, args, kwargs, result=None) -> dict:
    """One call of a covered op's function, as coverage counts it; a factory (no tensor
    input) by the dtype of its ``result``."""
    params = _signature(name)
    order = [p for p, info in params.items() if not info.get("keyword")]
    given = dict(zip(order, args)) | dict(kwargs)
    tensors = [t for t in pytree.tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
    typed = tensors or [t for t in pytree.tree_leaves(result) if isinstance(t, torch.Tensor)]
    return {
        "fn": name,
        "dtype": str(typed[0].dtype).removeprefix("torch.") if typed else None,
        "layouts": sorted({layout_of(t) for t in tensors}),
        "params": sorted(p for p, v in given.items() if p not in NOT_PARAMS and p in params
                         and ("default" not in params[p] or _differs(v, params[p]["default"]))),
        "forms": sorted({"inplace"} if name.endswith("_") else set()
                        | ({"out"} if kwargs.get("out") is not None else set())),
    }


def _accepted(v: variants.Variant) -> bool:
    """Whether CPU torch takes this variant (a surface check runs only those)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if v.kind == "grad":
                for first_only in (False, True):
                    try:
                        return variants._forward_backward(v.fn, v.args, v.kwargs, first_only) is not None
                    except Exception:
                        continue
                return False
            variants._cpu(v.fn, v.args, v.kwargs, lambda f, a, k: f(*a, **k))
        return True
    except Exception:
        return False


class Recording(TorchFunctionMode):
    """Every top-level call of a covered op's function inside a spec's own function."""

    def __init__(self, names: dict[int, str]):
        super().__init__()
        self.names = names
        self.calls: list[dict] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = self.names.get(id(func))
        if name is not None:
            self.calls.append(summarize(name, args, kwargs))
        return func(*args, **kwargs)


def _checks(planned: list[variants.Variant]) -> dict:
    accepted = [v for v in planned if _accepted(v)]
    return {"kinds": sorted({v.kind for v in accepted}),
            "dtypes": sorted({v.label.rsplit(" ", 1)[-1] for v in accepted if v.kind == "dtype"}),
            "params": sorted({v.label.removeprefix("with ").split("=")[0]
                              for v in accepted if v.kind == "param"})}


def record(checker: variants.Checker, fn, args, kwargs, primary, varied: bool) -> list[dict]:
    """What one call of a spec exercises: the covered functions it reaches with what it gives
    them, and, when ``varied`` (one of a case's first calls), the surface checks each gets on a
    backend under test (`Checker.check`, which this mirrors)."""
    names = _names(checker.surface)
    none = {"kinds": [], "dtypes": [], "params": []}
    own = names.get(id(fn))
    safe = variants.repeatable(fn, args, kwargs)  # may run again without touching the spec's state
    checked = varied and safe and checker.repeats(fn, args, kwargs)  # gets surface checks
    if own is not None:
        planned = variants.plan((fn, args, kwargs), checker.identify(fn), primary, "cpu") if checked else []
        return [dict(summarize(own, args, kwargs, primary), checks=_checks(planned))]
    found = []
    if not safe:
        return []  # running a function of the spec's again would repeat what it does to its state
    inner = variants.inner_calls(fn, args, kwargs, checker.known) if checked else []
    recording = Recording(names)
    copies, kw = variants._clone((args, kwargs))
    try:
        with warnings.catch_warnings(), recording:
            warnings.simplefilter("ignore")
            fn(*copies, **kw)
    except Exception:
        pass  # what was seen before it raised stays
    generic = _checks(variants.plan((fn, args, kwargs), checker.identify(fn), primary, "cpu")) \
        if checked else none
    for n, call in enumerate(recording.calls):
        checks = generic
        if n < len(inner):
            func, a, k = inner[n]
            try:
                reference = variants._cpu(func, a, k, lambda f, x, y: f(*x, **y))[0]
                own_checks = _checks(variants.plan((func, a, k), checker.identify(func), reference, "cpu"))
                checks = {key: sorted(set(generic[key]) | set(own_checks[key])) for key in generic}
            except Exception:
                pass
        found.append(dict(call, checks=checks))
    return found
