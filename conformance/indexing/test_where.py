"""torch.where: elementwise choice (tensors or scalars), the broadcast shape, gradients, where(condition)."""

import numpy as np
import pytest
import torch

from suite.expect import assert_close, assert_exact
from suite.spec import spec

SELECT = ("Return a tensor of elements selected from either :attr:`input` or :attr:`other`, depending on "
          ":attr:`condition`.")
INPUT_SCALAR = ("input (Tensor or Scalar): value (if :attr:`input` is a scalar) or values selected at indices "
                "where :attr:`condition` is ``True``")
OTHER_SCALAR = ("other (Tensor or Scalar): value (if :attr:`other` is a scalar) or values selected at indices "
                "where :attr:`condition` is ``False``")
SHAPE = ("Tensor: A tensor of shape equal to the broadcasted shape of :attr:`condition`, :attr:`input`, "
         ":attr:`other`")
NONZERO = "``torch.where(condition)`` is identical to ``torch.nonzero(condition, as_tuple=True)``."

G = torch.Generator().manual_seed(0)
COND = torch.rand(3, 4, generator=G) > 0.5
X = torch.randn(3, 4, generator=G)
Y = torch.randn(3, 4, generator=G)


def chosen(cond, x, y):
    return torch.from_numpy(np.where(cond.numpy(), np.asarray(x), np.asarray(y)))


@spec("torch.where", SELECT)
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64], ids=str)
def test_where_selects_elementwise(run, dtype):
    x, y = (X * 10).to(dtype), (Y * 10).to(dtype)
    got = run(torch.where, COND, x, y)
    assert_exact(got, chosen(COND, x, y).to(dtype), f"where(cond, x, y) of 3x4 {dtype}")


SCALARS = [
    pytest.param("input", id="input", marks=spec("torch.where", INPUT_SCALAR)),
    pytest.param("other", id="other", marks=spec("torch.where", OTHER_SCALAR)),
]


@pytest.mark.parametrize("which", SCALARS)
def test_where_takes_a_scalar(run, which):
    if which == "input":
        a, b = run(lambda c, y: (torch.where(c, 2.5, y), torch.where(c, 2.5, -1.0)), COND, Y)
        assert_exact(a, chosen(COND, 2.5, Y).float(), "where(cond, 2.5, y)")
    else:
        a, b = run(lambda c, x: (torch.where(c, x, 2.5), torch.where(c, -1.0, 2.5)), COND, X)
        assert_exact(a, chosen(COND, X, 2.5).float(), "where(cond, x, 2.5)")
    call = "where(cond, -1.0, 2.5)" if which == "other" else "where(cond, 2.5, -1.0)"
    expected = chosen(COND, -1.0, 2.5) if which == "other" else chosen(COND, 2.5, -1.0)
    assert torch.equal(b.double(), expected.double()), \
        f"{call}: got {b.tolist()}, documented {expected.tolist()}"


@spec("torch.where", SHAPE, needs_values=False)
def test_where_result_has_the_broadcast_shape(run):
    c, x, y = torch.tensor([[True], [False], [True]]), torch.arange(4.0), torch.tensor(-1.0)
    c2, x2, y2 = torch.tensor([True, False]), torch.ones(3, 1, 1), torch.zeros(4, 1)
    a, b = run(lambda c, x, y, c2, x2, y2: (torch.where(c, x, y), torch.where(c2, x2, y2)), c, x, y, c2, x2, y2)
    assert_exact(a, chosen(c, x, y).float(), "where of a 3x1 condition, input of 4 and a 0-dim other")
    assert_exact(b, chosen(c2, x2, y2).float(), "where of a condition of 2, a 3x1x1 input and a 4x1 other")


@spec("torch.where", SELECT)
def test_where_gradient_reaches_the_chosen_elements(run):
    x = torch.randn(1, 4, generator=torch.Generator().manual_seed(1), requires_grad=True)  # broadcast over rows
    y = Y.clone().requires_grad_()
    g = torch.arange(1.0, 13.0).reshape(3, 4)
    out, (gx, gy) = run.grad(torch.where, COND, x, y, grad_output=g)
    c, g64 = COND.double(), g.double()
    assert_exact(out, chosen(COND, x.detach(), y.detach()), "where(cond, x of 1x4, y of 3x4)")
    assert_close(gx, (g64 * c).sum(0, keepdim=True), torch.float32, "gradient of where(cond, x, y) for x (1x4)")
    assert_close(gy, g64 * (1 - c), torch.float32, "gradient of where(cond, x, y) for y")


@spec("torch.where", NONZERO)
def test_where_of_condition_alone_is_nonzero_as_tuple(run):
    c3 = torch.rand(2, 3, 4, generator=torch.Generator().manual_seed(2)) > 0.6
    cases = [COND, c3, torch.zeros(5, dtype=torch.bool)]
    outs = run(lambda cs: tuple(torch.where(c) for c in cs), cases)
    for c, got in zip(cases, outs):
        expected = np.nonzero(c.numpy())
        assert isinstance(got, tuple) and len(got) == c.dim(), f"where(condition) of {tuple(c.shape)}: {len(got)} results"
        for d, (g, e) in enumerate(zip(got, expected)):
            assert_exact(g, torch.from_numpy(e).long(), f"where(condition) of {tuple(c.shape)}, dim {d}")
