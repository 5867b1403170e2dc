"""What the shape spec files share: NumPy slices as references, and a write-through check for views."""

import numpy as np
import torch


def pieces(x: torch.Tensor, sizes, dim: int) -> list[torch.Tensor]:
    """x's consecutive slices of these sizes along dim, cut by NumPy outside the backend."""
    bounds = np.cumsum(sizes)[:-1]
    return [torch.from_numpy(p.copy()) for p in np.split(x.numpy(), bounds, axis=dim)]


def write_through(outs, base):
    """Inside the function run on the backend: whether each output is a view of ``base``, then
    fill output k with -(k + 1). Returns (base, flags): base shows the writes only where the
    outputs share its memory."""
    flags = tuple(o._base is base for o in outs)
    for k, o in enumerate(outs):
        o.fill_(-(k + 1))
    return base, flags


def labelled(shape, sizes, dim) -> torch.Tensor:
    """What ``write_through`` leaves in a base of this shape cut into pieces of these sizes along dim."""
    labels = np.repeat(-np.arange(1, len(sizes) + 1), sizes).astype(np.float32)
    index = [None] * len(shape)
    index[dim] = slice(None)
    return torch.from_numpy(np.broadcast_to(labels[tuple(index)], shape).copy())
