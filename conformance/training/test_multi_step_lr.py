"""torch.optim.lr_scheduler.MultiStepLR: lr * gamma ** (milestones reached) for each group; gamma 0.1 by default."""

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import MultiStepLR

from conformance.training.shared import LRS, scheduled_sgd, sgd_positions
from suite.expect import assert_close
from suite.spec import spec

OP = "torch.optim.lr_scheduler.MultiStepLR"
DECAY = ("Decays the learning rate of each parameter group by gamma once the number of epoch reaches one of the "
         "milestones.")
GAMMA = "gamma (float): Multiplicative factor of learning rate decay. Default: 0.1."
STEPS = 8


@pytest.mark.parametrize("kwargs, gamma", [
    pytest.param({"milestones": [2, 5], "gamma": 0.5}, 0.5, id="gamma-0.5", marks=spec(OP, DECAY)),
    pytest.param({"milestones": [1, 6]}, 0.1, id="default-gamma", marks=spec(OP, GAMMA)),
])
def test_multi_step_lr_decays_by_gamma_at_each_milestone(run, kwargs, gamma):
    lrs, _, after = scheduled_sgd(run, lambda opt: MultiStepLR(opt, **kwargs), STEPS)
    reached = np.array([sum(epoch >= m for m in kwargs["milestones"]) for epoch in range(STEPS)])[:, None]
    expected = np.array(LRS) * gamma ** reached
    assert_close(lrs, expected, torch.float64, f"lr of each group at epochs 0..{STEPS - 1}, MultiStepLR({kwargs})")
    assert_close(after, sgd_positions(expected), torch.float64,
                 f"parameters after SGD steps under MultiStepLR({kwargs})")
