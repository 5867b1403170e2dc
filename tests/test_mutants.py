"""The generated mutants (suite.mutants) bend what their names say, and only that."""

import pytest
import torch

from suite import mutants


def under(name, fn, *args, **kwargs):
    backend = mutants.backend(name)
    with backend.context():
        return fn(*args, **kwargs)


def test_every_mutant_name_resolves_to_a_backend_of_that_name():
    names = mutants.names()
    assert len(names) > 500
    for name in names[:: max(1, len(names) // 40)]:
        assert mutants.backend(name).name == name
    with pytest.raises(AttributeError, match="no mutant"):
        mutants.backend("torch.sum~nonsense")


def test_kinds_follow_the_surface_data():
    kinds = mutants.kinds("torch.sum", {"calls": ["torch.sum"], "differentiable": True,
                                        "params": {"keepdim": {"default": "False"}}})
    assert "default-keepdim" in kinds and "grad-zero" in kinds and "inplace-nowhere" not in kinds
    assert mutants.kinds("torch.optim.SGD", {"calls": ["torch.optim.SGD"]}) == []  # a class


def test_output_bends():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert torch.equal(under("torch.sum~ulps", torch.sum, x, 0) > torch.sum(x, 0), torch.tensor([True, True]))
    assert torch.allclose(under("torch.sum~rel-1e-3", torch.sum, x), torch.tensor(10.01))
    assert under("torch.sum~dtype", torch.sum, x).dtype == torch.float64
    assert under("torch.argmax~off-by-one", torch.argmax, x) == 4
    assert torch.equal(under("torch.sum~default-keepdim", torch.sum, x, 0), torch.tensor([[4.0, 6.0]]))
    assert torch.sum(x, 0).shape == (2,)  # outside the context, nothing is bent


def test_strides_are_read_as_if_contiguous():
    x = torch.arange(6.0).reshape(2, 3)
    assert torch.equal(under("torch.sum~strides", torch.sum, x.t(), 1), torch.tensor([1.0, 5.0, 9.0]))
    assert torch.equal(torch.sum(x.t(), 1), torch.tensor([3.0, 5.0, 7.0]))


def test_effects_on_inputs():
    x = torch.zeros(3)
    under("torch.sum~writes-input", torch.sum, x)
    assert torch.equal(x, torch.ones(3))
    target = torch.zeros(3)
    under("torch.Tensor.index_add_~inplace-nowhere", target.index_add_, 0, torch.tensor([0]), torch.ones(1))
    assert torch.equal(target, torch.zeros(3))


def test_gradient_bends():
    for kind, factor in (("grad-zero", 0.0), ("grad-scale", 2.0)):
        x = torch.ones(3, requires_grad=True)
        under(f"torch.sum~{kind}", torch.sum, x).backward()
        assert torch.equal(x.grad, torch.full((3,), factor)), kind
    x = torch.ones(3, requires_grad=True)
    assert not under("torch.sum~grad-detach", torch.sum, x).requires_grad


def test_cast_the_wrong_way_computes_in_the_first_tensors_dtype():
    x = torch.tensor([1, 2], dtype=torch.int64)
    got = under("torch.clamp~cast", torch.clamp, x, 0.5, 1.5)
    assert got.dtype == torch.int64 and torch.equal(torch.clamp(x, 0.5, 1.5), torch.tensor([1.0, 1.5]))
