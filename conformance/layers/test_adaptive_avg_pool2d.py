"""torch.nn.AdaptiveAvgPool2d: output size for any input size, square and None sizes, averages over equal bins."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from conformance.layers.reference import f64, sample
from suite.expect import assert_close, assert_exact
from suite.spec import spec

ANY_SIZE = ("The output is of size H x W, for any input size. The number of output features is equal to "
            "the number of input planes.")
SQUARE = "Can be a tuple (H, W) or a single H for a square image H x H."
NONE = ("H and W can be either a ``int``, or ``None`` which means the size will be the same as that of "
        "the input.")
AVERAGE = "Applies a 2D adaptive average pooling over an input signal composed of several input planes."


def shapes(case):
    return torch.tensor(case.shape)


@spec("torch.nn.AdaptiveAvgPool2d", ANY_SIZE, needs_values=False)
def test_adaptive_avg_pool2d_output_size_for_any_input_size(run):
    # Shrinking (evenly and not), growing, mixed, and an unbatched (C, H, W) input.
    inputs = [sample((2, 3, 8, 9), 0), sample((1, 5, 3, 4), 1), sample((2, 2, 7, 3), 2), sample((4, 10, 9), 3)]
    sizes = [(5, 7), (6, 8), (2, 5), (3, 4)]

    def pools(*xs):
        return tuple(nn.AdaptiveAvgPool2d(size)(x) for x, size in zip(xs, sizes))

    for x, out, size in zip(inputs, run(pools, *inputs), sizes):
        assert_exact(shapes(out), torch.tensor((*x.shape[:-2], *size)),
                     f"AdaptiveAvgPool2d({size}) of {tuple(x.shape)}")


@spec("torch.nn.AdaptiveAvgPool2d", SQUARE, needs_values=False)
def test_adaptive_avg_pool2d_single_size_is_square(run):
    x = sample((1, 4, 10, 9), 4)
    square, pair = run(lambda x: (nn.AdaptiveAvgPool2d(7)(x), nn.AdaptiveAvgPool2d((7, 7))(x)), x)
    assert_exact(shapes(square), torch.tensor([1, 4, 7, 7]), "AdaptiveAvgPool2d(7) of 1x4x10x9")
    assert_exact(square, pair, "AdaptiveAvgPool2d(7) against AdaptiveAvgPool2d((7, 7))")


@spec("torch.nn.AdaptiveAvgPool2d", NONE, needs_values=False)
def test_adaptive_avg_pool2d_none_keeps_the_input_size(run):
    x = sample((1, 4, 10, 9), 5)
    outs = run(lambda x: (nn.AdaptiveAvgPool2d((None, 7))(x), nn.AdaptiveAvgPool2d((5, None))(x),
                          nn.AdaptiveAvgPool2d((None, None))(x)), x)
    for out, size, expected in zip(outs, ((None, 7), (5, None), (None, None)), ((10, 7), (5, 9), (10, 9))):
        assert_exact(shapes(out), torch.tensor([1, 4, *expected]), f"AdaptiveAvgPool2d({size}) of 1x4x10x9")
    # Keeping a size unchanged, that dimension is not pooled at all.
    assert_close(outs[2], f64(x), torch.float32, "AdaptiveAvgPool2d((None, None)) of 1x4x10x9")


def block_mean(x, rows, cols):
    """The mean of each (H / rows) x (W / cols) block, in float64."""
    a = f64(x)
    n, c, h, w = a.shape
    return torch.from_numpy(a.reshape(n, c, rows, h // rows, cols, w // cols).mean(axis=(3, 5)))


@spec("torch.nn.AdaptiveAvgPool2d", AVERAGE)
def test_adaptive_avg_pool2d_averages_equal_bins(run, observe):
    # Where the output size divides the input size, the bins are the equal blocks; which bins an
    # uneven split uses is not documented, and only recorded.
    x, uneven = sample((2, 3, 8, 6), 6), sample((1, 1, 5, 7), 7)

    def pools(x, uneven):
        return (F.adaptive_avg_pool2d(x, (4, 3)), F.adaptive_avg_pool2d(x, (2, 6)), F.adaptive_avg_pool2d(x, 1),
                F.adaptive_avg_pool2d(x, (8, 6)), F.adaptive_avg_pool2d(uneven, (3, 4)))

    blocks, rows, mean, same, split = run(pools, x, uneven)
    assert_close(blocks, block_mean(x, 4, 3), torch.float32, "adaptive_avg_pool2d(x, (4, 3)) of 8x6: 2x2 blocks")
    assert_close(rows, block_mean(x, 2, 6), torch.float32, "adaptive_avg_pool2d(x, (2, 6)) of 8x6: 4x1 blocks")
    assert_close(mean, block_mean(x, 1, 1), torch.float32, "adaptive_avg_pool2d(x, 1) of 8x6: the mean")
    assert_close(same, f64(x), torch.float32, "adaptive_avg_pool2d(x, (8, 6)) of 8x6: the input")
    a = f64(uneven)[0, 0]
    starts = lambda n, m: [(i * n // m, -(-(i + 1) * n // m)) for i in range(m)]  # noqa: E731
    floor_ceil = np.array([[a[r0:r1, c0:c1].mean() for c0, c1 in starts(7, 4)] for r0, r1 in starts(5, 3)])
    observe("uneven_bins_floor_start_ceil_end", bool(np.allclose(split[0, 0].double().numpy(), floor_ceil)))
