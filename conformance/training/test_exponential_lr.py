"""torch.optim.lr_scheduler.ExponentialLR: lr * gamma ** epoch for each group."""

import numpy as np
import torch
from torch.optim.lr_scheduler import ExponentialLR

from conformance.training.shared import LRS, scheduled_sgd, sgd_positions
from suite.expect import assert_close
from suite.spec import spec

DECAY = "Decays the learning rate of each parameter group by gamma every epoch."
STEPS = 6


@spec("torch.optim.lr_scheduler.ExponentialLR", DECAY)
def test_exponential_lr_decays_by_gamma_every_epoch(run):
    lrs, _, after = scheduled_sgd(run, lambda opt: ExponentialLR(opt, gamma=0.8), STEPS)
    expected = np.array(LRS) * 0.8 ** np.arange(STEPS)[:, None]
    assert_close(lrs, expected, torch.float64, f"lr of each group at epochs 0..{STEPS - 1}, ExponentialLR(gamma=0.8)")
    assert_close(after, sgd_positions(expected), torch.float64, "parameters after SGD steps under ExponentialLR")
