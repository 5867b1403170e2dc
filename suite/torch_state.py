"""torch's process-wide state: read it, tell what changed, put it back.

A backend under test may leave global state behind (a default dtype, grad mode off, a
TorchFunctionMode never exited, a dynamo setting). Every later case in the same process,
on every backend, would then run under it. The plugin reads this state before each case and
after it; a case that changed it is an error of its own backend, and the state is restored
so that no other record changes.

    baseline = Baseline()
    ...                                    # a case runs
    baseline.restore()                     # ["left the default dtype at torch.float64 ...", ...]
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from typing import Any, Callable

import torch


@dataclass(frozen=True)
class Setting:
    name: str                            # as the error message says it: "the default dtype"
    get: Callable[[], Any]
    set: Callable[[Any], None] | None    # None: can only be reported, not put back


def _attribute(name: str, obj, attr: str) -> Setting:
    return Setting(name, lambda: getattr(obj, attr), lambda v: setattr(obj, attr, v))


def _precision() -> list[Setting]:
    """TF32 and matmul precision through one API: torch >= 2.9 refuses to read them through
    the legacy getters (``allow_tf32``, ``get_float32_matmul_precision``) once they were set
    through ``fp32_precision``, so where that exists it is the only one used."""
    backends = torch.backends
    if not hasattr(backends, "fp32_precision"):
        return [Setting("float32 matmul precision", torch.get_float32_matmul_precision,
                        torch.set_float32_matmul_precision),
                _attribute("matmul allow_tf32", backends.cuda.matmul, "allow_tf32"),
                _attribute("cuDNN allow_tf32", backends.cudnn, "allow_tf32")]
    places = [("", backends), ("cuda.matmul.", backends.cuda.matmul), ("cudnn.", backends.cudnn)]
    for parent in ("cudnn", "mkldnn"):
        for op in ("conv", "rnn", "matmul"):
            obj = getattr(getattr(backends, parent, None), op, None)
            if obj is not None and hasattr(obj, "fp32_precision"):
                places.append((f"{parent}.{op}.", obj))
    return [_attribute(f"torch.backends.{where}fp32_precision", obj, "fp32_precision")
            for where, obj in places]


def _default_device():
    # Read where torch.set_default_device keeps it: torch.get_default_device() would create a
    # tensor, through any TorchFunctionMode a backend left active.
    context = getattr(torch._GLOBAL_DEVICE_CONTEXT, "device_context", None)
    return None if context is None else str(context.device)


def _settings() -> list[Setting]:
    cuda, cudnn = torch.backends.cuda, torch.backends.cudnn
    out = [
        Setting("the default dtype", torch.get_default_dtype, torch.set_default_dtype),
        # before the mode stack: set_default_device(None) exits the mode it pushed
        Setting("the default device", _default_device, torch.set_default_device),
        Setting("the torch function mode stack", torch._C._len_torch_function_stack,
                lambda n: _pop_to(n, torch._C._len_torch_function_stack,
                                  torch._C._pop_torch_function_stack)),
        Setting("the torch dispatch mode stack", torch._C._len_torch_dispatch_stack,
                lambda n: _pop_to(n, torch._C._len_torch_dispatch_stack,
                                  torch._C._pop_torch_dispatch_stack)),
        Setting("grad mode", torch.is_grad_enabled, torch.set_grad_enabled),
        Setting("inference mode", torch.is_inference_mode_enabled, None),
        Setting("anomaly detection", torch.is_anomaly_enabled, torch.set_anomaly_enabled),
        Setting("deterministic algorithms",
                lambda: (torch.are_deterministic_algorithms_enabled(),
                         torch.is_deterministic_algorithms_warn_only_enabled()),
                lambda v: torch.use_deterministic_algorithms(v[0], warn_only=v[1])),
        Setting("the intra-op thread count", torch.get_num_threads, torch.set_num_threads),
        Setting("fp16 reduced-precision reductions",
                lambda: cuda.matmul.allow_fp16_reduced_precision_reduction,
                lambda v: setattr(cuda.matmul, "allow_fp16_reduced_precision_reduction", v)),
        Setting("bf16 reduced-precision reductions",
                lambda: cuda.matmul.allow_bf16_reduced_precision_reduction,
                lambda v: setattr(cuda.matmul, "allow_bf16_reduced_precision_reduction", v)),
        Setting("cuDNN", lambda: cudnn.enabled, lambda v: setattr(cudnn, "enabled", v)),
        Setting("cuDNN benchmark mode", lambda: cudnn.benchmark,
                lambda v: setattr(cudnn, "benchmark", v)),
        Setting("cuDNN deterministic mode", lambda: cudnn.deterministic,
                lambda v: setattr(cudnn, "deterministic", v)),
    ]
    out += _precision()
    for device in ("cpu", "cuda"):
        out.append(Setting(f"autocast on {device}",
                           lambda d=device: (torch.is_autocast_enabled(d), torch.get_autocast_dtype(d)),
                           lambda v, d=device: (torch.set_autocast_enabled(d, v[0]),
                                                torch.set_autocast_dtype(d, v[1]))))
    return out


def _namespaces() -> dict[str, object]:
    import torch.nn.functional

    return {"torch": torch, "torch.Tensor": torch.Tensor, "torch.nn.functional": torch.nn.functional,
            "torch.linalg": torch.linalg, "torch.special": torch.special, "torch.fft": torch.fft}


def _functions() -> dict[str, dict]:
    """torch's namespaces as they are: a backend that patches a function (torch.sum = ...) and
    never puts it back would change every later case."""
    return {where: dict(vars(namespace)) for where, namespace in _namespaces().items()}


def _patched(was: dict, now: dict) -> list[tuple[str, str]]:
    """(namespace, name) of public names whose object changed, or that appeared (a submodule
    imported later is not one)."""
    found = []
    for where, names in now.items():
        if names == was[where]:  # in C, by identity first: the usual case costs microseconds
            continue
        before = was[where]
        found += [(where, name) for name, value in names.items() if not name.startswith("_")
                  and (value is not before.get(name, value)
                       or (name not in before and not isinstance(value, types.ModuleType)))]
    return found


def _unpatch(was: dict, patched: list[tuple[str, str]]) -> None:
    spaces = _namespaces()
    for where, name in patched:
        if name in was[where]:
            setattr(spaces[where], name, was[where][name])
        else:
            delattr(spaces[where], name)


def _pop_to(n: int, length, pop) -> None:
    while length() > n:
        pop()


def _read(setting: Setting):
    try:
        return setting.get()
    except Exception as error:  # a backend can leave a setting unreadable: a change too
        return f"unreadable ({type(error).__name__})"


SETTINGS = _settings()
# dynamo's and inductor's settings, compared once imported (importing them costs seconds)
CONFIGS = ("torch._dynamo.config", "torch._inductor.config")


class Baseline:
    """The state every case starts from: taken once, compared and put back after each case."""

    def __init__(self):
        self.values = {s.name: _read(s) for s in SETTINGS}
        self.functions = _functions()
        self.configs: dict[str, dict] = {}
        self._add_configs()

    def _add_configs(self):
        for name in CONFIGS:
            if name not in self.configs and name in sys.modules:
                self.configs[name] = sys.modules[name].get_config_copy()

    def restore(self) -> list[str]:
        """Put back whatever differs from the baseline and say what it was, one phrase each
        ("left the default dtype at torch.float64"); [] when nothing changed."""
        changes = []
        for setting in SETTINGS:
            was, now = self.values[setting.name], _read(setting)
            if now == was:
                continue
            changes.append(f"left {setting.name} at {now!r} (was {was!r})")
            try:
                setting.set(was)
            except Exception:
                changes[-1] += "; it could not be put back"
        now = _functions()
        patched = _patched(self.functions, now)
        if any(name not in self.configs and name in sys.modules for name in CONFIGS):
            # Importing dynamo wraps a few torch functions (torch.manual_seed) once: the new
            # baseline, not a backend's doing.
            for where, name in [(w, n) for w, n in patched if n in self.functions[w] and getattr(
                    now[w][n], "__wrapped__", None) is self.functions[w][n]]:
                self.functions[where][name] = now[where][name]
                patched.remove((where, name))
        if patched:
            changes.append("replaced " + ", ".join(f"{w}.{n}" for w, n in patched))
            _unpatch(self.functions, patched)
        if now != self.functions:  # submodules imported since, private names: the new baseline,
            self.functions = _functions()  # so that the next case's comparison is the quick one
        for name, was in self.configs.items():
            module = sys.modules[name]
            now = module.get_config_copy()
            keys = sorted(k for k in was if now.get(k) != was[k])
            if keys:
                changes.append(f"changed {name}: "
                               + ", ".join(f"{k}={now.get(k)!r}" for k in keys))
                for k in keys:
                    setattr(module, k, was[k])
        self._add_configs()
        return changes


def reset_compiled() -> None:
    """Drop dynamo's compiled code, so that one backend's compilations cannot be reused under
    another backend's context in the same process."""
    dynamo = sys.modules.get("torch._dynamo")
    if dynamo is not None:
        dynamo.reset()
