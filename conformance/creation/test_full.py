"""torch.full: size filled with fill_value, the dtype inferred from fill_value."""

import torch

from suite.expect import assert_exact
from suite.spec import spec

FILLED = ("Creates a tensor of size :attr:`size` filled with :attr:`fill_value`. The tensor's dtype is inferred "
          "from :attr:`fill_value`.")


@spec("torch.full", FILLED, needs_values=False)
def test_full_fills_size_and_infers_dtype_from_fill_value(run):
    complex_default = torch.complex128 if torch.get_default_dtype() == torch.float64 else torch.complex64
    cases = [  # (size, fill_value, expected)
        ((2, 3), 3.141592, torch.tensor([[3.141592] * 3] * 2)),
        ((4,), 7, torch.tensor([7, 7, 7, 7])),
        ((1, 2), True, torch.tensor([[True, True]])),
        ((2,), 1 + 2j, torch.tensor([1 + 2j, 1 + 2j], dtype=complex_default)),
        ((0, 3), -1, torch.zeros(0, 3, dtype=torch.int64)),
        ((), 2.5, torch.tensor(2.5)),
    ]
    outs = run(lambda like: [torch.full(size, value, device=like.device) for size, value, _ in cases], torch.empty(0))
    for (size, value, expected), out in zip(cases, outs):
        assert_exact(out, expected, f"full({size}, {value!r})")
    out = run(lambda like: torch.full((2, 2), 7, dtype=torch.float64, device=like.device), torch.empty(0))
    assert_exact(out, torch.full((2, 2), 7.0, dtype=torch.float64), "full((2, 2), 7, dtype=float64)")
