"""torch.split: integer split size with a smaller last chunk, list of sizes, chunks are views."""

import pytest
import torch

from conformance.shapes.shared import labelled, pieces, write_through
from suite.expect import assert_exact
from suite.spec import spec

INT = ("If :attr:`split_size_or_sections` is an integer type, then :attr:`tensor` will be split into "
       "equally sized chunks (if possible). Last chunk will be smaller if the tensor size along the "
       "given dimension :attr:`dim` is not divisible by :attr:`split_size`.")
LIST = ("If :attr:`split_size_or_sections` is a list, then :attr:`tensor` will be split into "
        "``len(split_size_or_sections)`` chunks with sizes in :attr:`dim` according to "
        ":attr:`split_size_or_sections`.")
VIEW = "Splits the tensor into chunks. Each chunk is a view of the original tensor."

# (split_size_or_sections, dim, expected sizes) on a 4x10 input
CASES = [
    pytest.param([(3, 1, [3, 3, 3, 1]), (5, 1, [5, 5]), (4, -1, [4, 4, 2]), (20, 1, [10]), (3, 0, [3, 1])],
                 id="int", marks=spec("torch.split", INT, needs_values=False)),
    pytest.param([([1, 4, 0, 5], 1, [1, 4, 0, 5]), ([10], -1, [10]), ([2, 2], 0, [2, 2]),
                  ([3, 1], 0, [3, 1])],
                 id="list", marks=spec("torch.split", LIST, needs_values=False)),
]


@pytest.mark.parametrize("cases", CASES)
def test_split_sizes(run, cases):
    x = torch.arange(40, dtype=torch.float32).reshape(4, 10)
    outs = run(lambda x: tuple(torch.split(x, s, d) for s, d, _ in cases), x)
    for (s, d, sizes), got in zip(cases, outs):
        what = f"split(x, {s}, {d}) of a 4x10 input"
        assert [t.shape[d] for t in got] == sizes, \
            f"{what}: chunk sizes {[t.shape[d] for t in got]}, documented {sizes}"
        for k, (piece, expected) in enumerate(zip(got, pieces(x, sizes, d))):
            assert_exact(piece, expected, f"{what}, chunk {k}")


@spec("torch.split", VIEW, needs_values=False)
def test_split_chunks_are_views(run):
    x = torch.arange(20, dtype=torch.float32).reshape(2, 10)
    base, flags = run(lambda x: write_through(torch.split(x, 4, 1), x), x)
    assert flags == (True,) * 3, f"split(x, 4, 1) of a 2x10 input: chunks are views {flags}"
    assert_exact(base, labelled((2, 10), [4, 4, 2], 1), "2x10 input after writing into split(x, 4, 1)")
    base, flags = run(lambda x: write_through(torch.split(x, [1, 2, 7], 1), x), x)
    assert flags == (True,) * 3, f"split(x, [1, 2, 7], 1) of a 2x10 input: chunks are views {flags}"
    assert_exact(base, labelled((2, 10), [1, 2, 7], 1), "2x10 input after writing into split(x, [1, 2, 7], 1)")
