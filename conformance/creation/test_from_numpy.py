"""torch.from_numpy: a CPU tensor sharing the ndarray's memory, for the documented dtypes, not resizable."""

import numpy as np
import torch

from suite.expect import assert_exact, assert_raises
from suite.spec import spec

SHARED = ("The returned tensor and :attr:`ndarray` share the same memory. Modifications to the tensor will be "
          "reflected in the :attr:`ndarray` and vice versa.")
DTYPES = ("It currently accepts :attr:`ndarray` with dtypes of ``numpy.float64``, ``numpy.float32``, "
          "``numpy.float16``, ``numpy.complex64``, ``numpy.complex128``, ``numpy.int64``, ``numpy.int32``, "
          "``numpy.int16``, ``numpy.int8``, ``numpy.uint8``, and ``bool``.")
NOT_RESIZABLE = "The returned tensor is not resizable."

# from_numpy makes CPU tensors whatever the backend: these specs run it under the backend's
# context or compiler, and the result, already on the CPU, comes back as it is.
NO_INPUT = torch.empty(0)


@spec("torch.from_numpy", SHARED)
def test_from_numpy_shares_memory_both_ways(run):
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = run(lambda _: torch.from_numpy(a), NO_INPUT)
    a[0, 0] = -1.0
    t[1, 1] = 40.0
    assert_exact(t, torch.tensor([[-1.0, 2.0], [3.0, 40.0]], dtype=torch.float64), "from_numpy(a) after a[0, 0] = -1")
    assert a.tolist() == [[-1.0, 2.0], [3.0, 40.0]], f"a after from_numpy(a)[1, 1] = 40: {a.tolist()}"


@spec("torch.from_numpy", DTYPES, needs_values=False)
def test_from_numpy_accepts_the_documented_dtypes(run):
    pairs = [(np.float64, torch.float64), (np.float32, torch.float32), (np.float16, torch.float16),
             (np.complex64, torch.complex64), (np.complex128, torch.complex128), (np.int64, torch.int64),
             (np.int32, torch.int32), (np.int16, torch.int16), (np.int8, torch.int8), (np.uint8, torch.uint8),
             (np.bool_, torch.bool)]
    arrays = [np.array([0, 1, 1], dtype=np_dtype) for np_dtype, _ in pairs]
    outs = run(lambda _: [torch.from_numpy(a) for a in arrays], NO_INPUT)
    for (np_dtype, dtype), out in zip(pairs, outs):
        assert_exact(out, torch.tensor([0, 1, 1], dtype=dtype), f"from_numpy of a numpy.{np_dtype.__name__} array")


@spec("torch.from_numpy", NOT_RESIZABLE, needs_values=False)
def test_from_numpy_tensor_cannot_be_resized(run):
    a = np.arange(4.0)
    assert_raises(RuntimeError, lambda: run(lambda _: torch.from_numpy(a).resize_(10), NO_INPUT),
                  "from_numpy(arange(4.0)).resize_(10)",
                  control=lambda: run(lambda _: torch.from_numpy(a).resize_(4), NO_INPUT))
    assert a.tolist() == [0.0, 1.0, 2.0, 3.0], f"the array after a refused resize: {a.tolist()}"
