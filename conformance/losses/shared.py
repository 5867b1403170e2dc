"""What several loss spec files share: inputs, and the dtypes and tolerance of the losses."""

import torch

# float32 and one half type. A loss is several operations deep (a log, a product, a mean):
# bfloat16's default tolerance (rtol 1.6e-2, two of its roundings) covers it, float16's
# (rtol 1e-3, two of its roundings) would not.
DTYPES = [torch.float32, torch.bfloat16]


def randn(shape, seed, scale=1.0, dtype=torch.float32):
    return (torch.randn(shape, generator=torch.Generator().manual_seed(seed)) * scale).to(dtype)


def rand(shape, seed, low=0.0, high=1.0, dtype=torch.float32):
    u = torch.rand(shape, generator=torch.Generator().manual_seed(seed))
    return (low + (high - low) * u).to(dtype)


def reduced(losses):
    """The 'mean' and 'sum' of unreduced float64 losses."""
    return losses.mean(), losses.sum()
