import math

import pytest
import torch

from suite.expect import assert_close, assert_exact, assert_raises


def test_exact_accepts_equal_values_and_nan():
    assert_exact(torch.tensor([1.0, math.nan]), torch.tensor([1.0, math.nan]))


@pytest.mark.parametrize("actual, expected, message", [
    (torch.tensor([1, 2]), torch.tensor([1, 3]), "got"),
    (torch.tensor([1, 2], dtype=torch.int32), torch.tensor([1, 2]), "dtype is torch.int32"),
    (torch.tensor([[1, 2]]), torch.tensor([1, 2]), "shape is"),
    (torch.tensor(True), torch.tensor(1, dtype=torch.uint8), "dtype is torch.bool"),
])
def test_exact_rejects_any_difference(actual, expected, message):
    with pytest.raises(AssertionError, match=message):
        assert_exact(actual, expected)


def test_exact_on_meta_compares_structure_only():
    assert_exact(torch.empty(2, device="meta", dtype=torch.int64), torch.tensor([5, 6]))
    with pytest.raises(AssertionError, match="dtype"):
        assert_exact(torch.empty(2, device="meta"), torch.tensor([5, 6]))


def test_close_uses_the_tolerance_of_the_result_dtype():
    ref = torch.tensor([1 / 3], dtype=torch.float64)
    assert_close(torch.tensor([1 / 3], dtype=torch.float16), ref, torch.float16)
    with pytest.raises(AssertionError, match="max abs error"):
        assert_close(torch.tensor([1 / 3], dtype=torch.float16).float(), ref, torch.float32)
    with pytest.raises(AssertionError, match="max abs error"):
        assert_close(torch.tensor([0.3334]), ref, torch.float32)


def test_close_checks_dtype():
    with pytest.raises(AssertionError, match="dtype is torch.float64"):
        assert_close(torch.tensor([1.0], dtype=torch.float64), [1.0], torch.float32)


def test_raises_reports_a_missing_error():
    assert_raises(RuntimeError, lambda: torch.mean(torch.tensor([1, 2])), "mean of int")
    with pytest.raises(AssertionError, match="no error was raised"):
        assert_raises(RuntimeError, lambda: torch.tensor(1.0), "nothing")


def test_close_compares_imaginary_parts_of_complex_results():
    ref = torch.tensor([1 + 2j], dtype=torch.complex128)
    assert_close(torch.tensor([1 + 2j], dtype=torch.complex64), ref, torch.complex64)
    with pytest.raises(AssertionError, match="max abs error"):
        assert_close(torch.tensor([1 - 2j], dtype=torch.complex64), ref, torch.complex64)


def test_assert_close_called_like_assert_exact_is_a_usage_error_not_a_failed_claim():
    from suite.expect import SpecUsageError

    with pytest.raises(SpecUsageError, match="dtype must be a torch.dtype, not 'sum of x'"):
        assert_close(torch.tensor(1.0), torch.tensor(1.0), "sum of x")
