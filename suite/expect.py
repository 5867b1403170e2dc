"""Comparisons for specs: exact where the docs are exact, dtype-aware tolerance for floats.

On ``meta`` only structure exists, so tensors from it are compared by dtype and shape;
specs that need values never reach these helpers there (they are skipped).
"""

from __future__ import annotations

import torch

# rtol, atol per result dtype: torch.testing's defaults, which bound a few ulps of error.
TOLERANCE = {
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
    torch.complex64: (1.3e-6, 1e-5),
    torch.complex128: (1e-7, 1e-7),
}


class SpecUsageError(TypeError):
    """A helper called the wrong way: a fault of the spec, not of the backend under test."""


def _structure(actual: torch.Tensor, dtype: torch.dtype, shape, what: str):
    assert isinstance(actual, torch.Tensor), f"{what}: expected a tensor, got {type(actual).__name__}"
    assert actual.dtype == dtype, f"{what}: dtype is {actual.dtype}, documented {dtype}"
    assert tuple(actual.shape) == tuple(shape), \
        f"{what}: shape is {tuple(actual.shape)}, documented {tuple(shape)}"


def assert_exact(actual, expected, what: str = "result"):
    """Same dtype, same shape, same values (NaN equals NaN). ``expected`` may be a list."""
    if not isinstance(expected, torch.Tensor):
        expected = torch.tensor(expected)
    _structure(actual, expected.dtype, expected.shape, what)
    if actual.device.type == "meta":
        return
    same = (actual == expected) | (_isnan(actual) & _isnan(expected))
    assert bool(same.all()), f"{what}: got {_show(actual)}, documented {_show(expected)}"


def assert_close(actual, reference, dtype: torch.dtype, what: str = "result", *,
                 rtol: float | None = None, atol: float | None = None):
    """``actual`` has ``dtype`` and matches ``reference`` (float64, or complex128 for complex
    results, computed outside the backend) to within the tolerance of ``dtype``."""
    if not isinstance(dtype, torch.dtype):
        raise SpecUsageError(f"assert_close(actual, reference, dtype, what): dtype must be a "
                             f"torch.dtype, not {dtype!r} (to compare exactly, use assert_exact)")
    wide = torch.complex128 if dtype.is_complex else torch.float64  # keeps imaginary parts
    reference = torch.as_tensor(reference).to(wide)
    _structure(actual, dtype, reference.shape, what)
    if actual.device.type == "meta":
        return
    default_rtol, default_atol = TOLERANCE.get(dtype, (0.0, 0.0))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    got = actual.detach().to(wide)
    both_nan = got.isnan() & reference.isnan()
    close = torch.isclose(got, reference, rtol=rtol, atol=atol) | both_nan
    if not bool(close.all()):
        worst = (got - reference).abs().nan_to_num(float("inf")).max().item()
        raise AssertionError(f"{what}: got {_show(actual)}, float64 reference {_show(reference)} "
                             f"(max abs error {worst:.3g}; {dtype} allows rtol={rtol:g}, atol={atol:g})")


def assert_raises(exc_types, call, what: str, *, control=None):
    """``call()`` raises one of ``exc_types``; message names the documented error.

    ``control``, when given, is the same operation with valid arguments, called first: it must
    return, so that the error comes from the operation's check and not from a backend that
    refuses everything (a case with no call that returned is an error of the backend)."""
    if control is not None:
        control()
    try:
        result = call()
    except exc_types:
        return
    raise AssertionError(f"{what}: no error was raised; returned {_show(result)}")


def _isnan(t: torch.Tensor) -> torch.Tensor:
    return t.isnan() if (t.is_floating_point() or t.is_complex()) else torch.zeros_like(t, dtype=torch.bool)


def _show(x) -> str:
    if isinstance(x, torch.Tensor):
        if x.numel() <= 24 and x.device.type != "meta":
            body = str(x.detach().cpu().tolist())
        else:
            body = "..."
        return f"tensor({body}, shape={tuple(x.shape)}, dtype={x.dtype})"
    if isinstance(x, (tuple, list)):
        return "(" + ", ".join(_show(v) for v in x) + ")"
    return repr(x)
