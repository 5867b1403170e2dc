"""torch.chunk: chunk sizes, fewer chunks than asked, the default dim, chunks are views."""

import pytest
import torch

from conformance.shapes.shared import labelled, pieces, write_through
from suite.expect import assert_exact
from suite.spec import spec

DIVISIBLE = ("If the tensor size along the given dimension :attr:`dim` is divisible by :attr:`chunks`, "
             "all returned chunks will be the same size.")
NOT_DIVISIBLE = ("If the tensor size along the given dimension :attr:`dim` is not divisible by "
                 ":attr:`chunks`, all returned chunks will be the same size, except the last one.")
FEWER = ("If such division is not possible, this function may return fewer than the specified "
         "number of chunks.")
SIGNATURE = "chunk(input: Tensor, chunks: int, dim: int = 0) -> Tuple[Tensor, ...]"
VIEW = "Each chunk is a view of the input tensor."

# (size along dim, chunks): the documented 12, 11 and 13 into 6, and others of each kind.
SIZES = [
    pytest.param([(12, 6), (9, 3), (4, 1), (5, 5)], id="divisible",
                 marks=spec("torch.chunk", DIVISIBLE, needs_values=False)),
    pytest.param([(11, 6), (7, 3), (10, 4), (100, 3), (3, 2)], id="not-divisible",
                 marks=spec("torch.chunk", NOT_DIVISIBLE, needs_values=False)),
    pytest.param([(13, 6), (5, 10), (6, 4), (10, 7)], id="fewer",
                 marks=spec("torch.chunk", FEWER, needs_values=False)),
]


def possible(n, chunks):
    """Whether n splits into exactly `chunks` chunks of one size but a smaller, non-empty last."""
    return n % chunks == 0 or any((chunks - 1) * k < n < chunks * k for k in range(1, n + 1))


def check_sizes(sizes, n, chunks, what):
    assert sum(sizes) == n and min(sizes) > 0, f"{what}: chunk sizes {sizes} do not partition {n}"
    if n % chunks == 0:
        assert sizes == [n // chunks] * chunks, f"{what}: chunk sizes {sizes}, documented equal sizes"
        return
    assert len(set(sizes[:-1])) <= 1 and sizes[-1] <= sizes[0], \
        f"{what}: chunk sizes {sizes}, documented equal sizes but a smaller last one"
    assert len(sizes) <= chunks, f"{what}: {len(sizes)} chunks, more than asked"
    if possible(n, chunks):
        assert len(sizes) == chunks, f"{what}: {len(sizes)} chunks where {chunks} are possible"


@pytest.mark.parametrize("cases", SIZES)
def test_chunk_sizes(run, observe, cases):
    inputs = [torch.arange(2 * n, dtype=torch.float32).reshape(2, n) for n, _ in cases]
    outs = run(lambda *xs: tuple(torch.chunk(x, c, 1) for x, (_, c) in zip(xs, cases)), *inputs)
    for x, (n, c), got in zip(inputs, cases, outs):
        what = f"chunk(x, {c}, 1) of a 2x{n} input"
        sizes = [t.shape[1] for t in got]
        check_sizes(sizes, n, c, what)
        for k, (piece, expected) in enumerate(zip(got, pieces(x, sizes, 1))):
            assert_exact(piece, expected, f"{what}, chunk {k}")
        observe(f"{n}/{c}", sizes)


@spec("torch.chunk", SIGNATURE, needs_values=False)
def test_chunk_default_dim_is_0(run):
    x = torch.arange(14, dtype=torch.float32).reshape(7, 2)
    default, dim0 = run(lambda x: (torch.chunk(x, 3), torch.chunk(x, 3, 0)), x)
    for got, what in ((default, "chunk(x, 3)"), (dim0, "chunk(x, 3, 0)")):
        assert len(got) == 3, f"{what} of a 7x2 input: {len(got)} chunks"
        for k, (piece, expected) in enumerate(zip(got, pieces(x, [3, 3, 1], 0))):
            assert_exact(piece, expected, f"{what} of a 7x2 input, chunk {k}")


@spec("torch.chunk", VIEW, needs_values=False)
def test_chunks_are_views(run):
    x = torch.arange(14, dtype=torch.float32).reshape(2, 7)
    base, flags = run(lambda x: write_through(torch.chunk(x, 3, 1), x), x)
    assert flags == (True, True, True), f"chunk(x, 3, 1) of a 2x7 input: chunks are views {flags}"
    assert_exact(base, labelled((2, 7), [3, 3, 1], 1), "2x7 input after writing into its 3 chunks")
