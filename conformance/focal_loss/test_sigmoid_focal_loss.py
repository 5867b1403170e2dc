"""Sigmoid focal loss: every implementation in suite.focal_loss against the float64 reference.

One call covers every setting, each on its own slice of the logits, so one backward gives
every setting's gradient and a compiled backend compiles once. The settings cover each γ in
{0, 0.5, 1, 2, 5}, each α in {0.25, −1} and each reduction, and α = −1 beside γ below, at
and above 1. `compiled` (torch.compile of vectorized, one compilation per setting and
dtype) is checked at the defaults only. What an implementation gets wrong by design (the textbook
formula's NaN at saturation, the seeds' modulating factor on soft targets) is listed in
known_divergences.toml, with the reason; it shows in the report as a known divergence.
"""

import pytest
import torch

from suite import focal_loss
from suite.focal_loss.adapters import one_hot_rows
from suite.expect import assert_close
from suite.spec import spec

OP = "suite.focal_loss.sigmoid_focal_loss"
PAPER = "https://arxiv.org/abs/1708.02002"
FORMULA = ("FL = α_t · (1 − p_t)^γ · CE(x, t), with p = σ(x), p_t = p·t + (1 − p)·(1 − t) and "
           "α_t = α·t + (1 − α)·(1 − t), where CE is the binary cross-entropy of the logit x "
           "against the target t.")
SHAPE_AND_DTYPE = ('Reduction "none" returns the loss of each element, with the shape and dtype '
                   'of `inputs`; "mean" and "sum" return a 0-dim tensor of that dtype, the mean '
                   'taken over elements.')
DEFAULTS = 'The defaults are α = 0.25, γ = 2 and reduction "none".'
FINITE = "whose gradient is finite for every γ ≥ 0 and every finite logit."

SETTINGS = [  # (γ, α, reduction)
    (0.0, 0.25, "none"), (0.5, 0.25, "none"), (1.0, -1.0, "none"), (2.0, 0.25, "none"),
    (5.0, -1.0, "none"), (2.0, 0.25, "mean"), (0.5, -1.0, "sum"), (2.0, -1.0, "mean"),
]
SHAPE = (4, 16)
DTYPES = [torch.float32, torch.float16, torch.bfloat16]
# A loss is many operations deep: half precision is allowed a few of its own roundings
# (eps 2^-10 for float16, 2^-7 for bfloat16) relative to the result, float32 a few dozen.
TOLERANCE = {torch.float32: (1e-5, 1e-6), torch.float16: (4e-3, 1e-4), torch.bfloat16: (3e-2, 1e-3)}


def implementations(every_setting=True):
    """Every implementation; with every_setting, not those checked at the defaults only
    (`compiled`: each setting is a compilation)."""
    return [pytest.param(name, id=name) for name in focal_loss.KNOWN
            if not (every_setting and name in focal_loss.DEFAULTS_ONLY)]


def skip_unless_runnable(name, run):
    reason = focal_loss.unsupported(name, run.device.type)
    if reason:
        pytest.skip(reason)


def logits_and_targets(kind: str, dtype):
    """One slice of logits per setting, and the targets they share."""
    g = torch.Generator().manual_seed({"random": 0, "soft": 1, "saturated": 2}[kind])
    count = len(SETTINGS)
    if kind == "saturated":
        # Confident and right, confident and wrong, at logits where σ rounds to 0 or 1.
        magnitude = torch.tensor([100.0, 30.0, 17.0, 10.0])[torch.randint(0, 4, (count, *SHAPE), generator=g)]
        sign = torch.randint(0, 2, (count, *SHAPE), generator=g) * 2 - 1
        logits = magnitude * sign
        labels = torch.randint(0, SHAPE[1] + 1, (SHAPE[0],), generator=g)
        targets = one_hot_rows(labels, SHAPE[1]).float()
    else:
        logits = torch.randn(count, *SHAPE, generator=g) * 3
        if kind == "soft":
            targets = torch.rand(SHAPE, generator=g)
        else:  # a detection head's: one class or none (background) per row
            labels = torch.randint(0, SHAPE[1] + 1, (SHAPE[0],), generator=g)
            targets = one_hot_rows(labels, SHAPE[1]).float()
    return logits.to(dtype), targets.to(dtype)


def every_setting(impl):
    # Each slice is cloned: a compiled kernel specialises on a storage offset of 0 or not,
    # and slices at offsets would compile every variant twice.
    def focal_loss_over_every_setting(logits, targets):
        return torch.cat([impl(logits[i].clone(), targets, alpha, gamma, reduction).reshape(-1)
                          for i, (gamma, alpha, reduction) in enumerate(SETTINGS)])
    focal_loss_over_every_setting.__qualname__ = f"{impl.__name__} over {len(SETTINGS)} settings"
    return focal_loss_over_every_setting


def per_setting(flat: torch.Tensor):
    """Split the concatenated outputs back into one tensor per setting."""
    sizes = [SHAPE[0] * SHAPE[1] if reduction == "none" else 1 for _, _, reduction in SETTINGS]
    return torch.split(flat, sizes)


@spec(OP, FORMULA, url=PAPER)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("kind", ["random", "soft", "saturated"])
@pytest.mark.parametrize("name", implementations())
def test_value_and_gradient_match_the_reference(run, name, kind, dtype):
    skip_unless_runnable(name, run)
    logits, targets = logits_and_targets(kind, dtype)
    # The oracle: float64 on the CPU, outside the backend, and its autograd gradient.
    leaf = logits.double().requires_grad_()
    want = every_setting(focal_loss.reference)(leaf, targets.double())
    weights = torch.rand(want.shape, generator=torch.Generator().manual_seed(3)) + 0.5
    (want_grad,) = torch.autograd.grad(want, leaf, weights.double())

    got, (got_grad,) = run.grad(every_setting(focal_loss.IMPLEMENTATIONS[name]),
                                logits.clone().requires_grad_(), targets, grad_output=weights)
    rtol, atol = TOLERANCE[dtype]
    out_dtype = torch.float64 if name == "reference" else dtype  # the oracle is float64 throughout
    broken = []
    for i, (value, reference) in enumerate(zip(per_setting(got), per_setting(want.detach()))):
        gamma, alpha, reduction = SETTINGS[i]
        where = f"{name}, γ={gamma:g}, α={alpha:g}, reduction={reduction!r}, {kind} inputs"
        for what, actual, expected in ((f"{where}: value", value, reference),
                                       (f"{where}: gradient", got_grad[i], want_grad[i])):
            try:
                assert_close(actual.to(out_dtype), expected, out_dtype, what,
                             rtol=rtol, atol=atol * max(1.0, float(expected.abs().max())))
            except AssertionError as error:
                broken.append(str(error))
    assert not broken, f"{len(broken)} of {2 * len(SETTINGS)} checks break:\n" + "\n".join(broken[:4])


@spec(OP, SHAPE_AND_DTYPE, url=PAPER, needs_values=False)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", [p for p in implementations() if p.values[0] != "reference"])
def test_shape_and_dtype_follow_the_inputs(run, name, dtype):
    skip_unless_runnable(name, run)
    logits, targets = torch.zeros(3, 5, dtype=dtype), torch.zeros(3, 5, dtype=dtype)
    impl = focal_loss.IMPLEMENTATIONS[name]
    expected = {"none": (3, 5), "mean": (), "sum": ()}

    def every_reduction(logits, targets):  # one call: a compiled backend compiles once
        return tuple(impl(logits, targets, reduction=reduction) for reduction in expected)

    for (reduction, shape), got in zip(expected.items(), run(every_reduction, logits, targets)):
        assert got.dtype == dtype and tuple(got.shape) == shape, (
            f"{name}(reduction={reduction!r}) on {dtype} inputs (3, 5): got {got.dtype} "
            f"{tuple(got.shape)}, the contract says {dtype} {shape}")


@spec(OP, DEFAULTS, url=PAPER)
@pytest.mark.parametrize("name", implementations(every_setting=False))
def test_defaults_are_alpha_quarter_gamma_two_no_reduction(run, name):
    skip_unless_runnable(name, run)
    logits, targets = logits_and_targets("random", torch.float32)
    logits = logits[0]
    got = run(focal_loss.IMPLEMENTATIONS[name], logits, targets)
    want = focal_loss.reference(logits, targets, 0.25, 2.0, "none")
    assert_close(got.double(), want, torch.float64, f"{name}(inputs, targets) with the defaults",
                 rtol=1e-5, atol=1e-6)


@spec(OP, FINITE, url=PAPER)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0], ids=lambda g: f"gamma={g:g}")
def test_fused_gradient_passes_gradcheck(run, gamma):
    g = torch.Generator().manual_seed(4)
    logits = (torch.randn(3, 4, generator=g, dtype=torch.float64) * 3).requires_grad_()
    targets = torch.rand(3, 4, generator=g, dtype=torch.float64)  # soft: both terms matter

    def every_reduction(x, t):  # one function: a compiled backend compiles once
        return torch.cat([focal_loss.fused(x, t, 0.25, gamma, reduction).reshape(-1)
                          for reduction in focal_loss.REDUCTIONS])

    run.gradcheck(every_reduction, logits, targets)


@spec(OP, FINITE, url=PAPER)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_fused_gradient_is_finite_at_any_logit(run, dtype):
    # Far beyond where σ saturates, for the γ where pow's derivative is 0 · ∞ at 1 − p_t = 0.
    big = min(1e4, torch.finfo(dtype).max / 4)
    # Two rows, as in the other specs: a compiled kernel is then reused, not compiled anew.
    row = torch.tensor([-big, -100.0, -30.0, 0.0, 30.0, 100.0, big], dtype=dtype)
    gammas = (0.0, 0.25, 0.5, 1.0, 2.0)
    logits = row.repeat(len(gammas), 2, 1)  # one slice per γ, one call: one compilation

    def every_gamma(logits, targets):
        return torch.stack([focal_loss.fused(logits[i].clone(), targets, gamma=gamma)
                            for i, gamma in enumerate(gammas)])

    for target in (0.0, 1.0, 0.3):
        targets = torch.full((2, len(row)), target, dtype=dtype)
        _, (grad,) = run.grad(every_gamma, logits.clone().requires_grad_(), targets)
        broken = [f"γ={gamma:g}: {grad[i, 0].tolist()}" for i, gamma in enumerate(gammas)
                  if not bool(torch.isfinite(grad[i]).all())]
        assert not broken, (f"fused, targets {target:g}, logits {row.tolist()}: gradients not "
                            "finite, " + "; ".join(broken))
