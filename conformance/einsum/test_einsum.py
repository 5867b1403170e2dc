"""torch.einsum: summing over subscripts left out of the output, the implicit output (once-appearing
subscripts in alphabetical order), explicit and transposed outputs, diagonals, broadcasting,
ellipsis (placement, broadcasting, summing), whitespace, scalars and the sublist format."""

import numpy as np
import torch

from suite.expect import assert_close, assert_raises
from suite.spec import spec

OP = "torch.einsum"
SUMS = ("The output is then computed by summing the product of the elements of the :attr:`operands` "
        "along the dimensions whose subscripts are not part of the output.")
IMPLICIT = ("The subscripts that appear exactly once in the :attr:`equation` will be part of the output, "
            "sorted in increasing alphabetical order.")
EXPLICIT = ("Optionally, the output subscripts can be explicitly defined by adding an arrow ('->') at the "
            "end of the equation followed by the subscripts for the output.")
TRANSPOSE = ("For instance, the following equation computes the transpose of a matrix multiplication: "
             "'ij,jk->ki'.")
OUTPUT_RULE = ("The output subscripts must appear at least once for some input operand and at most once "
               "for the output.")
BROADCAST = ("The dimensions labeled with the same subscript must be broadcastable, that is, their size "
             "must either match or be `1`.")
DIAGONAL = ("The exception is if a subscript is repeated for the same input operand, in which case the "
            "dimensions labeled with this subscript for this operand must match in size and the operand "
            "will be replaced by its diagonal along these dimensions.")
ELLIPSIS_COVERS = ("Each input operand may contain at most one ellipsis which will cover the dimensions not "
                   "covered by subscripts, e.g. for an input operand with 5 dimensions, the ellipsis in the "
                   "equation `'ab...c'` cover the third and fourth dimensions.")
ELLIPSIS_BROADCAST = ("The ellipsis does not need to cover the same number of dimensions across the "
                      ":attr:`operands` but the 'shape' of the ellipsis (the size of the dimensions covered "
                      "by them) must broadcast together.")
ELLIPSIS_FIRST = ("If the output is not explicitly defined with the arrow ('->') notation, the ellipsis "
                  "will come first in the output (left-most dimensions), before the subscript labels that "
                  "appear exactly once for the input operands.")
ELLIPSIS_SUMMED = ("``torch.einsum`` handles ellipsis ('...') differently from NumPy in that it allows "
                   "dimensions covered by the ellipsis to be summed over, that is, ellipsis are not "
                   "required to be part of the output.")
WHITESPACE = ("the equation may contain whitespaces between the different elements (subscripts, ellipsis, "
              "arrow and comma) but something like `'. . .'` is not valid.")
SCALAR = "An empty string `''` is valid for scalar operands."
SUBLIST = ("In this format, subscripts for each operand are specified by sublists, list of integers in the "
           "range [0, 52).")
SUBLIST_ELLIPSIS = ("Python's `Ellipsis` object may be provided in a sublist to enable broadcasting as "
                    "described in the Equation section above.")
ERRORS = (RuntimeError, ValueError)


def randn(shape, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def reference(equation, *operands):
    """float64 NumPy einsum; equations here always spell their output out."""
    return torch.from_numpy(np.asarray(np.einsum(equation, *(x.double().numpy() for x in operands))))


def check(run, cases):
    """Runs every (equation, operands) case in one call and compares each with NumPy's float64
    einsum of the explicit equation."""
    operands = [x for _, xs, _ in cases for x in xs]
    counts = [len(xs) for _, xs, _ in cases]

    def all_cases(*flat):
        out, at = [], 0
        for (equation, _, _), n in zip(cases, counts):
            out.append(torch.einsum(equation, *flat[at:at + n]))
            at += n
        return tuple(out)

    for (equation, xs, explicit), got in zip(cases, run(all_cases, *operands)):
        shapes = ", ".join("x".join(map(str, x.shape)) or "scalar" for x in xs)
        assert_close(got, reference(explicit, *xs), torch.float32,
                     f"einsum({equation!r}) of {shapes} (documented as {explicit!r})")


@spec(OP, SUMS)
def test_products_are_summed_over_subscripts_not_in_the_output(run):
    a, b, c = randn((2, 3), 0), randn((3, 4), 1), randn((3, 2, 5), 2)
    l, bil, r = randn((2, 5), 3), randn((3, 5, 4), 4), randn((2, 4), 5)
    check(run, [
        ("ij,jk->ik", (a, b), "ij,jk->ik"),
        ("bij,bjk->bik", (randn((2, 2, 3), 6), randn((2, 3, 4), 7)), "bij,bjk->bik"),
        ("i,j->ij", (a[0], b[0]), "i,j->ij"),
        ("bn,anm,bm->ba", (l, bil, r), "bn,anm,bm->ba"),
        ("ijk->j", (c,), "ijk->j"),
        ("ij,ij->", (a, a), "ij,ij->"),
    ])


@spec(OP, IMPLICIT, needs_values=False)
def test_implicit_output_is_the_once_appearing_subscripts_in_alphabetical_order(run, observe):
    m, t = randn((2, 3), 10), randn((2, 3, 4), 11)
    check(run, [
        ("ba", (m,), "ba->ab"),  # a transpose
        ("ij", (m,), "ij->ij"),
        ("cab", (t,), "cab->abc"),
        ("kj,ji", (randn((4, 3), 12), m.T.contiguous()), "kj,ji->ik"),
        ("jb,ja,jc", (randn((3, 2), 13), randn((3, 4), 14), randn((3, 5), 15)), "jb,ja,jc->abc"),
        ("ij,ij", (m, m), "ij,ij->"),
        ("ii", (randn((3, 3), 16),), "ii->"),
        ("zxy,yq", (t, randn((4, 2), 17)), "zxy,yq->qxz"),
    ])
    # Capitals and small letters together: the docs say only "alphabetical".
    shape = run(torch.einsum, "bA", randn((2, 3), 18)).shape
    observe("implicit_output_of_bA_on_2x3", list(shape))


@spec(OP, EXPLICIT)
def test_explicit_output_in_any_order(run):
    t, a, b = randn((2, 3, 4), 20), randn((2, 3), 21), randn((3, 4), 22)
    check(run, [(eq, xs, eq) for eq, xs in [
        ("ijk->kij", (t,)), ("ijk->jki", (t,)), ("ij->ji", (a,)), ("ij->ij", (a,)),
        ("ba->ba", (a,)), ("ij,jk->ik", (a, b)), ("ij,jk->kji", (a, b)), ("ijk->ki", (t,)),
    ]])


@spec(OP, TRANSPOSE)
def test_transpose_of_a_matrix_multiplication(run):
    a, b = randn((2, 3), 23), randn((3, 4), 24)
    got = run(torch.einsum, "ij,jk->ki", a, b)
    expected = (a.double() @ b.double()).T
    assert_close(got, expected, torch.float32, "einsum('ij,jk->ki') of 2x3 and 3x4")


@spec(OP, OUTPUT_RULE, needs_values=False)
def test_output_subscripts_must_appear_in_an_input_once_in_the_output(run):
    a, b = randn((2, 3), 25), randn((3, 4), 26)
    for equation, xs in [("ij->k", (a,)), ("ij->ik", (a,)), ("ij,jk->il", (a, b)), ("ij->ii", (a,)),
                         ("ij,jk->iki", (a, b))]:
        assert_raises(ERRORS, lambda: run(torch.einsum, equation, *xs), f"einsum({equation!r})",
                      control=lambda: run(torch.einsum, "ij,jk->ik", a, b))


@spec(OP, BROADCAST)
def test_same_subscript_sizes_broadcast(run):
    a1, b = randn((2, 1), 27), randn((3, 4), 28)
    check(run, [(eq, xs, eq) for eq, xs in [
        ("ij,jk->ik", (a1, b)),  # j: sizes 1 and 3
        ("i,i->i", (randn((1,), 29), randn((5,), 30))),
        ("ij,ij->ij", (randn((1, 3), 31), randn((4, 1), 32))),
    ]])
    assert_raises(ERRORS, lambda: run(torch.einsum, "ij,jk->ik", randn((2, 2), 33), b),
                  "einsum('ij,jk->ik') of 2x2 and 3x4 (j: sizes 2 and 3)")


@spec(OP, DIAGONAL)
def test_repeated_subscript_takes_the_diagonal(run):
    sq, cube = randn((3, 3), 34), randn((3, 2, 3), 35)
    check(run, [
        ("ii->i", (sq,), "ii->i"), ("ii", (sq,), "ii->"), ("iji->ij", (cube,), "iji->ij"),
        ("iji->ji", (cube,), "iji->ji"), ("iji", (cube,), "iji->j"), ("ii,i->i", (sq, sq[0]), "ii,i->i"),
    ])
    assert_raises(ERRORS, lambda: run(torch.einsum, "ii->i", randn((2, 3), 36)), "einsum('ii->i') of 2x3")


@spec(OP, ELLIPSIS_COVERS, needs_values=False)
def test_ellipsis_covers_the_dimensions_left_by_subscripts(run):
    five = randn((2, 3, 4, 5, 6), 40)
    check(run, [
        ("ab...c->...abc", (five,), "abdec->deabc"),  # the third and fourth dimensions
        ("ab...c->c...ba", (five,), "abdec->cdeba"),
        ("...c->c...", (five,), "abdec->cabde"),
        ("abcde...->e...", (five,), "abcde->e"),  # an empty ellipsis
        ("a...->...", (five,), "abcde->bcde"),
    ])
    assert_raises(ERRORS, lambda: run(torch.einsum, "a...b...->ab", five),
                  "einsum('a...b...->ab') of 5 dims")


@spec(OP, ELLIPSIS_BROADCAST, needs_values=False)
def test_ellipses_of_different_lengths_broadcast(run):
    check(run, [
        ("...ij,...jk->...ik", (randn((2, 3, 4, 5), 41), randn((3, 5, 2), 42)), "abij,bjk->abik"),
        ("...ij,...jk->...ik", (randn((2, 1, 4, 5), 43), randn((3, 5, 2), 44)), "abij,cjk->acik"),
        ("...i,...->...i", (randn((1, 3, 2), 45), randn((4, 1), 46)), "bci,bc->bci"),
    ])
    assert_raises(ERRORS, lambda: run(torch.einsum, "...ij,...jk->...ik", randn((2, 4, 5), 47),
                                      randn((3, 5, 2), 48)),
                  "einsum('...ij,...jk->...ik') of 2x4x5 and 3x5x2 (ellipses 2 and 3)")


@spec(OP, ELLIPSIS_FIRST, needs_values=False)
def test_implicit_output_puts_the_ellipsis_first(run):
    t = randn((2, 3, 4), 50)
    check(run, [
        ("i...j", (t,), "ibj->bij"),
        ("ba...", (t,), "bac->cab"),
        ("...ij,...jk", (randn((2, 3, 4), 51), randn((2, 4, 5), 52)), "bij,bjk->bik"),
        ("j...,...i", (randn((3, 2), 53), randn((2, 4), 54)), "jb,bi->bij"),
    ])


@spec(OP, ELLIPSIS_SUMMED)
def test_ellipsis_dimensions_left_out_of_the_output_are_summed(run):
    check(run, [
        ("...ij->ij", (randn((2, 3, 4, 5), 55),), "abij->ij"),
        ("...i,...i->i", (randn((3, 4), 56), randn((2, 3, 4), 57)), "bi,abi->i"),
        ("i...->", (randn((2, 3), 58),), "ib->"),
    ])


@spec(OP, WHITESPACE)
def test_whitespace_between_elements_is_allowed_spaced_ellipsis_is_not(run):
    a, b, t = randn((2, 3), 60), randn((3, 4), 61), randn((2, 3, 4), 62)
    check(run, [
        (" ij , jk -> ik ", (a, b), "ij,jk->ik"),
        ("i j,j k->k i", (a, b), "ij,jk->ki"),
        (" ... i j -> ... j i", (t,), "bij->bji"),
        ("ba ", (a,), "ba->ab"),
    ])
    assert_raises(ERRORS, lambda: run(torch.einsum, ". . .ij->ji", t), "einsum('. . .ij->ji')")


@spec(OP, SCALAR)
def test_empty_equation_for_a_scalar_operand(run):
    x = torch.tensor(-2.5)
    check(run, [("", (x,), "->"), ("->", (x,), "->"), (",", (x, torch.tensor(3.0)), ",->")])


@spec(OP, SUBLIST)
def test_sublist_format(run):
    a, b, t = randn((2, 3), 63), randn((3, 4), 64), randn((2, 3, 4), 65)
    out = run(lambda x, y, z: (torch.einsum(x, [0, 1], y, [1, 2], [0, 2]),
                               torch.einsum(x, [51, 0], y, [0, 26], [26, 51]),
                               torch.einsum(z, [25, 26, 0], [0, 25])), a, b, t)
    assert_close(out[0], reference("ij,jk->ik", a, b), torch.float32, "einsum(a, [0, 1], b, [1, 2], [0, 2])")
    assert_close(out[1], reference("ij,jk->ki", a, b), torch.float32,
                 "einsum(a, [51, 0], b, [0, 26], [26, 51])")
    assert_close(out[2], reference("ijk->ki", t), torch.float32, "einsum(t, [25, 26, 0], [0, 25])")


@spec(OP, SUBLIST_ELLIPSIS)
def test_sublist_format_with_ellipsis(run):
    x, y = randn((3, 2, 5), 66), randn((3, 5, 4), 67)
    out = run(lambda p, q: (torch.einsum(p, [..., 0, 1], q, [..., 1, 2], [..., 0, 2]),
                            torch.einsum(p, [..., 0, 1], [1, ...])), x, y)
    assert_close(out[0], reference("bij,bjk->bik", x, y), torch.float32,
                 "einsum(x, [..., 0, 1], y, [..., 1, 2], [..., 0, 2])")
    assert_close(out[1], reference("bij->jb", x), torch.float32, "einsum(x, [..., 0, 1], [1, ...])")
