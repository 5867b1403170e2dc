"""torch.nn.AvgPool2d / F.avg_pool2d: output size, ceil_mode, count_include_pad, divisor_override, stride."""

import pytest
import torch
import torch.nn.functional as F

from conformance.layers.reference import pair, pool2d, sample
from suite.expect import assert_close, assert_exact
from suite.spec import spec

H_OUT = (r"H_{out} = \left\lfloor\frac{H_{in} + 2 \times \text{padding}[0] - "
         r"\text{kernel\_size}[0]}{\text{stride}[0]} + 1\right\rfloor")
W_OUT = (r"W_{out} = \left\lfloor\frac{W_{in} + 2 \times \text{padding}[1] - "
         r"\text{kernel\_size}[1]}{\text{stride}[1]} + 1\right\rfloor")
CEIL_SKIP = (r"Per the note above, if ``ceil_mode`` is True and :math:`(H_{out} - 1)\times \text{stride}[0]\geq "
             r"H_{in} + \text{padding}[0]`, we skip the last window as it would start in the bottom padded region, "
             r"resulting in :math:`H_{out}` being reduced by one.")
COUNT_PAD = ("count_include_pad: when True, will include the zero-padding in the averaging calculation. "
             "Default: ``True``")
DIVISOR = ("divisor_override: if specified, it will be used as divisor, otherwise size of the pooling "
           "region will be used.")
STRIDE = "stride: the stride of the window. Default value is :attr:`kernel_size`"
ONE_ELEMENT = ("a single ``int`` or a single-element tuple -- in which case the same value is used for the "
               "height and width dimension")

SIDES = [
    pytest.param(-2, id="height", marks=spec("torch.nn.AvgPool2d", H_OUT, needs_values=False)),
    pytest.param(-1, id="width", marks=spec("torch.nn.AvgPool2d", W_OUT, needs_values=False)),
]

# (H_in, W_in, kernel_size, stride, padding): floors that drop a remainder, height and width differ.
CONFIGS = [(7, 9, (2, 3), (2, 1), (1, 0)), (10, 6, 3, (3, 2), 1), (5, 12, (3, 1), (1, 4), (1, 0)),
           (9, 8, (4, 2), 3, (2, 1)), (6, 6, 2, 2, 0)]


@pytest.mark.parametrize("side", SIDES)
def test_avg_pool2d_output_height_and_width(run, side):
    inputs = [sample((2, 3, h, w), i) for i, (h, w, *_) in enumerate(CONFIGS)]

    def pools(*xs):
        return tuple(F.avg_pool2d(x, k, s, p) for x, (_, _, k, s, p) in zip(xs, CONFIGS))

    outs = run(pools, *inputs)
    for out, (h, w, k, s, p) in zip(outs, CONFIGS):
        i = side + 2
        size, k, s, p = (h, w)[i], pair(k)[i], pair(s)[i], pair(p)[i]
        expected = (size + 2 * p - k) // s + 1  # the formula, as documented
        assert_exact(torch.tensor(out.shape[side]), torch.tensor(expected),
                     f"{'HW'[i]}_out of avg_pool2d of {h}x{w}, kernel {k}, stride {s}, padding {p}")
        assert_exact(torch.tensor(out.shape[:2]), torch.tensor([2, 3]), "batch and channels of avg_pool2d")


# (H_in, W_in, kernel_size, stride, padding) -> (H_out, W_out) with ceil_mode (floor would give):
# 5x7 k2 s2: a last window half off the bottom and the right, 3x4 (2x3);
# 5x5 k2 s2 p1: ceil gives 4 but (4 - 1) * 2 >= 5 + 1, so the last window is skipped: 3x3 (3x3);
# 6x7 k(3,2) s(2,3) p1: off-bounds at the bottom 4 (3), skipped on the right 3 (3).
CEIL_CONFIGS = [(5, 7, 2, 2, 0, (3, 4)), (5, 5, 2, 2, 1, (3, 3)), (6, 7, (3, 2), (2, 3), 1, (4, 3))]


@spec("torch.nn.AvgPool2d", CEIL_SKIP, needs_values=False)
def test_avg_pool2d_ceil_mode_skips_a_window_starting_in_the_padding(run):
    inputs = [sample((1, 2, h, w), 20 + i) for i, (h, w, *_) in enumerate(CEIL_CONFIGS)]

    def pools(*xs):
        return tuple(out for x, (_, _, k, s, p, _) in zip(xs, CEIL_CONFIGS)
                     for out in (F.avg_pool2d(x, k, s, p, ceil_mode=True, count_include_pad=False),
                                 F.avg_pool2d(x, k, s, p, ceil_mode=True)))

    outs = run(pools, *inputs)
    for i, (x, (h, w, k, s, p, hw)) in enumerate(zip(inputs, CEIL_CONFIGS)):
        exclude, include = outs[2 * i], outs[2 * i + 1]
        what = f"avg_pool2d(ceil_mode=True) of {h}x{w}, kernel {k}, stride {s}, padding {p}"
        assert_exact(torch.tensor(exclude.shape[-2:]), torch.tensor(hw), f"output size of {what}")
        # With the padding counted, how an off-bounds window counts is not documented: size only.
        assert_exact(torch.tensor(include.shape[-2:]), torch.tensor(hw), f"output size of {what}")
        # Without the padding in the count, an off-bounds window averages the input elements it covers.
        assert_close(exclude, pool2d(x, k, s, p, ceil_mode=True, how="avg", count_include_pad=False),
                     torch.float32, f"{what}, count_include_pad=False")


@spec("torch.nn.functional.avg_pool2d", COUNT_PAD)
def test_avg_pool2d_count_include_pad_defaults_to_true(run):
    x = sample((2, 3, 5, 6), 1)

    def pools(x):
        return (F.avg_pool2d(x, 3, 2, 1), F.avg_pool2d(x, 3, 2, 1, count_include_pad=True),
                F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
                F.avg_pool2d(x, (2, 3), 1, (1, 1), False, False))

    default, include, exclude, exclude_rect = run(pools, x)
    reference = pool2d(x, 3, 2, 1, how="avg")  # every window divides by 3 * 3
    assert_close(default, reference, torch.float32, "avg_pool2d(x, 3, 2, 1) of 5x6")
    assert_close(include, reference, torch.float32, "avg_pool2d(x, 3, 2, 1, count_include_pad=True)")
    assert_close(exclude, pool2d(x, 3, 2, 1, how="avg", count_include_pad=False), torch.float32,
                 "avg_pool2d(x, 3, 2, 1, count_include_pad=False)")
    assert_close(exclude_rect, pool2d(x, (2, 3), 1, 1, how="avg", count_include_pad=False), torch.float32,
                 "avg_pool2d(x, (2, 3), 1, (1, 1), False, False)")


@spec("torch.nn.AvgPool2d", DIVISOR)
def test_avg_pool2d_divisor_override(run):
    x = sample((2, 2, 6, 5), 2)

    def pools(x):
        return (F.avg_pool2d(x, 2, divisor_override=3), F.avg_pool2d(x, 3, 2, 1, divisor_override=5),
                F.avg_pool2d(x, 3, 2, 1, count_include_pad=False, divisor_override=5),
                F.avg_pool2d(x, 3, 2, 1, divisor_override=None))

    outs = run(pools, x)
    assert_close(outs[0], pool2d(x, 2, how="avg", divisor_override=3), torch.float32,
                 "avg_pool2d(x, 2, divisor_override=3) of 6x5")
    assert_close(outs[1], pool2d(x, 3, 2, 1, how="avg", divisor_override=5), torch.float32,
                 "avg_pool2d(x, 3, 2, 1, divisor_override=5)")
    assert_close(outs[2], pool2d(x, 3, 2, 1, how="avg", divisor_override=5), torch.float32,
                 "avg_pool2d(x, 3, 2, 1, count_include_pad=False, divisor_override=5)")
    assert_close(outs[3], pool2d(x, 3, 2, 1, how="avg"), torch.float32,
                 "avg_pool2d(x, 3, 2, 1, divisor_override=None): the size of the pooling region")


@spec("torch.nn.AvgPool2d", STRIDE)
def test_avg_pool2d_stride_defaults_to_kernel_size(run):
    x = sample((2, 2, 7, 8), 3)
    default, explicit, rect = run(lambda x: (F.avg_pool2d(x, 3), F.avg_pool2d(x, 3, 3),
                                             F.avg_pool2d(x, (2, 3), padding=(1, 0))), x)
    assert_close(default, pool2d(x, 3, 3, how="avg"), torch.float32, "avg_pool2d(x, 3) of 7x8")
    assert_close(explicit, pool2d(x, 3, 3, how="avg"), torch.float32, "avg_pool2d(x, 3, 3) of 7x8")
    assert_close(rect, pool2d(x, (2, 3), (2, 3), (1, 0), how="avg"), torch.float32,
                 "avg_pool2d(x, (2, 3), padding=(1, 0)) of 7x8")


@spec("torch.nn.AvgPool2d", ONE_ELEMENT, needs_values=False)
def test_avg_pool2d_one_element_tuples(run):
    x = sample((1, 2, 7, 9), 4)
    single, tupled = run(lambda x: (F.avg_pool2d(x, 3, 2, 1), F.avg_pool2d(x, (3,), (2,), (1,))), x)
    reference = pool2d(x, 3, 2, 1, how="avg")
    assert_close(single, reference, torch.float32, "avg_pool2d(x, 3, 2, 1) of 7x9")
    assert_close(tupled, reference, torch.float32, "avg_pool2d(x, (3,), (2,), (1,)) of 7x9")
