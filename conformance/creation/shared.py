"""What several creation spec files share."""

import torch


def placed_like(outs, likes) -> torch.Tensor:
    """Whether each output has its input's device and layout, as a bool tensor built on the
    backend's side: outputs come back on the CPU, so their device is checked before that."""
    return torch.tensor([o.device == x.device and o.layout == x.layout for o, x in zip(outs, likes)])


def placed_on(outs, like) -> torch.Tensor:
    """Whether each output is on ``like``'s device (a bool tensor, built before outputs move)."""
    return torch.tensor([o.device == like.device for o in outs])


def all_true(n: int) -> torch.Tensor:
    return torch.ones(n, dtype=torch.bool)


def assert_uniform_01(values: torch.Tensor, dtype: torch.dtype, what: str):
    """Values of ``dtype`` lie in [0, 1) and look uniform: the mean and each quarter's share are
    within about 7 standard deviations of their expectation (4096 or more samples)."""
    assert values.dtype == dtype, f"{what}: dtype is {values.dtype}, documented {dtype}"
    v = values.double().flatten()
    n = v.numel()
    low, high = v.min().item(), v.max().item()
    assert low >= 0 and high < 1, f"{what}: values span [{low}, {high}], documented [0, 1)"
    mean = v.mean().item()
    assert abs(mean - 0.5) < 7 * (1 / 12 / n) ** 0.5, f"{what}: mean {mean:.4f} of {n} samples, uniform gives 0.5"
    shares = torch.histc(v, bins=4, min=0, max=1) / n
    assert bool(((shares - 0.25).abs() < 7 * (0.1875 / n) ** 0.5).all()), \
        f"{what}: shares of the quarters of [0, 1) are {shares.tolist()}, uniform gives 0.25 each"
