"""torch.optim.lr_scheduler.StepLR: lr * gamma ** (epoch // step_size) for each group; gamma 0.1 by default."""

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import StepLR

from conformance.training.shared import LRS, scheduled_sgd, sgd_positions
from suite.expect import assert_close
from suite.spec import spec

OP = "torch.optim.lr_scheduler.StepLR"
DECAY = "Decays the learning rate of each parameter group by gamma every step_size epochs."
GAMMA = "gamma (float): Multiplicative factor of learning rate decay. Default: 0.1."
STEPS = 8


@pytest.mark.parametrize("kwargs, gamma", [
    pytest.param({"step_size": 3, "gamma": 0.5}, 0.5, id="gamma-0.5", marks=spec(OP, DECAY)),
    pytest.param({"step_size": 2}, 0.1, id="default-gamma", marks=spec(OP, GAMMA)),
])
def test_step_lr_decays_by_gamma_every_step_size_epochs(run, kwargs, gamma):
    lrs, _, after = scheduled_sgd(run, lambda opt: StepLR(opt, **kwargs), STEPS)
    epochs = np.arange(STEPS)[:, None]
    expected = np.array(LRS) * gamma ** (epochs // kwargs["step_size"])
    assert_close(lrs, expected, torch.float64, f"lr of each group at epochs 0..{STEPS - 1}, StepLR({kwargs})")
    assert_close(after, sgd_positions(expected), torch.float64, f"parameters after SGD steps under StepLR({kwargs})")
