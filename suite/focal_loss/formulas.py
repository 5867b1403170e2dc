"""The focal loss written as plain torch: the oracle, the textbook, the seeds' version, compiled.

Each has the contract's signature ``fn(inputs, targets, alpha=0.25, gamma=2.0, reduction="none")``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from suite.focal_loss.compile import compiled_on_device

REDUCTIONS = ("none", "mean", "sum")


def reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    """The contract's reductions; 'mean' is over elements."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be 'none', 'mean' or 'sum', not {reduction!r}")


def reference(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """The oracle: float64 whatever the input dtype, and in log space, so that logits far
    from zero keep their digits. Its autograd gradient is the reference gradient.

    log(1 − p_t) = log(p·(1 − t) + (1 − p)·t) = logaddexp(log σ(x) + log(1 − t), log σ(−x) + log t),
    and (1 − p_t)^γ = exp(γ · log(1 − p_t)), which has a finite derivative even where
    1 − p_t underflows to zero (where pow's derivative is 0 · ∞).
    """
    x, t = inputs.double(), targets.double()
    log_p, log_not_p = F.logsigmoid(x), F.logsigmoid(-x)
    ce = -(t * log_p + (1 - t) * log_not_p)
    if gamma == 0:
        modulating = torch.ones_like(x)
    else:
        log_q = torch.logaddexp(log_p + torch.log1p(-t), log_not_p + torch.log(t))
        modulating = torch.exp(gamma * log_q)
    loss = modulating * ce
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return reduce(loss, reduction)


def naive(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """The textbook formula, term by term: log(σ(x)) is −inf once σ saturates to 0 or 1, and
    0 · −inf is NaN, so logits beyond about ±17 (float32) break it. Kept to show that."""
    p = torch.sigmoid(inputs)
    ce = -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p))
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = (1 - p_t) ** gamma * ce
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return reduce(loss, reduction)


def vectorized(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """The BCE-with-logits formulation as the seed notes write it, α < 0 meaning no weighting.

    Its modulating factor (1 − p)^γ·t + p^γ·(1 − t) equals (1 − p_t)^γ only for targets 0 and 1,
    and pow's derivative at a saturated p is 0 · ∞ for 0 < γ < 1.
    """
    bce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p = torch.sigmoid(inputs)
    modulating = (1.0 - p) ** gamma * targets + p ** gamma * (1 - targets)
    loss = modulating * bce
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return reduce(loss, reduction)


_vectorized_compiled = compiled_on_device(vectorized)


def compiled(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """torch.compile of `vectorized`, unchanged: what the compiler alone gives."""
    return _vectorized_compiled(inputs, targets, alpha, gamma, reduction)
