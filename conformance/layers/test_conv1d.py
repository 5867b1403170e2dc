"""torch.nn.Conv1d / F.conv1d: output length, values, stride/padding/dilation, same/valid, padding_mode."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from conformance.layers.reference import conv_out, sample, xcorr1d
from suite.expect import assert_close, assert_exact, assert_raises
from suite.spec import spec

LENGTH = (r"L_{out} = \left\lfloor\frac{L_{in} + 2 \times \text{padding} - \text{dilation} "
          r"\times (\text{kernel\_size} - 1) - 1}{\text{stride}} + 1\right\rfloor")
XCORR = (r"where :math:`\star` is the valid `cross-correlation`_ operator, :math:`N` is a batch size, "
         r":math:`C` denotes a number of channels, :math:`L` is a length of signal sequence.")
UNBATCHED = r"Output: :math:`(N, C_{out}, L_{out})` or :math:`(C_{out}, L_{out})`, where"
SAME_VALID = ("``padding='valid'`` is the same as no padding. ``padding='same'`` pads the input so the "
              "output has the shape as the input. However, this mode doesn't support any stride values "
              "other than 1.")
SIGNATURE = "conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor"
PADDING_MODE = ("padding_mode (str, optional): ``'zeros'``, ``'reflect'``, ``'replicate'`` or "
                "``'circular'``. Default: ``'zeros'``")

ARGUMENTS = [
    pytest.param(dict(stride=3), id="stride", marks=spec(
        "torch.nn.Conv1d", "* :attr:`stride` controls the stride for the cross-correlation, a single "
        "number or a one-element tuple.")),
    pytest.param(dict(padding=(2,)), id="padding", marks=spec(
        "torch.nn.Conv1d", "padding (int, tuple or str, optional): Padding added to both sides of the "
        "input. Default: 0")),
    pytest.param(dict(dilation=2), id="dilation", marks=spec(
        "torch.nn.Conv1d", "dilation (int or tuple, optional): Spacing between kernel elements. Default: 1")),
]

# (L_in, kernel_size, stride, padding, dilation, groups): floors that drop a remainder, one-element
# tuples, a kernel as long as the padded input.
CONFIGS = [(10, 3, 1, 0, 1, 1), (10, 3, 2, 1, 1, 1), (11, 3, (3,), 2, 2, 1), (9, 2, 4, (3,), 1, 2),
           (5, 5, 1, 2, (1,), 1), (20, 3, 5, 0, 4, 2), (4, 7, 1, 2, 1, 1)]


def one(v):
    return v[0] if isinstance(v, tuple) else v


@spec("torch.nn.Conv1d", LENGTH, needs_values=False)
def test_conv1d_output_length_formula(run):
    inputs = [sample((2, 4, length), i) for i, (length, *_) in enumerate(CONFIGS)]
    weights = [sample((6, 4 // c[5], c[1]), 10 + i) for i, c in enumerate(CONFIGS)]

    def convs(*tensors):
        xs, ws = tensors[:len(CONFIGS)], tensors[len(CONFIGS):]
        return tuple(F.conv1d(x, w, stride=s, padding=p, dilation=d, groups=g)
                     for x, w, (_, _, s, p, d, g) in zip(xs, ws, CONFIGS))

    outs = run(convs, *inputs, *weights)
    for out, (length, k, s, p, d, g) in zip(outs, CONFIGS):
        expected = (2, 6, conv_out(length, k, one(s), one(p), one(d)))
        assert_exact(torch.tensor(out.shape), torch.tensor(expected),
                     f"shape of conv1d of length {length}, kernel {k}, stride {s}, padding {p}, "
                     f"dilation {d}, groups {g}")


@spec("torch.nn.Conv1d", XCORR)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_conv1d_is_a_cross_correlation_plus_bias(run, dtype):
    # An asymmetric kernel: a convolution (flipped kernel) gives other values.
    x, w, b = sample((2, 3, 9), 0, dtype), sample((4, 3, 3), 1, dtype), sample((4,), 2, dtype)
    assert_close(run(F.conv1d, x, w, b), xcorr1d(x, w, b), dtype, "conv1d of 2x3x9 by 4x3x3 with bias")


@pytest.mark.parametrize("kwargs", ARGUMENTS)
def test_conv1d_stride_padding_dilation_values(run, kwargs):
    x, w, b = sample((2, 3, 11), 3), sample((4, 3, 3), 4), sample((4,), 5)
    assert_close(run(F.conv1d, x, w, b, **kwargs), xcorr1d(x, w, b, **kwargs), torch.float32,
                 f"conv1d of 2x3x11 by 4x3x3 with {kwargs}")


@spec("torch.nn.Conv1d", UNBATCHED)
def test_conv1d_unbatched_input(run):
    x, w, b = sample((3, 8), 6), sample((5, 3, 2), 7), sample((5,), 8)
    expected = xcorr1d(x.unsqueeze(0), w, b, stride=2).squeeze(0)
    assert_close(run(F.conv1d, x, w, b, stride=2), expected, torch.float32, "conv1d of a 3x8 unbatched input")


@spec("torch.nn.Conv1d", SAME_VALID, needs_values=False)
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
def test_conv1d_padding_valid_and_same(run):
    x = sample((2, 3, 10), 9)
    weights = [sample((4, 3, k), 10 + k) for k in (1, 2, 3, 4)]

    def convs(x, w1, w2, w3, w4):
        return (F.conv1d(x, w3, padding="valid"), F.conv1d(x, w3, padding=0),
                F.conv1d(x, w1, padding="same"), F.conv1d(x, w2, padding="same"),
                F.conv1d(x, w3, padding="same"), F.conv1d(x, w4, padding="same", dilation=3))

    valid, zero, *same = run(convs, x, *weights)
    reference = xcorr1d(x, weights[2])
    assert_close(valid, reference, torch.float32, "conv1d(padding='valid')")
    assert_close(zero, reference, torch.float32, "conv1d(padding=0)")
    for out, k, d in zip(same, (1, 2, 3, 4), (1, 1, 1, 3)):
        assert_exact(torch.tensor(out.shape), torch.tensor([2, 4, 10]),
                     f"shape of conv1d(padding='same') of length 10, kernel {k}, dilation {d}")
    assert_raises((RuntimeError, ValueError), lambda: run(F.conv1d, x, weights[2], padding="same", stride=2),
                  "conv1d(padding='same', stride=2)")


@spec("torch.nn.functional.conv1d", SIGNATURE)
def test_conv1d_defaults(run):
    x, w = sample((2, 3, 9), 11), sample((4, 3, 3), 12)
    default, explicit = run(lambda x, w: (F.conv1d(x, w), F.conv1d(x, w, None, 1, 0, 1, 1)), x, w)
    assert_close(default, xcorr1d(x, w), torch.float32, "conv1d(x, w)")
    assert_exact(default, explicit, "conv1d(x, w) against conv1d(x, w, None, 1, 0, 1, 1)")


NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@spec("torch.nn.Conv1d", PADDING_MODE)
def test_conv1d_module_padding_mode(run):
    x, w, b = sample((2, 3, 6), 13), sample((4, 3, 3), 14), sample((4,), 15)

    def modules(x, w, b):
        outs = []
        for mode in (None, "zeros", "reflect", "replicate", "circular"):
            kwargs = {} if mode is None else {"padding_mode": mode}
            m = nn.Conv1d(3, 4, 3, padding=2, device=x.device, dtype=x.dtype, **kwargs)
            outs.append(torch.func.functional_call(m, {"weight": w, "bias": b}, (x,)))
        return tuple(outs)

    outs = run(modules, x, w, b)
    for out, mode in zip(outs, ("zeros (default)", "zeros", "reflect", "replicate", "circular")):
        padded = torch.from_numpy(np.pad(x.double().numpy(), ((0, 0), (0, 0), (2, 2)),
                                         mode=NUMPY_MODE[mode.split()[0]]))
        assert_close(out, xcorr1d(padded, w, b), torch.float32,
                     f"Conv1d(3, 4, 3, padding=2, padding_mode={mode}) of 2x3x6")
