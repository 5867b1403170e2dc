"""torch.nn.CrossEntropyLoss: class-index loss and reductions, class weights and the weighted mean,
LogSoftmax + NLLLoss, ignore_index, label smoothing, probability targets, output shapes."""

import pytest
import torch
import torch.nn.functional as F

from conformance.losses.shared import DTYPES, rand, randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.CrossEntropyLoss"
LOGITS = "This criterion computes the cross entropy loss between input logits and target."
WEIGHTED_MEAN = "``'mean'``: the weighted mean of the output is taken,"
LOG_SOFTMAX_NLL = ("Note that this case is equivalent to applying :class:`~torch.nn.LogSoftmax` on an "
                   "input, followed by :class:`~torch.nn.NLLLoss`.")
IGNORED = ("Specifies a target value that is ignored and does not contribute to the input gradient. "
           "When :attr:`size_average` is ``True``, the loss is averaged over non-ignored targets.")
IGNORE_DEFAULT = ("Note that :attr:`ignore_index` is only applicable when the target contains class "
                  "indices. Default: -100")
SMOOTHING = ("Specifies the amount of smoothing when computing the loss, where 0.0 means no smoothing. "
             "The targets become a mixture of the original ground truth and a uniform distribution")
# The probability-target case's reduction, which divides by N whatever the weights.
PROBABILITIES_MEAN = (r"If :attr:`reduction` is not ``'none'`` (default ``'mean'``), then .. math:: "
                      r"\ell(x, y) = \begin{cases} \frac{\sum_{n=1}^N l_n}{N}, &")
SHAPES = (r"Output: If reduction is 'none', shape :math:`()`, :math:`(N)` or :math:`(N, d_1, d_2, ..., "
          r"d_K)` with :math:`K \geq 1` in the case of K-dimensional loss, depending on the shape of "
          r"the input. Otherwise, scalar.")

CE = torch.nn.CrossEntropyLoss
WEIGHT = torch.tensor([0.2, 1.0, 3.0, 0.5, 2.0])


def log_softmax(x):
    """float64 log-probabilities along dim 1, by hand."""
    x = x.double()
    shifted = x - x.amax(1, keepdim=True)
    return shifted - shifted.exp().sum(1, keepdim=True).log()


def class_index_losses(x, target, weight=None, ignore_index=-100):
    """float64 l_n = -w_{y_n} log softmax(x_n)_{y_n} (0 where ignored), and sum of w_{y_n} kept."""
    logp = log_softmax(x)
    w = torch.ones(x.shape[1], dtype=torch.float64) if weight is None else weight.double()
    keep = target != ignore_index
    safe = target.where(keep, 0)
    weights = w[safe] * keep
    return -weights * logp.gather(1, safe.unsqueeze(1)).squeeze(1), weights.sum()


@spec(OP, LOGITS)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_class_index_loss_and_reductions(run, dtype):
    x = randn((6, 5), 0, 2.0, dtype)
    target = torch.tensor([0, 4, 2, 2, 1, 3])

    def cross_entropy_reductions(x, target):
        return (CE()(x, target), CE(reduction="mean")(x, target), CE(reduction="sum")(x, target),
                CE(reduction="none")(x, target), CE(reduction="none")(x[1], target[1]))

    default, mean, total, none, unbatched = run(cross_entropy_reductions, x, target)
    losses, _ = class_index_losses(x, target)
    assert_close(none, losses, dtype, "CrossEntropyLoss(reduction='none') of 6x5 logits")
    assert_close(total, losses.sum(), dtype, "CrossEntropyLoss(reduction='sum')")
    assert_close(mean, losses.mean(), dtype, "CrossEntropyLoss(reduction='mean')")
    assert_exact(default, mean, "CrossEntropyLoss() against reduction='mean'")
    assert_close(unbatched, losses[1], dtype, "CrossEntropyLoss(reduction='none') of unbatched (C) logits")


@spec(OP, WEIGHTED_MEAN)
def test_weighted_mean_divides_by_the_targets_weights(run):
    x, target = randn((6, 5), 1, 2.0), torch.tensor([2, 2, 0, 4, 1, 2])

    def weighted_cross_entropy(x, target, weight):
        return (CE(weight=weight)(x, target), CE(weight=weight, reduction="sum")(x, target),
                CE(weight=weight, reduction="none")(x, target))

    mean, total, none = run(weighted_cross_entropy, x, target, WEIGHT)
    losses, weights = class_index_losses(x, target, WEIGHT)
    assert_close(none, losses, torch.float32, "CrossEntropyLoss(weight, reduction='none')")
    assert_close(total, losses.sum(), torch.float32, "CrossEntropyLoss(weight, reduction='sum')")
    assert_close(mean, losses.sum() / weights, torch.float32,
                 "CrossEntropyLoss(weight): sum over the sum of the target classes' weights")


@spec(OP, LOG_SOFTMAX_NLL)
def test_equals_log_softmax_then_nll_loss(run):
    # K-dimensional (N, C, d1, d2), class weights, and an ignored class inside the class range.
    x = randn((2, 5, 3, 2), 2, 2.0)
    target = torch.randint(0, 5, (2, 3, 2), generator=torch.Generator().manual_seed(2))

    def both_ways(x, target, weight):
        ce = CE(weight=weight, ignore_index=1)
        nll = torch.nn.NLLLoss(weight=weight, ignore_index=1)
        log_probs = torch.nn.LogSoftmax(dim=1)(x)
        return ce(x, target), nll(log_probs, target), CE(weight=weight, reduction="none")(x, target)

    ce, nll, none = run(both_ways, x, target, WEIGHT)
    losses, weights = class_index_losses(x, target, WEIGHT, ignore_index=1)
    assert_close(ce, losses.sum() / weights, torch.float32, "CrossEntropyLoss(weight, ignore_index=1) of 2x5x3x2")
    assert_close(nll, losses.sum() / weights, torch.float32, "NLLLoss(LogSoftmax(dim=1)(x)) of 2x5x3x2")
    assert_close(none, class_index_losses(x, target, WEIGHT)[0], torch.float32,
                 "CrossEntropyLoss(weight, reduction='none') of 2x5x3x2")


@spec(OP, IGNORED)
def test_ignored_targets_leave_the_gradient_and_the_mean(run):
    x = randn((6, 4), 3, 2.0).requires_grad_()
    target = torch.tensor([2, 0, 2, 3, 1, 2])  # class 2 is ignored: half the rows
    weight = WEIGHT[:4]

    def cross_entropy_ignoring_2(x, target, weight):
        return CE(weight=weight, ignore_index=2)(x, target)

    loss, (grad,) = run.grad(cross_entropy_ignoring_2, x, target, weight)
    losses, weights = class_index_losses(x.detach(), target, weight, ignore_index=2)
    assert_close(loss, losses.sum() / weights, torch.float32, "CrossEntropyLoss(weight, ignore_index=2)")
    keep = target != 2
    # d loss / d x_n = w_{y_n} (softmax(x_n) - onehot(y_n)) / sum of kept w_{y_n}; 0 where ignored.
    onehot = F.one_hot(target, 4).double()
    expected = (log_softmax(x.detach()).exp() - onehot) * (weight.double()[target] * keep / weights)[:, None]
    assert_close(grad, expected, torch.float32, "gradient of CrossEntropyLoss(weight, ignore_index=2)")
    assert_exact(grad[~keep], torch.zeros(3, 4), "gradient of the ignored rows")


@spec("torch.nn.functional.cross_entropy", IGNORE_DEFAULT)
def test_ignore_index_defaults_to_minus_100(run):
    x, target = randn((5, 3), 4, 2.0), torch.tensor([1, -100, 0, -100, 2])

    def default_and_explicit(x, target):
        return F.cross_entropy(x, target), F.cross_entropy(x, target, ignore_index=-100), CE()(x, target)

    default, explicit, module = run(default_and_explicit, x, target)
    losses, count = class_index_losses(x, target)
    assert_close(explicit, losses.sum() / count, torch.float32, "F.cross_entropy(ignore_index=-100)")
    assert_exact(default, explicit, "F.cross_entropy(x, target) against ignore_index=-100")
    assert_exact(module, explicit, "CrossEntropyLoss()(x, target) against ignore_index=-100")


@spec(OP, SMOOTHING)
def test_label_smoothing_mixes_targets_with_the_uniform_distribution(run):
    x, target = randn((6, 5), 5, 2.0), torch.tensor([0, 4, 2, 2, 1, 3])
    probs = rand((6, 5), 5).softmax(1)

    def smoothed(x, target, probs):
        return (CE(label_smoothing=0.1)(x, target), CE(label_smoothing=0.1, reduction="none")(x, target),
                CE(label_smoothing=1.0)(x, target), CE(label_smoothing=0.25)(x, probs),
                CE()(x, target), CE(label_smoothing=0.0)(x, target))

    mean, none, uniform, soft, default, zero = run(smoothed, x, target, probs)
    logp = log_softmax(x)

    def expected(q):  # cross entropy against target distributions q, per row
        return -(q * logp).sum(1)

    onehot = F.one_hot(target, 5).double()
    per_row = expected(0.9 * onehot + 0.1 / 5)
    assert_close(none, per_row, torch.float32, "CrossEntropyLoss(label_smoothing=0.1, reduction='none')")
    assert_close(mean, per_row.mean(), torch.float32, "CrossEntropyLoss(label_smoothing=0.1)")
    assert_close(uniform, expected(torch.full_like(onehot, 0.2)).mean(), torch.float32,
                 "CrossEntropyLoss(label_smoothing=1.0)")
    assert_close(soft, expected(0.75 * probs.double() + 0.25 / 5).mean(), torch.float32,
                 "CrossEntropyLoss(label_smoothing=0.25) of probability targets")
    assert_close(zero, expected(onehot).mean(), torch.float32, "CrossEntropyLoss(label_smoothing=0.0)")
    assert_exact(default, zero, "CrossEntropyLoss() against label_smoothing=0.0")


@spec(OP, PROBABILITIES_MEAN)
def test_probability_targets_and_weights_average_over_the_batch(run):
    x, probs = randn((4, 5), 6, 2.0), rand((4, 5), 6).mul(3).softmax(1)

    def soft_targets(x, probs, weight):
        return (CE(weight=weight)(x, probs), CE(weight=weight, reduction="none")(x, probs),
                CE()(x, probs))

    weighted, none, plain = run(soft_targets, x, probs, WEIGHT)
    terms = -log_softmax(x) * probs.double()
    weighted_rows = (terms * WEIGHT.double()).sum(1)
    assert_close(none, weighted_rows, torch.float32, "CrossEntropyLoss(weight, reduction='none'), soft targets")
    # The mean over probability targets divides by N, not by a sum of weights.
    assert_close(weighted, weighted_rows.mean(), torch.float32, "CrossEntropyLoss(weight), soft targets")
    assert_close(plain, terms.sum(1).mean(), torch.float32, "CrossEntropyLoss(), soft targets")


@spec(OP, SHAPES, needs_values=False)
def test_output_shapes(run):
    x, target = randn((3, 4, 2, 5), 7), torch.randint(0, 4, (3, 2, 5), generator=torch.Generator().manual_seed(7))

    def shapes(x, target):
        none = CE(reduction="none")
        return (none(x[0, :, 0, 0], target[0, 0, 0]), none(x[:, :, 0, 0], target[:, 0, 0]), none(x, target),
                CE()(x, target))

    unbatched, batched, k_dim, mean = run(shapes, x, target)
    losses, _ = class_index_losses(x, target)
    assert_close(unbatched, losses[0, 0, 0], torch.float32, "CrossEntropyLoss(reduction='none') of (C)")
    assert_close(batched, losses[:, 0, 0], torch.float32, "CrossEntropyLoss(reduction='none') of (N, C)")
    assert_close(k_dim, losses, torch.float32, "CrossEntropyLoss(reduction='none') of (N, C, d1, d2)")
    assert_close(mean, losses.mean(), torch.float32, "CrossEntropyLoss() of (N, C, d1, d2)")
