"""F.interpolate: output size, nearest and nearest-exact, (bi)linear align_corners, gradients."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance.layers.reference import f64, linear_matrix, nearest_index, sample
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.functional.interpolate"
SIZE = "Tensor interpolated to either the given :attr:`size` or the given :attr:`scale_factor`"
SCALE_TUPLE = ("If `scale_factor` is a tuple, its length has to match the number of spatial dimensions; "
               "`input.dim() - 2`.")
DEFAULT_MODE = "``'trilinear'`` | ``'lanczos'`` | ``'area'`` | ``'nearest-exact'``. Default: ``'nearest'``"
ALIGN_TRUE = ("If set to ``True``, the input and output tensors are aligned by the center points of their "
              "corner pixels, preserving the values at the corner pixels.")
ALIGN_FALSE = ("If set to ``False``, the input and output tensors are aligned by the corner points of their "
               "corner pixels, and the interpolation uses edge value padding for out-of-boundary values")
ALIGN_NONE = "For modes that use :attr:`align_corners`, ``None`` is treated as ``False``."

NEAREST = [
    pytest.param("nearest", id="nearest", marks=spec(
        OP, "Mode ``mode='nearest'`` matches buggy OpenCV's ``INTER_NEAREST`` interpolation algorithm.")),
    pytest.param("nearest-exact", id="nearest-exact", marks=spec(
        OP, "Mode ``mode='nearest-exact'`` matches Scikit-Image and PIL nearest neighbours interpolation "
        "algorithms and fixes known issues with ``mode='nearest'``.")),
]

ALIGN = [
    pytest.param(True, id="align_corners=True", marks=spec(OP, ALIGN_TRUE)),
    pytest.param(False, id="align_corners=False", marks=spec(OP, ALIGN_FALSE)),
]


def bilinear(x, out_h, out_w, align_corners):
    """Bilinear interpolation of (N, C, H, W) in float64: the 1D linear maps along H, then along W."""
    a_h = linear_matrix(x.shape[-2], out_h, align_corners)
    a_w = linear_matrix(x.shape[-1], out_w, align_corners)
    return torch.from_numpy(np.einsum("ph,nchw,qw->ncpq", a_h, f64(x), a_w))


def linear(x, out_l, align_corners):
    return torch.from_numpy(np.einsum("pl,ncl->ncp", linear_matrix(x.shape[-1], out_l, align_corners), f64(x)))


@spec(OP, SIZE, needs_values=False)
def test_interpolate_output_size_from_size_or_scale_factor(run):
    x3, x4 = sample((2, 3, 6), 0), sample((1, 2, 4, 6), 1)
    # (expected shape, which input, keyword arguments): sizes and scale factors with whole products.
    # The mode does not change the size; 'nearest' keeps the check cheap where only shapes exist.
    cases = [((2, 3, 9), 0, dict(size=9)), ((2, 3, 12), 0, dict(scale_factor=2)),
             ((2, 3, 3), 0, dict(scale_factor=0.5)),
             ((1, 2, 5, 3), 1, dict(size=(5, 3))), ((1, 2, 12, 18), 1, dict(scale_factor=3)),
             ((1, 2, 2, 3), 1, dict(scale_factor=(0.5, 0.5)))]

    def resize(*xs):
        return tuple(F.interpolate(xs[i], **kwargs) for _, i, kwargs in cases)

    for out, (shape, i, kwargs) in zip(run(resize, x3, x4), cases):
        assert_exact(torch.tensor(out.shape), torch.tensor(shape),
                     f"shape of interpolate({kwargs}) of {'2x3x6' if i == 0 else '1x2x4x6'}")


@spec(OP, SCALE_TUPLE, needs_values=False)
def test_interpolate_scale_factor_tuple_per_spatial_dim(run):
    x = sample((1, 2, 4, 6), 2)
    outs = run(lambda x: (F.interpolate(x, scale_factor=(2, 0.5)), F.interpolate(x, scale_factor=(0.5, 3))), x)
    assert_exact(torch.tensor(outs[0].shape), torch.tensor([1, 2, 8, 3]), "interpolate(scale_factor=(2, 0.5)) of 4x6")
    assert_exact(torch.tensor(outs[1].shape), torch.tensor([1, 2, 2, 18]),
                 "interpolate(scale_factor=(0.5, 3)) of 4x6")


@spec(OP, DEFAULT_MODE)
def test_interpolate_mode_defaults_to_nearest(run):
    x = sample((1, 2, 3, 4), 3)
    default, nearest = run(lambda x: (F.interpolate(x, scale_factor=2), F.interpolate(x, scale_factor=2,
                                                                                     mode="nearest")), x)
    # Doubling: every pixel becomes a 2x2 block of its value.
    expected = x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    assert_exact(default, expected, "interpolate(x, scale_factor=2) of 3x4")
    assert_exact(nearest, expected, "interpolate(x, scale_factor=2, mode='nearest') of 3x4")


@pytest.mark.parametrize("mode", NEAREST)
def test_interpolate_nearest_source_pixels(run, mode):
    # OpenCV's INTER_NEAREST reads source floor(i * scale); PIL and scikit-image floor((i + 0.5) * scale),
    # scale = in / out. Sizes where the two differ, growing and shrinking.
    exact = mode == "nearest-exact"
    x1, x2 = sample((1, 2, 3), 4), sample((1, 1, 5, 7), 5)
    sizes1, sizes2 = (5, 2), ((3, 4), (8, 11))
    outs = run(lambda x1, x2: tuple(F.interpolate(x1, size=s, mode=mode) for s in sizes1)
               + tuple(F.interpolate(x2, size=s, mode=mode) for s in sizes2), x1, x2)
    for out, size in zip(outs[:2], sizes1):
        expected = x1[..., nearest_index(3, size, exact)]
        assert_exact(out, expected, f"interpolate(size={size}, mode={mode!r}) of length 3")
    for out, (h, w) in zip(outs[2:], sizes2):
        expected = x2[..., nearest_index(5, h, exact), :][..., nearest_index(7, w, exact)]
        assert_exact(out, expected, f"interpolate(size={(h, w)}, mode={mode!r}) of 5x7")


@spec(OP, ALIGN_TRUE)
def test_interpolate_align_corners_true_keeps_corner_values(run):
    x1, x2 = sample((2, 3, 4), 6), sample((1, 2, 3, 4), 7)

    def resize(x1, x2):
        return (F.interpolate(x1, size=7, mode="linear", align_corners=True),
                F.interpolate(x1, size=3, mode="linear", align_corners=True),
                F.interpolate(x2, size=(5, 7), mode="bilinear", align_corners=True),
                F.interpolate(x2, size=(2, 3), mode="bilinear", align_corners=True))

    up1, down1, up2, down2 = run(resize, x1, x2)
    for out, size in ((up1, 7), (down1, 3)):
        what = f"interpolate(size={size}, mode='linear', align_corners=True) of length 4"
        assert_close(out, linear(x1, size, True), torch.float32, what)
        assert_exact(out[..., [0, -1]], x1[..., [0, -1]], f"end values of {what}")
    for out, (h, w) in ((up2, (5, 7)), (down2, (2, 3))):
        what = f"interpolate(size={(h, w)}, mode='bilinear', align_corners=True) of 3x4"
        assert_close(out, bilinear(x2, h, w, True), torch.float32, what)
        corners = (slice(None), slice(None), [[0], [-1]], [0, -1])
        assert_exact(out[corners], x2[corners], f"corner values of {what}")


@spec(OP, ALIGN_FALSE)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_interpolate_align_corners_false_aligns_pixel_edges(run, dtype):
    # Growing reads past the outer pixel centres: those outputs take the edge value.
    x1, x2 = sample((2, 3, 4), 8, dtype), sample((1, 2, 3, 4), 9, dtype)

    def resize(x1, x2):
        return (F.interpolate(x1, size=7, mode="linear", align_corners=False),
                F.interpolate(x1, size=3, mode="linear", align_corners=False),
                F.interpolate(x2, size=(5, 7), mode="bilinear", align_corners=False),
                F.interpolate(x2, size=(2, 6), mode="bilinear", align_corners=False))

    up1, down1, up2, down2 = run(resize, x1, x2)
    # A bfloat16 kernel may round each weighted term to bfloat16 before adding: where the terms cancel,
    # the error is relative to the inputs (of magnitude about 1), not to the result.
    atol = 1.6e-2 if dtype == torch.bfloat16 else None
    assert_close(up1, linear(x1, 7, False), dtype, "interpolate(size=7, mode='linear', align_corners=False) of 4",
                 atol=atol)
    assert_close(down1, linear(x1, 3, False), dtype, "interpolate(size=3, mode='linear', align_corners=False) of 4",
                 atol=atol)
    assert_close(up2, bilinear(x2, 5, 7, False), dtype,
                 "interpolate(size=(5, 7), mode='bilinear', align_corners=False) of 3x4", atol=atol)
    assert_close(down2, bilinear(x2, 2, 6, False), dtype,
                 "interpolate(size=(2, 6), mode='bilinear', align_corners=False) of 3x4", atol=atol)


@spec(OP, ALIGN_NONE)
def test_interpolate_align_corners_none_is_false(run):
    x1, x2 = sample((1, 2, 5), 10), sample((1, 1, 3, 4), 11)

    def resize(x1, x2):
        return (F.interpolate(x1, size=8, mode="linear"), F.interpolate(x1, size=8, mode="linear", align_corners=None),
                F.interpolate(x2, scale_factor=2, mode="bilinear"),
                F.interpolate(x2, scale_factor=2, mode="bilinear", align_corners=False))

    omitted1, none1, omitted2, false2 = run(resize, x1, x2)
    assert_close(omitted1, linear(x1, 8, False), torch.float32, "interpolate(size=8, mode='linear') of 5")
    assert_close(none1, linear(x1, 8, False), torch.float32,
                 "interpolate(size=8, mode='linear', align_corners=None) of 5")
    assert_close(omitted2, bilinear(x2, 6, 8, False), torch.float32,
                 "interpolate(scale_factor=2, mode='bilinear') of 3x4")
    assert_exact(omitted2, false2, "interpolate(mode='bilinear') against align_corners=False")


@pytest.mark.parametrize("align_corners", ALIGN)
def test_interpolate_bilinear_gradient_is_the_adjoint(run, align_corners):
    # Bilinear interpolation is linear, out = A_h x A_wᵀ, so the gradient is A_hᵀ g A_w.
    x = sample((2, 2, 4, 5), 12).requires_grad_()
    grad_output = sample((2, 2, 7, 3), 13)
    out, (grad,) = run.grad(lambda x: F.interpolate(x, size=(7, 3), mode="bilinear", align_corners=align_corners),
                            x, grad_output=grad_output)
    a_h, a_w = linear_matrix(4, 7, align_corners), linear_matrix(5, 3, align_corners)
    assert_close(out, bilinear(x, 7, 3, align_corners), torch.float32,
                 f"interpolate(size=(7, 3), mode='bilinear', align_corners={align_corners}) of 4x5")
    expected = torch.from_numpy(np.einsum("ph,ncpq,qw->nchw", a_h, f64(grad_output), a_w))
    assert_close(grad, expected, torch.float32, f"gradient of bilinear interpolation, align_corners={align_corners}")
