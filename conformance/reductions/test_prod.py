"""torch.prod: product of all elements, rows along dim, keepdim, dtype= casting before the
reduction, exact integer products."""

import pytest
import torch

from suite.expect import assert_close, assert_exact
from suite.spec import spec

ALL_ELEMENTS = "Returns the product of all elements in the :attr:`input` tensor."
ROWS = "Returns the product of each row of the :attr:`input` tensor in the given dimension :attr:`dim`."
FLOATS = [torch.float32, torch.float64, torch.float16, torch.bfloat16]

# Powers of two times at most 3**3: every partial product is exact even in bfloat16, in any order.
EXACT = torch.tensor([[2.0, -0.5, 1.5, 1.0],
                      [-2.0, 0.75, 4.0, -1.0],
                      [0.5, 3.0, -1.0, 2.0]])


@spec("torch.prod", ALL_ELEMENTS)
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_product_of_all_elements(run, dtype):
    x = EXACT.to(dtype)
    assert_close(run(torch.prod, x), x.double().prod(), dtype, f"prod({dtype} 3x4 x)")
    # Long enough for a chunked kernel; only +-1 besides one 1.5 and one 0.5, so partial
    # products over any grouping of the elements stay exact.
    long = torch.tensor([1.0, -1.0] * 512, dtype=dtype)
    long[[300, 700]] = torch.tensor([0.5, 1.5], dtype=dtype)
    assert_close(run(torch.prod, long), torch.tensor(0.75), dtype, f"prod({dtype} x of length 1024)")


@spec("torch.prod", ROWS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_product_of_each_row_along_dim(run, dtype):
    x = EXACT.to(dtype)
    assert_close(run(torch.prod, x, 1), x.double().prod(1), dtype, "prod(x, 1)")
    for dim in [0, -1]:
        assert_close(run(torch.prod, x, dim=dim), x.double().prod(dim), dtype, f"prod(x, dim={dim})")


@spec("torch.prod",
      "If :attr:`keepdim` is ``True``, the output tensor is of the same size as :attr:`input` "
      "except in the dimension :attr:`dim` where it is of size 1. Otherwise, :attr:`dim` is "
      "squeezed (see :func:`torch.squeeze`), resulting in the output tensor having 1 fewer "
      "dimension than :attr:`input`.", needs_values=False)
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_keepdim_shape(run, dim):
    x = EXACT.reshape(2, 3, 2)
    expected = x.double().prod(dim, keepdim=True)
    dropped = [s for i, s in enumerate(x.shape) if i != dim % 3]
    assert_close(run(torch.prod, x, dim, keepdim=True), expected, torch.float32,
                 f"prod(x, {dim}, keepdim=True)")
    assert_close(run(torch.prod, x, dim), expected.reshape(dropped), torch.float32, f"prod(x, {dim})")
    assert_close(run(torch.prod, x, dim=dim, keepdim=False), expected.reshape(dropped),
                 torch.float32, f"prod(x, dim={dim}, keepdim=False)")


@spec("torch.prod", "If specified, the input tensor is casted to :attr:`dtype` before the "
      "operation is performed.")
def test_dtype_casts_input_before_multiplying(run):
    # Truncating each element first gives 6 and [6, 0]; multiplying first gives 11 and [11, 7].
    x = torch.tensor([[1.5, 2.5, 3.0], [0.9, 4.0, 2.0]])
    assert_exact(run(torch.prod, x[0], dtype=torch.int64), torch.tensor(6),
                 "prod(x[0], dtype=torch.int64)")
    assert_exact(run(torch.prod, x, 1, dtype=torch.int64), torch.tensor([6, 0]),
                 "prod(x, 1, dtype=torch.int64)")
    assert_exact(run(torch.prod, x, 1, keepdim=True, dtype=torch.int64), torch.tensor([[6], [0]]),
                 "prod(x, 1, keepdim=True, dtype=torch.int64)")
    # A wider dtype holds a product that int8 cannot.
    z = torch.tensor([16, 16, -1], dtype=torch.int8)
    assert_exact(run(torch.prod, z, dtype=torch.int16), torch.tensor(-256, dtype=torch.int16),
                 "prod(int8 z, dtype=torch.int16)")
    assert_exact(run(torch.prod, z.reshape(1, 3), 1, dtype=torch.int16),
                 torch.tensor([-256], dtype=torch.int16), "prod(int8 z[None], 1, dtype=torch.int16)")


@spec("torch.prod", ALL_ELEMENTS)
def test_int64_product_is_exact(run):
    # 2**62 - 1 has no float64 representation: a product computed in floating point misses it.
    x = torch.tensor([2**31 + 1, 2**31 - 1])
    assert_exact(run(torch.prod, x), torch.tensor(2**62 - 1), "prod(int64 x)")
    rows = torch.tensor([[3, -4, 5], [7, 0, 9], [-1, -1, -1], [2**31 + 1, 1, 2**31 - 1]])
    assert_exact(run(torch.prod, rows, 1), torch.tensor([-60, 0, -1, 2**62 - 1]), "prod(int64 rows, 1)")


@spec("torch.prod", ROWS)
@pytest.mark.parametrize("dtype", [torch.int32, torch.int8, torch.uint8], ids=str)
def test_narrow_integer_product_values(run, observe, dtype):
    # The docs leave the result dtype of narrow integer inputs open: check the values, record the dtype.
    x = torch.tensor([[3, 5, 7], [2, 0, 9], [1, 1, 1]], dtype=dtype)
    out = run(torch.prod, x, 1)
    observe(f"prod({dtype} x, 1).dtype", str(out.dtype))
    assert_exact(out.to(torch.int64), torch.tensor([105, 0, 1]), f"prod({dtype} x, 1)")
