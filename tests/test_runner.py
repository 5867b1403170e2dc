import pytest
import torch
from torch.overrides import TorchFunctionMode

from suite.backends import Backend
from suite.runner import BackendFault, Runner, describe


class Recording(TorchFunctionMode):
    seen: list = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        Recording.seen.append(getattr(func, "__name__", str(func)))
        return func(*args, **(kwargs or {}))


def test_only_the_operation_runs_inside_the_context():
    Recording.seen = []
    run = Runner(Backend("rec", "cpu", context=Recording))
    out = run(torch.argmax, torch.tensor([1.0, 3.0, 2.0]))
    assert out == 1
    # Moving inputs and outputs happens outside the context; only the op is seen.
    assert Recording.seen == ["argmax"]


def test_an_operation_that_writes_into_its_input_leaves_the_callers_tensor_alone():
    x = torch.tensor([-1.0, 2.0])
    out = Runner(Backend("cpu", "cpu"))(torch.relu_, x)
    assert out.tolist() == [0.0, 2.0] and x.tolist() == [-1.0, 2.0]


def test_wrap_is_applied_and_calls_are_described():
    wrapped, calls = [], []

    def wrap(fn):
        wrapped.append(fn)
        return fn

    run = Runner(Backend("w", "cpu", wrap=wrap), calls.append)
    run(torch.sum, torch.tensor([1, 2]), dim=0)
    assert wrapped == [torch.sum]
    assert calls == ["torch.sum(torch.tensor([1, 2], dtype=torch.int64), dim=0)"]


def test_meta_outputs_stay_on_meta_and_grad_runs_there_too():
    run = Runner(Backend("meta", "meta"))
    out = run(torch.sum, torch.ones(2, 3), dim=1)
    assert out.device.type == "meta" and out.shape == (2,)


def test_grad_runs_forward_and_backward_inside_the_context():
    Recording.seen = []
    run = Runner(Backend("rec", "cpu", context=Recording))
    x = torch.tensor([1.0, 3.0, 3.0], requires_grad=True)
    out, (g,) = run.grad(torch.amax, x)
    assert out == 3.0 and g.tolist() == [0.0, 0.5, 0.5]
    assert "amax" in Recording.seen and "grad" in Recording.seen


def test_grad_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        Runner(Backend("cpu", "cpu")).grad(torch.sum, torch.ones(2))


def test_exceptions_from_the_backend_are_remembered():
    run = Runner(Backend("cpu", "cpu"))
    with pytest.raises(RuntimeError) as err:
        run(torch.mean, torch.tensor([1, 2]))
    assert run.raised is err.value


def test_describe_summarises_large_tensors():
    text = describe(torch.sum, (torch.zeros(100, 100),), {})
    assert text == "torch.sum(<tensor shape=(100, 100) dtype=torch.float32>)"


def test_compiled_backends_never_fall_back_to_eager_past_the_recompile_limit():
    from torch._dynamo.utils import counters

    counters.clear()
    run = Runner(Backend("compiled", "cpu", wrap=torch.compile))
    limit = torch._dynamo.config.recompile_limit
    for n in range(limit + 2):  # same code object each time, as in a parametrized spec
        assert run(lambda t: t.argmax(), torch.arange(n + 1.0)) == n
    assert not [k for k in counters["unimplemented"] if "recompile limit" in k]


class WrongBackward(torch.autograd.Function):
    """x² with the derivative of x³ (3x² instead of 2x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_gradcheck_passes_a_right_gradient_and_reports_a_wrong_one_as_a_broken_claim():
    run = Runner(Backend("cpu", "cpu"))
    x = torch.tensor([0.5, 1.5, -2.0], dtype=torch.float64, requires_grad=True)
    run.gradcheck(lambda x: x * x, x)
    with pytest.raises(AssertionError, match="gradcheck"):
        run.gradcheck(WrongBackward.apply, x)
    assert run.raised is None  # a wrong gradient is not a crash of the backend


def test_the_backends_machinery_raising_is_a_backend_fault_not_the_operations_error():
    class Refuses:
        def __enter__(self):
            raise RuntimeError("no device")

        def __exit__(self, *exc):
            return False

    run = Runner(Backend("bad", "cpu", context=Refuses))
    with pytest.raises(BackendFault, match="entering the backend's context raised RuntimeError: no device"):
        run(torch.mean, torch.tensor([1, 2]))  # would raise RuntimeError itself: not taken for it
    assert run.raised is None and run.completed == 0
    with pytest.raises(BackendFault, match="the backend's wrap raised"):
        Runner(Backend("w", "cpu", wrap=lambda fn: 1 / 0))(torch.sum, torch.ones(2))


def test_a_context_that_swallows_the_operations_error_is_a_fault():
    class Swallows:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return True

    with pytest.raises(BackendFault, match="swallowed the operation's RuntimeError"):
        Runner(Backend("s", "cpu", context=Swallows))(torch.mean, torch.tensor([1, 2]))


def test_sys_exit_inside_the_operation_is_a_fault_and_the_process_goes_on():
    def leave(x):
        raise SystemExit(3)

    with pytest.raises(BackendFault, match=r"called sys.exit\(3\)"):
        Runner(Backend("cpu", "cpu"))(leave, torch.ones(1))


def test_calls_and_completed_calls_are_counted():
    run = Runner(Backend("cpu", "cpu"))
    run(torch.sum, torch.ones(2))
    with pytest.raises(RuntimeError):
        run(torch.mean, torch.tensor([1, 2]))
    assert (run.calls, run.completed) == (2, 1)
