"""Tensor.view and torch.reshape: row-major order, -1 inferred, the stride condition for views, copy or error otherwise."""

import numpy as np
import pytest
import torch

from suite.expect import assert_exact, assert_raises
from suite.spec import spec

V_SHARES = ("The returned tensor shares the same data and must have the same number of elements, but may "
            "have a different size.")
V_INFER = "the size -1 is inferred from other dimensions"
V_COMPATIBLE = ("For a tensor to be viewed, the new view size must be compatible with its original size and "
                "stride, i.e., each new view dimension must either be a subspace of an original dimension, "
                r"or only span across original dimensions :math:`d, d+1, \dots, d+k` that satisfy the "
                r"following contiguity-like condition that :math:`\forall i = d, \dots, d+k-1`,")
V_OTHERWISE = ("Otherwise, it will not be possible to view :attr:`self` tensor as :attr:`shape` without "
               "copying it (e.g., via :meth:`contiguous`).")
R_SAME_DATA = ("Returns a tensor with the same data and number of elements as :attr:`input`, but with the "
               "specified shape.")
R_VIEW_OR_COPY = "When possible, the returned tensor will be a view of :attr:`input`. Otherwise, it will be a copy."
R_INFER = ("A single dimension may be -1, in which case it's inferred from the remaining dimensions and the "
           "number of elements in :attr:`input`.")


def numbered(*shape):
    return torch.arange(int(np.prod(shape)), dtype=torch.float32).reshape(shape)


def c_order(x, shape):
    """x's elements, read in row-major order, laid out in shape (NumPy, outside the backend)."""
    return torch.from_numpy(np.ascontiguousarray(x.numpy()).reshape(shape).copy())


# Layouts built inside the function run on the backend (moving a strided tensor there may copy it):
# every other 3x4 block of a 4x3x4 base is 2x3x4 with strides (24, 4, 1), so its last two dims
# merge (4 == 1 * 4) but its first two do not (24 != 4 * 3); a transposed 3x4 merges nothing.
def every_other(base):
    return base[::2]


def view_then_write(x):
    a, b = x.view(6, 4), x.view(4, 2, 3)
    a[5, 3].fill_(-1)  # x[1, 2, 3]
    b[0, 1, 2].fill_(-2)  # x[0, 1, 1]
    return x, a._base is x, b._base is x


@spec("torch.Tensor.view", V_SHARES, needs_values=False)
def test_view_shares_data_in_row_major_order(run):
    x = numbered(2, 3, 4)
    a, b = run(lambda x: (x.view(6, 4), x.view(24)), x)
    assert_exact(a, c_order(x, (6, 4)), "view(6, 4) of a 2x3x4 input")
    assert_exact(b, c_order(x, (24,)), "view(24) of a 2x3x4 input")
    base, a_is_view, b_is_view = run(view_then_write, x)
    expected = x.clone()
    expected[1, 2, 3], expected[0, 1, 1] = -1, -2
    assert a_is_view and b_is_view, "view(6, 4) or view(4, 2, 3) of a 2x3x4 input is not a view of it"
    assert_exact(base, expected, "2x3x4 input after writing into its views (6, 4) and (4, 2, 3)")
    assert_raises((RuntimeError, ValueError), lambda: run(lambda x: x.view(5, 5), x),
                  "view(5, 5) of a 2x3x4 input (25 elements instead of 24)")


@spec("torch.Tensor.view", V_INFER, needs_values=False)
def test_view_infers_minus_1(run):
    x = numbered(4, 4)
    outs = run(lambda x: (x.view(-1, 8), x.view(2, -1, 2), x.view(-1)), x)
    for shape, got in zip(((2, 8), (2, 4, 2), (16,)), outs):
        assert_exact(got, c_order(x, shape), f"view with a -1 for shape {shape} of a 4x4 input")


def compatible_views(base):
    x = every_other(base)  # 2x3x4, strides (24, 4, 1)
    merged, split = x.view(2, 12), x.view(2, 3, 2, 2)
    merged[1, 5].fill_(-1)  # x[1, 1, 1] = base[2, 1, 1]
    return merged, split, base, merged._base is base, split._base is base


@spec("torch.Tensor.view", V_COMPATIBLE, needs_values=False)
def test_view_of_a_strided_tensor_where_the_condition_holds(run):
    base = numbered(4, 3, 4)
    merged, split, after, merged_is_view, split_is_view = run(compatible_views, base)
    x = base[::2].clone()
    x[1, 1, 1] = -1
    assert_exact(merged, c_order(x, (2, 12)), "view(2, 12) of base[::2] (strides 24, 4, 1)")
    assert_exact(split, c_order(x, (2, 3, 2, 2)), "view(2, 3, 2, 2) of base[::2] (strides 24, 4, 1)")
    assert merged_is_view and split_is_view, "a view of base[::2] is not a view of base"
    expected = base.clone()
    expected[2, 1, 1] = -1
    assert_exact(after, expected, "4x3x4 base after writing into base[::2].view(2, 12)")


INCOMPATIBLE = [
    pytest.param(lambda base: every_other(base).view(24), id="merge-strided"),
    pytest.param(lambda base: every_other(base).view(6, 4), id="merge-first-two"),
    pytest.param(lambda base: base[0].t().view(12), id="transposed"),
]


@pytest.mark.parametrize("fn", INCOMPATIBLE)
@spec("torch.Tensor.view", V_OTHERWISE, needs_values=False)
def test_view_raises_where_the_condition_fails(run, fn):
    assert_raises((RuntimeError, ValueError), lambda: run(fn, numbered(4, 3, 4)),
                  "view of a layout whose strides do not allow the new shape",
                  control=lambda: run(lambda x: x.view(-1), numbered(4, 3, 4)))


@spec("torch.reshape", R_SAME_DATA, needs_values=False)
def test_reshape_keeps_row_major_order(run):
    base = numbered(4, 3, 4)
    outs = run(lambda base: (torch.reshape(base, (6, 8)), torch.reshape(every_other(base), (4, 6)),
                             torch.reshape(base[0].t(), (2, 6)), torch.reshape(base[1, 2], (2, 1, 2))), base)
    inputs = (base, base[::2], base[0].t(), base[1, 2])
    for x, shape, got in zip(inputs, ((6, 8), (4, 6), (2, 6), (2, 1, 2)), outs):
        assert_exact(got, c_order(x, shape), f"reshape to {shape} of a {tuple(x.shape)} input, strides {x.stride()}")


def reshape_then_write(base):
    copied = torch.reshape(every_other(base), (24,))
    viewed = torch.reshape(base, (12, 4))
    copied[0].fill_(-1)  # would be base[0, 0, 0] if it were a view
    return base, copied._base is base, viewed._base is base


@spec("torch.reshape", R_VIEW_OR_COPY, needs_values=False)
def test_reshape_copies_where_no_view_is_possible(run, observe):
    base = numbered(4, 3, 4)
    after, copied_is_view, viewed_is_view = run(reshape_then_write, base)
    assert not copied_is_view, "reshape(base[::2], (24,)) is a view of base, though no view is possible"
    assert_exact(after, base, "4x3x4 base after writing into reshape(base[::2], (24,))")
    observe("contiguous_reshape_is_a_view", viewed_is_view)


@spec("torch.reshape", R_INFER, needs_values=False)
def test_reshape_infers_minus_1(run):
    base = numbered(3, 8)
    outs = run(lambda base: (torch.reshape(base, (-1,)), torch.reshape(base, (4, -1, 3)),
                             torch.reshape(base.t(), (-1, 6))), base)
    for x, shape, got in zip((base, base, base.t()), ((24,), (4, 2, 3), (4, 6)), outs):
        assert_exact(got, c_order(x, shape), f"reshape with a -1 to {shape} of a {tuple(x.shape)} input")
