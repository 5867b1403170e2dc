"""Tensor.expand: singleton dims grow, -1 keeps a size, new dims at the front, stride 0, a view."""

import numpy as np
import torch

from suite.expect import assert_exact, assert_raises
from suite.spec import spec

NEW_VIEW = ("Returns a new view of the :attr:`self` tensor with singleton dimensions expanded to a larger "
            "size.")
MINUS_ONE = "Passing -1 as the size for a dimension means not changing the size of that dimension."
FRONT = ("Tensor can be also expanded to a larger number of dimensions, and the new ones will be appended "
         "at the front. For the new dimensions, the size cannot be set to -1.")
STRIDE_0 = ("Expanding a tensor does not allocate new memory, but only creates a new view on the existing "
            "tensor where a dimension of size one is expanded to a larger size by setting the ``stride`` to 0.")


def broadcast(x, shape):
    return torch.from_numpy(np.broadcast_to(x.numpy(), shape).copy())


def expand_then_write(x):
    y = x.expand(3, 2, 4)  # x is 3x1x4
    y[1, 1, 2].fill_(-1)  # x[1, 0, 2]: every y[1, :, 2] reads it
    return x, y, y._base is x


@spec("torch.Tensor.expand", NEW_VIEW, needs_values=False)
def test_expand_is_a_view_of_the_input(run):
    x = torch.arange(12, dtype=torch.float32).reshape(3, 1, 4)
    base, y, is_view = run(expand_then_write, x)
    expected = x.clone()
    expected[1, 0, 2] = -1
    assert is_view, "expand(3, 2, 4) of a 3x1x4 input is not a view of it"
    assert_exact(base, expected, "3x1x4 input after writing into expand(3, 2, 4)")
    assert_exact(y, broadcast(expected, (3, 2, 4)), "expand(3, 2, 4) after writing one element")


@spec("torch.Tensor.expand", MINUS_ONE, needs_values=False)
def test_expand_minus_1_keeps_the_size(run):
    x = torch.arange(6, dtype=torch.float32).reshape(3, 1, 2)
    shapes = [(-1, 4, -1), (3, 4, -1), (-1, -1, -1), (-1, 1, 2)]
    outs = run(lambda x: tuple(x.expand(*s) for s in shapes), x)
    for s, got in zip(shapes, outs):
        full = tuple(x.shape[i] if n == -1 else n for i, n in enumerate(s))
        assert_exact(got, broadcast(x, full), f"expand{s} of a 3x1x2 input")


@spec("torch.Tensor.expand", FRONT, needs_values=False)
def test_expand_adds_new_dims_at_the_front(run):
    x = torch.tensor([[1.0], [2.0], [3.0]])
    a, b, c = run(lambda x: (x.expand(2, 3, 4), x.expand(2, 1, -1, 4), x.expand(torch.Size([5, 3, 1]))), x)
    assert_exact(a, broadcast(x, (2, 3, 4)), "expand(2, 3, 4) of a 3x1 input")
    assert_exact(b, broadcast(x, (2, 1, 3, 4)), "expand(2, 1, -1, 4) of a 3x1 input")
    assert_exact(c, broadcast(x, (5, 3, 1)), "expand(torch.Size([5, 3, 1])) of a 3x1 input")
    assert_raises((RuntimeError, ValueError), lambda: run(lambda x: x.expand(-1, 3, 4), x),
                  "expand(-1, 3, 4) of a 3x1 input (-1 for a new dimension)")


@spec("torch.Tensor.expand", STRIDE_0, needs_values=False)
def test_expand_sets_stride_0(run):
    x = torch.arange(6, dtype=torch.float32).reshape(3, 1, 2)
    (y, y_stride), (z, z_stride) = run(lambda x: tuple((e, e.stride()) for e in (x.expand(3, 5, 2),
                                                                            x.expand(4, 3, 5, 2))), x)
    assert_exact(y, broadcast(x, (3, 5, 2)), "expand(3, 5, 2) of a 3x1x2 input")
    assert_exact(z, broadcast(x, (4, 3, 5, 2)), "expand(4, 3, 5, 2) of a 3x1x2 input")
    assert tuple(y_stride) == (2, 0, 1), f"expand(3, 5, 2) of a 3x1x2 input has strides {y_stride}"
    assert tuple(z_stride) == (0, 2, 0, 1), f"expand(4, 3, 5, 2) of a 3x1x2 input has strides {z_stride}"
