"""torch.nn.BCEWithLogitsLoss: sigmoid + binary cross entropy with broadcast weights and its
reductions, stability at large logits, pos_weight."""

import math

import torch

from conformance.losses.shared import rand, randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.BCEWithLogitsLoss"
COMBINES = "This loss combines a `Sigmoid` layer and the `BCELoss` in one single class."
STABLE = ("This version is more numerically stable than using a plain `Sigmoid` followed by a `BCELoss` "
          "as, by combining the operations into one layer, we take advantage of the log-sum-exp trick "
          "for numerical stability.")
POS_WEIGHT = "It's possible to trade off recall and precision by adding weights to positive examples."

LOSS = torch.nn.BCEWithLogitsLoss


def softplus(x):
    return torch.logaddexp(x, torch.zeros_like(x))


def bce_logits(x, y, w=1.0, p=1.0):
    """float64 l = -w [p y log σ(x) + (1 - y) log(1 - σ(x))], with log σ(x) = -softplus(-x)."""
    x, y = x.double(), y.double()
    return w * (p * y * softplus(-x) + (1 - y) * softplus(x))


# float32 only: in a half type torch rounds each term of the formula (the product (1 - y)·x
# first) before summing them, so a small loss loses most of its digits to cancellation.
@spec(OP, COMBINES)
def test_sigmoid_binary_cross_entropy_and_reductions(run):
    dtype = torch.float32
    x, y = randn((4, 3), 0, 3.0, dtype), rand((4, 3), 1, dtype=dtype)
    weight = torch.tensor([0.5, 2.0, 0.0], dtype=dtype)  # broadcast over the batch

    def with_logits(x, y, weight):
        return (LOSS(reduction="none")(x, y), LOSS(reduction="sum")(x, y), LOSS()(x, y),
                LOSS(reduction="mean")(x, y), LOSS(weight=weight, reduction="none")(x, y),
                LOSS(weight=weight)(x, y))

    none, total, default, mean, weighted, weighted_mean = run(with_logits, x, y, weight)
    losses, weighted_losses = bce_logits(x, y), bce_logits(x, y, weight.double())
    assert_close(none, losses, dtype, "BCEWithLogitsLoss(reduction='none') of 4x3 logits")
    assert_close(total, losses.sum(), dtype, "BCEWithLogitsLoss(reduction='sum')")
    assert_close(mean, losses.mean(), dtype, "BCEWithLogitsLoss(reduction='mean')")
    assert_exact(default, mean, "BCEWithLogitsLoss() against reduction='mean'")
    assert_close(weighted, weighted_losses, dtype, "BCEWithLogitsLoss(weight of size 3, reduction='none')")
    assert_close(weighted_mean, weighted_losses.mean(), dtype, "BCEWithLogitsLoss(weight of size 3)")


@spec(OP, STABLE)
def test_large_logits_give_exact_finite_losses(run):
    # Sigmoid rounds to 0 or 1 at these logits; the loss is still log(1 + exp(±x)), about |x|.
    x = torch.tensor([-200.0, 200.0, -30.0, 30.0, 90.0, -90.0, 1000.0, -1000.0])
    y = torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0, 0.5, 0.75, 0.0])

    def unreduced(x, y):
        return LOSS(reduction="none")(x, y)

    assert_close(run(unreduced, x, y), bce_logits(x, y), torch.float32,
                 "BCEWithLogitsLoss(reduction='none') at logits up to ±1000")


@spec(OP, POS_WEIGHT)
def test_pos_weight_scales_the_positive_term(run):
    x, y = randn((4, 4), 2, 2.0), rand((4, 4), 3)
    y[0] = torch.tensor([1.0, 0.0, 1.0, 1.0])
    pos_weight = torch.tensor([3.0, 0.5, 1.0, 2.0])  # one per class, broadcast over the batch
    weight = torch.tensor([[2.0], [1.0], [0.5], [1.0]])

    def positive_weighted(x, y, pos_weight, weight, example, ones):
        return (LOSS(pos_weight=pos_weight, reduction="none")(x, y), LOSS(pos_weight=pos_weight)(x, y),
                LOSS(weight=weight, pos_weight=pos_weight, reduction="sum")(x, y),
                LOSS(pos_weight=ones)(example, torch.ones_like(example)))

    none, mean, both, example = run(positive_weighted, x, y, pos_weight, weight, torch.full((10, 64), 1.5),
                                    torch.ones(64))
    losses = bce_logits(x, y, p=pos_weight.double())
    assert_close(none, losses, torch.float32, "BCEWithLogitsLoss(pos_weight, reduction='none')")
    assert_close(mean, losses.mean(), torch.float32, "BCEWithLogitsLoss(pos_weight)")
    assert_close(both, bce_logits(x, y, weight.double(), pos_weight.double()).sum(), torch.float32,
                 "BCEWithLogitsLoss(weight, pos_weight, reduction='sum')")
    assert_close(example, torch.tensor(-math.log(1 / (1 + math.exp(-1.5)))), torch.float32,
                 "the documented example: -log(sigmoid(1.5))")
