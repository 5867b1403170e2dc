"""Surface checks (suite.variants): a backend right on the spec's input and wrong on another
layout, dtype, parameter or form is caught; CPU torch itself, passed through, never is."""

import pytest
import torch

from suite import mutants, variants


def backend(bend=None):
    """A CPU backend for Checker: the call on copies, with ``bend`` applied to it, if any."""
    def call(fn, args, kwargs, invoke):
        args, kwargs = variants._clone((args, kwargs))
        run = bend(fn) if bend else fn
        if invoke is None:
            return run(*args, **kwargs), (args, kwargs)
        return invoke(run, args, kwargs)
    return call


def check(call, fn, *args, **kwargs):
    """The spec's call on the backend, then its surface checks (as suite.runner does)."""
    checker = variants.Checker(call, "cpu")
    primary, after = call(fn, args, kwargs, None)
    checker.check(fn, args, kwargs, primary, after, variants.Log())
    return checker


CALLS = [
    (torch.sum, (torch.arange(12.0).reshape(3, 4),), {"dim": 1}),
    (torch.sort, (torch.tensor([[3.0, 1.0, 2.0], [1.0, 1.0, 0.0]]),), {}),
    (torch.cat, ([torch.ones(2, 3), torch.zeros(1, 3)],), {}),
    (torch.nn.functional.cross_entropy, (torch.randn(4, 3, generator=torch.Generator().manual_seed(0)),
                                         torch.tensor([0, 2, 1, 0])), {}),
    (torch.cumsum, (torch.arange(6).reshape(2, 3),), {"dim": 0}),
    (torch.full, ((2, 2), 3.0), {}),
]


@pytest.mark.parametrize("fn, args, kwargs", CALLS, ids=lambda v: getattr(v, "__name__", ""))
def test_cpu_torch_passes_its_own_surface_checks(fn, args, kwargs):
    log = variants.Log()
    checker = variants.Checker(backend(), "cpu")
    copies = variants._clone((args, kwargs))
    checker.check(fn, args, kwargs, fn(*copies[0], **copies[1]), copies, log)
    assert "effects" in log.kinds and len(log.kinds) > 3, log.kinds


def ignoring_strides(fn):
    def run(*args, **kwargs):
        args, kwargs = torch.utils._pytree.tree_map(mutants._read_as_contiguous, (args, kwargs))
        return fn(*args, **kwargs)
    return run


def test_a_backend_ignoring_strides_is_caught_by_the_layout_check():
    with pytest.raises(variants.SurfaceDivergence, match="non-contiguous"):
        check(backend(ignoring_strides), torch.sum, torch.arange(12.0).reshape(3, 4), dim=1)


def test_a_backend_wrong_in_float16_only_is_caught_by_the_dtype_check():
    def off_in_half(fn):
        def run(*args, **kwargs):
            out = fn(*args, **kwargs)
            return out * 1.01 if out.dtype == torch.float16 else out
        return run

    with pytest.raises(variants.SurfaceDivergence, match="in float16"):
        check(backend(off_in_half), torch.sum, torch.arange(12.0).reshape(3, 4), dim=1)


def test_a_backend_ignoring_keepdim_is_caught_by_the_parameter_check():
    def no_keepdim(fn):
        return lambda *args, keepdim=False, **kwargs: fn(*args, **kwargs)

    with pytest.raises(variants.SurfaceDivergence, match="keepdim=True"):
        check(backend(no_keepdim), torch.sum, torch.arange(12.0).reshape(3, 4), dim=1)


def test_a_backend_writing_its_input_is_caught_by_the_effects_check():
    def writes(fn):
        def run(x, *args, **kwargs):
            out = fn(x, *args, **kwargs)
            x.add_(1)
            return out
        return run

    with pytest.raises(variants.SurfaceDivergence, match="leaves in its inputs"):
        check(backend(writes), torch.sum, torch.arange(12.0).reshape(3, 4), dim=1)


def test_a_backend_with_a_doubled_gradient_is_caught_by_the_gradient_check():
    def doubled(fn):
        return lambda *args, **kwargs: mutants._grad(2.0)(fn(*args, **kwargs))

    with pytest.raises(variants.SurfaceDivergence, match="gradient"):
        check(backend(doubled), torch.sum, torch.arange(12.0).reshape(3, 4), dim=1)


STATE = torch.nn.Linear(2, 2)


def helper(x):
    return x * 2


def test_only_calls_that_can_be_repeated_get_variants():
    x = torch.ones(2)
    assert variants.repeatable(torch.sum, (x,), {})
    assert variants.repeatable(lambda t: helper(t).sum(), (x,), {})  # a module-level helper: code
    assert not variants.repeatable(lambda t: STATE(t), (x,), {})     # a module's state
    captured = torch.zeros(2)
    assert not variants.repeatable(lambda t: captured.add_(t), (x,), {})  # writes a tensor of the spec's


def test_other_values_of_a_parameter_come_from_its_documented_default():
    entry = {"params": {"keepdim": {"default": "False"}, "correction": {"default": "1"},
                        "reduction": {"default": "'mean'", "choices": "'none' | 'mean' | 'sum'"},
                        "eps": {"default": "1e-12"}, "out": {"default": "None"}}}
    assert variants.other_values(entry, "keepdim", None) == [True]
    assert variants.other_values(entry, "correction", None) == [0, 2]
    assert variants.other_values(entry, "reduction", None) == ["none", "sum"]
    assert variants.other_values(entry, "eps", None) == [10.0]
    assert variants.other_values(entry, "out", None) == []


def test_a_backend_whose_result_has_no_gradient_is_caught():
    def detached(fn):
        return lambda *args, **kwargs: fn(*args, **kwargs).detach()

    with pytest.raises(variants.SurfaceDivergence, match="no gradient"):
        check(backend(detached), torch.sum, torch.arange(12.0).reshape(3, 4), dim=1)


def test_non_finite_numbers_are_varied_without_a_crash():
    check(backend(), torch.clamp, torch.arange(6.0), max=float("inf"))
    check(backend(), torch.full_like, torch.zeros(3), float("nan"))


def test_a_keyword_at_its_default_is_not_a_choice_of_the_call():
    # a Python function called through a torch function mode gets every parameter by keyword
    entry = {"calls": ["torch.nn.functional.normalize"],
             "params": {"input": {}, "p": {"default": "2.0"}, "dim": {"default": "1"},
                        "eps": {"default": "1e-12"}}}
    x = torch.ones(2, 2)
    assert variants.given(entry, (x,), {"p": 2.0, "dim": 1, "eps": 1e-12}) == {"input"}
    assert variants.given(entry, (x,), {"p": 1.0, "dim": 1, "eps": 1e-12}) == {"input", "p"}


def test_approximate_ops_compare_shapes_and_dtypes_only():
    # cdist's matrix-product mode far from the origin: rounding is the device's own
    far = torch.randn(6, 3, generator=torch.Generator().manual_seed(1)) + 1000

    def reordered(fn):
        return lambda x1, x2, **kwargs: fn(x1.flip(-1), x2.flip(-1), **kwargs)  # same distances

    check(backend(reordered), torch.cdist, far, far, compute_mode="use_mm_for_euclid_dist")
