"""Sigmoid focal-loss implementations under comparison, all with one signature.

    fn(inputs, targets, alpha=0.25, gamma=2.0, reduction="none")

`IMPLEMENTATIONS` holds those that can run here; `UNAVAILABLE` says why the others cannot
(an optional package that does not import). `KNOWN` lists both, in a fixed order, so that
benchmark parameters are the same on every machine.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be 'none', 'mean' or 'sum', not {reduction!r}")


def vectorized(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """The BCE-with-logits formulation as the seed notes write it, α < 0 meaning no weighting."""
    bce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p = torch.sigmoid(inputs)
    modulating = (1.0 - p) ** gamma * targets + p ** gamma * (1 - targets)
    loss = modulating * bce
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return _reduce(loss, reduction)


def _torchvision() -> Callable:
    from torchvision.ops import sigmoid_focal_loss  # same conventions as the contract

    return sigmoid_focal_loss


def _kornia() -> Callable:
    from kornia.losses import binary_focal_loss_with_logits

    def kornia(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
        # Kornia spells "no α weighting" as alpha=None.
        return binary_focal_loss_with_logits(inputs, targets, alpha=alpha if alpha >= 0 else None,
                                             gamma=gamma, reduction=reduction)

    return kornia


_OPTIONAL = {"torchvision": _torchvision, "kornia": _kornia}
KNOWN = ("vectorized", *_OPTIONAL)

IMPLEMENTATIONS: dict[str, Callable] = {"vectorized": vectorized}
UNAVAILABLE: dict[str, str] = {}
for _name, _load in _OPTIONAL.items():
    try:
        IMPLEMENTATIONS[_name] = _load()
    except Exception as error:  # ImportError, or a broken build that fails on import
        UNAVAILABLE[_name] = f"{_name} does not import here ({type(error).__name__}: {error})"
