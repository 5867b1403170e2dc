"""torch.arange: end-exclusive values start, start + step, ..., their count, the dtype inferred from the arguments."""

import torch

from suite.expect import assert_exact
from suite.spec import spec

VALUES = (r"Returns a 1-D tensor of size :math:`\left\lceil \frac{\text{end} - \text{start}}{\text{step}} "
          r"\right\rceil` with values from the interval ``[start, end)`` taken with common difference "
          r":attr:`step` beginning from `start`.")
INFERRED = ("If any of `start`, `end`, or `stop` are floating-point, the `dtype` is inferred to be the default "
            "dtype, see :meth:`~torch.get_default_dtype`. Otherwise, the `dtype` is inferred to be `torch.int64`.")

# (args, expected values): the documented examples, an end hit exactly by a step (excluded),
# a negative step, a step that does not divide the range, an empty range.
CASES = [
    ((5,), [0, 1, 2, 3, 4]),
    ((1, 4), [1, 2, 3]),
    ((1, 2.5, 0.5), [1.0, 1.5, 2.0]),
    ((0, 12, 3), [0, 3, 6, 9]),
    ((0, 1, 0.25), [0.0, 0.25, 0.5, 0.75]),
    ((0, 10, 3), [0, 3, 6, 9]),
    ((5, 0, -2), [5, 3, 1]),
    ((-3, 3, 3), [-3, 0]),
    ((3, 3), []),
]


def arange_all(like):
    return [torch.arange(*args, device=like.device) for args, _ in CASES]


@spec("torch.arange", VALUES, needs_values=False)
def test_arange_values_are_end_exclusive_with_ceil_count(run):
    outs = run(arange_all, torch.empty(0))
    for (args, values), out in zip(CASES, outs):
        dtype = torch.get_default_dtype() if any(isinstance(a, float) for a in args) else torch.int64
        assert_exact(out, torch.tensor(values, dtype=dtype), f"arange{args}")


@spec("torch.arange", INFERRED, needs_values=False)
def test_arange_dtype_is_inferred_from_the_arguments(run):
    calls = {"arange(5)": (5,), "arange(5.0)": (5.0,), "arange(0, 5, 0.5)": (0, 5, 0.5), "arange(0.0, 4)": (0.0, 4),
             "arange(1, 4)": (1, 4), "arange(0, 6, 2)": (0, 6, 2)}
    got = run(lambda like: {name: torch.arange(*args, device=like.device).dtype for name, args in calls.items()},
              torch.empty(0))
    floating = torch.get_default_dtype()
    want = {"arange(5)": torch.int64, "arange(5.0)": floating, "arange(0, 5, 0.5)": floating,
            "arange(0.0, 4)": floating, "arange(1, 4)": torch.int64, "arange(0, 6, 2)": torch.int64}
    assert got == want, f"dtypes {got}, documented {want}"
