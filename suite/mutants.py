"""Generic non-conforming backends, generated from the surface model (`suite.surface`).

Each mutant is a cpu backend whose TorchFunctionMode bends one documented behaviour of one
covered op, the way an unfinished backend might, and leaves every other call alone:

    default-NAME   a parameter the call left at its default gets another valid value
    ulps           floating results moved 4 ulps up
    rel-1e-3       floating results scaled by 1 + 1e-3
    off-by-one     integer results plus one
    dtype          the result in another dtype (float32 <-> float64, int64 -> int32, ...)
    strides        a non-contiguous input read as if it were contiguous
    inplace-nowhere the in-place form computes into a copy and leaves its target alone
    writes-input   the out-of-place form also writes into its first input
    grad-zero, grad-scale, grad-detach
                   the gradient through the result zeroed, doubled, or cut
    cast           mixed dtypes (tensor and tensor, or tensor and Python number) computed
                   in the first tensor's dtype instead of the promoted one

A mutant is plugged in as any backend: ``--backend suite.mutants:torch.sum~ulps``.
`opsuite selfcheck` (suite.selfcheck) runs every mutant against its op's specs: a spec must
fail, or the mutant is listed in conformance/exemptions.toml as undetectable, with why.
"""

from __future__ import annotations

import functools
import math
from collections import Counter

import torch
from torch.overrides import TorchFunctionMode
from torch.utils import _pytree as pytree

from suite import surface as surface_data
from suite import variants
from suite.backends import Backend

SEPARATOR = "~"
OUTPUT_KINDS = ("ulps", "rel-1e-3", "off-by-one", "dtype")
INPUT_KINDS = ("strides", "inplace-nowhere", "writes-input", "cast")
GRAD_KINDS = ("grad-zero", "grad-scale", "grad-detach")
APPLIED: Counter = Counter()  # backend name -> calls this process bent (selfcheck reads it)


def kinds(op: str, entry: dict) -> list[str]:
    """Every mutant of ``op`` its surface data makes meaningful."""
    if not _functions(entry):
        return []  # a class (an optimizer, a scheduler): no function call to bend
    found = [f"default-{name}" for name in entry.get("params", {})
             if _may_vary(entry, name)]
    found += list(OUTPUT_KINDS)
    found += ["strides", "cast"]
    found += ["inplace-nowhere"] if _inplace(op, entry) else []
    found += ["writes-input"] if not op.endswith("_") else []
    found += list(GRAD_KINDS) if entry.get("differentiable") else []
    return found


def names(surface: dict | None = None) -> list[str]:
    surface = surface_data.load() if surface is None else surface
    return [f"{op}{SEPARATOR}{kind}" for op, entry in sorted(surface.items())
            for kind in kinds(op, entry)]


def _may_vary(entry: dict, name: str) -> bool:
    """A parameter some call can be given another value of (see variants.other_values)."""
    info = entry.get("params", {}).get(name, {})
    default = info.get("default")
    probe = torch.zeros(2, 2)
    return default is not None and name not in variants.SKIPPED_PARAMS \
        and name not in ("size_average", "reduce") and bool(variants.other_values(entry, name, probe))


def _inplace(op: str, entry: dict) -> bool:
    return op.endswith("_") or bool(entry.get("inplace"))


def _functions(entry: dict) -> dict[int, str]:
    """id -> short name of the functions (and Tensor methods) a call of the op goes through."""
    found = {}
    for name in entry.get("calls", []):
        try:
            obj = variants.resolve(name)
        except (ImportError, AttributeError):
            continue
        if isinstance(obj, type):
            continue
        short = name.rsplit(".", 1)[-1]
        found[id(obj)] = short
        if name.startswith("torch.") and ".nn." not in name and not name.startswith("torch.nn"):
            for attr in (short, short.rstrip("_"), f"{short.rstrip('_')}_"):
                method = getattr(torch.Tensor, attr, None)
                if method is not None:
                    found[id(method)] = attr
            function = getattr(torch, short.rstrip("_"), None)
            if callable(function) and not isinstance(function, type):
                found.setdefault(id(function), short.rstrip("_"))
    return found


# -- bends ---------------------------------------------------------------------------------------

def _map_results(out, fn):
    return pytree.tree_map(lambda x: fn(x) if isinstance(x, torch.Tensor) else x, out)


def _ulps(x: torch.Tensor) -> torch.Tensor:
    if not x.is_floating_point():
        return x
    up = x.detach()
    for _ in range(4):
        up = torch.nextafter(up, torch.full_like(up, float("inf")))
    return x + (up - x.detach())  # keeps the graph


def _relative(x: torch.Tensor) -> torch.Tensor:
    return x * (1 + 1e-3) if x.is_floating_point() else x


def _off_by_one(x: torch.Tensor) -> torch.Tensor:
    if x.is_floating_point() or x.is_complex() or x.dtype == torch.bool:
        return x
    return x + 1


OTHER_DTYPE = {torch.float32: torch.float64, torch.float64: torch.float32,
               torch.float16: torch.float32, torch.bfloat16: torch.float32,
               torch.int64: torch.int32, torch.int32: torch.int64, torch.int16: torch.int32,
               torch.int8: torch.int16, torch.uint8: torch.int16, torch.bool: torch.uint8,
               torch.complex64: torch.complex128, torch.complex128: torch.complex64}


def _other_dtype(x: torch.Tensor) -> torch.Tensor:
    return x.to(OTHER_DTYPE.get(x.dtype, x.dtype))


class _Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, None


def _grad(factor):
    def bend(x: torch.Tensor) -> torch.Tensor:
        if not x.requires_grad:
            return x
        return x.detach() if factor is None else _Scale.apply(x, factor)
    return bend


def _read_as_contiguous(x: torch.Tensor) -> torch.Tensor:
    """What a backend that ignores strides reads: the storage from the offset, in order."""
    if not isinstance(x, torch.Tensor) or x.is_contiguous() or x.layout != torch.strided:
        return x
    flat = torch.empty(0, dtype=x.dtype).set_(x.untyped_storage(), x.storage_offset(),
                                              (x.untyped_storage().nbytes() // x.element_size()
                                               - x.storage_offset(),))
    if flat.numel() < x.numel():
        flat = flat.repeat(-(-x.numel() // max(flat.numel(), 1)))
    return flat[: x.numel()].reshape(x.shape).clone().requires_grad_(x.requires_grad)


def _writable(x) -> bool:
    return isinstance(x, torch.Tensor) and x.numel() > 0 and x.layout == torch.strided \
        and 0 not in x.stride()


def _cast_wrong_way(args, kwargs):
    """Mixed dtypes computed in the first tensor's: a floating tensor or Python float given
    with an integer first tensor truncated to it, a wider floating tensor narrowed to it.
    (Integer tensors are left alone: they are often indices.) None when nothing mixes."""
    first = variants._first_tensor(args, kwargs)
    if first is None or first.dtype == torch.bool or first.is_complex():
        return None
    changed = False

    def narrower(x: torch.Tensor) -> bool:
        if not x.is_floating_point() or x.dtype == first.dtype:
            return False
        return not first.is_floating_point() or x.element_size() > first.element_size()

    def cast(x):
        nonlocal changed
        if x is first or isinstance(x, bool):
            return x
        if isinstance(x, torch.Tensor) and narrower(x):
            changed = True
            return x.to(first.dtype)
        if isinstance(x, float) and not first.is_floating_point() and math.isfinite(x) \
                and x != int(x):
            changed = True
            return int(x)
        return x

    new = pytree.tree_map(cast, (args, kwargs))
    return new if changed else None


class Mutant(TorchFunctionMode):
    def __init__(self, name: str, op: str, kind: str, entry: dict):
        super().__init__()
        self.name, self.op, self.kind, self.entry = name, op, kind, entry
        self.functions = _functions(entry)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        short = self.functions.get(id(func))
        if short is None:
            return func(*args, **kwargs)
        bent = self._bend(func, short, tuple(args), kwargs)
        if bent is NotImplemented:
            return func(*args, **kwargs)
        if isinstance(bent, Unbent):
            return bent.out
        APPLIED[self.name] += 1
        return bent

    def _bend(self, func, short, args, kwargs):
        kind = self.kind
        if kind.startswith("default-"):
            param = kind.removeprefix("default-")
            if param in variants.given(self.entry, args, kwargs):
                return NotImplemented
            values = variants.other_values(self.entry, param, variants._first_tensor(args, kwargs))
            for value in values:
                try:
                    return func(*args, **{**kwargs, param: value})
                except Exception:
                    continue  # not a value this call takes: a conforming call then
            return NotImplemented
        if kind == "strides":
            if all(x.is_contiguous() for x in variants._tensors((args, kwargs))):
                return NotImplemented
            new_args, new_kwargs = pytree.tree_map(_read_as_contiguous, (args, kwargs))
            return func(*new_args, **new_kwargs)
        if kind == "cast":
            new = _cast_wrong_way(args, kwargs)
            return NotImplemented if new is None else func(*new[0], **new[1])
        inplace_call = short.endswith("_") or (args and isinstance(args[0], torch.Tensor)
                                               and "out" in kwargs)
        if kind == "inplace-nowhere":
            if not short.endswith("_") or not args or not isinstance(args[0], torch.Tensor):
                return NotImplemented
            return func(args[0].clone(), *args[1:], **kwargs)
        out = func(*args, **kwargs)  # from here on the call has run: never run it twice
        if kind == "writes-input":
            target = args[0] if args else None
            if inplace_call or not _writable(target) or target.dtype == torch.bool:
                return Unbent(out)
            with torch.no_grad():
                target.add_(1)
            return out
        bend = {"ulps": _ulps, "rel-1e-3": _relative, "off-by-one": _off_by_one,
                "dtype": _other_dtype, "grad-zero": _grad(0.0), "grad-scale": _grad(2.0),
                "grad-detach": _grad(None)}[kind]
        changed = _map_results(out, bend)
        same = (lambda a, b: a is b) if kind in GRAD_KINDS else _same
        if all(same(a, b) for a, b in zip(pytree.tree_leaves(changed), pytree.tree_leaves(out))):
            return Unbent(out)  # e.g. 1 + 1e-3 is 1 in bfloat16: nothing was bent
        if inplace_call and out is args[0] and kind in ("ulps", "rel-1e-3", "off-by-one"):
            with torch.no_grad():  # an in-place form's result is its target
                try:
                    args[0].copy_(changed)
                except RuntimeError:
                    return Unbent(out)
            return out
        return changed


def _same(a, b) -> bool:
    """The same result, as a spec would see it (values, dtype, shape)."""
    if a is b:
        return True
    return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.dtype == b.dtype \
        and a.shape == b.shape and bool(torch.equal(a.detach(), b.detach()))


class Unbent:
    """The call's own result: the bend did not apply to it."""

    def __init__(self, out):
        self.out = out


@functools.lru_cache(maxsize=None)
def backend(name: str) -> Backend:
    """The mutant called ``name`` ("OP~KIND"), as a cpu Backend."""
    op, sep, kind = name.partition(SEPARATOR)
    surface = surface_data.load()
    if not sep or op not in surface or kind not in kinds(op, surface[op]):
        raise AttributeError(f"no mutant {name!r}: names are OP{SEPARATOR}KIND for a covered op "
                             f"and one of its kinds (`opsuite selfcheck --list` shows them)")
    entry = surface[op]
    return Backend(name, "cpu", context=functools.partial(Mutant, name, op, kind, entry))


def __getattr__(name: str) -> Backend:
    if name.startswith("__"):
        raise AttributeError(name)
    return backend(name)
