"""torch.cdist: p-norm distances for p = 0, fractional, 1, 2, 3 and inf, batch shapes, and the three
compute modes (when the matrix-multiplication approach is used, and the direct path's exact zeros)."""

import math

import numpy as np
import torch

from suite.expect import assert_close, assert_exact
from suite.spec import spec

INF = math.inf
IF_NECESSARY = "use_mm_for_euclid_dist_if_necessary"
ALWAYS = "use_mm_for_euclid_dist"
NEVER = "donot_use_mm_for_euclid_dist"

PAIRS = ("Computes batched the p-norm distance between each pair of the two collections of row "
         "vectors.")
MINKOWSKI = ("This function is equivalent to `scipy.spatial.distance.cdist(input,'minkowski', p=p)` "
             r"if :math:`p \in (0, \infty)`.")
HAMMING = "When :math:`p = 0` it is equivalent to `scipy.spatial.distance.cdist(input, 'hamming') * M`."
CHEBYSHEV = (r"When :math:`p = \infty`, the closest scipy function is "
             "`scipy.spatial.distance.cdist(xn, lambda x, y: np.abs(x - y).max())`.")
BATCH = (r"If x1 has shape :math:`B \times P \times M` and x2 has shape :math:`B \times R \times M` "
         r"then the output will have shape :math:`B \times P \times R`.")
LEADING = (r"The shape can be :math:`D_1 \times D_2 \times \cdots \times D_n \times P \times M`, "
           r"where :math:`P` is the number of points and :math:`M` is the feature dimension.")
MODE_IF_NECESSARY = ("'use_mm_for_euclid_dist_if_necessary' - will use matrix multiplication approach "
                     "to calculate euclidean distance (p = 2) if P > 25 or R > 25")
MODE_ALWAYS = ("'use_mm_for_euclid_dist' - will always use matrix multiplication approach to "
               "calculate euclidean distance (p = 2)")
MODE_NEVER = ("'donot_use_mm_for_euclid_dist' - will never use matrix multiplication approach to "
              "calculate euclidean distance (p = 2)")
MODE_DEFAULT = "Default: use_mm_for_euclid_dist_if_necessary."

# The matrix-multiplication approach computes |x|^2 + |y|^2 - 2 x.y, which cancels: its error in a
# distance d is about eps * (|x|^2 + |y|^2) / d, far above a few ulps. Points near the origin and
# at least 0.5 apart keep it below 1e-4 in float32.
MM_TOLERANCE = {"rtol": 1e-4, "atol": 1e-4}


def randn(shape, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def far_from_origin(shape, seed):
    """Points 1000 from the origin, within a few units of each other: cancellation in the
    matrix-multiplication approach shows up as distances far from 0 between identical points."""
    return randn(shape, seed) + 1000


def small_integers(shape, seed):
    """Coordinates in -2..2: many coordinates shared between points, and ties."""
    return torch.randint(-2, 3, shape, generator=torch.Generator().manual_seed(seed)).float()


def minkowski(x1, x2, p):
    """float64 reference: distances between every row of x1 and every row of x2 (batch dims kept)."""
    d = np.abs(x1.double().numpy()[..., :, None, :] - x2.double().numpy()[..., None, :, :])
    if p == 0:
        r = (d != 0).sum(-1).astype(np.float64)  # scipy's hamming is the fraction; times M
    elif p == INF:
        r = d.max(-1)
    else:
        r = (d ** p).sum(-1) ** (1.0 / p)
    return torch.from_numpy(r)


def with_copies(x1, x2, rows):
    """x2 with its first rows replaced by the given rows of x1: identical points across the two."""
    x2 = x2.clone()
    x2[..., : len(rows), :] = x1[..., rows, :]
    return x2


FRACTIONAL_AND_INTEGER_P = (0.5, 1.0, 1.5, 2.0, 3.0)


@spec("torch.cdist", MINKOWSKI)
def test_minkowski_distance_for_p_between_0_and_inf(run):
    x1 = randn((4, 3), 0)
    x2 = with_copies(x1, randn((5, 3), 1), [2])
    out = run(lambda a, b: tuple(torch.cdist(a, b, p=p) for p in FRACTIONAL_AND_INTEGER_P), x1, x2)
    for p, got in zip(FRACTIONAL_AND_INTEGER_P, out):
        assert_close(got, minkowski(x1, x2, p), torch.float32, f"cdist(x1, x2, p={p}) of 4x3 and 5x3 points")


@spec("torch.cdist", PAIRS)
def test_every_pair_in_every_batch_and_mode_for_p_other_than_2(run):
    # The modes concern p = 2 only: every p-norm is still the distance whatever the mode.
    x1, x2 = randn((2, 3, 4), 2), randn((2, 6, 4), 3)
    cases = [(p, mode) for p in (1.0, 3.0, INF) for mode in (ALWAYS, NEVER)]
    out = run(lambda a, b: tuple(torch.cdist(a, b, p=p, compute_mode=m) for p, m in cases), x1, x2)
    for (p, mode), got in zip(cases, out):
        assert_close(got, minkowski(x1, x2, p), torch.float32,
                     f"cdist(x1, x2, p={p}, compute_mode={mode!r}) of 2x3x4 and 2x6x4 points")


@spec("torch.cdist", HAMMING)
def test_p_0_counts_differing_coordinates(run):
    x1 = small_integers((2, 5, 4), 4)
    x2 = with_copies(x1, small_integers((2, 6, 4), 5), [0, 3])
    expected = minkowski(x1, x2, 0)
    assert bool((expected == 0).any() and (expected == 4).any() and (expected == 1).any()), \
        "the input lacks a count of 0, 1 or 4"
    got = run(torch.cdist, x1, x2, p=0)
    assert_close(got, expected, torch.float32, "cdist(x1, x2, p=0) of 2x5x4 and 2x6x4 points")


@spec("torch.cdist", CHEBYSHEV)
def test_p_inf_is_the_largest_coordinate_difference(run):
    x1 = torch.cat([small_integers((3, 5), 6), randn((4, 5), 7)])  # ties among the differences
    x2 = with_copies(x1, torch.cat([small_integers((3, 5), 8), randn((2, 5), 9)]), [1, 5])
    got = run(torch.cdist, x1, x2, p=INF)
    assert_close(got, minkowski(x1, x2, INF), torch.float32, "cdist(x1, x2, p=inf) of 7x5 and 5x5 points")


@spec("torch.cdist", BATCH, needs_values=False)
def test_batched_output_shape(run):
    cases = [((3, 4, 2), (3, 5, 2)), ((2, 1, 3), (2, 6, 3)), ((4, 2, 1), (4, 1, 1))]
    inputs = [(randn(s1, 10 + i), randn(s2, 20 + i)) for i, (s1, s2) in enumerate(cases)]
    out = run(lambda *xs: tuple(torch.cdist(xs[i], xs[i + 1]) for i in range(0, len(xs), 2)),
              *[x for pair in inputs for x in pair])
    for (x1, x2), got in zip(inputs, out):
        assert_close(got, minkowski(x1, x2, 2), torch.float32,
                     f"cdist(x1, x2) of {tuple(x1.shape)} and {tuple(x2.shape)} points")


@spec("torch.cdist", LEADING, needs_values=False)
def test_any_number_of_leading_dims(run):
    cases = [((4, 3), (5, 3)), ((2, 3, 4, 2), (2, 3, 5, 2)), ((2, 1, 2, 3, 2), (2, 1, 2, 1, 2))]
    inputs = [(randn(s1, 30 + i), randn(s2, 40 + i)) for i, (s1, s2) in enumerate(cases)]
    out = run(lambda *xs: tuple(torch.cdist(xs[i], xs[i + 1], p=1) for i in range(0, len(xs), 2)),
              *[x for pair in inputs for x in pair])
    for (x1, x2), got in zip(inputs, out):
        assert_close(got, minkowski(x1, x2, 1), torch.float32,
                     f"cdist(x1, x2, p=1) of {tuple(x1.shape)} and {tuple(x2.shape)} points")


@spec("torch.cdist", MODE_NEVER)
def test_never_mm_gives_exact_zeros_for_identical_points(run):
    # Above the size threshold, far from the origin: only the direct approach gives exact zeros.
    x1 = far_from_origin((2, 30, 3), 50)
    x2 = with_copies(x1, far_from_origin((2, 27, 3), 51), [4, 0, 29])
    self_distances, cross = run(lambda a, b: (torch.cdist(a, a, compute_mode=NEVER),
                                              torch.cdist(a, b, compute_mode=NEVER)), x1, x2)
    what = f"cdist(x1, x1, compute_mode={NEVER!r}) of 2x30x3 points"
    assert_exact(self_distances.diagonal(dim1=1, dim2=2), torch.zeros(2, 30), f"{what}, diagonal")
    assert_close(self_distances, minkowski(x1, x1, 2), torch.float32, what)
    what = f"cdist(x1, x2, compute_mode={NEVER!r}) of 2x30x3 and 2x27x3 points"
    assert_exact(cross[:, [4, 0, 29], [0, 1, 2]], torch.zeros(2, 3), f"{what}, at the copied points")
    assert_close(cross, minkowski(x1, x2, 2), torch.float32, what)


@spec("torch.cdist", MODE_IF_NECESSARY)
def test_if_necessary_uses_the_direct_approach_up_to_25_points(run, observe):
    # P = R = 25, and P = 25 with R = 3: neither is above 25, so the direct approach gives exact
    # zeros; at 26 points the matrix-multiplication approach is used, and its zeros are not exact.
    x = far_from_origin((26, 3), 52)
    small, few, large = run(lambda a, b, c: (torch.cdist(a, a, compute_mode=IF_NECESSARY),
                                             torch.cdist(a, b, compute_mode=IF_NECESSARY),
                                             torch.cdist(c, c, compute_mode=IF_NECESSARY)),
                            x[:25], x[:3], x)
    what = f"cdist(x, x, compute_mode={IF_NECESSARY!r}) of 25 points"
    assert_exact(small.diagonal(), torch.zeros(25), f"{what}, diagonal")
    assert_close(small, minkowski(x[:25], x[:25], 2), torch.float32, what)
    what = f"cdist(x, x[:3], compute_mode={IF_NECESSARY!r}) of 25 and 3 points"
    assert_exact(few.diagonal(), torch.zeros(3), f"{what}, at the shared points")
    assert_close(few, minkowski(x[:25], x[:3], 2), torch.float32, what)
    assert_exact(torch.tensor(large.shape), torch.tensor([26, 26]), "shape of cdist(x, x) of 26 points")
    observe("largest_self_distance_26_points", large.diagonal().abs().max().item())


@spec("torch.cdist", MODE_ALWAYS)
def test_always_mm_still_gives_euclidean_distances(run, observe):
    # Well-separated points near the origin, below the size threshold: the distances hold to the
    # approach's tolerance. Far from the origin, identical points show the approach's cancellation.
    x1 = torch.tensor([[0.0, 0.0, 0.0], [1.0, 2.0, -1.0], [-1.5, 0.5, 0.25], [0.5, -1.0, 1.5]])
    x2 = torch.tensor([[2.0, 0.0, 1.0], [-0.5, -1.5, 0.0], [1.0, 1.0, 1.0]])
    far = far_from_origin((6, 3), 53)
    near, self_far = run(lambda a, b, c: (torch.cdist(a, b, compute_mode=ALWAYS),
                                          torch.cdist(c, c, compute_mode=ALWAYS)), x1, x2, far)
    assert bool((minkowski(x1, x2, 2) >= 0.5).all()), "input points are not 0.5 apart"
    assert_close(near, minkowski(x1, x2, 2), torch.float32, f"cdist(x1, x2, compute_mode={ALWAYS!r})",
                 **MM_TOLERANCE)
    assert_exact(torch.tensor(self_far.shape), torch.tensor([6, 6]), "shape of cdist(x, x) of 6 points")
    observe("largest_self_distance_6_points", self_far.diagonal().abs().max().item())


@spec("torch.cdist", MODE_DEFAULT)
def test_default_mode_is_use_mm_if_necessary(run):
    x = far_from_origin((26, 3), 54)
    out = run(lambda a, b: (torch.cdist(a, a), torch.cdist(a, a, compute_mode=IF_NECESSARY),
                            torch.cdist(b, b), torch.cdist(b, b, compute_mode=IF_NECESSARY)), x[:25], x)
    assert_exact(out[0], out[1], "cdist(x, x) against the documented default mode, 25 points")
    assert_exact(out[2], out[3], "cdist(x, x) against the documented default mode, 26 points")
    assert_exact(out[0].diagonal(), torch.zeros(25), "cdist(x, x) of 25 points, diagonal")
    assert_close(out[0], minkowski(x[:25], x[:25], 2), torch.float32, "cdist(x, x) of 25 points")
