"""torch.as_tensor: shares an ndarray's or tensor's memory where dtype and device allow, copies otherwise."""

import numpy as np
import torch

from conformance.creation.shared import placed_on
from suite.expect import assert_exact
from suite.spec import spec

NDARRAY = ("If :attr:`data` is a NumPy array (an ndarray) with the same dtype and device then a tensor is "
           "constructed using :func:`torch.from_numpy`.")
TENSOR = ("If :attr:`data` is already a tensor with the requested dtype and device then :attr:`data` itself is "
          "returned, but if :attr:`data` is a tensor with a different dtype or device then it's copied as if using "
          "`data.to(dtype=dtype, device=device)`.")
DTYPE = ("dtype (:class:`torch.dtype`, optional): the desired data type of returned tensor. Default: if ``None``, "
         "infers data type from :attr:`data`.")


@spec("torch.as_tensor", NDARRAY)
def test_as_tensor_of_an_ndarray_shares_its_memory_only_on_the_cpu_with_its_dtype(run):
    a, b = np.array([1, 2, 3]), np.array([0.5, 1.5], dtype=np.float32)

    def fn(like):
        outs = [torch.as_tensor(a, device=like.device), torch.as_tensor(b, dtype=torch.float64, device=like.device)]
        return outs, placed_on(outs, like)

    (t, u), placed = run(fn, torch.empty(0))
    assert_exact(placed, torch.ones(2, dtype=torch.bool), "as_tensor(ndarray, device=d) is on d")
    # An ndarray lives on the CPU: there, with its dtype, the tensor is a view of it; elsewhere a copy.
    shared = run.device.type == "cpu"
    a[0], t[1], b[0], u[1] = -1, 20, 9.0, -9.0
    assert_exact(t, torch.tensor([-1 if shared else 1, 20, 3]), "as_tensor(a) after a[0] = -1 and t[1] = 20")
    assert a.tolist() == [-1, 20 if shared else 2, 3], f"a after a[0] = -1 and t[1] = 20: {a.tolist()}"
    # A different dtype cannot share the array's memory.
    assert_exact(u, torch.tensor([0.5, -9.0], dtype=torch.float64),
                 "as_tensor(float32 b, dtype=float64) after b[0] = 9")
    assert b.tolist() == [9.0, 1.5], f"b after writing to as_tensor(b, dtype=float64): {b.tolist()}"


@spec("torch.as_tensor", TENSOR)
def test_as_tensor_of_a_tensor_returns_it_or_a_converted_copy(run):
    def fn(x):
        same = torch.as_tensor(x)
        explicit = torch.as_tensor(x, dtype=x.dtype, device=x.device)
        other = torch.as_tensor(x, dtype=torch.float64)
        same[0] = 100
        explicit[2] = 300
        other[1] = -100
        return x, same, explicit, other

    x, same, explicit, other = run(fn, torch.tensor([1, 2, 3]))
    assert_exact(x, torch.tensor([100, 2, 300]),
                 "x after writing through as_tensor(x) and as_tensor(x, x.dtype, x.device)")
    assert_exact(same, torch.tensor([100, 2, 300]), "as_tensor(x)")
    assert_exact(explicit, torch.tensor([100, 2, 300]), "as_tensor(x, dtype=x.dtype, device=x.device)")
    assert_exact(other, torch.tensor([1.0, -100.0, 3.0], dtype=torch.float64), "as_tensor(x, dtype=float64)")


@spec("torch.as_tensor", DTYPE, needs_values=False)
def test_as_tensor_infers_the_dtype_from_data(run):
    cases = [  # (data, dtype=, expected)
        (np.array([1.5, 2.0], dtype=np.float32), None, torch.tensor([1.5, 2.0])),
        (np.array([1, -2], dtype=np.int32), None, torch.tensor([1, -2], dtype=torch.int32)),
        (np.array([True, False]), None, torch.tensor([True, False])),
        ([1, 2], None, torch.tensor([1, 2])),
        ([1.5, 2], None, torch.tensor([1.5, 2.0])),
        (3, None, torch.tensor(3)),
        (np.array([1, 2]), torch.float16, torch.tensor([1.0, 2.0], dtype=torch.float16)),
    ]
    outs = run(lambda like: [torch.as_tensor(data, dtype=dtype, device=like.device) for data, dtype, _ in cases],
               torch.empty(0))
    for (data, dtype, expected), out in zip(cases, outs):
        assert_exact(out, expected, f"as_tensor({data!r}, dtype={dtype})")
