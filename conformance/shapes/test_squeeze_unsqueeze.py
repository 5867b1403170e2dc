"""torch.squeeze and torch.unsqueeze: which dimensions go or come, negative dims, shared storage."""

import numpy as np
import pytest
import torch

from suite.expect import assert_exact, assert_raises
from suite.spec import spec

SQUEEZE_ALL = (r"For example, if `input` is of shape: :math:`(A \times 1 \times B \times C \times 1 \times D)` "
               r"then the `input.squeeze()` will be of shape: :math:`(A \times B \times C \times D)`.")
SQUEEZE_DIM = (r"When :attr:`dim` is given, a squeeze operation is done only in the given dimension(s). If "
               r"`input` is of shape: :math:`(A \times 1 \times B)`, ``squeeze(input, 0)`` leaves the tensor "
               r"unchanged, but ``squeeze(input, 1)`` will squeeze the tensor to the shape :math:`(A \times B)`.")
SQUEEZE_SHARES = ("The returned tensor shares the storage with the input tensor, so changing the contents of "
                  "one will change the contents of the other.")
UNSQUEEZE = "Returns a new tensor with a dimension of size one inserted at the specified position."
UNSQUEEZE_RANGE = ("A :attr:`dim` value within the range ``[-input.dim() - 1, input.dim() + 1)`` can be used. "
                   "Negative :attr:`dim` will correspond to :meth:`unsqueeze` applied at :attr:`dim` = "
                   "``dim + input.dim() + 1``.")
UNSQUEEZE_SHARES = "The returned tensor shares the same underlying data with this tensor."


def numbered(*shape):
    return torch.arange(int(np.prod(shape)), dtype=torch.float32).reshape(shape)


@spec("torch.squeeze", SQUEEZE_ALL, needs_values=False)
def test_squeeze_removes_every_size_1_dim(run):
    x, y = numbered(2, 1, 3, 4, 1, 5), numbered(1, 1)
    got_x, got_y = run(lambda x, y: (torch.squeeze(x), torch.squeeze(y)), x, y)
    assert_exact(got_x, x.reshape(2, 3, 4, 5), "squeeze() of a 2x1x3x4x1x5 input")
    assert_exact(got_y, y.reshape(()), "squeeze() of a 1x1 input")


@spec("torch.squeeze", SQUEEZE_DIM, needs_values=False)
def test_squeeze_dim_removes_only_the_given_size_1_dims(run):
    x = numbered(2, 1, 2, 1, 2)
    dims = [0, 1, 3, -2, (1, 2, 3), (0, -4), ()]
    shapes = [(2, 1, 2, 1, 2), (2, 2, 1, 2), (2, 1, 2, 2), (2, 1, 2, 2), (2, 2, 2), (2, 2, 1, 2),
              (2, 1, 2, 1, 2)]
    outs = run(lambda x: tuple(torch.squeeze(x, d) for d in dims), x)
    for d, shape, got in zip(dims, shapes, outs):
        assert_exact(got, x.reshape(shape), f"squeeze(x, {d}) of a 2x1x2x1x2 input")


@spec("torch.unsqueeze", UNSQUEEZE_RANGE, needs_values=False)
def test_unsqueeze_at_every_allowed_dim(run):
    x, dims = numbered(2, 3), [0, 1, 2, -1, -2, -3]
    outs = run(lambda x: tuple(torch.unsqueeze(x, d) for d in dims), x)
    for d, got in zip(dims, outs):
        position = d + x.dim() + 1 if d < 0 else d
        expected = torch.from_numpy(np.expand_dims(x.numpy(), position))
        assert_exact(got, expected, f"unsqueeze(x, {d}) of a 2x3 input")
    for d in (3, -4):
        assert_raises((IndexError, RuntimeError), lambda: run(torch.unsqueeze, x, d),
                      f"unsqueeze(x, {d}) of a 2x3 input, outside [-3, 3)")


@spec("torch.unsqueeze", UNSQUEEZE, needs_values=False)
def test_unsqueeze_of_a_scalar_and_a_vector(run):
    s, v = torch.tensor(7.0), numbered(4)
    outs = run(lambda s, v: (torch.unsqueeze(s, 0), torch.unsqueeze(s, -1), torch.unsqueeze(v, 0),
                             torch.unsqueeze(v, 1)), s, v)
    for got, expected, what in zip(outs, (s.reshape(1), s.reshape(1), v.reshape(1, 4), v.reshape(4, 1)),
                                   ("unsqueeze(scalar, 0)", "unsqueeze(scalar, -1)", "unsqueeze(vector of 4, 0)",
                                    "unsqueeze(vector of 4, 1)")):
        assert_exact(got, expected, what)


def squeeze_then_write(x):
    y = torch.squeeze(x, 1)
    y[0, 1].fill_(-1)  # through the result
    x[1, 0, 2].fill_(-2)  # through the input
    return x, y, y._base is x


def unsqueeze_then_write(x):
    y = torch.unsqueeze(x, -1)
    y[0, 1, 0].fill_(-1)
    x[1, 2].fill_(-2)
    return x, y, y._base is x


SHARES = [
    pytest.param(squeeze_then_write, (2, 1, 3), (2, 3), id="squeeze",
                 marks=spec("torch.squeeze", SQUEEZE_SHARES, needs_values=False)),
    pytest.param(unsqueeze_then_write, (2, 3), (2, 3, 1), id="unsqueeze",
                 marks=spec("torch.unsqueeze", UNSQUEEZE_SHARES, needs_values=False)),
]


@pytest.mark.parametrize("fn, shape, out_shape", SHARES)
def test_result_shares_the_input_data(run, fn, shape, out_shape):
    x = numbered(*shape)
    base, y, is_view = run(fn, x)
    expected = torch.tensor([[0.0, -1, 2], [3, 4, -2]])
    assert is_view, f"{fn.__name__}: the result of a {shape} input is not a view of it"
    assert_exact(base, expected.reshape(shape), f"{shape} input after writing into it and into the result")
    assert_exact(y, expected.reshape(out_shape), f"{out_shape} result after writing into it and into the input")
