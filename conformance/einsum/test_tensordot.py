"""torch.tensordot: dims as an int (the last d of a against the first d of b, d = 0 an outer
product), as two lists in a tuple or a list, or as a tensor; output shape and order; broadcast
size-1 contracted dimensions."""

import numpy as np
import torch

from suite.expect import assert_close, assert_raises
from suite.spec import spec

OP = "torch.tensordot"
INT_DIMS = ("When called with a non-negative integer argument :attr:`dims` = :math:`d`, and the number "
            "of dimensions of :attr:`a` and :attr:`b` is :math:`m` and :math:`n`, respectively, "
            ":func:`~torch.tensordot` computes the tensor :math:`r` of shape "
            "``a.shape[:-dims] + b.shape[dims:]`` given by:")
FORMULA = (r"r_{i_1,...,i_{m-d}, j_1,...,j_{n-d}} = \sum_{k_1,...,k_d} a_{i_1,...,i_{m-d},k_1,...,k_d} "
           r"\times b_{k_1,...,k_d, j_1,...,j_{n-d}}.")
LIST_DIMS = ("When called with :attr:`dims` of the list form, the given dimensions will be contracted in "
             "place of the last :math:`d` of :attr:`a` and the first :math:`d` of :math:`b`.")
FORMS = ("dims (int or Tuple[List[int], List[int]] or List[List[int]] containing two lists or Tensor): "
         "number of dimensions to contract or explicit lists of dimensions for :attr:`a` and :attr:`b` "
         "respectively")
BROADCAST = ("The sizes in these dimensions must match, but :func:`~torch.tensordot` will deal with "
             "broadcasted dimensions.")
ERRORS = (RuntimeError, ValueError)


def randn(shape, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def reference(a, b, axes):
    """float64 NumPy tensordot (same meaning of an int and of a pair of lists)."""
    return torch.from_numpy(np.asarray(np.tensordot(a.double().numpy(), b.double().numpy(), axes)))


@spec(OP, INT_DIMS, needs_values=False)
def test_integer_dims_contracts_the_last_d_of_a_with_the_first_d_of_b(run):
    a = randn((2, 3, 4), 0)
    cases = [(1, randn((4, 5), 1)), (2, randn((3, 4, 5), 2)), (3, randn((2, 3, 4, 2), 3)),
             (2, randn((3, 4), 4))]
    out = run(lambda x, *bs: tuple(torch.tensordot(x, b, dims=d) for (d, _), b in zip(cases, bs)),
              a, *(b for _, b in cases))
    for (d, b), got in zip(cases, out):
        # a.shape[:-d] + b.shape[d:]
        assert_close(got, reference(a, b, d), torch.float32,
                     f"tensordot(2x3x4, {'x'.join(map(str, b.shape))}, dims={d})")


@spec(OP, FORMULA, needs_values=False)
def test_zero_dims_is_the_outer_product(run):
    # With d = 0 the formula keeps every index of a and of b (no sum): the outer product, of
    # shape a.shape + b.shape. (Read as Python, a.shape[:-0] would be empty; the formula is not.)
    a, b = randn((2, 3), 5), randn((4,), 6)
    out = run(lambda x, y: (torch.tensordot(x, y, dims=0), torch.tensordot(y, x, 0)), a, b)
    assert_close(out[0], reference(a, b, 0), torch.float32, "tensordot(2x3, 4, dims=0)")
    assert_close(out[1], reference(b, a, 0), torch.float32, "tensordot(4, 2x3, 0)")


@spec(OP, LIST_DIMS, needs_values=False)
def test_listed_dims_are_contracted_pairwise_in_order(run):
    # First, contracted dims all of one size: paired in another order, they would still run.
    a, b = randn((3, 3, 2), 7), randn((3, 3, 4), 8)
    square = [([1, 0], [0, 1]), ([0, 1], [1, 0]), ([-2], [1]), ([1, 0], [1, 0])]
    out = run(lambda x, y: tuple(torch.tensordot(x, y, dims=dims) for dims in square), a, b)
    for dims, got in zip(square, out):
        assert_close(got, reference(a, b, dims), torch.float32, f"tensordot(3x3x2, 3x3x4, dims={dims})")
    # The documented examples.
    doc_a, doc_b = torch.arange(60.0).reshape(3, 4, 5), torch.arange(24.0).reshape(4, 3, 2)
    c, d = randn((3, 5, 4, 6), 9), randn((6, 4, 5, 3), 10)
    examples = [(doc_a, doc_b, ([1, 0], [0, 1])), (c, d, ([2, 1, 3], [1, 2, 0])), (c, d, ([0], [3]))]
    out = run(lambda *xs: tuple(torch.tensordot(xs[2 * i], xs[2 * i + 1], dims=dims)
                                for i, (_, _, dims) in enumerate(examples)),
              *(x for a, b, _ in examples for x in (a, b)))
    for (a, b, dims), got in zip(examples, out):
        shapes = f"{'x'.join(map(str, a.shape))}, {'x'.join(map(str, b.shape))}"
        assert_close(got, reference(a, b, dims), torch.float32, f"tensordot({shapes}, dims={dims})")


@spec(OP, FORMS)
def test_every_form_of_dims(run):
    a, b = randn((2, 3, 4), 11), randn((4, 3, 5), 12)
    forms = [  # (form, dims, the same dims as NumPy axes)
        ("int", 1, 1), ("tuple of lists", ([2, 1], [0, 1]), ([2, 1], [0, 1])),
        ("list of lists", [[1, 2], [1, 0]], ([1, 2], [1, 0])),
        ("0-dim tensor", torch.tensor(1), 1),
        ("2x2 tensor", torch.tensor([[2, 1], [0, 1]]), ([2, 1], [0, 1])),
    ]
    out = run(lambda x, y, *ds: tuple(torch.tensordot(x, y, dims=d) for d in ds),
              a, b, *(d for _, d, _ in forms))
    for (form, dims, axes), got in zip(forms, out):
        assert_close(got, reference(a, b, axes), torch.float32,
                     f"tensordot(2x3x4, 4x3x5, dims={dims!r}) ({form})")


@spec(OP, BROADCAST)
def test_contracted_size_1_dims_broadcast_and_other_mismatches_raise(run):
    a, b1 = randn((2, 3), 13), randn((1, 4), 14)
    a1, b = randn((2, 1), 15), randn((3, 4), 16)
    out = run(lambda x, y, z, w: (torch.tensordot(x, y, dims=([1], [0])),
                                  torch.tensordot(z, w, dims=([1], [0]))), a, b1, a1, b)
    # A size-1 dim stands for its one slice repeated to the other's size.
    assert_close(out[0], reference(a, b1.expand(3, 4), ([1], [0])), torch.float32,
                 "tensordot(2x3, 1x4, dims=([1], [0]))")
    assert_close(out[1], reference(a1.expand(2, 3), b, ([1], [0])), torch.float32,
                 "tensordot(2x1, 3x4, dims=([1], [0]))")
    assert_raises(ERRORS, lambda: run(torch.tensordot, a, randn((2, 4), 17), dims=([1], [0])),
                  "tensordot(2x3, 2x4, dims=([1], [0])) (sizes 3 and 2)")
