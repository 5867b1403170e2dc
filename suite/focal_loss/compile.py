"""torch.compile for the focal-loss kernels, where inductor can generate code.

Inside an outer torch.compile the plain function runs, for the outer compiler to trace and
fuse with its neighbours. Each α, γ, dtype and reduction may cost a compilation, so the
recompile limit is raised: past dynamo's default of 8, it would silently run the function
eagerly, and a conformance run over many values would test eager code under a compiled name.
"""

from __future__ import annotations

import functools

import torch

# Device types with an inductor code generator (C++/OpenMP on CPU, Triton on GPUs).
INDUCTOR_DEVICES = ("cpu", "cuda", "xpu")


RECOMPILE_LIMIT = 64


def compiled_on_device(fn, *, dynamic: bool | None = None):
    """``fn`` compiled where inductor has a code generator, and ``fn`` itself elsewhere (meta).

    dynamic: torch.compile's; True traces Python floats and sizes as symbols, so one kernel
    serves every value (at the price of specialisations such as pow(q, 2) -> q * q).

    torch.compile is called on first use: it imports dynamo, seconds that importing the focal
    loss (and every command that lists the benchmark cases) should not pay.
    """
    @functools.cache
    def compiled():
        return torch.compile(fn, dynamic=dynamic)

    @functools.wraps(fn)
    def call(inputs, *args, **kwargs):
        if inputs.device.type not in INDUCTOR_DEVICES or torch.compiler.is_compiling():
            return fn(inputs, *args, **kwargs)
        with torch._dynamo.config.patch(recompile_limit=RECOMPILE_LIMIT):
            return compiled()(inputs, *args, **kwargs)

    return call
