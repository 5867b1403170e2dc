"""suite.focal_loss itself: the oracle's values, fused's guards and memory, the mmcv adapter's
conventions, and a registry that agrees with known_divergences.toml."""

import math

import pytest
import torch
import torch.nn.functional as F

from suite import divergences, focal_loss
from suite.focal_loss import adapters

LOG2 = math.log(2)


def contract(x: float, t: float, alpha=0.25, gamma=2.0) -> float:
    """FL = α_t (1 − p_t)^γ CE, term by term in float64 with the math module."""
    p = 1 / (1 + math.exp(-x))
    p_t = p * t + (1 - p) * (1 - t)
    alpha_t = alpha * t + (1 - alpha) * (1 - t) if alpha >= 0 else 1.0
    ce = -(t * math.log(p) + (1 - t) * math.log(1 - p))
    return alpha_t * (1 - p_t) ** gamma * ce


def reference_at(x: float, t: float, **kwargs) -> float:
    x, t = torch.tensor([x], dtype=torch.float64), torch.tensor([t], dtype=torch.float64)
    return focal_loss.reference(x, t, **kwargs).item()


# reference


@pytest.mark.parametrize("x, t, kwargs, want", [
    (0.0, 1.0, {}, 0.25 * 0.25 * LOG2),                     # p_t = 1/2, α_t = α
    (0.0, 0.0, {}, 0.75 * 0.25 * LOG2),                     # α_t = 1 − α for a negative
    (0.0, 1.0, {"alpha": -1.0}, 0.25 * LOG2),               # α < 0: α_t = 1
    (0.0, 0.0, {"gamma": 0.0}, 0.75 * LOG2),                # γ = 0: α_t · CE
    (1.0, 0.3, {}, contract(1.0, 0.3)),                     # a soft target
    (1.0, 0.3, {"alpha": 0.6, "gamma": 0.5}, contract(1.0, 0.3, alpha=0.6, gamma=0.5)),
], ids=["positive", "negative", "no-alpha", "gamma-0", "soft", "soft-alpha-gamma"])
def test_reference_matches_hand_computed_values(x, t, kwargs, want):
    assert reference_at(x, t, **kwargs) == pytest.approx(want, rel=1e-12)


def test_reference_mean_is_over_elements_and_sum_is_the_sum():
    # One positive and five negatives at x = 0: (0.0625 + 5 · 0.1875) · log 2 = log 2.
    logits, targets = torch.zeros(2, 3), torch.zeros(2, 3)
    targets[0, 0] = 1
    assert focal_loss.reference(logits, targets, reduction="sum").item() == pytest.approx(LOG2, rel=1e-12)
    assert focal_loss.reference(logits, targets, reduction="mean").item() == pytest.approx(LOG2 / 6, rel=1e-12)
    assert focal_loss.reference(logits, targets, reduction="none").shape == (2, 3)


def test_reference_returns_float64_for_float32_inputs():
    logits = torch.zeros(2, 3, dtype=torch.float32)
    for reduction in focal_loss.REDUCTIONS:
        assert focal_loss.reference(logits, logits, reduction=reduction).dtype == torch.float64


def test_reference_keeps_its_digits_where_sigmoid_saturates():
    e = math.exp(-100)
    # x = 100, t = 1: 1 − p_t = σ(−100) = e/(1 + e), CE = softplus(−100) = log1p(e): FL ≈ 0.25 e^−300.
    right = 0.25 * (e / (1 + e)) ** 2 * math.log1p(e)
    # x = −100, t = 1: 1 − p_t = σ(100) = 1/(1 + e), CE = 100 + log1p(e): FL ≈ 25.
    wrong = 0.25 * (1 / (1 + e)) ** 2 * (100 + math.log1p(e))
    got_right, got_wrong = reference_at(100.0, 1.0), reference_at(-100.0, 1.0)
    assert 0 < got_right < math.inf and got_right == pytest.approx(right, rel=1e-9)
    assert got_wrong == pytest.approx(wrong, rel=1e-9)


def test_reference_gradient_is_finite_at_saturation_for_gamma_below_one():
    logits = torch.tensor([100.0, -100.0, 100.0, -100.0], dtype=torch.float64, requires_grad=True)
    targets = torch.tensor([1.0, 1.0, 0.0, 0.0], dtype=torch.float64)
    (grad,) = torch.autograd.grad(focal_loss.reference(logits, targets, gamma=0.5, reduction="sum"),
                                  logits)
    assert bool(torch.isfinite(grad).all()), grad.tolist()


# the mmcv adapter


def mmcv_stand_in(input, target, gamma=2.0, alpha=0.25, weight=None, reduction="mean"):
    """mmcv.ops.sigmoid_focal_loss's documented conventions in plain torch: logits (N, C),
    target class indices (N,) with C meaning background, α to positives and 1 − α to
    negatives whatever its sign, 'mean' the sum over N rows."""
    assert input.dim() == 2 and target.dtype == torch.long and target.shape == input.shape[:1]
    positive = target[:, None] == torch.arange(input.shape[1])  # target C: a row of negatives
    p = torch.sigmoid(input)
    term_p = -alpha * (1 - p) ** gamma * F.logsigmoid(input)
    term_n = -(1 - alpha) * p ** gamma * F.logsigmoid(-input)
    loss = torch.where(positive, term_p, term_n)
    if weight is not None:
        loss = loss * weight[target][:, None]
    if reduction == "mean":
        return loss.sum() / input.shape[0]
    return loss.sum() if reduction == "sum" else loss


def detection_targets(shape, classes):
    """One-hot rows, one class or none (background) per row, as a detection head's."""
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, classes + 1, shape[:-1], generator=g)
    labels.view(-1)[:2] = torch.tensor([classes, 1])  # at least one background row, one positive
    return adapters.one_hot_rows(labels, classes).double()


@pytest.mark.parametrize("alpha, gamma", [(0.25, 2.0), (-1.0, 0.5)], ids=["alpha", "no-alpha"])
@pytest.mark.parametrize("reduction", focal_loss.REDUCTIONS)
def test_mmcv_adapter_brings_mmcv_conventions_to_the_contract(reduction, alpha, gamma):
    # (2, 3, 4): mean over the 24 elements, not over mmcv's 6 rows.
    logits = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * 3
    targets = detection_targets((2, 3, 4), 4)
    got = adapters.from_mmcv(mmcv_stand_in)(logits, targets, alpha,
                                             gamma, reduction)
    want = focal_loss.reference(logits, targets, alpha, gamma, reduction)
    assert type(got) is torch.Tensor and got.shape == want.shape
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-15)


def test_mmcv_adapter_takes_integer_targets_as_class_indices():
    logits = torch.randn(5, 4, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    targets = detection_targets((5, 4), 4)
    adapted = adapters.from_mmcv(mmcv_stand_in)
    torch.testing.assert_close(adapted(logits, adapters.class_indices(targets)),
                               adapted(logits, targets), rtol=0, atol=0)


def test_class_indices_gives_the_positive_column_or_c_for_background():
    targets = torch.tensor([[0.0, 1, 0], [0, 0, 0], [1, 0, 0], [0, 0, 1]])
    assert adapters.class_indices(targets).tolist() == [1, 3, 0, 2]
    assert adapters.class_indices(targets.reshape(2, 2, 3)).tolist() == [1, 3, 0, 2]


@pytest.mark.parametrize("row", [[0.0, 0.3, 0.0], [1.0, 1.0, 0.0]], ids=["soft", "two-positives"])
def test_class_indices_refuses_what_mmcv_cannot_express(row):
    with pytest.raises(ValueError, match="one class index per row"):
        adapters.class_indices(torch.tensor([[0.0, 1, 0], row]))


# fused

SHAPE = (4, 16)  # one float32 shape throughout: each new variant of fused costs a compilation


def fused_inputs():
    g = torch.Generator().manual_seed(5)
    return torch.randn(SHAPE, generator=g) * 3, torch.rand(SHAPE, generator=g)


def test_fused_refuses_targets_that_require_grad():
    logits, targets = fused_inputs()
    with pytest.raises(ValueError, match="targets"):
        focal_loss.fused(logits.requires_grad_(), targets.requires_grad_())


@pytest.mark.parametrize("call, message", [
    (lambda x, t: focal_loss.fused(x, t, reduction="batchmean"), "reduction must be"),
    (lambda x, t: focal_loss.fused(x, t[:, :8]), r"targets must have the shape of inputs, \(4, 16\)"),
    (lambda x, t: focal_loss.fused(x, t, gamma=-1.0), "gamma must be >= 0"),
], ids=["reduction", "shape", "gamma"])
def test_fused_refuses_bad_arguments_with_one_clear_error(call, message):
    logits, targets = fused_inputs()
    with pytest.raises(ValueError, match=message):
        call(logits, targets)


def saved_for_backward(fn):
    """fn's result, and the bytes and count of the tensors autograd saves for its backward."""
    packed = []

    def pack(tensor):
        packed.append(tensor.numel() * tensor.element_size())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        result = fn()
    return result, sum(packed), len(packed)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_fused_saves_no_more_for_backward_than_the_logits(reduction):
    logits, targets = fused_inputs()
    leaf = logits.clone().requires_grad_()
    with_grad, saved, count = saved_for_backward(lambda: focal_loss.fused(leaf, targets, reduction=reduction))
    assert 0 < saved <= logits.numel() * logits.element_size(), f"{count} tensors, {saved} bytes"

    without_grad, saved, count = saved_for_backward(lambda: focal_loss.fused(logits, targets, reduction=reduction))
    assert (saved, count) == (0, 0)
    torch.testing.assert_close(without_grad, with_grad.detach(), rtol=0, atol=0)


# the registry


def entries_naming(name):
    return [d.spec for d in divergences.load(divergences.DEFAULT_FILE)
            if f"[{name}-" in d.spec or f"[{name}]" in d.spec]


def test_known_lists_every_implementation_in_a_fixed_order():
    assert focal_loss.KNOWN == ("reference", "naive", "vectorized", "fused", "compiled",
                                "torchvision", "kornia", "mmcv")
    assert set(focal_loss.IMPLEMENTATIONS) | set(focal_loss.UNAVAILABLE) == set(focal_loss.KNOWN)
    assert not set(focal_loss.IMPLEMENTATIONS) & set(focal_loss.UNAVAILABLE)


@pytest.mark.parametrize("name", focal_loss.CONFORMING)
def test_a_conforming_implementation_has_no_known_divergence(name):
    assert name in focal_loss.KNOWN
    assert entries_naming(name) == []


# KNOWN, not only what imports here: the same check on every machine.
@pytest.mark.parametrize("name", [n for n in focal_loss.KNOWN if n not in focal_loss.CONFORMING])
def test_a_nonconforming_implementation_has_a_known_divergence_that_says_why(name):
    formula = focal_loss.DEFAULTS_ONLY.get(name, name)
    assert entries_naming(formula), (
        f"{name} is not in CONFORMING, and no known divergence of {formula} says why")


@pytest.mark.parametrize("name, formula", focal_loss.DEFAULTS_ONLY.items())
def test_an_implementation_checked_at_the_defaults_only_names_a_formula_with_divergences(name, formula):
    assert formula in focal_loss.KNOWN and formula not in focal_loss.DEFAULTS_ONLY
    assert name not in focal_loss.CONFORMING


def test_unsupported_gives_a_reason_for_mmcv_on_cpu_and_none_for_fused():
    assert focal_loss.unsupported("mmcv", "cpu") is not None
    assert ("does not import here" in focal_loss.unsupported("mmcv", "cpu")
            or "has no cpu kernel" in focal_loss.unsupported("mmcv", "cpu"))
    assert focal_loss.unsupported("fused", "cpu") is None


def test_fused_gives_the_same_gradient_on_a_second_backward_through_a_kept_graph():
    logits, targets = fused_inputs()
    logits.requires_grad_()
    loss = focal_loss.fused(logits, targets, reduction="mean")
    (first,) = torch.autograd.grad(loss, logits, retain_graph=True)
    (second,) = torch.autograd.grad(loss, logits)
    assert torch.equal(first, second)


def test_fused_mean_of_no_elements_is_nan_and_their_sum_zero_as_torch_says():
    empty = torch.zeros(0, 16)
    assert torch.isnan(focal_loss.fused(empty, empty, reduction="mean"))
    assert focal_loss.fused(empty, empty, reduction="sum").item() == 0.0
