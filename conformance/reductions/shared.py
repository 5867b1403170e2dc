"""What several reduction spec files share: docstring paragraphs common to many ops, and inputs."""

import torch

# The same paragraphs appear verbatim in the docstrings of all/any, amax/amin, mean/nanmean,
# sum/nansum and others that reduce over one or several dims.
KEEPDIM_CLAIM = (
    "If :attr:`keepdim` is ``True``, the output tensor is of the same size as :attr:`input` "
    "except in the dimension(s) :attr:`dim` where it is of size 1. Otherwise, :attr:`dim` is "
    "squeezed (see :func:`torch.squeeze`), resulting in the output tensor having 1 (or "
    "``len(dim)``) fewer dimension(s).")
DIM_CLAIM = ("dim (int or tuple of ints, optional): the dimension or dimensions to reduce. "
             "If ``None``, all dimensions are reduced.")

EXTREME_DTYPES = [torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int8,
                  torch.uint8, torch.bool]


def sample(dtype, shape, seed):
    """Random values spread over the dtype's range; int64 uses all 64 bits, so a reduction
    that goes through float64 rounds them."""
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=g).bool()
    if dtype.is_floating_point:
        return (torch.randn(shape, generator=g) * 100).to(dtype)
    info = torch.iinfo(dtype)
    return torch.randint(info.min, info.max, shape, generator=g, dtype=dtype)


def clear_of_zero(name, dtype, shape, seed):
    """Values whose extreme lies beyond 0 and 1 (above for min/amin, below for max/amax where
    the dtype allows), so a kernel that lets zero-filled padding lanes into the reduction shows."""
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=g).bool()
    signed = dtype.is_floating_point or torch.iinfo(dtype).min < 0
    low, high = (-100, -10) if name.endswith("max") and signed else (10, 100)
    return torch.randint(low, high, shape, generator=g).to(dtype)
