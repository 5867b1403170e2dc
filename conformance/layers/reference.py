"""Float64 NumPy references for the layer specs: cross-correlation, pooling windows, interpolation."""

import math

import numpy as np
import torch


def f64(t: torch.Tensor) -> np.ndarray:
    return t.detach().double().numpy()


def sample(shape, seed, dtype=torch.float32):
    """Standard normal values, rounded to ``dtype``."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed)).to(dtype)


def distinct(shape, seed, dtype=torch.float32):
    """A permutation of 0.5 * (0 .. n-1) (exact in float16 up to n = 2048): no ties anywhere."""
    n = math.prod(shape)
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed)).reshape(shape).to(dtype) * 0.5


def pair(v):
    """An int, a one-element or a two-element tuple as (height, width)."""
    if isinstance(v, (tuple, list)):
        return (v[0], v[0]) if len(v) == 1 else tuple(v)
    return (v, v)


def conv_out(size, kernel, stride=1, padding=0, dilation=1):
    """The documented output size: floor((in + 2 padding - dilation (kernel - 1) - 1) / stride + 1)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def xcorr2d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Valid 2D cross-correlation of the zero-padded input, in float64 (N, C, H, W)."""
    x, w = f64(x), f64(w)
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho, wo = conv_out(h, kh, sh, ph, dh), conv_out(wd, kw, sw, pw, dw)
    out = np.zeros((n, o, ho, wo))
    og = o // groups
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg,
                           i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]
                out[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch, w[g * og:(g + 1) * og, :, i, j])
    if bias is not None:
        out += f64(bias)[None, :, None, None]
    return torch.from_numpy(out)


def xcorr1d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Valid 1D cross-correlation of the zero-padded input, in float64 (N, C, L)."""
    out = xcorr2d(x.unsqueeze(2), w.unsqueeze(2), bias, (1, pair(stride)[0]), (0, pair(padding)[0]),
                  (1, pair(dilation)[0]), groups)
    return out.squeeze(2)


def pool_starts(size, kernel, stride, padding, dilation, ceil_mode):
    """First index (in unpadded coordinates) of each window along one dim, with the documented
    output size; with ceil_mode a last window that would start in the right padding is dropped."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    count = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1
    return [i * stride - padding for i in range(count)]


def pool_out(size, kernel, stride, padding=0, dilation=1, ceil_mode=False):
    return len(pool_starts(size, kernel, stride, padding, dilation, ceil_mode))


def pool2d(x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False, how="max",
           count_include_pad=True, divisor_override=None):
    """Max or average over each window, in float64. Padding contributes nothing to a max; for an
    average it counts in the divisor when count_include_pad (positions inside the padded input)."""
    a = f64(x)
    (kh, kw), (ph, pw), (dh, dw) = pair(kernel), pair(padding), pair(dilation)
    sh, sw = pair(kernel if stride is None else stride)
    h, w = a.shape[-2:]
    rows = pool_starts(h, kh, sh, ph, dh, ceil_mode)
    cols = pool_starts(w, kw, sw, pw, dw, ceil_mode)
    out = np.empty(a.shape[:-2] + (len(rows), len(cols)))
    for i, r in enumerate(rows):
        rs = [r + dh * m for m in range(kh)]
        r_in = [v for v in rs if 0 <= v < h]
        r_pad = [v for v in rs if -ph <= v < h + ph]
        for j, c in enumerate(cols):
            cs = [c + dw * m for m in range(kw)]
            c_in = [v for v in cs if 0 <= v < w]
            c_pad = [v for v in cs if -pw <= v < w + pw]
            block = a[..., r_in, :][..., c_in]
            if how == "max":
                out[..., i, j] = block.max(axis=(-2, -1))
            else:
                divisor = (divisor_override or
                           (len(r_pad) * len(c_pad) if count_include_pad else len(r_in) * len(c_in)))
                out[..., i, j] = block.sum(axis=(-2, -1)) / divisor
    return torch.from_numpy(out)


def linear_matrix(n_in, n_out, align_corners):
    """The (n_out, n_in) matrix of 1D linear interpolation. align_corners=True maps the centres of
    the corner pixels onto each other; False maps the outer edges (pixel centres at i + 0.5) and
    clamps to the edge values outside."""
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        if align_corners:
            src = i * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        else:
            src = max((i + 0.5) * n_in / n_out - 0.5, 0.0)
        lo = min(math.floor(src), n_in - 1)
        hi = min(lo + 1, n_in - 1)
        t = src - lo
        m[i, lo] += 1 - t
        m[i, hi] += t
    return m


def nearest_index(n_in, n_out, exact):
    """Source index of each output element: floor(i * scale) ('nearest', OpenCV's INTER_NEAREST) or
    floor((i + 0.5) * scale) ('nearest-exact', as PIL and scikit-image), scale = n_in / n_out."""
    shift = 0.5 if exact else 0.0
    return [min(math.floor((i + shift) * n_in / n_out), n_in - 1) for i in range(n_out)]
