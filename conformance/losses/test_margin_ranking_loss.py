"""torch.nn.MarginRankingLoss: max(0, -y (x1 - x2) + margin), the default margin, reductions, shapes."""

import torch

from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.MarginRankingLoss"
RANKED = ("If :math:`y = 1` then it is assumed the first input should be ranked higher (have a larger "
          "value) than the second input, and vice-versa for :math:`y = -1`.")
MARGIN = "margin (float, optional): Has a default value of :math:`0`."
SHAPES = ("Output: scalar. If :attr:`reduction` is ``'none'`` and Input size is not :math:`()`, "
          "then :math:`(N)`.")

RANKING = torch.nn.MarginRankingLoss
X1 = torch.tensor([2.0, 0.5, -1.0, 3.0, 1.25, -0.75, 0.0, 4.0])
X2 = torch.tensor([1.0, 1.5, -1.0, 3.5, 1.0, -2.0, 0.25, 3.75])
Y = torch.tensor([1.0, 1.0, -1.0, -1.0, 1.0, -1.0, -1.0, 1.0])


def losses(margin, x1=X1, x2=X2, y=Y):
    return (-y.double() * (x1.double() - x2.double()) + margin).clamp(min=0)


@spec(OP, RANKED)
def test_hinge_on_the_signed_difference(run):
    def ranking(x1, x2, y):
        return (RANKING(margin=0.5, reduction="none")(x1, x2, y), RANKING(margin=0.5, reduction="sum")(x1, x2, y),
                RANKING(margin=0.5, reduction="mean")(x1, x2, y), RANKING(margin=0.5)(x1, x2, y))

    none, total, mean, default = run(ranking, X1, X2, Y)
    expected = losses(0.5)
    assert_close(none, expected, torch.float32, "MarginRankingLoss(margin=0.5, reduction='none')")
    assert_close(total, expected.sum(), torch.float32, "MarginRankingLoss(margin=0.5, reduction='sum')")
    assert_close(mean, expected.mean(), torch.float32, "MarginRankingLoss(margin=0.5, reduction='mean')")
    assert_exact(default, mean, "MarginRankingLoss(margin=0.5) against reduction='mean'")


@spec(OP, MARGIN)
def test_margin_defaults_to_zero(run):
    def margins(x1, x2, y):
        return (RANKING(reduction="none")(x1, x2, y), RANKING(margin=0.0, reduction="none")(x1, x2, y),
                RANKING(margin=-0.5, reduction="none")(x1, x2, y))

    default, zero, negative = run(margins, X1, X2, Y)
    assert_close(zero, losses(0.0), torch.float32, "MarginRankingLoss(margin=0.0, reduction='none')")
    assert_exact(default, zero, "MarginRankingLoss(reduction='none') against margin=0.0")
    assert_close(negative, losses(-0.5), torch.float32, "MarginRankingLoss(margin=-0.5, reduction='none')")


@spec(OP, SHAPES, needs_values=False)
def test_output_shapes(run):
    def shapes(x1, x2, y):
        return (RANKING(reduction="none")(x1, x2, y), RANKING()(x1, x2, y),
                RANKING(reduction="none")(x1[0], x2[0], y[0]))

    none, mean, scalar = run(shapes, X1, X2, Y)
    assert_close(none, losses(0.0), torch.float32, "MarginRankingLoss(reduction='none') of (8)")
    assert_close(mean, losses(0.0).mean(), torch.float32, "MarginRankingLoss() of (8)")
    assert_close(scalar, losses(0.0)[0], torch.float32, "MarginRankingLoss(reduction='none') of ()")
