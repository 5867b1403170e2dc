"""torch.nn.NLLLoss: weighted loss and weighted mean, the all-ones default weight, ignore_index
(gradient, mean, default -100), output shapes."""

import torch
import torch.nn.functional as F

from conformance.losses.shared import randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.NLLLoss"
WEIGHTED_MEAN = "``'mean'``: the weighted mean of the output is taken,"
ALL_ONES = "If given, it has to be a Tensor of size `C`. Otherwise, it is treated as if having all ones."
IGNORED = ("Specifies a target value that is ignored and does not contribute to the input gradient. "
           "When :attr:`size_average` is ``True``, the loss is averaged over non-ignored targets.")
IGNORE_DEFAULT = ("When :attr:`size_average` is ``True``, the loss is averaged over non-ignored targets. "
                  "Default: -100")
SHAPES = (r"Output: If :attr:`reduction` is ``'none'``, shape :math:`(N)` or :math:`(N, d_1, d_2, ..., "
          r"d_K)` with :math:`K \geq 1` in the case of K-dimensional loss. Otherwise, scalar.")

NLL = torch.nn.NLLLoss
WEIGHT = torch.tensor([0.2, 1.0, 3.0, 0.5])


def log_probs(shape, seed):
    return torch.log_softmax(randn(shape, seed, 2.0), 1)


def losses_and_weights(x, target, weight=None, ignore_index=-100):
    """float64 l_n = -w_{y_n} x_{n,y_n} with w_c = weight[c] * 1{c != ignore_index}, and sum of w_{y_n}."""
    w = torch.ones(x.shape[1], dtype=torch.float64) if weight is None else weight.double()
    keep = target != ignore_index
    safe = target.where(keep, 0)
    weights = w[safe] * keep
    return -weights * x.double().gather(1, safe.unsqueeze(1)).squeeze(1), weights.sum()


@spec(OP, WEIGHTED_MEAN)
def test_weighted_loss_and_weighted_mean(run):
    x, target = log_probs((7, 4), 0), torch.tensor([2, 0, 2, 3, 1, 2, 0])

    def weighted_nll(x, target, weight):
        return (NLL(weight=weight)(x, target), NLL(weight=weight, reduction="mean")(x, target),
                NLL(weight=weight, reduction="sum")(x, target), NLL(weight=weight, reduction="none")(x, target),
                NLL(weight=weight, ignore_index=0)(x, target))

    default, mean, total, none, ignoring = run(weighted_nll, x, target, WEIGHT)
    losses, weights = losses_and_weights(x, target, WEIGHT)
    assert_close(none, losses, torch.float32, "NLLLoss(weight, reduction='none')")
    assert_close(total, losses.sum(), torch.float32, "NLLLoss(weight, reduction='sum')")
    assert_close(mean, losses.sum() / weights, torch.float32,
                 "NLLLoss(weight, reduction='mean'): sum over the sum of the target classes' weights")
    assert_exact(default, mean, "NLLLoss(weight) against reduction='mean'")
    kept, kept_weights = losses_and_weights(x, target, WEIGHT, ignore_index=0)
    assert_close(ignoring, kept.sum() / kept_weights, torch.float32, "NLLLoss(weight, ignore_index=0)")


@spec(OP, ALL_ONES)
def test_weight_defaults_to_all_ones(run):
    x, target = log_probs((5, 4), 1), torch.tensor([3, 3, 0, 1, 3])

    def default_and_ones(x, target, ones):
        return NLL()(x, target), NLL(weight=ones)(x, target), NLL(reduction="none")(x, target)

    default, ones, none = run(default_and_ones, x, target, torch.ones(4))
    losses, _ = losses_and_weights(x, target)
    assert_close(none, losses, torch.float32, "NLLLoss(reduction='none') without weight")
    assert_close(default, losses.mean(), torch.float32, "NLLLoss() without weight")
    assert_close(ones, losses.mean(), torch.float32, "NLLLoss(weight=ones(4))")


@spec(OP, IGNORED)
def test_ignored_targets_leave_the_gradient_and_the_mean(run):
    x = log_probs((6, 4), 2).requires_grad_()
    target = torch.tensor([1, 0, 1, 3, 2, 1])  # class 1 is ignored: half the rows

    def nll_ignoring_1(x, target, weight):
        return NLL(weight=weight, ignore_index=1)(x, target)

    loss, (grad,) = run.grad(nll_ignoring_1, x, target, WEIGHT)
    losses, weights = losses_and_weights(x.detach(), target, WEIGHT, ignore_index=1)
    assert_close(loss, losses.sum() / weights, torch.float32, "NLLLoss(weight, ignore_index=1)")
    keep = target != 1
    # d loss / d x_{n,c} = -w_{y_n} / (sum of kept w_{y_n}) where c = y_n is kept, else 0.
    expected = -F.one_hot(target, 4).double() * (WEIGHT.double()[target] * keep / weights)[:, None]
    assert_close(grad, expected, torch.float32, "gradient of NLLLoss(weight, ignore_index=1)")
    assert_exact(grad[~keep], torch.zeros(3, 4), "gradient of the ignored rows")


@spec("torch.nn.functional.nll_loss", IGNORE_DEFAULT)
def test_ignore_index_defaults_to_minus_100(run):
    x, target = log_probs((5, 3), 3), torch.tensor([-100, 2, 0, -100, 2])

    def default_and_explicit(x, target):
        return F.nll_loss(x, target), F.nll_loss(x, target, ignore_index=-100), NLL()(x, target)

    default, explicit, module = run(default_and_explicit, x, target)
    losses, count = losses_and_weights(x, target)
    assert_close(explicit, losses.sum() / count, torch.float32, "F.nll_loss(ignore_index=-100)")
    assert_exact(default, explicit, "F.nll_loss(x, target) against ignore_index=-100")
    assert_exact(module, explicit, "NLLLoss()(x, target) against ignore_index=-100")


@spec(OP, SHAPES, needs_values=False)
def test_output_shapes(run):
    x = log_probs((3, 4, 2, 5), 4)
    target = torch.randint(0, 4, (3, 2, 5), generator=torch.Generator().manual_seed(4))

    def shapes(x, target):
        none = NLL(reduction="none")
        return none(x[:, :, 0, 0], target[:, 0, 0]), none(x, target), NLL()(x, target)

    batched, k_dim, mean = run(shapes, x, target)
    losses, _ = losses_and_weights(x, target)
    assert_close(batched, losses[:, 0, 0], torch.float32, "NLLLoss(reduction='none') of (N, C)")
    assert_close(k_dim, losses, torch.float32, "NLLLoss(reduction='none') of (N, C, d1, d2)")
    assert_close(mean, losses.mean(), torch.float32, "NLLLoss() of (N, C, d1, d2)")
