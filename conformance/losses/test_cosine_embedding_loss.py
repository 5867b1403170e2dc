"""torch.nn.CosineEmbeddingLoss: 1 - cos for y = 1, max(0, cos - margin) for y = -1, the default
margin, reductions, output shapes."""

import torch

from conformance.losses.shared import randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.CosineEmbeddingLoss"
SIMILARITY = ("Use (:math:`y=1`) to maximize the cosine similarity of two inputs, and (:math:`y=-1`) "
              "otherwise.")
MARGIN = "If :attr:`margin` is missing, the default value is :math:`0`."
SHAPES = "Output: If :attr:`reduction` is ``'none'``, then :math:`(N)`, otherwise scalar."

COSINE = torch.nn.CosineEmbeddingLoss
Y = torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0, -1.0])


def cosine_pairs(seed):
    x1, x2 = randn((8, 5), seed), randn((8, 5), seed + 1)
    x2[4] = -0.5 * x1[4] + 0.01 * x2[4]  # cos near -1
    x2[6] = 2.0 * x1[6] + 0.01 * x2[6]  # cos near 1
    return x1, x2


def losses(x1, x2, y, margin):
    x1, x2 = x1.double(), x2.double()
    cos = (x1 * x2).sum(-1) / (x1.norm(dim=-1) * x2.norm(dim=-1))
    return torch.where(y > 0, 1 - cos, (cos - margin).clamp(min=0))


@spec(OP, SIMILARITY)
def test_one_minus_cosine_or_hinge_on_cosine(run):
    x1, x2 = cosine_pairs(0)

    def cosine_embedding(x1, x2, y):
        return (COSINE(margin=0.2, reduction="none")(x1, x2, y), COSINE(margin=0.2, reduction="sum")(x1, x2, y),
                COSINE(margin=0.2, reduction="mean")(x1, x2, y), COSINE(margin=0.2)(x1, x2, y),
                COSINE(margin=0.2, reduction="none")(x1[1], x2[1], Y[1]))

    none, total, mean, default, unbatched = run(cosine_embedding, x1, x2, Y)
    expected = losses(x1, x2, Y, 0.2)
    assert_close(none, expected, torch.float32, "CosineEmbeddingLoss(margin=0.2, reduction='none')")
    assert_close(total, expected.sum(), torch.float32, "CosineEmbeddingLoss(margin=0.2, reduction='sum')")
    assert_close(mean, expected.mean(), torch.float32, "CosineEmbeddingLoss(margin=0.2, reduction='mean')")
    assert_exact(default, mean, "CosineEmbeddingLoss(margin=0.2) against reduction='mean'")
    assert_close(unbatched, expected[1], torch.float32, "CosineEmbeddingLoss(margin=0.2) of unbatched (D)")


@spec(OP, MARGIN)
def test_margin_defaults_to_zero(run):
    x1, x2 = cosine_pairs(2)

    def margins(x1, x2, y):
        return (COSINE(reduction="none")(x1, x2, y), COSINE(margin=0.0, reduction="none")(x1, x2, y),
                COSINE(margin=-0.5, reduction="none")(x1, x2, y))

    default, zero, negative = run(margins, x1, x2, Y)
    assert_close(zero, losses(x1, x2, Y, 0.0), torch.float32, "CosineEmbeddingLoss(margin=0.0, reduction='none')")
    assert_exact(default, zero, "CosineEmbeddingLoss(reduction='none') against margin=0.0")
    assert_close(negative, losses(x1, x2, Y, -0.5), torch.float32,
                 "CosineEmbeddingLoss(margin=-0.5, reduction='none')")


@spec(OP, SHAPES, needs_values=False)
def test_output_shapes(run):
    x1, x2 = cosine_pairs(4)

    def shapes(x1, x2, y):
        return COSINE(reduction="none")(x1, x2, y), COSINE()(x1, x2, y), COSINE(reduction="sum")(x1, x2, y)

    none, mean, total = run(shapes, x1, x2, Y)
    expected = losses(x1, x2, Y, 0.0)
    assert_close(none, expected, torch.float32, "CosineEmbeddingLoss(reduction='none') of (8, 5)")
    assert_close(mean, expected.mean(), torch.float32, "CosineEmbeddingLoss() of (8, 5)")
    assert_close(total, expected.sum(), torch.float32, "CosineEmbeddingLoss(reduction='sum') of (8, 5)")
