"""torch.nn.TripletMarginLoss: max(d(a, p) - d(a, n) + margin, 0) with p-norm distances, the
defaults margin = 1 and p = 2, reductions, the distance swap."""

import torch

from conformance.losses.shared import randn
from suite.expect import assert_close, assert_exact
from suite.spec import spec

OP = "torch.nn.TripletMarginLoss"
TRIPLET = ("Creates a criterion that measures the triplet loss given an input tensors :math:`x1`, :math:`x2`, "
           ":math:`x3` and a margin with a value greater than :math:`0`.")
NORM = "p (int, optional): The norm degree for pairwise distance. Default: :math:`2`."
SWAP = ("swap (bool, optional): The distance swap is described in detail in the paper `Learning shallow "
        "convolutional feature descriptors with triplet losses` by V. Balntas, E. Riba et al. "
        "Default: ``False``.")

TRIPLET_LOSS = torch.nn.TripletMarginLoss


def triplets(seed):
    """Anchors, positives and negatives of shape 8x4, at distances of about 1 to 4; the last two
    negatives lie nearer their positive than their anchor."""
    a, p, n = randn((8, 4), seed), randn((8, 4), seed + 1), randn((8, 4), seed + 2)
    n[6:] = p[6:] + 0.1 * n[6:]
    return a, p, n


def distance(x, y, p):
    # The documented ε (1e-6, added for stability) moves these distances by less than float32's
    # tolerance, so the reference leaves it out.
    return (x.double() - y.double()).abs().pow(p).sum(-1).pow(1 / p)


def losses(a, p, n, margin=1.0, norm=2, swap=False):
    negative = distance(a, n, norm)
    if swap:
        negative = torch.minimum(negative, distance(p, n, norm))
    return (distance(a, p, norm) - negative + margin).clamp(min=0)


@spec(OP, TRIPLET)
def test_hinge_on_the_distance_difference(run):
    a, p, n = triplets(0)

    def triplet(a, p, n):
        return (TRIPLET_LOSS(reduction="none")(a, p, n), TRIPLET_LOSS(margin=1.0, reduction="none")(a, p, n),
                TRIPLET_LOSS(margin=0.25, reduction="none")(a, p, n), TRIPLET_LOSS(reduction="sum")(a, p, n),
                TRIPLET_LOSS(reduction="mean")(a, p, n), TRIPLET_LOSS()(a, p, n))

    default, one, quarter, total, mean, default_mean = run(triplet, a, p, n)
    expected = losses(a, p, n)
    assert_close(one, expected, torch.float32, "TripletMarginLoss(margin=1.0, reduction='none')")
    assert_exact(default, one, "TripletMarginLoss(reduction='none') against margin=1.0")
    assert_close(quarter, losses(a, p, n, 0.25), torch.float32,
                 "TripletMarginLoss(margin=0.25, reduction='none')")
    assert_close(total, expected.sum(), torch.float32, "TripletMarginLoss(reduction='sum')")
    assert_close(mean, expected.mean(), torch.float32, "TripletMarginLoss(reduction='mean')")
    assert_exact(default_mean, mean, "TripletMarginLoss() against reduction='mean'")


@spec(OP, NORM)
def test_norm_degree_defaults_to_two(run):
    a, p, n = triplets(3)

    def norms(a, p, n):
        return tuple(TRIPLET_LOSS(reduction="none", **kw)(a, p, n) for kw in ({}, {"p": 2}, {"p": 1}, {"p": 3}))

    default, two, one, three = run(norms, a, p, n)
    assert_close(two, losses(a, p, n, norm=2), torch.float32, "TripletMarginLoss(p=2, reduction='none')")
    assert_exact(default, two, "TripletMarginLoss(reduction='none') against p=2")
    assert_close(one, losses(a, p, n, norm=1), torch.float32, "TripletMarginLoss(p=1, reduction='none')")
    assert_close(three, losses(a, p, n, norm=3), torch.float32, "TripletMarginLoss(p=3, reduction='none')")


@spec(OP, SWAP)
def test_distance_swap(run):
    # The paper's swap: the negative distance is min(d(a, n), d(p, n)).
    a, p, n = triplets(6)

    def swaps(a, p, n):
        settings = ({}, {"swap": False}, {"swap": True})
        return tuple(TRIPLET_LOSS(reduction="none", **kw)(a, p, n) for kw in settings)

    default, plain, swapped = run(swaps, a, p, n)
    assert_close(plain, losses(a, p, n), torch.float32, "TripletMarginLoss(swap=False, reduction='none')")
    assert_exact(default, plain, "TripletMarginLoss(reduction='none') against swap=False")
    assert_close(swapped, losses(a, p, n, swap=True), torch.float32,
                 "TripletMarginLoss(swap=True, reduction='none')")
