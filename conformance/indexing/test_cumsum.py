"""torch.cumsum: inclusive running sums along each dim (long rows too), dtype cast before summing."""

import numpy as np
import torch

from suite.expect import assert_close, assert_exact
from suite.spec import spec

CUMSUM = "Returns the cumulative sum of elements of :attr:`input` in the dimension :attr:`dim`."
VECTOR = ("For example, if :attr:`input` is a vector of size N, the result will also be a vector of size N, "
          "with elements.")
DTYPE = ("If specified, the input tensor is casted to :attr:`dtype` before the operation is performed. This "
         "is useful for preventing data type overflows.")
DTYPE_DEFAULT = ("dtype (:class:`torch.dtype`, optional): the desired data type of returned tensor.")


def reference(x, dim):
    return torch.from_numpy(np.cumsum(x.double().numpy(), axis=dim))


@spec("torch.cumsum", CUMSUM)
def test_cumsum_along_each_dim(run):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 4, 5, generator=g)
    long_rows = torch.randint(-4, 5, (2, 3000), generator=g).float()  # integers: every partial sum exact
    dims = [0, 1, 2, -1]
    outs = run(lambda x, r: (tuple(torch.cumsum(x, d) for d in dims), torch.cumsum(r, 1), torch.cumsum(r.T, 0)),
               x, long_rows)
    for d, got in zip(dims, outs[0]):
        assert_close(got, reference(x, d), torch.float32, f"cumsum(x, {d}) of 3x4x5")
    assert_close(outs[1], reference(long_rows, 1), torch.float32, "cumsum(x, 1) of 2x3000 integers")
    assert_close(outs[2], reference(long_rows.T, 0), torch.float32, "cumsum(x.T, 0) of 3000x2 integers")


@spec("torch.cumsum", VECTOR)
def test_cumsum_of_a_vector(run):
    vectors = [torch.tensor([1.5, -2.0, 4.0, 0.25, 8.0]), torch.tensor([7.0])]
    outs = run(lambda vs: tuple(torch.cumsum(v, 0) for v in vs), vectors)
    assert_exact(outs[0], torch.tensor([1.5, -0.5, 3.5, 3.75, 11.75]), "cumsum([1.5, -2, 4, 0.25, 8], 0)")
    assert_exact(outs[1], torch.tensor([7.0]), "cumsum([7], 0)")


@spec("torch.cumsum", DTYPE)
def test_cumsum_casts_before_summing(run):
    small = torch.full((300,), 100, dtype=torch.int8)  # sums pass int8's 127 at the second element
    halves = torch.ones(3000, dtype=torch.float16)  # float16 stops counting ones at 2048
    wide, single = run(lambda a, b: (torch.cumsum(a, 0, dtype=torch.int64), torch.cumsum(b, 0, dtype=torch.float32)),
                       small, halves)
    assert_exact(wide, torch.arange(1, 301) * 100, "cumsum of 300 int8 hundreds, dtype=torch.int64")
    assert_exact(single, torch.arange(1, 3001, dtype=torch.float32), "cumsum of 3000 float16 ones, dtype=torch.float32")


@spec("torch.cumsum", DTYPE_DEFAULT, needs_values=False)
def test_cumsum_result_dtype(run, observe):
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    outs = run(lambda x, i: (torch.cumsum(x, 1, dtype=torch.float64), torch.cumsum(x.half(), 1),
                             torch.cumsum(x, 1), torch.cumsum(i, 0)), x, torch.tensor([1, 2, 3], dtype=torch.int8))
    expected = torch.tensor([[1.0, 3.0], [3.0, 7.0]])
    assert_exact(outs[0], expected.double(), "cumsum(x, 1, dtype=torch.float64) of float32")
    # Without dtype the docs name no result dtype: the values are checked, the dtypes recorded.
    assert_exact(outs[1].double(), expected.double(), "cumsum(x, 1) of float16 (no dtype)")
    assert_exact(outs[2].double(), expected.double(), "cumsum(x, 1) of float32 (no dtype)")
    for name, out in zip(("float16", "float32", "int8"), outs[1:]):
        observe(f"{name}_default_dtype", str(out.dtype))
