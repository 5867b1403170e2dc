"""torch.optim.lr_scheduler.OneCycleLR: max_lr/div_factor up to max_lr, then down to initial_lr/final_div_factor;
its defaults (pct_start 0.3, 'cos', div_factor 25, final_div_factor 1e4); momentum cycled inversely."""

import math

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import OneCycleLR

from conformance.training.shared import scheduled_sgd, sgd_positions
from suite.expect import assert_close
from suite.spec import spec

OP = "torch.optim.lr_scheduler.OneCycleLR"
POLICY = ("The 1cycle policy anneals the learning rate from an initial learning rate to some maximum learning rate "
          "and then from that maximum learning rate to some minimum learning rate much lower than the initial "
          "learning rate.")
PCT_START = ("pct_start (float): The percentage of the cycle (in number of steps) spent increasing the learning "
             "rate. Default: 0.3")
ANNEAL = ("anneal_strategy (str): {'cos', 'linear'} Specifies the annealing strategy: \"cos\" for cosine annealing, "
          "\"linear\" for linear annealing. Default: 'cos'")
DIV = "div_factor (float): Determines the initial learning rate via initial_lr = max_lr/div_factor Default: 25"
FINAL_DIV = ("final_div_factor (float): Determines the minimum learning rate via min_lr = initial_lr/final_div_factor "
             "Default: 1e4")
MOMENTUM = ("Note that momentum is cycled inversely to learning rate; at the peak of a cycle, momentum is "
            "'base_momentum' and learning rate is 'max_lr'.")
TOTAL, MAX_LR = 20, [1.0, 0.2]
DEFAULTS = {"pct_start": 0.3, "anneal_strategy": "cos", "div_factor": 25.0, "final_div_factor": 1e4}


def anneal(start, end, pct, strategy):
    if strategy == "cos":
        return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)
    return start + (end - start) * pct


def one_cycle(start, peak, end, pct_start, strategy):
    """Two phases: start -> peak over steps 0 .. pct_start * TOTAL - 1, then peak -> end by the last
    step, TOTAL - 1 (the step counts at which the implementation places the turns)."""
    turn = pct_start * TOTAL - 1
    return [anneal(start, peak, t / turn, strategy) if t <= turn
            else anneal(peak, end, (t - turn) / (TOTAL - 1 - turn), strategy) for t in range(TOTAL)]


def expected_lrs(pct_start, anneal_strategy, div_factor, final_div_factor):
    columns = [one_cycle(m / div_factor, m, m / div_factor / final_div_factor, pct_start, anneal_strategy)
               for m in MAX_LR]
    return np.array(columns).T


def case(left_out, claim):
    """Every documented default given explicitly but ``left_out``."""
    kwargs = {k: v for k, v in DEFAULTS.items() if k != left_out}
    return pytest.param(kwargs, DEFAULTS, id=f"default-{left_out}".replace("_", "-"), marks=spec(OP, claim))


@pytest.mark.parametrize("kwargs, reference", [
    pytest.param({"pct_start": 0.25, "anneal_strategy": "linear", "div_factor": 10.0, "final_div_factor": 100.0},
                 {"pct_start": 0.25, "anneal_strategy": "linear", "div_factor": 10.0, "final_div_factor": 100.0},
                 id="linear", marks=spec(OP, POLICY)),
    case("pct_start", PCT_START),
    case("anneal_strategy", ANNEAL),
    case("div_factor", DIV),
    case("final_div_factor", FINAL_DIV),
])
def test_one_cycle_lr_rises_to_max_lr_then_falls_below_the_initial_lr(run, kwargs, reference):
    make = lambda opt: OneCycleLR(opt, max_lr=MAX_LR, total_steps=TOTAL, cycle_momentum=False, **kwargs)  # noqa: E731
    lrs, _, after = scheduled_sgd(run, make, TOTAL)
    expected = expected_lrs(**reference)
    what = f"OneCycleLR(max_lr={MAX_LR}, total_steps={TOTAL}, {kwargs})"
    assert_close(lrs, expected, torch.float64, f"lr of each group at steps 0..{TOTAL - 1}, {what}")
    assert_close(after, sgd_positions(expected), torch.float64, f"parameters after SGD steps, {what}")


@spec(OP, MOMENTUM)
def test_one_cycle_lr_cycles_momentum_inversely(run):
    # Defaults: base_momentum 0.85, max_momentum 0.95, cycle_momentum True.
    lrs, momenta, after = scheduled_sgd(run, lambda opt: OneCycleLR(opt, max_lr=MAX_LR, total_steps=TOTAL),
                                        TOTAL, momentum=0.9)
    expected_momenta = np.array([one_cycle(0.95, 0.85, 0.95, 0.3, "cos")] * 2).T
    peak = int(0.3 * TOTAL) - 1
    assert_close(lrs[peak], torch.tensor(MAX_LR), torch.float64, f"lr at the peak, step {peak}")
    assert_close(momenta, expected_momenta, torch.float64, f"momentum of each group at steps 0..{TOTAL - 1}")
    assert_close(after, sgd_positions(expected_lrs(**DEFAULTS), expected_momenta), torch.float64,
                 "parameters after SGD steps with the cycled momentum")
