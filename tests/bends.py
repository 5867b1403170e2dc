"""Deliberately non-conforming backends: each bends one documented behaviour.

Each is a cpu Backend whose context is a TorchFunctionMode, plugged in as a user would
(``--backend tests.bends:NAME``). tests/test_bent_backends.py checks that every one of them
makes at least one spec fail while the real cpu backend passes everything. The reductions'
bends are here; each other family keeps its own in ``tests/bends_<family>.py``, imported at
the end of this module, so every bend is still ``tests.bends:NAME``.
"""

import importlib
import math
import pkgutil
from pathlib import Path

import torch
from torch.overrides import TorchFunctionMode

from suite.backends import Backend

BENDS: dict[str, tuple[str, set[str]]] = {}  # backend name -> (what it bends, op names)
FILES: dict[str, tuple[str, ...]] = {}  # backend name -> the spec files that must catch it


def bent(name: str, op_names: set[str], why: str, files: tuple[str, ...] = ()):
    """Register a Backend whose mode replaces ``op(*args, **kwargs)`` with ``fn(op, args, kwargs)``
    for the named ops; returning NotImplemented leaves a call alone. ``files`` (paths under
    conformance/) name the spec files that must catch it, where the op names do not."""
    def register(fn):
        class Mode(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                kwargs = dict(kwargs or {})
                if getattr(func, "__name__", None) in op_names:
                    out = fn(func, list(args), kwargs)
                    if out is not NotImplemented:
                        return out
                return func(*args, **kwargs)

        BENDS[name] = (why, op_names)
        FILES[name] = tuple(files)
        globals()[name.upper().replace("-", "_")] = Backend(name, "cpu", context=Mode)
        return fn
    return register


def _dim(args, kwargs):
    return kwargs.get("dim", args[1] if len(args) > 1 else None)


def _last_index(op, x, dim, keepdim=False):
    if dim is None:
        flat = x.flatten()
        out = flat.numel() - 1 - op(flat.flip(0))
        return out.reshape([1] * x.dim()) if keepdim else out
    return x.shape[dim] - 1 - op(x.flip(dim), dim, keepdim)


@bent("argmax-last", {"argmax", "argmin"}, "argmax/argmin return the last index on ties")
def _(op, args, kw):
    return _last_index(op, args[0], _dim(args, kw), kw.get("keepdim", False))


@bent("argmax-no-keepdim", {"argmax", "argmin"}, "argmax/argmin ignore keepdim")
def _(op, args, kw):
    kw["keepdim"] = False
    return op(*args, **kw)


@bent("max-dim-last", {"max", "min"}, "max/min(dim) return the last index on ties")
def _(op, args, kw):
    dim = _dim(args, kw)
    if dim is None or isinstance(dim, torch.Tensor):
        return NotImplemented
    x, keepdim = args[0], kw.get("keepdim", False)
    values, _ = op(x, dim, keepdim)
    flip = torch.argmax if op.__name__ == "max" else torch.argmin
    return type(op(x, dim))((values, _last_index(flip, x, dim, keepdim)))


@bent("max-dim-grad-even", {"max", "min"}, "max/min(dim) split the gradient among equal values")
def _(op, args, kw):
    dim = _dim(args, kw)
    if dim is None or isinstance(dim, torch.Tensor):
        return NotImplemented
    x, keepdim = args[0], kw.get("keepdim", False)
    reduce = torch.amax if op.__name__ == "max" else torch.amin
    return type(op(x.detach(), dim))((reduce(x, dim, keepdim), op(x.detach(), dim, keepdim)[1]))


@bent("amax-grad-one", {"amax", "amin"}, "amax/amin send the whole gradient to one element")
def _(op, args, kw):
    x = args[0]
    dims = _dim(args, kw)
    dims = range(x.dim()) if dims in (None, ()) else ([dims] if isinstance(dims, int) else dims)
    out = x
    pick = torch.max if op.__name__ == "amax" else torch.min
    for d in sorted((d % x.dim() for d in dims), reverse=True):
        out = pick(out, d, keepdim=True).values
    return out if kw.get("keepdim", False) else out.reshape(
        [s for i, s in enumerate(x.shape) if i not in {d % x.dim() for d in dims}])


@bent("all-bool-for-uint8", {"all", "any"}, "all/any return bool for uint8 input")
def _(op, args, kw):
    return op(*args, **kw).bool()


@bent("sum-no-keepdim", {"sum", "nansum", "mean", "nanmean", "prod"}, "reductions ignore keepdim")
def _(op, args, kw):
    kw["keepdim"] = False
    return op(*args, **kw)


def _cast_after(op, args, kw):
    dtype = kw.pop("dtype", None)
    return NotImplemented if dtype is None else op(*args, **kw).to(dtype)


bent("sum-dtype-after", {"sum", "nansum"}, "sum/nansum cast to dtype after reducing")(_cast_after)
bent("prod-dtype-after", {"prod"}, "prod casts to dtype after reducing")(_cast_after)


@bent("nansum-keeps-nan", {"nansum"}, "nansum propagates NaN")
def _(op, args, kw):
    return torch.sum(*args, **kw)


@bent("mean-accepts-int", {"mean"}, "mean of integer input without dtype returns a float mean")
def _(op, args, kw):
    x = args[0]
    if x.is_floating_point() or x.is_complex() or kw.get("dtype") is not None:
        return NotImplemented
    return op(x.double(), *args[1:], **kw).float()


@bent("nanmean-keeps-nan", {"nanmean"}, "nanmean propagates NaN")
def _(op, args, kw):
    return torch.mean(*args, **kw)


@bent("median-upper", {"median", "nanmedian"}, "median returns the upper middle for even counts")
def _(op, args, kw):
    x, dim = args[0], _dim(args, kw)
    if dim is None and len(args) == 1 and "dim" not in kw:
        flat = x.flatten().sort().values
        return flat[flat.numel() // 2]
    dim = -1 if dim is None else dim
    values, indices = x.sort(dim)
    pick = torch.full_like(values.select(dim, 0).unsqueeze(dim), x.shape[dim] // 2, dtype=torch.long)
    out_v, out_i = values.gather(dim, pick), indices.gather(dim, pick)
    if not kw.get("keepdim", False):
        out_v, out_i = out_v.squeeze(dim), out_i.squeeze(dim)
    return type(op(x, dim))((out_v, out_i))


@bent("median-skips-nan", {"median"}, "median ignores NaN like nanmedian")
def _(op, args, kw):
    return torch.nanmedian(*args, **kw)


@bent("nanmedian-keeps-nan", {"nanmedian"}, "nanmedian propagates NaN like median")
def _(op, args, kw):
    return torch.median(*args, **kw)


@bent("std-correction-0", {"std", "var", "std_mean", "var_mean"}, "std/var default to correction=0")
def _(op, args, kw):
    if "correction" in kw or "unbiased" in kw or any(isinstance(a, bool) for a in args[1:]):
        return NotImplemented
    return op(*args, correction=0, **kw)


@bent("var-no-max", {"std", "var"}, "std/var divide by N - correction even when it is <= 0")
def _(op, args, kw):
    c = kw.get("correction", 1)
    x, dim = args[0], _dim(args, kw)
    n = x.numel() if dim is None else math.prod(
        x.shape[d] for d in ([dim] if isinstance(dim, int) else dim))
    if n - c > 0:
        return NotImplemented
    kw["correction"] = 0
    var = torch.var(*args, **kw) * n / (n - c) if n - c != 0 else torch.var(*args, **kw) * -1
    return var.sqrt() if op.__name__ == "std" else var


@bent("unique-unsorted", {"unique", "_unique2", "_unique"}, "unique returns values in first-seen order")
def _(op, args, kw):
    if op.__name__ != "unique" or kw.get("dim") is not None or not kw.get("sorted", True):
        return NotImplemented
    out = op(*args, **kw)
    if isinstance(out, tuple):
        values, rest = out[0].flip(0), list(out[1:])
        if kw.get("return_inverse"):
            rest[0] = values.numel() - 1 - rest[0]
        if kw.get("return_counts"):
            rest[-1] = rest[-1].flip(0)
        return (values, *rest)
    return out.flip(0)


@bent("unique-counts-off", {"unique", "unique_consecutive"}, "unique counts are off by one")
def _(op, args, kw):
    if not kw.get("return_counts"):
        return NotImplemented
    out = list(op(*args, **kw))
    out[-1] = out[-1] + 1
    return tuple(out)


@bent("consecutive-is-unique", {"unique_consecutive"}, "unique_consecutive removes every duplicate")
def _(op, args, kw):
    return torch.unique(*args, **kw)


@bent("norm-inf-is-2", {"norm"}, "norm(p=inf) computes the 2-norm")
def _(op, args, kw):
    if kw.get("p") not in (math.inf, float("inf")):
        return NotImplemented
    kw["p"] = 2
    return op(*args, **kw)


@bent("norm-default-p1", {"norm"}, "norm defaults to p=1 instead of 'fro'")
def _(op, args, kw):
    if kw.get("p", "fro") != "fro":
        return NotImplemented
    kw["p"] = 1
    return op(*args, **kw)


# The other families' bends register themselves (into this module) on import.
for _module in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _module.name.startswith("bends_"):
        importlib.import_module(f"tests.{_module.name}")
