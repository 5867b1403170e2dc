"""torch.optim.lr_scheduler.ReduceLROnPlateau: the documented patience walk-through, factor, mode 'max'."""

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import ReduceLROnPlateau

from conformance.training.shared import LRS, scheduled_sgd, sgd_positions
from suite.expect import assert_close
from suite.spec import spec

OP = "torch.optim.lr_scheduler.ReduceLROnPlateau"
WORSE = ("From the third epoch onwards, the learning rate continues to be reduced at the end of each epoch if the "
         "performance is worse than the baseline.")
SAME = "If the performance improves or remains the same, the learning rate is not adjusted."
FACTOR = "factor (float): Factor by which the learning rate will be reduced. new_lr = lr * factor. Default: 0.1."
MODE = ("mode (str): One of `min`, `max`. In `min` mode, lr will be reduced when the quantity monitored has stopped "
        "decreasing; in `max` mode it will be reduced when the quantity monitored has stopped increasing. "
        "Default: 'min'.")


def check(run, kwargs, metrics, scales):
    """``scales``: the factor applied to each group's initial lr at each epoch, as documented."""
    metrics = torch.tensor(metrics, dtype=torch.float64)  # computed on the device, as a validation loss would be
    lrs, _, after = scheduled_sgd(run, lambda opt: ReduceLROnPlateau(opt, **kwargs), len(scales), metrics=metrics)
    expected = np.array(scales)[:, None] * np.array(LRS)
    what = f"ReduceLROnPlateau({kwargs}) stepped with {metrics.tolist()}"
    assert_close(lrs, expected, torch.float64, f"lr of each group at each epoch, {what}")
    assert_close(after, sgd_positions(expected), torch.float64, f"parameters after SGD steps, {what}")


@spec(OP, WORSE)
def test_no_patience_reduces_after_each_worse_epoch(run):
    # patience = 0, as in the docs: a baseline, two worse epochs (each reduces), two improvements
    # (no change), a worse epoch (reduces). A reduction shows from the next epoch on.
    check(run, {"patience": 0}, [1.0, 2.0, 3.0, 0.5, 0.4, 0.6, 0.6],
          [1, 1, 0.1, 0.01, 0.01, 0.01, 0.001])


@spec(OP, SAME)
def test_no_patience_keeps_the_lr_when_the_metric_stays_the_same(run):
    check(run, {"patience": 0}, [1.0, 1.0, 1.0, 1.0], [1, 1, 1, 1])


@pytest.mark.parametrize("kwargs, metrics, scales", [
    # The fourth epoch without improvement (more than patience 2) reduces by the default factor.
    pytest.param({"patience": 2}, [1.0, 0.5, 0.7, 0.6, 0.9, 0.8, 0.8], [1, 1, 1, 1, 1, 0.1, 0.1],
                 id="default-factor", marks=spec(OP, FACTOR)),
    pytest.param({"mode": "max", "patience": 1, "factor": 0.5}, [1.0, 2.0, 1.5, 1.0, 3.0, 2.0, 2.5, 2.0],
                 [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25], id="max", marks=spec(OP, MODE)),
])
def test_reduces_by_factor_after_patience_epochs_without_improvement(run, kwargs, metrics, scales):
    check(run, kwargs, metrics, scales)
