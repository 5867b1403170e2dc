"""Backends: where the operation under test runs.

A backend is a device plus, optionally, a context entered around the operation and a
wrapper applied to it. Built-ins are discovered at run time; third parties plug in their
own with ``--backend MODULE:OBJECT``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager

import torch


@dataclass(frozen=True)
class Backend:
    """One column of every report.

    name:    the column header (``cpu``, ``cuda:0``, ``compile-cpu``, ...).
    device:  where the inputs of the operation under test are placed.
    context: zero-argument callable returning a context manager entered around the operation
             under test only (a ``torch.overrides.TorchFunctionMode`` subclass qualifies).
    wrap:    takes the function under test and returns the function to call
             (``torch.compile`` qualifies).
    """

    name: str
    device: str | torch.device
    context: Callable[[], ContextManager] | None = None
    wrap: Callable[[Callable], Callable] | None = None


@dataclass(frozen=True)
class Selected:
    """A backend chosen for a run, with whether it can run here and why not."""

    backend: Backend
    selector: str  # what the user typed to get it: the repro line repeats it
    available: bool = True
    reason: str | None = None
    note: str | None = None  # a warning for the user, e.g. what importing its module changed


class BackendError(ValueError):
    """A selection that cannot be honoured; the message is one sentence for the user."""


def _compile(fn: Callable) -> Callable:
    def call(*args, **kwargs):  # a Python frame for dynamo to trace, also around builtins
        return fn(*args, **kwargs)

    return torch.compile(call, backend="inductor")


def _device_types() -> list[tuple[str, list[str], str | None]]:
    """(device type, available device names, reason when none) for each accelerator type."""
    found = []
    if torch.cuda.is_available():
        found.append(("cuda", [f"cuda:{i}" for i in range(torch.cuda.device_count())], None))
    else:
        why = ("torch was built without CUDA" if torch.version.cuda is None
               else "torch.cuda.is_available() is False (no GPU or driver)")
        found.append(("cuda", [], why))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append(("mps", ["mps"], None))
    else:
        found.append(("mps", [], "torch.backends.mps.is_available() is False"))
    xpu = getattr(torch, "xpu", None)
    if xpu is not None and xpu.is_available():
        found.append(("xpu", [f"xpu:{i}" for i in range(xpu.device_count())], None))
    else:
        found.append(("xpu", [], "torch.xpu.is_available() is False"))
    # An out-of-tree device registered through PrivateUse1 (e.g. a vendor plugin).
    extra = torch._C._get_privateuse1_backend_name()
    if extra != "privateuseone":
        module = getattr(torch, extra, None)
        if module is not None and module.is_available():
            found.append((extra, [f"{extra}:{i}" for i in range(module.device_count())], None))
        else:
            found.append((extra, [], f"torch.{extra}.is_available() is False"))
    return found


def compile_unavailable_reason() -> str | None:
    """Why torch.compile (inductor) cannot run here, or None when it can."""
    if not torch._dynamo.is_dynamo_supported():
        return f"torch.compile does not support Python {sys.version.split()[0]}"
    if not any(shutil.which(cc) for cc in ("g++", "c++", "clang++")):
        return "torch.compile on CPU needs a C++ compiler (g++ or clang++); none is on PATH"
    return None


def builtin_backends(check_compile: bool = True) -> list[Selected]:
    """Every built-in backend, available or not, in report order.

    check_compile=False skips asking whether torch.compile works here, which imports
    torch._dynamo (seconds); `select` asks only when a compile backend is chosen.
    """
    devices = ["cpu"]
    out = [Selected(Backend("cpu", "cpu"), "cpu")]
    unavailable = []
    for kind, names, reason in _device_types():
        if names:
            devices += names
            out += [Selected(Backend(n, n), n) for n in names]
        else:
            unavailable.append(Selected(Backend(kind, kind), kind, False, reason))
    out.append(Selected(Backend("meta", "meta"), "meta"))
    compile_reason = compile_unavailable_reason() if check_compile else None
    for dev in devices:
        name = f"compile-{dev}"
        out.append(Selected(Backend(name, dev, wrap=_compile), name,
                            compile_reason is None, compile_reason))
    return out + unavailable


def _import_file(path: Path):
    """A module from a file outside any package, registered in sys.modules as an import would
    be: torch.compile looks a traced function's module up there."""
    name = path.stem
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) != str(path.resolve()):
        name = f"opsuite_backend_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path.resolve())
    if spec is None or not path.is_file():
        raise ModuleNotFoundError(f"no file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _load_object(selector: str) -> tuple[Backend, str | None]:
    """Load ``MODULE:OBJECT`` (or ``path/to/file.py:OBJECT``) and check it is a Backend.
    Returns it with a note when importing its module changed torch's global state (which is
    put back: every case starts from torch's state as opsuite found it)."""
    from suite import torch_state

    module_name, _, attr = selector.rpartition(":")
    if not module_name or not attr:
        raise BackendError(f"backend {selector!r} is not NAME or MODULE:OBJECT")
    before = torch_state.Baseline()
    try:
        if module_name.endswith(".py") or os.sep in module_name:
            module = _import_file(Path(module_name))
        else:
            if "" not in sys.path and os.getcwd() not in sys.path:
                sys.path.insert(0, os.getcwd())  # as `python -m pytest` would
            module = importlib.import_module(module_name)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # any failure to import (even sys.exit) is the user's to fix
        what = (f"importing {module_name!r} called sys.exit({exc.code!r})"
                if isinstance(exc, SystemExit)
                else f"cannot import {module_name!r} ({type(exc).__name__}: {exc})")
        raise BackendError(f"backend {selector!r}: {what}") from None
    try:
        obj = getattr(module, attr)
    except AttributeError:
        raise BackendError(f"backend {selector!r}: module {module_name!r} has no "
                           f"attribute {attr!r}") from None
    if not isinstance(obj, Backend):
        raise BackendError(f"backend {selector!r} is a {type(obj).__name__}, "
                           "not a suite.backends.Backend")
    if not isinstance(obj.name, str) or not obj.name:
        raise BackendError(f"backend {selector!r} has no name")
    try:
        torch.device(obj.device)
    except (RuntimeError, TypeError):
        raise BackendError(f"backend {selector!r}: {obj.device!r} is not a torch device") from None
    for field in ("context", "wrap"):
        if getattr(obj, field) is not None and not callable(getattr(obj, field)):
            raise BackendError(f"backend {selector!r}: {field} must be callable")
    changed = before.restore()
    note = (f"importing {module_name!r} " + "; ".join(changed) + " (put back)") if changed else None
    return obj, note


def select(selectors: list[str]) -> list[Selected]:
    """Resolve ``--backend`` values; default is cpu. Raises BackendError on bad input."""
    builtins = builtin_backends(check_compile=False)
    by_name = {s.backend.name: s for s in builtins}
    chosen: dict[str, Selected] = {}

    def add(sel: Selected):
        name, earlier = sel.backend.name, chosen.get(sel.backend.name)
        if earlier is None:
            chosen[name] = sel
        elif earlier.backend != sel.backend:  # the name is the column: two in one is a lie
            raise BackendError(f"backend {sel.selector!r} is named {name!r}, as is backend "
                               f"{earlier.selector!r}; a backend's name is its column in every "
                               "report, so names must differ")

    for selector in selectors or ["cpu"]:
        if selector == "all":
            for sel in builtins:
                add(sel)
        elif selector in by_name:
            add(by_name[selector])
        elif ":" in selector and not _is_device_name(selector):
            backend, note = _load_object(selector)
            add(Selected(backend, selector, note=note))
        else:
            matches = _family(builtins, selector)
            if matches:
                for sel in matches:
                    add(sel)
            elif _is_device_name(selector):
                # A well-formed device that this machine lacks (e.g. cuda:3): report it.
                add(Selected(Backend(selector, selector.removeprefix("compile-")), selector,
                             False, f"device {selector.removeprefix('compile-')} is not present"))
            else:
                names = ", ".join(["all"] + [s.backend.name for s in builtins])
                raise BackendError(f"unknown backend {selector!r}; choose from {names}, "
                                   "or give MODULE:OBJECT for your own Backend")
    return [_check_compile(sel) for sel in chosen.values()]


def _check_compile(sel: Selected) -> Selected:
    if not (sel.available and sel.backend.wrap is _compile):
        return sel
    reason = compile_unavailable_reason()
    return sel if reason is None else Selected(sel.backend, sel.selector, False, reason)


def _family(builtins: list[Selected], selector: str) -> list[Selected]:
    """``cuda`` means every cuda:N (or the unavailable cuda entry); likewise compile-cuda."""
    return [s for s in builtins if s.backend.name.split(":")[0] == selector]


def _is_device_name(selector: str) -> bool:
    name = selector.removeprefix("compile-")
    kind, _, index = name.partition(":")
    known = {"cpu", "cuda", "mps", "xpu", "meta", torch._C._get_privateuse1_backend_name()}
    return kind in known and (index == "" or index.isdigit())
