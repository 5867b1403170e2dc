"""torch.optim.lr_scheduler.CosineAnnealingLR: the SGDR closed form with eta_min, without restarts past T_max."""

import math

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR

from conformance.training.shared import LRS, scheduled_sgd, sgd_positions
from suite.expect import assert_close
from suite.spec import spec

OP = "torch.optim.lr_scheduler.CosineAnnealingLR"
COSINE = "Set the learning rate of each parameter group using a cosine annealing schedule."
NO_RESTARTS = ("Although SGDR includes periodic restarts, this implementation performs cosine annealing "
               "**without restarts**, so :math:`T_{cur} = t` and increases monotonically with each call to "
               ":meth:`step`.")
ETA_MIN = "eta_min (float): Minimum learning rate. Default: 0."
T_MAX = 6


def closed_form(steps, eta_min):
    """eta_t = eta_min + (eta_max - eta_min) (1 + cos(t pi / T_max)) / 2 with T_cur = t."""
    t = np.arange(steps)[:, None]
    return eta_min + 0.5 * (np.array(LRS) - eta_min) * (1 + np.cos(t * math.pi / T_MAX))


@pytest.mark.parametrize("kwargs, steps", [
    pytest.param({"eta_min": 0.01}, T_MAX + 1, id="eta-min", marks=spec(OP, COSINE)),
    pytest.param({"eta_min": 0.01}, 2 * T_MAX + 2, id="past-t-max", marks=spec(OP, NO_RESTARTS)),
    pytest.param({}, T_MAX + 1, id="default-eta-min", marks=spec(OP, ETA_MIN)),
])
def test_cosine_annealing_lr_follows_the_closed_form(run, kwargs, steps):
    lrs, _, after = scheduled_sgd(run, lambda opt: CosineAnnealingLR(opt, T_max=T_MAX, **kwargs), steps)
    expected = closed_form(steps, kwargs.get("eta_min", 0.0))
    what = f"CosineAnnealingLR(T_max={T_MAX}, {kwargs}) over {steps} epochs"
    assert_close(lrs, expected, torch.float64, f"lr of each group, {what}")
    assert_close(after, sgd_positions(expected), torch.float64, f"parameters after SGD steps, {what}")
