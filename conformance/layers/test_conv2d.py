"""torch.nn.Conv2d / F.conv2d: output size, values, int and tuple arguments, groups, padding_mode."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from conformance.layers.reference import conv_out, pair, sample, xcorr2d
from suite.expect import assert_close, assert_exact, assert_raises
from suite.spec import spec

SHAPE = (r"See the Shape section below for how :math:`H_{\text{out}}` and :math:`W_{\text{out}}` "
         r"are derived from :attr:`kernel_size`, :attr:`stride`, :attr:`padding`, and :attr:`dilation`.")
XCORR = (r"where :math:`\star` is the valid 2D `cross-correlation`_ operator, :math:`N` is a batch size, "
         r":math:`C_{\text{in}}` and :math:`C_{\text{out}}` correspond to :attr:`in_channels` and "
         r":attr:`out_channels` respectively, :math:`H` and :math:`W` are the input height and width in pixels.")
DIVISIBLE = ":attr:`in_channels` and :attr:`out_channels` must both be divisible by :attr:`groups`."
PADDING_MODE = ("padding_mode (str, optional): ``'zeros'``, ``'reflect'``, ``'replicate'`` or "
                "``'circular'``. Default: ``'zeros'``")

FORMS = [
    pytest.param(dict(kernel=3, stride=2, padding=1, dilation=2), id="int", marks=spec(
        "torch.nn.Conv2d", "a single ``int`` -- in which case the same value is used for the height and "
        "width dimension")),
    pytest.param(dict(kernel=(2, 3), stride=(2, 1), padding=(1, 2), dilation=(1, 2)), id="tuple", marks=spec(
        "torch.nn.Conv2d", "a ``tuple`` of two ints -- in which case, the first `int` is used for the height "
        "dimension, and the second `int` for the width dimension")),
]

GROUPS = [
    pytest.param(2, 6, id="two", marks=spec(
        "torch.nn.Conv2d", "At groups=2, the operation becomes equivalent to having two conv layers side "
        "by side, each seeing half the input channels and producing half the output channels, and both "
        "subsequently concatenated.")),
    pytest.param(4, 8, id="in_channels", marks=spec(
        "torch.nn.Conv2d", r"At groups= :attr:`in_channels`, each input channel is convolved with its own "
        r"set of filters (of size :math:`\frac{\text{out\_channels}}{\text{in\_channels}}`).")),
]

# (H_in, W_in, kernel_size, stride, padding, dilation): each pair differs between height and width.
CONFIGS = [(7, 9, (2, 3), (2, 1), (1, 2), (1, 2)), (10, 6, (3, 1), (3, 2), (0, 1), (2, 1)),
           (5, 12, 3, (1, 4), 1, (2, 3)), (9, 9, (4, 2), 3, (2, 0), 1), (6, 8, (1, 5), (2, 3), 0, (1, 1))]


@spec("torch.nn.Conv2d", SHAPE, needs_values=False)
def test_conv2d_output_height_and_width(run):
    inputs = [sample((1, 2, h, w), i) for i, (h, w, *_) in enumerate(CONFIGS)]
    weights = [sample((3, 2, *pair(c[2])), 10 + i) for i, c in enumerate(CONFIGS)]

    def convs(*tensors):
        xs, ws = tensors[:len(CONFIGS)], tensors[len(CONFIGS):]
        return tuple(F.conv2d(x, w, stride=s, padding=p, dilation=d)
                     for x, w, (_, _, _, s, p, d) in zip(xs, ws, CONFIGS))

    outs = run(convs, *inputs, *weights)
    for out, (h, w, k, s, p, d) in zip(outs, CONFIGS):
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(k), pair(s), pair(p), pair(d)
        expected = (1, 3, conv_out(h, kh, sh, ph, dh), conv_out(w, kw, sw, pw, dw))
        assert_exact(torch.tensor(out.shape), torch.tensor(expected),
                     f"shape of conv2d of {h}x{w}, kernel {k}, stride {s}, padding {p}, dilation {d}")


@spec("torch.nn.Conv2d", XCORR)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_conv2d_is_a_cross_correlation_plus_bias(run, dtype):
    # An asymmetric kernel: a convolution (flipped kernel) gives other values.
    x, w, b = sample((2, 3, 6, 5), 0, dtype), sample((4, 3, 3, 2), 1, dtype), sample((4,), 2, dtype)
    assert_close(run(F.conv2d, x, w, b), xcorr2d(x, w, b), dtype, "conv2d of 2x3x6x5 by 4x3x3x2 with bias")


@pytest.mark.parametrize("form", FORMS)
def test_conv2d_int_and_tuple_arguments(run, form):
    kh, kw = pair(form["kernel"])
    x, w, b = sample((2, 3, 7, 9), 3), sample((4, 3, kh, kw), 4), sample((4,), 5)
    kwargs = {k: v for k, v in form.items() if k != "kernel"}
    assert_close(run(F.conv2d, x, w, b, **kwargs), xcorr2d(x, w, b, **kwargs), torch.float32,
                 f"conv2d of 2x3x7x9 by 4x3x{kh}x{kw} with {kwargs}")


@pytest.mark.parametrize("groups, out_channels", GROUPS)
def test_conv2d_groups_are_side_by_side_convolutions(run, groups, out_channels):
    x, w, b = sample((2, 4, 5, 6), 6), sample((out_channels, 4 // groups, 3, 3), 7), sample((out_channels,), 8)
    cin, cout = 4 // groups, out_channels // groups
    # Group g: input channels g*cin .. (g+1)*cin - 1 give output channels g*cout .. (g+1)*cout - 1.
    expected = torch.cat([xcorr2d(x[:, g * cin:(g + 1) * cin], w[g * cout:(g + 1) * cout], b[g * cout:(g + 1) * cout],
                                  padding=1) for g in range(groups)], dim=1)
    assert_close(run(F.conv2d, x, w, b, padding=1, groups=groups), expected, torch.float32,
                 f"conv2d(groups={groups}) of 2x4x5x6 by {out_channels}x{cin}x3x3")


@spec("torch.nn.Conv2d", DIVISIBLE, needs_values=False)
def test_conv2d_channels_not_divisible_by_groups_raise(run):
    x = sample((1, 4, 5, 5), 9)
    # out_channels 3 is not divisible by 2; in_channels 4 is not divisible by 3.
    assert_raises((RuntimeError, ValueError), lambda: run(F.conv2d, x, sample((3, 2, 3, 3), 10), groups=2),
                  "conv2d of 4 input channels into 3 output channels with groups=2",
                  control=lambda: run(F.conv2d, x, sample((4, 2, 3, 3), 12), groups=2))
    assert_raises((RuntimeError, ValueError), lambda: run(F.conv2d, x, sample((3, 1, 3, 3), 11), groups=3),
                  "conv2d of 4 input channels with groups=3")


NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@spec("torch.nn.Conv2d", PADDING_MODE)
def test_conv2d_module_padding_mode(run):
    x, w, b = sample((1, 2, 4, 5), 12), sample((3, 2, 3, 3), 13), sample((3,), 14)

    def modules(x, w, b):
        outs = []
        for mode in (None, "reflect", "replicate", "circular"):
            kwargs = {} if mode is None else {"padding_mode": mode}
            m = nn.Conv2d(2, 3, 3, padding=(1, 2), device=x.device, dtype=x.dtype, **kwargs)
            outs.append(torch.func.functional_call(m, {"weight": w, "bias": b}, (x,)))
        return tuple(outs)

    outs = run(modules, x, w, b)
    for out, mode in zip(outs, ("zeros", "reflect", "replicate", "circular")):
        padded = torch.from_numpy(np.pad(x.double().numpy(), ((0, 0), (0, 0), (1, 1), (2, 2)),
                                         mode=NUMPY_MODE[mode]))
        name = "default (zeros)" if mode == "zeros" else repr(mode)
        assert_close(out, xcorr2d(padded, w, b), torch.float32,
                     f"Conv2d(2, 3, 3, padding=(1, 2), padding_mode={name}) of 1x2x4x5")
