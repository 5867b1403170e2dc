"""PyTorch's OpInfo database as the sweep reads it: entries, their dtypes, their samples.

``torch.testing._internal`` is not public API. Only the sweep imports it, only here, and what
it cannot build (an entry whose samples fail to generate) is a skipped cell with the reason.
Conformance never depends on it.
"""

from __future__ import annotations

import fnmatch
import functools

import torch


class SweepError(ValueError):
    """Bad input for the sweep: one sentence for the user."""


@functools.cache
def database() -> tuple:
    """Every OpInfo entry of the installed torch (op_db, which includes the definitions/ lists)."""
    try:
        from torch.testing._internal.common_methods_invocations import op_db
    except Exception as error:  # not public API: a torch without it cannot sweep
        missing = getattr(error, "name", None) if isinstance(error, ModuleNotFoundError) else None
        hint = f"; `pip install {missing}` may be all it needs" if missing and "." not in missing else ""
        raise SweepError(f"this torch ({torch.__version__}) has no usable OpInfo database "
                         f"(torch.testing._internal: {type(error).__name__}: {error}){hint}") from None
    return tuple(op_db)


def full_name(op) -> str:
    """``nn.functional.interpolate.bilinear``: the entry's name and its variant, as PyTorch's
    own test ids and skip lists write it."""
    return f"{op.name}.{op.variant_test_name}" if op.variant_test_name else op.name


def select(patterns: list[str] | None) -> list:
    """Entries whose full name matches any of the shell-style patterns (all when none)."""
    entries = database()
    if not patterns:
        return list(entries)
    unmatched = [p for p in patterns if not any(fnmatch.fnmatchcase(full_name(op), p) for op in entries)]
    if unmatched:
        raise SweepError(f"no OpInfo entry matches {unmatched[0]!r} (names such as "
                         f"{full_name(entries[0])!r}, 'nn.functional.*'; `opsuite sweep --list` "
                         "lists them)")
    return [op for op in entries if any(fnmatch.fnmatchcase(full_name(op), p) for p in patterns)]


_COMMON = (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
           torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex32,
           torch.complex64, torch.complex128)
# Every dtype of this torch by name: the common ones in this order, then the rest (float8_*,
# uint16, ...) by name. A fixed order: every worker process must list the same cells.
DTYPES = {str(d).removeprefix("torch."): d for d in _COMMON} | dict(sorted(
    (name, d) for name, d in vars(torch).items() if isinstance(d, torch.dtype) and d not in _COMMON
    and str(d) == f"torch.{name}"))
_ORDER = {d: n for n, d in enumerate(DTYPES.values())}


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


# torch's own aliases (torch.float is torch.float32, torch.half is torch.float16, ...)
ALIASES = {"float": "float32", "double": "float64", "half": "float16", "cfloat": "complex64",
           "cdouble": "complex128", "chalf": "complex32", "short": "int16", "int": "int32",
           "long": "int64"}


def parse_dtypes(names: list[str] | None) -> list[torch.dtype] | None:
    if not names:
        return None
    names = [ALIASES.get(n.removeprefix("torch."), n.removeprefix("torch.")) for n in names]
    unknown = [n for n in names if n not in DTYPES]
    if unknown:
        raise SweepError(f"unknown dtype {unknown[0]!r}; choose from {', '.join(DTYPES)}")
    return [DTYPES[n] for n in names]


def dtypes_for(op, device_type: str) -> list[torch.dtype]:
    """The dtypes the entry declares for the device type (meta: those of cpu), in a fixed order."""
    declared = op.supported_dtypes("cpu" if device_type == "meta" else device_type)
    return sorted(declared, key=lambda d: (_ORDER.get(d, len(_ORDER)), str(d)))


def backward_dtypes_for(op, device_type: str) -> set[torch.dtype]:
    if not op.supports_autograd:
        return set()
    return set(op.supported_backward_dtypes("cpu" if device_type == "meta" else device_type))


def _seed_cpu(seed=None) -> None:
    """common_utils.set_rng_seed for the cpu alone (below)."""
    import random

    import numpy as np
    from torch.testing._internal import common_utils

    seed = common_utils.SEED if seed is None else seed
    torch.default_generator.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)


def samples(op, dtype: torch.dtype, *, requires_grad: bool = False, limit: int | None = None) -> list:
    """The entry's sample inputs on the CPU, the same on every call (seeded), at most ``limit``.

    OpInfo's iterator seeds before each sample with torch.manual_seed, which where accelerator
    modules are not initialised also queues a seeding of each with a traceback: 40 % of a
    cell's time, and a queue that grows through the whole sweep. Samples are made on the cpu,
    so only its generator (and Python's, NumPy's) is seeded, as set_rng_seed would."""
    from unittest import mock

    from torch.testing._internal import common_utils

    _seed_cpu(0)
    found = []
    with mock.patch.object(common_utils, "set_rng_seed", _seed_cpu):
        for sample in op.sample_inputs("cpu", dtype, requires_grad=requires_grad):
            found.append(sample)
            if limit is not None and len(found) >= limit:
                break
    return found
