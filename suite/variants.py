"""Surface checks: what every call a spec makes on a backend also gets, beyond its own assertion.

A spec checks its claim on the inputs its author chose. Each call it makes through ``run`` is
then varied along the op's documented surface (`suite.surface`) and the backend compared with
CPU torch running the same variant eagerly, outside the backend:

* effects:  the inputs after the call are what CPU torch leaves (an out-of-place op writes
            nothing; an in-place one writes its target);
* layout:   non-contiguous copies of the inputs give the same result as contiguous ones;
* dtypes:   other dtypes the op supports give CPU torch's result in that dtype;
* params:   a documented parameter left at its default, given another valid value;
* scalars:  a Python number argument of the other kind (an int where a float was, ...);
* in-place and out=: the op's in-place variant and its ``out=`` form agree with CPU torch;
* gradient: the backward of the call matches CPU torch's in float64.

They run on backends other than the reference (plain ``cpu``, which is CPU torch itself),
``meta`` (no values) and the built-in ``compile-*`` (each variant would be another
compilation; their known divergences are recorded per spec). A variant that CPU torch itself
rejects is not run. Each distinct call is varied once per process, and only the first
`CALLS_VARIED` calls of a case, so the cost stays a small multiple of the spec's own.
"""

from __future__ import annotations

import math
import re
import types
import warnings
from dataclasses import dataclass, field

import torch
from torch.overrides import TorchFunctionMode
from torch.utils import _pytree as pytree

from suite import surface as surface_data
from suite.spec import resolve

CALLS_VARIED = 2        # calls per case that get variants
# Ops whose values the docs leave to the implementation beyond a dtype's tolerance: their
# variants compare shapes and dtypes (the specs check the values they promise).
APPROXIMATE = {
    "torch.cdist": "the matrix-product modes cancel catastrophically for points far from the "
                   "origin (the docs warn of it); which rounding a device gets is its own",
}
PARAMS_VARIED = 4       # parameters given another value per call
# rtol, atol between a backend and CPU torch computing the same thing in the same dtype:
# a few ulps of the dtype, as two implementations may round or accumulate differently.
SAME_DTYPE = {torch.float16: (8e-3, 1e-3), torch.bfloat16: (6e-2, 1e-2),
              torch.float32: (1e-4, 1e-5), torch.float64: (1e-10, 1e-10),
              torch.complex64: (1e-4, 1e-5), torch.complex128: (1e-10, 1e-10)}
# and for a gradient, the sum of a backward pass's roundings
GRADIENT = {torch.float16: (5e-2, 1e-3), torch.bfloat16: (1e-1, 1e-2),
            torch.float32: (1e-3, 1e-5), torch.float64: (1e-9, 1e-9)}


class SurfaceDivergence(AssertionError):
    """A variant of a call gave another result on the backend than CPU torch."""


SurfaceDivergence.__module__ = "builtins"  # reported as "SurfaceDivergence: ...", like an AssertionError


@dataclass
class Known:
    """What the surface data says of the function a spec called (None: a function of its own)."""
    op: str | None = None
    entry: dict | None = None
    name: str | None = None     # the function's own name, for its in-place variant


def _callables(surface: dict) -> dict[int, tuple[str, str]]:
    """id(callable) -> (op, the name it is called by), for every function the surface lists,
    and the Tensor methods of the same names."""
    found = {}
    for op, entry in surface.items():
        for name in entry.get("calls", [op]):
            try:
                obj = resolve(name)
            except (ImportError, AttributeError):
                continue
            short = name.rsplit(".", 1)[-1]
            found.setdefault(id(obj), (op, short))
            method = getattr(torch.Tensor, short, None)
            if method is not None and name.startswith("torch.") and "nn" not in name:
                found.setdefault(id(method), (op, short))
    return found


# -- inputs ------------------------------------------------------------------------------------

def _tensors(tree) -> list[torch.Tensor]:
    return [x for x in pytree.tree_leaves(tree) if isinstance(x, torch.Tensor)]


def _clone(tree):
    return pytree.tree_map(lambda x: x.detach().clone().requires_grad_(x.requires_grad)
                           if isinstance(x, torch.Tensor) else x, tree)


def non_contiguous(t: torch.Tensor) -> torch.Tensor | None:
    """The same values in another layout: column-major (2-D and up) or every other element."""
    if t.dim() == 0 or t.numel() < 2 or t.layout != torch.strided:
        return None
    if t.dim() >= 2 and t.shape[-1] > 1 and t.shape[-2] > 1:
        out = t.detach().transpose(-1, -2).contiguous().transpose(-1, -2)
    else:
        out = torch.empty((*t.shape[:-1], 2 * t.shape[-1]), dtype=t.dtype)[..., ::2]
        out.copy_(t.detach())
    return out.requires_grad_(t.requires_grad)


def _describe_layout(tree) -> str:
    return ", ".join(f"strides {t.stride()}" for t in _tensors(tree) if not t.is_contiguous())


# -- comparing ---------------------------------------------------------------------------------

def _close(a, b, tolerances, reference: str = "CPU torch", metadata_only: bool = False) -> str | None:
    """Why ``a`` (the backend's) and ``b`` (the reference's) differ, or None."""
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.dtype != b.dtype:
            return f"dtype {a.dtype}, {reference} gives {b.dtype}"
        if tuple(a.shape) != tuple(b.shape):
            return f"shape {tuple(a.shape)}, {reference} gives {tuple(b.shape)}"
        if metadata_only:
            return None
        if a.is_floating_point() or a.is_complex():
            rtol, atol = tolerances.get(a.dtype, (0.0, 0.0))
            wide = torch.complex128 if a.is_complex() else torch.float64
            x, y = a.detach().to(wide), b.detach().to(wide)
            ok = torch.isclose(x, y, rtol=rtol, atol=atol, equal_nan=True)
            if not bool(ok.all()):
                worst = (x - y).abs().nan_to_num(math.inf)[~ok].max().item()
                return f"values differ by up to {worst:.3g} (rtol {rtol:g}, atol {atol:g})"
            return None
        if not torch.equal(a, b):
            return f"values {_short(a)}, {reference} gives {_short(b)}"
        return None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if metadata_only or math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-5) or (a != a and b != b):
            return None
        return f"{a!r}, {reference} gives {b!r}"
    return None


def _short(t: torch.Tensor) -> str:
    values = t.detach().flatten()[:8].tolist()
    return f"{values}{'...' if t.numel() > 8 else ''}"


def compare(actual, expected, tolerances, what: str, only_floating: bool = False,
            noun: str = "output", only_values: bool = False, reference: str = "CPU torch",
            metadata_only: bool = False) -> None:
    left, right = pytree.tree_leaves(actual), pytree.tree_leaves(expected)
    if len(left) != len(right):
        raise SurfaceDivergence(f"{what}: {len(left)} {noun}s, {reference} gives {len(right)}")
    for i, (a, b) in enumerate(zip(left, right)):
        if only_floating and not (isinstance(a, torch.Tensor) and a.is_floating_point()):
            continue
        if only_values and not isinstance(a, torch.Tensor):
            continue
        why = _close(a, b, tolerances, reference, metadata_only)
        if why:
            where = f"{noun} {i}" if len(left) > 1 else ("the result" if noun == "output" else f"the {noun}")
            raise SurfaceDivergence(f"{what}: {where} has {why}")


# -- the variants ------------------------------------------------------------------------------

@dataclass
class Variant:
    kind: str                    # effects, layout, dtype, param, scalar, inplace, out, grad
    label: str                   # what the message says: "in float16", "with keepdim=True"
    fn: object
    args: tuple
    kwargs: dict
    versus: str = "cpu"          # "cpu": CPU torch runs the same; "primary": the backend's own
    only_floating: bool = False  # compare floating tensors only (indices may differ on ties)
    only_values: bool = False    # compare tensors only, not the Python values returned
    metadata_only: bool = False  # shapes and dtypes only: the values are the implementation's


def _first_tensor(args, kwargs) -> torch.Tensor | None:
    found = _tensors((args, kwargs))
    return found[0] if found else None


def _dtype_variants(call, known: Known, device_type: str) -> list[Variant]:
    """The call in every other dtype the op supports on this device type: its floating inputs
    (else its first input) cast, of whatever kind (an int8 input gives int8 arithmetic on both
    sides). A function of the spec's own is tried in the common floating and integer dtypes."""
    fn, args, kwargs = call
    tensors = _tensors((args, kwargs))
    if not tensors:
        return _factory_dtypes(call, known, device_type)
    floats = [t for t in tensors if t.is_floating_point() or t.is_complex()]
    targets = set(map(id, floats)) if floats else {id(tensors[0])}
    current = str((floats or tensors)[0].dtype).removeprefix("torch.")
    if known.entry is not None:
        dtypes = known.entry.get("dtypes", {})
        supported = dtypes.get(device_type, dtypes.get("cpu", []))
    else:
        supported = ["float64", "float16", "bfloat16", "int32", "uint8"]
    out = []
    for name in supported:
        dtype = getattr(torch, name, None)
        if name == current or dtype is None or name == "complex32":
            continue
        cast = lambda x, d=dtype: (x.detach().to(d).requires_grad_(x.requires_grad and d.is_floating_point)  # noqa: E731
                                   if isinstance(x, torch.Tensor) and id(x) in targets else x)
        new_args, new_kwargs = pytree.tree_map(cast, (args, kwargs))
        out.append(Variant("dtype", f"in {name}", fn, new_args, new_kwargs))
    return out


def _factory_dtypes(call, known: Known, device_type: str) -> list[Variant]:
    """A factory (no tensor input) with a dtype= parameter: every other supported dtype."""
    fn, args, kwargs = call
    if known.entry is None or "dtype" not in known.entry.get("params", {}):
        return []
    dtypes = known.entry.get("dtypes", {})
    current = kwargs.get("dtype")
    out = []
    for name in dtypes.get(device_type, dtypes.get("cpu", [])):
        dtype = getattr(torch, name, None)
        if dtype is None or dtype == current or name == "complex32":
            continue
        out.append(Variant("dtype", f"in {name}", fn, args, {**kwargs, "dtype": dtype}))
    return out


def _shape_variants(call) -> list[Variant]:
    """The first input as a broadcast view (stride 0), empty, and 0-dim: layouts a spec seldom
    gives, each compared with CPU torch on the same input."""
    fn, args, kwargs = call
    tensors = [t for t in _tensors((args, kwargs)) if t.dim() >= 1]
    if not tensors:
        return []
    first = tensors[0]
    out = []

    def swap(new, label, kind):
        new_args, new_kwargs = pytree.tree_map(lambda x: new if x is first else x, (args, kwargs))
        out.append(Variant(kind, label, fn, new_args, new_kwargs))

    if first.shape[0] > 1:
        swap(first.detach()[:1].expand_as(first).requires_grad_(False), "with its first input broadcast (stride 0)", "expanded")
    swap(first.detach()[:0].clone(), "with its first input empty", "zero-size")
    # an input and a target of the same length (a loss): both empty
    alike = [t for t in tensors if t.shape[0] == first.shape[0]]
    if len(alike) > 1:
        ids = set(map(id, alike))
        new_args, new_kwargs = pytree.tree_map(
            lambda x: x.detach()[:0].clone() if isinstance(x, torch.Tensor) and id(x) in ids else x,
            (args, kwargs))
        out.append(Variant("zero-size", "with its inputs of the same length empty", fn,
                           new_args, new_kwargs))
    if first.numel():
        swap(first.detach().reshape(-1)[0].clone(), "with its first input 0-dim", "0-dim")
    return out


def _choices(entry: dict, name: str) -> list[str]:
    """The quoted options the docs give for a string parameter ('none' | 'mean' | 'sum')."""
    return re.findall(r"'(\w+)'", entry["params"].get(name, {}).get("choices", ""))


SKIPPED_PARAMS = ("out", "device", "layout", "memory_format", "generator", "requires_grad",
                  "pin_memory")


def other_values(entry: dict, name: str, first: torch.Tensor | None) -> list:
    """Valid values other than the documented default of parameter ``name``, judged from the
    default itself (a bool, a dim, a float, one of the quoted choices); [] when none is known."""
    info = entry.get("params", {}).get(name, {})
    if "default" not in info or name in SKIPPED_PARAMS or name in entry.get("not_varied", {}):
        return []
    default = info["default"]
    if default in ("True", "False"):
        return [default == "False"]
    if default == "None" and name == "dim" and first is not None and first.dim() >= 1:
        return [0, -1] if first.dim() > 1 else [0]
    if default == "None" and name == "dtype" and first is not None:
        return [torch.float64 if first.is_floating_point() else torch.int64]
    if re.fullmatch(r"-?\d+", default) and name == "correction":
        return [v for v in (0, 2, -1) if v != int(default)][:2]
    if re.fullmatch(r"-?\d+", default) and name == "dim":
        return [v for v in (0, -1) if first is not None and first.dim() > 1 and v != int(default)]
    if re.fullmatch(r"-?\d*\.\d*(e-?\d+)?|-?\d+e-?\d+", default):
        value = float(default)
        if "eps" in name:  # a guard term: large enough to reach results the spec's inputs give
            return [10.0]
        return [0.5 if abs(value) < 1e-3 else value / 2 + 0.25]
    if default.startswith("'") and info.get("choices"):
        return [c for c in _choices(entry, name) if c != default.strip("'")][:2]
    return []


def positional(entry: dict) -> list[str]:
    """The parameters a positional argument binds to, in order (keyword-only ones left out).
    None for a module class, whose documented parameters are its constructor's: its function
    is called with the input first and its options by keyword."""
    if len(entry.get("calls", [])) > 1:
        return []
    return [name for name, info in entry.get("params", {}).items() if not info.get("keyword")]


def is_default(entry: dict, name: str, value) -> bool:
    """Whether ``value`` is parameter ``name``'s documented default. A Python function called
    through a torch function mode receives every parameter by keyword, defaults included."""
    default = entry.get("params", {}).get(name, {}).get("default")
    if default is None or isinstance(value, torch.Tensor):
        return False
    try:
        documented = eval(default, {"torch": torch, "inf": math.inf, "nan": math.nan})  # noqa: S307
        return bool(value == documented) and type(value) is type(documented)
    except Exception:
        return repr(value) == default


def given(entry: dict, args, kwargs) -> set[str]:
    """The parameters a call sets: its positional ones, and keywords other than the default."""
    return set(positional(entry)[: len(args)]) | {k for k, v in kwargs.items()
                                                  if not is_default(entry, k, v)}


def _param_variants(call, known: Known) -> list[Variant]:
    fn, args, kwargs = call
    if known.entry is None:
        return []
    first = _first_tensor(args, kwargs)
    names = list(known.entry.get("params", {}))
    chosen = given(known.entry, args, kwargs)
    out = []
    for name in names:
        if name in chosen:
            continue
        for value in other_values(known.entry, name, first):
            out.append(Variant("param", f"with {name}={value!r}", fn, args, {**kwargs, name: value}))
    return out[:PARAMS_VARIED]


def _scalar_variants(call) -> list[Variant]:
    fn, args, kwargs = call
    first = _first_tensor(args, kwargs)
    if first is None:
        return []
    out = []

    def swap(x):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            return x
        if isinstance(x, int) and not first.is_floating_point():
            return x + 0.5  # a float scalar with an integer tensor: promotion to float
        if isinstance(x, float) and first.is_floating_point() and math.isfinite(x) and x == int(x):
            return int(x)
        return x

    new_args = tuple(swap(a) for a in args[1:])
    new_kwargs = {k: swap(v) for k, v in kwargs.items()}
    if new_args != tuple(args[1:]) or new_kwargs != kwargs:
        out.append(Variant("scalar", "with its number arguments of the other kind", fn,
                           (args[0], *new_args), new_kwargs))
    return out


def _variant_forms(call, known: Known, primary) -> list[Variant]:
    """The op's in-place variant and out= form, where the surface lists them."""
    fn, args, kwargs = call
    if known.entry is None:
        return []
    out = []
    name = known.name
    inplace = getattr(torch.Tensor, f"{name}_", None) if name else None
    if known.entry.get("inplace") and inplace is not None and not name.endswith("_") \
            and args and isinstance(args[0], torch.Tensor) \
            and isinstance(primary, torch.Tensor) and primary.dtype == args[0].dtype \
            and primary.shape == args[0].shape:
        out.append(Variant("inplace", f"in place (Tensor.{name}_)", inplace, args, kwargs))
    results = primary if isinstance(primary, tuple) else (primary,)
    if known.entry.get("out") and "out" not in kwargs and results \
            and all(isinstance(r, torch.Tensor) for r in results):
        # empty targets of the result's dtypes, which the op resizes (a tuple for (values, indices))
        targets = tuple(torch.empty(0, dtype=r.dtype) for r in results)
        out.append(Variant("out", "with out=", fn, args,
                           {**kwargs, "out": targets if isinstance(primary, tuple) else targets[0]}))
    return out


def plan(call, known: Known, primary, device_type: str) -> list[Variant]:
    """Every variant of one call (before CPU torch is asked which of them it accepts)."""
    fn, args, kwargs = call
    if known.entry is not None and known.entry.get("unrepeatable"):
        return []
    tie = bool(known.entry and known.entry.get("tie_indices"))
    variants = [Variant("effects", "", fn, args, kwargs)]
    layout = pytree.tree_map(lambda x: (non_contiguous(x) if isinstance(x, torch.Tensor) else x),
                             (args, kwargs))
    if any(n is not None for n in pytree.tree_leaves(layout)):
        merged = pytree.tree_map(lambda new, old: old if new is None else new,
                                 layout, (args, kwargs), is_leaf=lambda x: x is None)
        # Values only: what a spec returns of the layout itself (strides) is meant to differ.
        variants.append(Variant("layout", "with non-contiguous inputs", fn, *merged,
                                versus="primary", only_values=True, only_floating=tie))
    versus_cpu = _dtype_variants(call, known, device_type)
    if known.op is not None:  # the op itself was called: its own parameters and forms
        versus_cpu += _param_variants(call, known) + _scalar_variants(call)
        versus_cpu += _variant_forms(call, known, primary)
    versus_cpu += _shape_variants(call)
    for v in versus_cpu:
        v.only_floating = tie  # which index among equal values is the device's to choose
    variants += versus_cpu
    floats = [t for t in _tensors((args, kwargs)) if t.is_floating_point() and t.numel()]
    if floats and not tie and (known.entry is None or known.entry.get("differentiable", True)):
        variants.append(Variant("grad", "gradient", fn, args, kwargs))
    if known.op in APPROXIMATE:
        for v in variants:
            v.metadata_only = v.kind != "effects"  # what it writes is never approximate
    return variants


class Inner(TorchFunctionMode):
    """The calls of covered ops' functions that a spec's own function makes, each with copies
    of its arguments, seen by running that function on the CPU."""

    def __init__(self, known: dict):
        super().__init__()
        self.known = known
        self.calls: list[tuple] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if id(func) in self.known and len(self.calls) < CALLS_VARIED:
            self.calls.append((func, *_clone((args, kwargs))))
        return func(*args, **kwargs)


def inner_calls(fn, args, kwargs, known: dict) -> list[tuple]:
    recording = Inner(known)
    copies, kw = _clone((args, kwargs))
    try:
        with warnings.catch_warnings(), recording:
            warnings.simplefilter("ignore")
            fn(*copies, **kw)
    except Exception:
        pass
    return recording.calls


@dataclass
class Log:
    """What was varied in one case, for `opsuite coverage`."""
    kinds: list[str] = field(default_factory=list)
    dtypes: set = field(default_factory=set)
    params: set = field(default_factory=set)


# -- running them ------------------------------------------------------------------------------

def _identity(fn) -> int:
    """What stays the same from one call of a spec to the next: a lambda's code (a new function
    object each time, whose id Python reuses), a torch function itself."""
    return id(getattr(fn, "__code__", fn))


def _cpu(fn, args, kwargs, invoke):
    """CPU torch, eager, on copies: (outputs, the inputs after the call). Its warnings are
    its own business (the spec's call already gave the backend's)."""
    args, kwargs = _clone((args, kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = invoke(fn, args, kwargs)
    return out, (args, kwargs)


def _plain(fn, args, kwargs):
    return fn(*args, **kwargs)


def _forward_backward(fn, args, kwargs, first_only: bool = False):
    """The gradients of the floating inputs (or of the first only: a loss has no derivative
    for its target) for fixed cotangents: what a backward on the backend must match (CPU
    torch's, in the same dtypes, the same algorithm)."""
    args, kwargs = pytree.tree_map(lambda x: x.detach().clone() if isinstance(x, torch.Tensor)
                                   else x, (args, kwargs))
    leaves = [t for t in _tensors((args, kwargs)) if t.is_floating_point() and t.numel()]
    leaves = leaves[:1] if first_only else leaves
    for t in leaves:
        t.requires_grad_(True)
    out = fn(*args, **kwargs)
    outs = [o for o in pytree.tree_leaves(out) if isinstance(o, torch.Tensor) and o.requires_grad]
    if not outs:
        return None
    generator = torch.Generator().manual_seed(0)
    seeds = [torch.randn(o.shape, generator=generator, dtype=torch.float64).to(o.device, o.dtype)
             for o in outs]
    grads = torch.autograd.grad(outs, leaves, seeds, allow_unused=True)
    return [g if g is None else g.detach() for g in grads]


class Checker:
    """Runs the variants of a backend's calls (see the module's doc)."""

    def __init__(self, backend_call, device_type: str, surface: dict | None = None):
        self.backend_call = backend_call      # (fn, args, kwargs, invoke) -> outputs on the CPU
        self.device_type = device_type
        self.surface = surface_data.load() if surface is None else surface
        self.known = _callables(self.surface)
        self.seen: set = set()
        self.seen_repeatable: dict[int, bool] = {}  # code -> its CPU results repeat

    def identify(self, fn) -> Known:
        op, name = self.known.get(id(fn), (None, getattr(fn, "__name__", None)))
        return Known(op, self.surface.get(op) if op else None, name)

    def repeats(self, fn, args, kwargs) -> bool:
        """Whether this call gets the variants (`check`): CPU torch gives the same result twice
        and the op's results are not random."""
        entry = self.identify(fn).entry or {}
        return not entry.get("unrepeatable") and self._repeatable(fn, args, kwargs)

    def _repeatable(self, fn, args, kwargs) -> bool:
        code = _identity(fn)
        if code in self.seen_repeatable:
            return self.seen_repeatable[code]
        try:
            first = _cpu(fn, args, kwargs, lambda f, a, k: f(*a, **k))[0]
            second = _cpu(fn, args, kwargs, lambda f, a, k: f(*a, **k))[0]
            compare(first, second, {}, "")
            same = True
        except AssertionError:
            same = False
        except Exception:
            same = True  # CPU torch rejects the call: the variants will find out
        self.seen_repeatable[code] = same
        return same

    def _key(self, variant: Variant) -> tuple:
        def meta(x):
            if isinstance(x, torch.Tensor):
                return (tuple(x.shape), str(x.dtype), x.is_contiguous())
            return repr(x) if isinstance(x, (int, float, str, bool, type(None), torch.dtype)) else type(x)
        cells = tuple(repr(c.cell_contents)[:80] for c in getattr(variant.fn, "__closure__", None) or ())
        return (_identity(variant.fn), cells, variant.kind, variant.label,
                tuple(map(meta, pytree.tree_leaves((variant.args, variant.kwargs)))))

    def check(self, fn, args, kwargs, primary, inputs_after, log: Log) -> None:
        """Every variant of ``fn(*args, **kwargs)`` (CPU tensors, as the spec passed them),
        whose backend outputs were ``primary`` and inputs afterwards ``inputs_after``;
        raises SurfaceDivergence at the first that disagrees."""
        known = self.identify(fn)
        if not self.repeats(fn, args, kwargs):
            # random or uninitialised values (rand, empty_like): no two calls agree, but what
            # the call leaves in its inputs still must
            self._once(Variant("effects", "", fn, args, kwargs), primary, inputs_after, log)
            return
        for variant in plan((fn, args, kwargs), known, primary, self.device_type):
            self._once(variant, primary, inputs_after, log)
        if known.op is None:
            # Inside a function of the spec's: the covered ops it calls, varied as direct calls.
            for func, a, k in inner_calls(fn, args, kwargs, self.known):
                try:
                    reference = _cpu(func, a, k, lambda f, x, y: f(*x, **y))[0]
                except Exception:
                    continue
                for variant in plan((func, a, k), self.identify(func), reference, self.device_type):
                    if variant.kind == "effects":
                        continue  # the spec's own call had that check
                    if variant.kind == "layout":
                        variant.versus = "cpu"  # no backend result of the inner call to hold it to
                    self._once(variant, None, None, log)

    def _once(self, variant: Variant, primary, inputs_after, log: Log) -> None:
        key = self._key(variant)
        if key not in self.seen:
            self.seen.add(key)
            self._run(variant, primary, inputs_after, log)

    def _run(self, v: Variant, primary, inputs_after, log: Log) -> None:
        what = f"surface check {v.label}".strip() if v.label else "surface check"
        if v.kind == "grad":
            expected = None
            for first_only in (False, True):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        expected = _forward_backward(v.fn, v.args, v.kwargs, first_only)
                    break
                except Exception:
                    continue  # CPU torch has no gradient for some input: try the first alone
            if expected is None:
                return  # CPU torch has no gradient here: nothing to hold the backend to
            got = self.backend_call(v.fn, v.args, v.kwargs,
                                    lambda f, a, k: _forward_backward(f, a, k, first_only))
            if got is None:
                raise SurfaceDivergence(f"{what}: the result has no gradient (no grad_fn) where "
                                        "CPU torch's has one")
            floats = [t for t in _tensors((v.args, v.kwargs)) if t.is_floating_point() and t.numel()]
            for i, (g, e, t) in enumerate(zip(got, expected, floats)):
                if (g is None) != (e is None):
                    raise SurfaceDivergence(f"{what}: the gradient of input {i} is "
                                            f"{'missing' if g is None else 'present'} where CPU "
                                            f"torch's is {'present' if g is None else 'missing'}")
                if g is not None:
                    compare(g, e, GRADIENT, f"{what} of input {i} against CPU torch's",
                            noun="gradient", metadata_only=v.metadata_only)
            log.kinds.append("grad")
            return
        try:
            expected, expected_inputs = _cpu(v.fn, v.args, v.kwargs,
                                             lambda f, a, k: f(*a, **k))
        except Exception:
            return  # CPU torch rejects this variant: not one the op takes
        if v.kind == "effects":
            compare(inputs_after, expected_inputs, SAME_DTYPE,
                    "surface check of what the call leaves in its inputs", noun="input")
            log.kinds.append("effects")
            return
        try:
            got, got_inputs = self.backend_call(v.fn, v.args, v.kwargs, None)
        except AssertionError:
            raise
        except Exception as error:
            raise SurfaceDivergence(f"{what}: the backend raised {type(error).__name__}: "
                                    f"{str(error).splitlines()[0] if str(error) else ''} where "
                                    "CPU torch returns a result") from error
        reference = primary if v.versus == "primary" else expected
        against = "the backend's own result for contiguous inputs" if v.versus == "primary" \
            else "CPU torch"
        compare(got, reference, SAME_DTYPE, f"{what} (against {against}; "
                f"{_describe_layout((v.args, v.kwargs)) or 'inputs as the spec gave them'})",
                only_floating=v.only_floating, only_values=v.only_values,
                reference="its contiguous result" if v.versus == "primary" else "CPU torch",
                metadata_only=v.metadata_only)
        if v.kind in ("inplace", "out"):
            compare(got_inputs, expected_inputs, SAME_DTYPE,
                    f"{what}: what it leaves in its arguments", noun="input")
        log.kinds.append(v.kind)
        if v.kind == "dtype":
            log.dtypes.add(v.label.rsplit(" ", 1)[-1])
        if v.kind == "param":
            log.params.add(v.label.removeprefix("with ").split("=")[0])


def freeze(fn):
    """``fn`` with its closure's values as they are now: the surface checks run after the spec,
    whose loop may have moved a captured variable on since (a new function, same code)."""
    cells = getattr(fn, "__closure__", None)
    if not cells or not isinstance(fn, types.FunctionType):
        return fn
    frozen = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                                tuple(types.CellType(c.cell_contents) for c in cells))
    frozen.__kwdefaults__ = fn.__kwdefaults__
    return frozen


SAFE = (int, float, complex, str, bool, type(None), torch.dtype, torch.device, torch.Size)


def _safe_value(x, depth: int = 0) -> bool:
    if isinstance(x, SAFE) or isinstance(x, torch.Tensor):
        return True
    if isinstance(x, (tuple, list)) and depth < 3:
        return all(_safe_value(v, depth + 1) for v in x)
    if isinstance(x, dict) and depth < 3:
        return all(_safe_value(v, depth + 1) for v in x.values())
    if isinstance(x, types.FunctionType) and not x.__closure__:
        return True  # a module-level helper of the spec's: code, not state
    # torch's own functions and Python's builtins hold no state of the spec's
    module = getattr(x, "__module__", None) or ""
    return callable(x) and not hasattr(x, "__self__") and (
        module.startswith("torch") or module == "builtins") and not isinstance(x, torch.nn.Module)


def repeatable(fn, args, kwargs) -> bool:
    """Whether calling ``fn`` again (on copies of its tensors) leaves the spec's own state
    alone: a torch function, or a function of the spec's whose closure holds only values and
    tensors (tensors are copied). A closure over a module or an optimizer is not: a second
    call would step it again."""
    if not _safe_value(list(args)) or not _safe_value(kwargs):
        return False
    if isinstance(fn, torch.nn.Module):
        # A loss or an activation without parameters or buffers computes from its inputs
        # alone; one with them would step running statistics or gather gradients in them.
        return not any(True for _ in fn.parameters()) and not any(True for _ in fn.buffers())
    owner = getattr(fn, "__self__", None)
    if owner is not None and not isinstance(owner, (type, types.ModuleType)):
        return False  # a bound method: its object's state is the spec's
    cells = getattr(fn, "__closure__", None) or ()
    try:
        values = [c.cell_contents for c in cells]
    except ValueError:
        return False
    code, names = getattr(fn, "__code__", None), getattr(fn, "__globals__", {})
    if code is not None:  # the globals it reads: a module or a class is fine, state is not
        values += [names[n] for n in code.co_names if n in names
                   and not isinstance(names[n], (types.ModuleType, type))]
    if any(isinstance(v, torch.Tensor) for v in values):
        return False  # the op may write into a captured tensor: the spec's own
    return all(_safe_value(v) for v in values)
