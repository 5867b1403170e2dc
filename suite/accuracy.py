"""How far a result is from its reference: in ULPs of the result's dtype, and relatively.

An ULP (unit in the last place) of dtype d at a value x is the spacing of d's numbers around
x: 2^(e − p) for |x| in [2^e, 2^(e+1)) and p mantissa bits, never less than the spacing of
d's subnormals. An error of k ULPs means k of d's representable steps, whatever the size of
x, so float16 on one device and float16 on another are comparable where both "work".

Both NaN, or the same infinity, is no error; a NaN or infinity where the reference has a
different value is an infinite one. Integer and bool results are compared exactly: their
error is the absolute difference.
"""

from __future__ import annotations

import math

import torch

# The comparison that decides "wrong", per result dtype: torch.testing.assert_close's own
# defaults (rtol, atol), which PyTorch's tests use for the same dtype.
TOLERANCE = {
    torch.float16: (1e-3, 1e-5), torch.bfloat16: (1.6e-2, 1e-5), torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7), torch.complex32: (1e-3, 1e-5), torch.complex64: (1.3e-6, 1e-5),
    torch.complex128: (1e-7, 1e-7),
}
EXACT = (0.0, 0.0)


def tolerance(dtype: torch.dtype) -> tuple[float, float]:
    return TOLERANCE.get(dtype, EXACT)


def real_view(t: torch.Tensor) -> torch.Tensor:
    """Complex as pairs of reals, in float64 (complex32 through complex64)."""
    if t.is_complex():
        return torch.view_as_real(_wide(t)).double()
    return t.double()


def _wide(t: torch.Tensor) -> torch.Tensor:
    """float64, or complex128 for complex: the precision every comparison is made in."""
    if t.is_complex():
        if t.dtype == torch.complex32:
            t = t.to(torch.complex64)
        return t.resolve_conj().to(torch.complex128)
    return t.double()


def _component(dtype: torch.dtype) -> torch.dtype:
    return {torch.complex32: torch.float16, torch.complex64: torch.float32,
            torch.complex128: torch.float64}.get(dtype, dtype)


def ulp(reference: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The spacing of ``dtype``'s numbers (of its components, for complex) at each |value| of
    ``reference`` (float64)."""
    info = torch.finfo(_component(dtype))
    bits = round(-math.log2(info.eps))  # mantissa bits: 23 for float32, 10 for float16
    _, exponent = torch.frexp(reference.abs())  # |x| = m · 2^exponent, m in [0.5, 1)
    spacing = torch.ldexp(torch.ones_like(reference), exponent - 1 - bits)
    smallest = info.tiny * info.eps  # the spacing of the subnormals, and so at zero
    return torch.where(reference == 0, smallest, spacing.clamp_min(smallest))


def _special(x: torch.Tensor) -> torch.Tensor:
    return x.isnan() if not x.is_complex() else (x.real.isnan() | x.imag.isnan())


def _difference(actual: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """|actual − reference| (complex: the modulus of the difference), float64, with the NaN and
    infinity rules of the module docstring."""
    diff = (actual - reference).abs().double()
    same = (_special(actual) & _special(reference)) | ((actual == reference) & ~_special(actual)
                                                      & ~(actual - actual == 0))  # same infinity
    diff = torch.where(same, torch.zeros_like(diff), diff)
    return torch.where(diff.isnan(), torch.full_like(diff, math.inf), diff)


def errors(actual: torch.Tensor, reference: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(error in ULPs of actual's dtype, relative error) per element, flattened, float64.
    ``reference`` may be of a wider dtype (the float64 reference); it is compared as it is.
    Integer and bool results: the error is the difference (at least 1 where the values differ,
    however large they are: float64 cannot tell 2^62 from 2^62 + 1)."""
    dtype = actual.dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        a, r = actual.flatten(), reference.to(dtype).flatten()
        differ = a != r
        diff = torch.where(differ, (a.double() - r.double()).abs().clamp_min(1), torch.zeros(a.shape, dtype=torch.float64))
        return diff, diff / r.double().abs().clamp_min(1)
    a, r = _wide(actual).flatten(), _rounded_range(_wide(reference).flatten(), dtype)
    diff = _difference(a, r)
    magnitude = r.abs().double()
    ulps = diff / ulp(magnitude.nan_to_num(0.0, 0.0, 0.0), dtype)
    relative = torch.where(diff == 0, torch.zeros_like(diff), diff / magnitude)
    return ulps, relative


def _rounded_range(reference: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The reference with values beyond ``dtype``'s largest finite number as the infinity they
    round to: float16's exp(12) is inf, exactly, and no error of the op."""
    if reference.is_complex():
        return torch.complex(_rounded_range(reference.real, dtype), _rounded_range(reference.imag, dtype))
    info = torch.finfo(_component(dtype))
    overflow = reference.abs() >= info.max * (1 + info.eps / 4)  # past half an ulp above max
    return torch.where(overflow, reference.sign() * math.inf, reference)


def within(actual: torch.Tensor, reference: torch.Tensor, same_dtype: torch.Tensor | None) -> torch.Tensor:
    """Per element: the CPU's own value in this dtype, or within
    atol + rtol·|reference| + 2·|same_dtype − reference| of the reference (complex: by the
    modulus, as torch.testing.assert_close). ``same_dtype`` is the op on the CPU in actual's
    dtype: a result may be as far from the exact value as the CPU's own, twice over, plus the
    dtype's tolerance (see suite.sweep); where the CPU's value is not finite it allows nothing
    more, but a backend that gives the same (float16's overflow to inf) agrees with it."""
    rtol, atol = tolerance(actual.dtype)
    a, r = _wide(actual).flatten(), _wide(reference).flatten()
    allowed = atol + rtol * r.abs().double().nan_to_num(0.0, 0.0, 0.0)
    ok = _difference(a, r) <= allowed
    if same_dtype is not None:
        cpu = _wide(same_dtype).flatten()
        finite = cpu.isfinite() if not cpu.is_complex() else (cpu.real.isfinite() & cpu.imag.isfinite())
        slack = torch.where(finite, 2 * _difference(cpu, r).nan_to_num(0.0, 0.0, 0.0), torch.zeros_like(allowed))
        ok = (_difference(a, r) <= allowed + slack) | (_difference(a, cpu) == 0)
    return ok


def summary(ulps: list[torch.Tensor], relative: list[torch.Tensor]) -> dict | None:
    """max, p99 and median error in ULPs and the largest relative error, over every element of
    every sample; None when there were no elements."""
    if not ulps:
        return None
    u, rel = torch.cat(ulps), torch.cat(relative)
    if u.numel() == 0:
        return None
    finite = u[u.isfinite()]
    rest = torch.sort(u.nan_to_num(nan=math.inf, posinf=math.inf)).values

    def quantile(q: float) -> float:  # torch.quantile has a size limit; the sorted list has none
        return float(rest[min(len(rest) - 1, int(q * (len(rest) - 1) + 0.5))])

    return {"max_ulp": _num(float(u.max())), "p99_ulp": _num(quantile(0.99)),
            "median_ulp": _num(quantile(0.5)), "max_rel": _num(float(rel.nan_to_num(nan=math.inf, posinf=math.inf).max())),
            "elements": int(u.numel()), "nonfinite_errors": int(u.numel() - finite.numel())}


def _num(x: float):
    """JSON has no infinity: an infinite error is written as the string "inf"."""
    return "inf" if math.isinf(x) else round(x, 4)
