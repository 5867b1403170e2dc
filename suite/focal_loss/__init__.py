"""Sigmoid focal loss: one contract, every implementation under comparison.

The contract (Lin et al. 2017, RetinaNet, https://arxiv.org/abs/1708.02002):

    FL = α_t · (1 − p_t)^γ · CE(x, t),   p = σ(x),   p_t = p·t + (1 − p)·(1 − t),
    α_t = α·t + (1 − α)·(1 − t),   CE the binary cross-entropy of the logit x against t,

with α < 0 meaning no weighting, defaults α = 0.25 and γ = 2, soft targets in [0, 1] allowed,
and reduction "none" | "mean" | "sum", the mean taken over elements. Every implementation is

    fn(inputs, targets, alpha=0.25, gamma=2.0, reduction="none")

`IMPLEMENTATIONS`: those that can run here. `UNAVAILABLE`: why the others cannot (an optional
package that does not import). `KNOWN`: both, in a fixed order, so that benchmark parameters
are the same on every machine. `CONFORMING`: the names that meet the whole contract, values
and gradients, on every input the conformance specs try; what the others get wrong is listed,
with reasons, in conformance/known_divergences.toml. `DEFAULTS_ONLY`: names the specs check at the
defaults only, each with the implementation whose formula it shares.
"""

from __future__ import annotations

from collections.abc import Callable

from suite.focal_loss.adapters import DEVICE_TYPES, LOADERS
from suite.focal_loss.formulas import REDUCTIONS, compiled, naive, reference, vectorized
from suite.focal_loss.fused import fused

OURS: dict[str, Callable] = {"reference": reference, "naive": naive, "vectorized": vectorized,
                             "fused": fused, "compiled": compiled}
KNOWN = (*OURS, *LOADERS)
CONFORMING = ("reference", "fused")
# `compiled` is torch.compile's own compilation of vectorized: one per γ, α, reduction and dtype,
# about 5 s each on a 2-core CPU, minutes over every setting the specs try. The specs check it
# at the defaults only; where it breaks the contract elsewhere is vectorized's formula, whose
# known divergences say why. (A compile-* backend runs vectorized inside a larger compiled
# graph: close, but not the same program.)
DEFAULTS_ONLY = {"compiled": "vectorized"}

IMPLEMENTATIONS: dict[str, Callable] = dict(OURS)
UNAVAILABLE: dict[str, str] = {}
for _name, _load in LOADERS.items():
    try:
        IMPLEMENTATIONS[_name] = _load()
    except Exception as error:  # ImportError, or a broken build that fails on import
        UNAVAILABLE[_name] = f"{_name} does not import here ({type(error).__name__}: {error})"


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """Sigmoid focal loss of the logits `inputs` against `targets` (Lin et al. 2017, RetinaNet).

    The contract that every implementation in this package is held to:

    FL = α_t · (1 − p_t)^γ · CE(x, t), with p = σ(x), p_t = p·t + (1 − p)·(1 − t) and
    α_t = α·t + (1 − α)·(1 − t), where CE is the binary cross-entropy of the logit x
    against the target t.
    α < 0 means no weighting (α_t = 1).
    Targets may be soft: any value in [0, 1].
    The defaults are α = 0.25, γ = 2 and reduction "none".
    Reduction "none" returns the loss of each element, with the shape and dtype of `inputs`;
    "mean" and "sum" return a 0-dim tensor of that dtype, the mean taken over elements.

    Computed here by `fused`, whose gradient is finite for every γ ≥ 0 and every finite logit.
    """
    return fused(inputs, targets, alpha, gamma, reduction)


def unsupported(name: str, device_type: str) -> str | None:
    """Why implementation `name` cannot run on `device_type` here, or None when it can."""
    if name in UNAVAILABLE:
        return UNAVAILABLE[name]
    if name in DEVICE_TYPES and device_type not in DEVICE_TYPES[name]:
        return f"{name} has no {device_type} kernel (only {', '.join(DEVICE_TYPES[name])})"
    return None


__all__ = ["DEFAULTS_ONLY", "CONFORMING", "IMPLEMENTATIONS", "KNOWN", "REDUCTIONS", "UNAVAILABLE", "compiled",
           "fused", "naive", "reference", "sigmoid_focal_loss", "unsupported", "vectorized"]
