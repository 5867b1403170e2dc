"""Deliberately non-conforming backends for the layers family (conv, pooling, interpolate, pad)."""

import torch
import torch.nn.functional as F

from tests.bends import bent


def _pair(v):
    if isinstance(v, (tuple, list)):
        return (v[0], v[0]) if len(v) == 1 else tuple(v)
    return (v, v)


def _arg(args, kw, name, index, default=None):
    """An argument given by keyword or at position ``index``."""
    return kw[name] if name in kw else (args[index] if len(args) > index else default)


def _set(args, kw, name, index, value):
    if len(args) > index:
        args[index] = value
    else:
        kw[name] = value


@bent("conv-groups-interleaved", {"conv1d", "conv2d"},
      "grouped convolution gives group g the input channels g, g + groups, ... instead of a contiguous block",
      files=("layers/test_conv2d.py",))
def _(op, args, kw):
    groups = _arg(args, kw, "groups", 6, 1)
    x = args[0]
    if groups == 1 or x.dim() < 3:
        return NotImplemented
    c = x.shape[1]
    order = [g + j * groups for g in range(groups) for j in range(c // groups)]
    return op(x[:, order], *args[1:], **kw)


@bent("conv2d-stride-swapped", {"conv2d"}, "conv2d reads a stride tuple as (width, height)",
      files=("layers/test_conv2d.py",))
def _(op, args, kw):
    stride = _arg(args, kw, "stride", 3, 1)
    if not isinstance(stride, (tuple, list)) or len(stride) != 2:
        return NotImplemented
    _set(args, kw, "stride", 3, tuple(stride[::-1]))
    return op(*args, **kw)


@bent("conv1d-dilation-ignored", {"conv1d"}, "conv1d ignores dilation", files=("layers/test_conv1d.py",))
def _(op, args, kw):
    if _arg(args, kw, "dilation", 5, 1) in (1, (1,)):
        return NotImplemented
    _set(args, kw, "dilation", 5, 1)
    return op(*args, **kw)


_MAX_POOL = {"max_pool2d", "max_pool2d_with_indices"}


@bent("max-pool-zero-padding", _MAX_POOL, "max_pool2d pads with zeros instead of negative infinity",
      files=("layers/test_max_pool2d.py",))
def _(op, args, kw):
    ph, pw = _pair(_arg(args, kw, "padding", 3, 0))
    if (ph, pw) == (0, 0):
        return NotImplemented
    args[0] = F.pad(args[0], (pw, pw, ph, ph))
    _set(args, kw, "padding", 3, 0)
    return op(*args, **kw)


@bent("max-pool-ceil-ignored", _MAX_POOL, "max_pool2d ignores ceil_mode", files=("layers/test_max_pool2d.py",))
def _(op, args, kw):
    _set(args, kw, "ceil_mode", 5, False)
    return op(*args, **kw)


@bent("max-pool-stride-1", _MAX_POOL, "max_pool2d's stride defaults to 1 instead of kernel_size",
      files=("layers/test_max_pool2d.py",))
def _(op, args, kw):
    if _arg(args, kw, "stride", 2) not in (None, (), []):
        return NotImplemented
    _set(args, kw, "stride", 2, 1)
    return op(*args, **kw)


@bent("avg-pool-exclude-pad-default", {"avg_pool2d"}, "avg_pool2d's count_include_pad defaults to False",
      files=("layers/test_avg_pool2d.py",))
def _(op, args, kw):
    if len(args) > 5 or "count_include_pad" in kw:
        return NotImplemented
    kw["count_include_pad"] = False
    return op(*args, **kw)


@bent("avg-pool-ignores-divisor", {"avg_pool2d"}, "avg_pool2d ignores divisor_override",
      files=("layers/test_avg_pool2d.py",))
def _(op, args, kw):
    _set(args, kw, "divisor_override", 6, None)
    return op(*args, **kw)


@bent("adaptive-pool-hw-swapped", {"adaptive_avg_pool2d"}, "adaptive_avg_pool2d reads output_size as (W, H)",
      files=("layers/test_adaptive_avg_pool2d.py",))
def _(op, args, kw):
    size = _arg(args, kw, "output_size", 1)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        return NotImplemented
    _set(args, kw, "output_size", 1, tuple(size[::-1]))
    return op(*args, **kw)


@bent("interpolate-align-corners-true", {"interpolate"},
      "interpolate treats align_corners=None as True for the linear modes", files=("layers/test_interpolate.py",))
def _(op, args, kw):
    if kw.get("align_corners") is not None or kw.get("mode") not in ("linear", "bilinear", "bicubic", "trilinear"):
        return NotImplemented
    kw["align_corners"] = True
    return op(*args, **kw)


@bent("interpolate-nearest-is-exact", {"interpolate"}, "interpolate's 'nearest' rounds like 'nearest-exact'",
      files=("layers/test_interpolate.py",))
def _(op, args, kw):
    if kw.get("mode", "nearest") != "nearest":
        return NotImplemented
    kw["mode"] = "nearest-exact"
    return op(*args, **kw)


@bent("pad-reflect-symmetric", {"pad"}, "pad's 'reflect' repeats the edge element (NumPy's 'symmetric')",
      files=("layers/test_pad.py",))
def _(op, args, kw):
    if _arg(args, kw, "mode", 2, "constant") != "reflect":
        return NotImplemented
    x, pad = args[0], list(args[1] if len(args) > 1 else kw["pad"])
    for i in range(0, len(pad), 2):
        dim, n = x.dim() - 1 - i // 2, x.shape[x.dim() - 1 - i // 2]
        index = torch.arange(-pad[i], n + pad[i + 1])
        index = torch.where(index < 0, -index - 1, torch.where(index >= n, 2 * n - 1 - index, index))
        x = x.index_select(dim, index.to(x.device))
    return x


@bent("pad-from-first-dim", {"pad"}, "pad applies the pad tuple's pairs from the first padded dimension on",
      files=("layers/test_pad.py",))
def _(op, args, kw):
    pad = list(args[1] if len(args) > 1 else kw.pop("pad"))
    pairs = [pad[i:i + 2] for i in range(0, len(pad), 2)][::-1]
    flipped = tuple(v for p in pairs for v in p)
    if len(args) > 1:
        args[1] = flipped
    else:
        kw["pad"] = flipped
    return op(*args, **kw)
