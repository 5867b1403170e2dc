"""torch.tensor_split: sizes of sections, splitting at indices (list, tuple, tensor), default dim, views."""

import pytest
import torch

from conformance.shapes.shared import labelled, pieces, write_through
from suite.expect import assert_exact
from suite.spec import spec

VIEWS = ("Splits a tensor into multiple sub-tensors, all of which are views of :attr:`input`, along "
         "dimension :attr:`dim` according to the indices or number of sections specified by "
         ":attr:`indices_or_sections`.")
EQUAL = ("If :attr:`input` is divisible by :attr:`sections` along dimension :attr:`dim`, each section "
         "will be of equal size, :code:`input.size(dim) / sections`.")
UNEQUAL = ("If :attr:`input` is not divisible by :attr:`sections`, the sizes of the first "
           ":code:`int(input.size(dim) % sections)` sections will have size "
           ":code:`int(input.size(dim) / sections) + 1`, and the rest will have size "
           ":code:`int(input.size(dim) / sections)`.")
TENSOR_SECTIONS = ":attr:`sections` can also be a zero-dimensional long tensor."
INDICES = ("Splits :attr:`input` along dimension :attr:`dim` at each of the indices in :attr:`indices`. "
           "For instance, :code:`indices=[2, 3]` and :code:`dim=0` would result in the tensors "
           ":code:`input[:2]`, :code:`input[2:3]`, and :code:`input[3:]`.")
INDEX_TYPES = (":attr:`indices` can be a list or tuple of ints, or a one-dimensional long tensor on "
               "the CPU.")
DEFAULT_DIM = "dim (int, optional): dimension along which to split the tensor. Default: ``0``"


def sections(n, k):
    return [n // k + 1] * (n % k) + [n // k] * (k - n % k)


def between(n, indices):
    """Sizes of x[:i0], x[i0:i1], ..., x[ik:] for a dimension of size n (Python slicing)."""
    bounds = [0] + [min(i, n) for i in indices] + [n]
    return [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]


# (indices_or_sections, dim, size along dim of the 6x7 input)
CASES = [
    pytest.param([(3, 0, 6), (7, 1, 7), (1, -1, 7), (2, 0, 6)], id="equal",
                 marks=spec("torch.tensor_split", EQUAL, needs_values=False)),
    pytest.param([(3, 1, 7), (4, 0, 6), (5, -1, 7), (9, 1, 7), (4, 1, 7)], id="unequal",
                 marks=spec("torch.tensor_split", UNEQUAL, needs_values=False)),
    pytest.param([(torch.tensor(3), 1, 7), (torch.tensor(2), 0, 6)], id="tensor-sections",
                 marks=spec("torch.tensor_split", TENSOR_SECTIONS, needs_values=False)),
    pytest.param([([2, 3], 0, 6), ((1, 6), 1, 7), ([4, 4], 1, 7), ([2, 9], -1, 7), ([0], 0, 6)],
                 id="indices", marks=spec("torch.tensor_split", INDICES, needs_values=False)),
    pytest.param([((1, 6), 1, 7), (torch.tensor([1, 6]), 1, 7), ([], 0, 6), (torch.tensor([2, 3]), 0, 6)],
                 id="index-types", marks=spec("torch.tensor_split", INDEX_TYPES, needs_values=False)),
]


def expected_sizes(split, n):
    if isinstance(split, torch.Tensor) and split.dim() == 0:
        split = int(split)
    if isinstance(split, int):
        return sections(n, split)
    return between(n, [int(i) for i in split])


@pytest.mark.parametrize("cases", CASES)
def test_tensor_split_sizes(run, cases):
    # The sections and indices stay on the CPU (closed over), as the docs ask of an indices tensor.
    x = torch.arange(42, dtype=torch.float32).reshape(6, 7)
    outs = run(lambda x: tuple(torch.tensor_split(x, s, d) for s, d, _ in cases), x)
    for (s, d, n), got in zip(cases, outs):
        what = f"tensor_split(x, {s!r}, {d}) of a 6x7 input"
        sizes = expected_sizes(s, n)
        assert [t.shape[d] for t in got] == sizes, \
            f"{what}: sizes {[t.shape[d] for t in got]}, documented {sizes}"
        for k, (piece, expected) in enumerate(zip(got, pieces(x, sizes, d))):
            assert_exact(piece, expected, f"{what}, part {k}")


@spec("torch.tensor_split", DEFAULT_DIM, needs_values=False)
def test_tensor_split_default_dim_is_0(run):
    x = torch.arange(42, dtype=torch.float32).reshape(7, 6)
    for args in ((3,), ([2, 5],)):
        default, dim0 = run(lambda x: (torch.tensor_split(x, *args), torch.tensor_split(x, *args, dim=0)), x)
        sizes = expected_sizes(args[0], 7)
        for got, what in ((default, f"tensor_split(x, {args[0]})"), (dim0, f"tensor_split(x, {args[0]}, dim=0)")):
            assert len(got) == len(sizes), f"{what} of a 7x6 input: {len(got)} parts"
            for k, (piece, expected) in enumerate(zip(got, pieces(x, sizes, 0))):
                assert_exact(piece, expected, f"{what} of a 7x6 input, part {k}")


@spec("torch.tensor_split", VIEWS, needs_values=False)
def test_tensor_split_parts_are_views(run):
    x = torch.arange(14, dtype=torch.float32).reshape(2, 7)
    base, flags = run(lambda x: write_through(torch.tensor_split(x, 3, 1), x), x)
    assert flags == (True,) * 3, f"tensor_split(x, 3, 1) of a 2x7 input: parts are views {flags}"
    assert_exact(base, labelled((2, 7), [3, 2, 2], 1), "2x7 input after writing into tensor_split(x, 3, 1)")
    base, flags = run(lambda x: write_through(torch.tensor_split(x, [1, 3], 1), x), x)
    assert flags == (True,) * 3, f"tensor_split(x, [1, 3], 1) of a 2x7 input: parts are views {flags}"
    assert_exact(base, labelled((2, 7), [1, 2, 4], 1), "2x7 input after writing into tensor_split(x, [1, 3], 1)")
