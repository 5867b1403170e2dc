"""torch.nn.PoissonNLLLoss: the loss with log_input True and False, eps, the Stirling term of
full=True, reductions, and the defaults log_input=True, full=False, eps=1e-8."""

import math

import pytest
import torch

from conformance.losses.shared import rand, randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.PoissonNLLLoss"
LOG_INPUT = (r"if ``True`` the loss is computed as :math:`\exp(\text{input}) - \text{target}*\text{input}`, "
             r"if ``False`` the loss is :math:`\text{input} - \text{target}*\log(\text{input}+\text{eps})`.")
STIRLING = ("The approximation is used for target values more than 1. For targets less or equal to 1 "
            "zeros are added to the loss.")
F_OP = "torch.nn.functional.poisson_nll_loss"
LOG_INPUT_DEFAULT = (r"if ``False`` then loss is :math:`\text{input} - \text{target} * \log(\text{input}"
                     r"+\text{eps})`. Default: ``True``")
FULL_DEFAULT = ("full: Whether to compute full loss, i. e. to add the Stirling approximation term. "
                "Default: ``False``")
EPS_DEFAULT = (r"Small value to avoid evaluation of :math:`\log(0)` when :attr:`log_input`\ =\ ``False``. "
               r"Default: 1e-8")

POISSON = torch.nn.PoissonNLLLoss
TARGET = torch.tensor([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 7.0, 2.0])  # the last meets a rate of 0


def inputs():
    """(log rates, rates with a 0, targets)."""
    rates = rand((8,), 0, 0.2, 4.0)
    rates[7] = 0.0
    return randn((8,), 1), rates, TARGET


def poisson(x, t, log_input=True, full=False, eps=1e-8):
    x, t = x.double(), t.double()
    loss = x.exp() - t * x if log_input else x - t * (x + eps).log()
    if full:
        big = t > 1
        safe = t.where(big, 1.0)
        loss = loss + (safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()) * big
    return loss


@spec(OP, LOG_INPUT)
def test_loss_for_log_input_and_for_rates(run):
    log_rates, rates, t = inputs()

    def poisson_losses(log_rates, rates, t):
        return (POISSON(log_input=True, reduction="none")(log_rates, t),
                POISSON(log_input=False, reduction="none")(rates, t),
                POISSON(log_input=False, eps=0.25, reduction="none")(rates, t),
                POISSON(reduction="sum")(log_rates, t),
                POISSON(reduction="mean")(log_rates, t), POISSON()(log_rates, t))

    logged, plain, eps, total, mean, default = run(poisson_losses, log_rates, rates, t)
    expected = poisson(log_rates, t)
    assert_close(logged, expected, torch.float32, "PoissonNLLLoss(log_input=True, reduction='none')")
    assert_close(plain, poisson(rates, t, log_input=False), torch.float32,
                 "PoissonNLLLoss(log_input=False, reduction='none'), a rate of 0 among them")
    assert_close(eps, poisson(rates, t, log_input=False, eps=0.25), torch.float32,
                 "PoissonNLLLoss(log_input=False, eps=0.25, reduction='none')")
    assert_close(total, expected.sum(), torch.float32, "PoissonNLLLoss(reduction='sum')")
    assert_close(mean, expected.mean(), torch.float32, "PoissonNLLLoss(reduction='mean')")
    assert_exact(default, mean, "PoissonNLLLoss() against reduction='mean'")


@spec(OP, STIRLING)
def test_stirling_term_only_for_targets_above_one(run):
    log_rates, rates, t = inputs()

    def full_losses(log_rates, rates, t):
        return (POISSON(full=True, reduction="none")(log_rates, t),
                POISSON(log_input=False, full=True, reduction="none")(rates, t))

    logged, plain = run(full_losses, log_rates, rates, t)
    assert_close(logged, poisson(log_rates, t, full=True), torch.float32,
                 "PoissonNLLLoss(full=True, reduction='none') of targets 0 to 7")
    assert_close(plain, poisson(rates, t, log_input=False, full=True), torch.float32,
                 "PoissonNLLLoss(log_input=False, full=True, reduction='none') of targets 0 to 7")


DEFAULTS = [  # (keyword, documented default, the other keywords of both calls)
    pytest.param("log_input", True, {}, id="log_input", marks=spec(F_OP, LOG_INPUT_DEFAULT)),
    pytest.param("full", False, {}, id="full", marks=spec(F_OP, FULL_DEFAULT)),
    pytest.param("eps", 1e-8, {"log_input": False}, id="eps", marks=spec(F_OP, EPS_DEFAULT)),
]


@pytest.mark.parametrize("name, value, common", DEFAULTS)
def test_defaults(run, name, value, common):
    x = inputs()[1] if common.get("log_input") is False else inputs()[0]

    def default_and_explicit(x, t):
        return (torch.nn.functional.poisson_nll_loss(x, t, reduction="none", **common),
                torch.nn.functional.poisson_nll_loss(x, t, reduction="none", **common, **{name: value}),
                POISSON(reduction="none", **common)(x, TARGET))

    default, explicit, module = run(default_and_explicit, x, TARGET)
    assert_close(explicit, poisson(x, TARGET, **common, **{name: value}), torch.float32,
                 f"F.poisson_nll_loss({name}={value}, reduction='none')")
    assert_exact(default, explicit, f"F.poisson_nll_loss(reduction='none') against {name}={value}")
    assert_exact(module, explicit, f"PoissonNLLLoss(reduction='none') against {name}={value}")
