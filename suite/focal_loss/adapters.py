"""Outside focal losses, each brought to the contract's signature and conventions.

Each loader imports its package and returns the adapted function, or raises ImportError
(or whatever a broken build raises) where the package is absent.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def torchvision() -> Callable:
    from torchvision.ops import sigmoid_focal_loss  # RetinaNet's reference implementation

    def torchvision(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
        # Recent torchvision takes α in [0, 1] or exactly −1 for "no weighting".
        return sigmoid_focal_loss(inputs, targets, alpha=alpha if alpha >= 0 else -1,
                                  gamma=gamma, reduction=reduction)

    return torchvision


def kornia() -> Callable:
    from kornia.losses import binary_focal_loss_with_logits

    def kornia(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
        # Kornia wants (B, C, *) and spells "no weighting" alpha=None.
        shape = inputs.shape
        if inputs.dim() < 2:
            inputs, targets = inputs.reshape(1, -1), targets.reshape(1, -1)
        loss = binary_focal_loss_with_logits(inputs, targets, alpha=alpha if alpha >= 0 else None,
                                             gamma=gamma, reduction=reduction)
        return loss.reshape(shape) if reduction == "none" else loss

    return kornia


def mmcv() -> Callable:
    from mmcv.ops import sigmoid_focal_loss

    def on_its_devices(logits, *args):
        if logits.device.type == "cpu":  # released mmcv has CUDA, MLU and NPU kernels only
            raise NotImplementedError("mmcv's sigmoid_focal_loss has no CPU kernel")
        return sigmoid_focal_loss(logits, *args)

    return from_mmcv(on_its_devices)


def class_indices(targets: torch.Tensor) -> torch.Tensor:
    """Contract targets (..., C) as mmcv's labels (N,): the one positive class of each row,
    or C for a row with none (background)."""
    rows = targets.reshape(-1, targets.shape[-1])
    binary = bool(((rows == 0) | (rows == 1)).all())
    if not binary or bool((rows.sum(dim=1) > 1).any()):
        raise ValueError("mmcv's sigmoid_focal_loss takes one class index per row: it cannot "
                         "express soft targets or rows with more than one positive class")
    positive = rows.sum(dim=1) > 0
    return torch.where(positive, rows.argmax(dim=1), rows.shape[1])


def one_hot_rows(labels: torch.Tensor, classes: int) -> torch.Tensor:
    """mmcv's labels (C meaning background) as contract targets: the inverse of class_indices."""
    return torch.nn.functional.one_hot(labels, classes + 1)[..., :classes]


def from_mmcv(sigmoid_focal_loss: Callable) -> Callable:
    """Adapt a function with mmcv's conventions: logits (N, C); targets class indices (N,),
    C meaning background; `(input, target, gamma, alpha, weight, reduction)`, positional;
    α weights positives and 1 − α negatives, whatever its sign; 'mean' divides by N rows.
    Integer targets are taken as such class indices already."""

    def mmcv(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
        labels = targets if not targets.is_floating_point() else class_indices(targets)
        logits = inputs.reshape(-1, inputs.shape[-1]).contiguous()
        # α < 0 means no weighting: α = 1/2 weights both terms by 1/2, undone by the factor 2.
        weighted_alpha, factor = (alpha, 1.0) if alpha >= 0 else (0.5, 2.0)
        loss = sigmoid_focal_loss(logits, labels, gamma, weighted_alpha, None,
                                  "none" if reduction == "none" else "sum")
        if factor != 1.0:
            loss = loss * factor
        if reduction == "none":
            return loss.reshape(inputs.shape)
        return loss / inputs.numel() if reduction == "mean" else loss  # the contract's mean

    return mmcv


LOADERS: dict[str, Callable[[], Callable]] = {"torchvision": torchvision, "kornia": kornia,
                                              "mmcv": mmcv}
# Device types an implementation has kernels for, where it is not every device.
DEVICE_TYPES = {"mmcv": ("cuda",)}
