"""torch.nn.MaxPool2d / F.max_pool2d: output size, ceil_mode, -inf padding, stride, dilation, indices."""

import pytest
import torch
import torch.nn.functional as F

from conformance.layers.reference import distinct, pair, pool2d, sample
from suite.expect import assert_exact
from suite.spec import spec

H_OUT = (r"H_{out} = \left\lfloor\frac{H_{in} + 2 * \text{padding[0]} - \text{dilation[0]} "
         r"\times (\text{kernel\_size[0]} - 1) - 1}{\text{stride[0]}} + 1\right\rfloor")
W_OUT = (r"W_{out} = \left\lfloor\frac{W_{in} + 2 * \text{padding[1]} - \text{dilation[1]} "
         r"\times (\text{kernel\_size[1]} - 1) - 1}{\text{stride[1]}} + 1\right\rfloor")
CEIL = ("When ceil_mode=True, sliding windows are allowed to go off-bounds if they start within the left "
        "padding or the input. Sliding windows that would start in the right padded region are ignored.")
NEG_INF = ("If :attr:`padding` is non-zero, then the input is implicitly padded with negative infinity on "
           "both sides for :attr:`padding` number of points.")
STRIDE = ("stride: stride of the pooling operation. Can be a single number or a tuple `(sH, sW)`. "
          "Default: :attr:`kernel_size`")
DILATION = "dilation: a parameter that controls the stride of elements in the window"
INDICES = "return_indices: if ``True``, will return the max indices along with the outputs."
SIGNATURE = ("max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, "
             "return_indices=False)")

SIDES = [
    pytest.param(-2, id="height", marks=spec("torch.nn.MaxPool2d", H_OUT, needs_values=False)),
    pytest.param(-1, id="width", marks=spec("torch.nn.MaxPool2d", W_OUT, needs_values=False)),
]

# (H_in, W_in, kernel_size, stride, padding, dilation): floors that drop a remainder, tuples whose
# height and width differ, dilation that spreads a window over most of the input.
CONFIGS = [(7, 9, (2, 3), (2, 1), (1, 0), (1, 2)), (10, 6, 3, (3, 2), 1, (2, 1)),
           (5, 12, (3, 1), (1, 4), 0, (2, 3)), (9, 8, (4, 2), 3, (2, 1), 1), (6, 6, 2, 2, 0, 1)]


@pytest.mark.parametrize("side", SIDES)
def test_max_pool2d_output_height_and_width(run, side):
    inputs = [sample((2, 3, h, w), i) for i, (h, w, *_) in enumerate(CONFIGS)]

    def pools(*xs):
        return tuple(F.max_pool2d(x, k, s, p, d) for x, (_, _, k, s, p, d) in zip(xs, CONFIGS))

    outs = run(pools, *inputs)
    for out, (h, w, k, s, p, d) in zip(outs, CONFIGS):
        i = side + 2
        size, k, s, p, d = (h, w)[i], pair(k)[i], pair(s)[i], pair(p)[i], pair(d)[i]
        expected = (size + 2 * p - d * (k - 1) - 1) // s + 1  # the formula, as documented
        assert_exact(torch.tensor(out.shape[side]), torch.tensor(expected),
                     f"{'HW'[i]}_out of max_pool2d of {h}x{w}, kernel {k}, stride {s}, padding {p}, dilation {d}")
        assert_exact(torch.tensor(out.shape[:2]), torch.tensor([2, 3]), "batch and channels of max_pool2d")


# (H_in, W_in, kernel_size, stride, padding) -> (H_out, W_out) with ceil_mode (floor would give):
# 5x7 k2 s2: a last window half off the bottom and the right, 3x4 (2x3);
# 5x5 k2 s2 p1: the 4th window would start at 6 = H_in + padding, in the right padding: 3x3 (3x3);
# 6x7 k(3,2) s(2,3) p1: off-bounds at the bottom 4 (3), dropped on the right 3 (3);
# 8x4 k3 s3 p1: the 4th window would start at 8 = H_in, in the padding: 3x2 (3x2).
CEIL_CONFIGS = [(5, 7, 2, 2, 0, (3, 4)), (5, 5, 2, 2, 1, (3, 3)), (6, 7, (3, 2), (2, 3), (1, 1), (4, 3)),
                (8, 4, 3, 3, 1, (3, 2))]


@spec("torch.nn.MaxPool2d", CEIL, needs_values=False)
def test_max_pool2d_ceil_mode_windows(run):
    inputs = [distinct((1, 2, h, w), 20 + i) for i, (h, w, *_) in enumerate(CEIL_CONFIGS)]

    def pools(*xs):
        return tuple(F.max_pool2d(x, k, s, p, ceil_mode=True) for x, (_, _, k, s, p, _) in zip(xs, CEIL_CONFIGS))

    outs = run(pools, *inputs)
    for x, out, (h, w, k, s, p, hw) in zip(inputs, outs, CEIL_CONFIGS):
        what = f"max_pool2d(ceil_mode=True) of {h}x{w}, kernel {k}, stride {s}, padding {p}"
        assert_exact(torch.tensor(out.shape[-2:]), torch.tensor(hw), f"output size of {what}")
        # An off-bounds window takes the maximum of the input elements it covers.
        assert_exact(out, pool2d(x, k, s, p, ceil_mode=True).float(), what)


@spec("torch.nn.MaxPool2d", NEG_INF)
def test_max_pool2d_pads_with_negative_infinity(run):
    # All values negative: a zero (or any finite) padding would win every border window.
    x = -1 - distinct((2, 3, 5, 6), 1)
    outs = run(lambda x: (F.max_pool2d(x, 3, 2, 1), F.max_pool2d(x, (2, 3), 1, (1, 1)),
                          F.max_pool2d(x.new_full((1, 1, 2, 2), float("-inf")), 2, 1, 1)), x)
    assert_exact(outs[0], pool2d(x, 3, 2, 1).float(), "max_pool2d(x, 3, 2, 1) of a negative 5x6 input")
    assert_exact(outs[1], pool2d(x, (2, 3), 1, 1).float(), "max_pool2d(x, (2, 3), 1, 1) of a negative 5x6 input")
    assert_exact(outs[2], torch.full((1, 1, 3, 3), float("-inf")), "max_pool2d of an all -inf input, padding 1")


@spec("torch.nn.functional.max_pool2d", STRIDE)
def test_max_pool2d_stride_defaults_to_kernel_size(run):
    x = distinct((2, 2, 7, 8), 2)
    default, explicit, rect = run(lambda x: (F.max_pool2d(x, 3), F.max_pool2d(x, 3, 3),
                                             F.max_pool2d(x, (2, 3), padding=(1, 0))), x)
    assert_exact(default, pool2d(x, 3, 3).float(), "max_pool2d(x, 3) of 7x8")
    assert_exact(explicit, pool2d(x, 3, 3).float(), "max_pool2d(x, 3, 3) of 7x8")
    assert_exact(rect, pool2d(x, (2, 3), (2, 3), (1, 0)).float(), "max_pool2d(x, (2, 3), padding=(1, 0)) of 7x8")


@spec("torch.nn.MaxPool2d", DILATION)
def test_max_pool2d_dilation_spreads_the_window(run):
    x = distinct((1, 3, 9, 10), 3)
    outs = run(lambda x: (F.max_pool2d(x, 2, 1, 0, 3), F.max_pool2d(x, (3, 2), (2, 3), (1, 1), (2, 4))), x)
    assert_exact(outs[0], pool2d(x, 2, 1, 0, 3).float(), "max_pool2d(x, 2, 1, 0, dilation=3) of 9x10")
    assert_exact(outs[1], pool2d(x, (3, 2), (2, 3), (1, 1), (2, 4)).float(),
                 "max_pool2d(x, (3, 2), (2, 3), (1, 1), dilation=(2, 4)) of 9x10")


@spec("torch.nn.MaxPool2d", INDICES)
def test_max_pool2d_returns_indices_of_the_maxima(run, observe):
    x = distinct((2, 3, 6, 7), 4)
    values, indices = run(F.max_pool2d, x, (3, 2), (2, 2), 1, return_indices=True)
    expected = pool2d(x, (3, 2), (2, 2), 1).float()
    assert_exact(values, expected, "max_pool2d(x, (3, 2), 2, 1, return_indices=True) values")
    # Each index addresses the maximum within its input plane (flattened H x W), as MaxUnpool2d reads it.
    found = x.flatten(2).gather(2, indices.long().flatten(2)).reshape(expected.shape)
    assert_exact(found, expected, "x at max_pool2d(return_indices=True) indices")
    observe("indices_dtype", str(indices.dtype))


@spec("torch.nn.functional.max_pool2d", SIGNATURE)
def test_max_pool2d_positional_order_and_defaults(run):
    x = distinct((1, 2, 5, 7), 5)

    def pools(x):
        return (F.max_pool2d(x, 2), F.max_pool2d(x, 2, None, 0, 1, False, False),
                F.max_pool2d(x, 2, 2, 0, 1, True), F.max_pool2d(x, 2, 2, 0, 1, False, True))

    default, explicit, ceil, (values, indices) = run(pools, x)
    assert_exact(default, pool2d(x, 2, 2).float(), "max_pool2d(x, 2) of 5x7")
    assert_exact(explicit, default, "max_pool2d(x, 2, None, 0, 1, False, False) against max_pool2d(x, 2)")
    assert_exact(ceil, pool2d(x, 2, 2, ceil_mode=True).float(), "max_pool2d(x, 2, 2, 0, 1, True): ceil_mode")
    assert_exact(values, default, "max_pool2d(x, 2, 2, 0, 1, False, True)[0]: return_indices")
    assert_exact(torch.tensor(indices.shape), torch.tensor(default.shape), "shape of the indices")
