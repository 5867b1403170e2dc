"""torch.nn.KLDivLoss: input in log space, pointwise loss and reductions ('mean' over elements,
'batchmean' over the batch), log_target."""

import pytest
import torch

from conformance.losses.shared import randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.KLDivLoss"
LOG_SPACE = ("To avoid underflow issues when computing this quantity, this loss expects the argument "
             ":attr:`input` in the log-space.")
BATCHMEAN = "loss = loss_pointwise.sum() / input.size(0)"
LOG_TARGET = r"The argument :attr:`target` may also be provided in the log-space if :attr:`log_target`\ `= True`."

KL = torch.nn.KLDivLoss


def distributions(seed):
    """(log-probabilities, probabilities) of shape 2x3x4, distributions along the last dim."""
    return torch.log_softmax(randn((2, 3, 4), seed, 2.0), -1), torch.softmax(randn((2, 3, 4), seed + 1, 2.0), -1)


def pointwise(log_q, p):
    p = p.double()
    return p * (p.log() - log_q.double())


@spec(OP, LOG_SPACE)
# torch warns that 'mean' is not the KL divergence (use 'batchmean'): calling it is the point.
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss:UserWarning")
def test_pointwise_loss_of_log_space_input(run):
    log_q, p = distributions(0)

    def kl_reductions(log_q, p):
        return (KL(reduction="none")(log_q, p), KL(reduction="sum")(log_q, p), KL()(log_q, p),
                KL(reduction="mean")(log_q, p))

    none, total, default, mean = run(kl_reductions, log_q, p)
    losses = pointwise(log_q, p)
    assert_close(none, losses, torch.float32, "KLDivLoss(reduction='none') of 2x3x4")
    assert_close(total, losses.sum(), torch.float32, "KLDivLoss(reduction='sum')")
    assert_close(mean, losses.mean(), torch.float32, "KLDivLoss(reduction='mean'): the mean over 24 elements")
    assert_exact(default, mean, "KLDivLoss() against reduction='mean'")


@spec(OP, BATCHMEAN)
def test_batchmean_divides_the_sum_by_the_batch_size(run):
    log_q, p = distributions(2)

    def batchmean(log_q, p):
        return KL(reduction="batchmean")(log_q, p), KL(reduction="batchmean")(log_q[0], p[0])

    batch, rows = run(batchmean, log_q, p)
    losses = pointwise(log_q, p)
    assert_close(batch, losses.sum() / 2, torch.float32, "KLDivLoss(reduction='batchmean') of 2x3x4")
    assert_close(rows, losses[0].sum() / 3, torch.float32, "KLDivLoss(reduction='batchmean') of 3x4")


@spec(OP, LOG_TARGET)
def test_log_target(run):
    log_q, p = distributions(4)

    def log_targets(log_q, p, log_p):
        return (KL(reduction="none", log_target=True)(log_q, log_p),
                KL(reduction="none", log_target=False)(log_q, p),
                KL(reduction="none")(log_q, p), KL(reduction="sum", log_target=True)(log_q, log_p))

    logged, plain, default, total = run(log_targets, log_q, p, p.log())
    losses = pointwise(log_q, p)
    assert_close(logged, losses, torch.float32, "KLDivLoss(reduction='none', log_target=True) of log p")
    assert_close(total, losses.sum(), torch.float32, "KLDivLoss(reduction='sum', log_target=True) of log p")
    assert_close(plain, losses, torch.float32, "KLDivLoss(reduction='none', log_target=False) of p")
    assert_exact(default, plain, "KLDivLoss(reduction='none') against log_target=False")
