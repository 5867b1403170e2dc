"""suite.torch_state: what a case left of torch's global state is named and put back."""

import torch
from torch.overrides import TorchFunctionMode

from suite import torch_state


class PassThrough(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))


def test_changes_are_named_and_put_back():
    baseline = torch_state.Baseline()
    threads = torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    torch.set_grad_enabled(False)
    torch.set_default_device("meta")
    PassThrough().__enter__()  # a mode never exited
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1 if threads > 1 else 2)
    torch.set_autocast_enabled("cpu", True)
    changes = baseline.restore()
    assert "left the default dtype at torch.float64 (was torch.float32)" in changes
    assert "left grad mode at False (was True)" in changes
    assert "left the default device at 'meta' (was None)" in changes
    assert "left the torch function mode stack at 1 (was 0)" in changes
    assert "left deterministic algorithms at (True, False) (was (False, False))" in changes
    assert any(c.startswith("left the intra-op thread count") for c in changes)
    assert any(c.startswith("left autocast on cpu at (True") for c in changes)
    assert baseline.restore() == []
    assert torch.ones(1).dtype == torch.float32 and torch.ones(1).device.type == "cpu"
    assert torch.is_grad_enabled() and torch.get_num_threads() == threads
    assert torch._C._len_torch_function_stack() == 0


def test_a_patched_torch_function_is_named_and_put_back():
    import torch.nn.functional as F

    baseline = torch_state.Baseline()
    originals = torch.sum, F.relu
    torch.sum = lambda *args, **kwargs: 0
    F.relu = None
    torch.Tensor.sum = lambda self, *args, **kwargs: 1
    torch.not_a_torch_function = len
    assert baseline.restore() == ["replaced torch.sum, torch.not_a_torch_function, "
                                  "torch.Tensor.sum, torch.nn.functional.relu"]
    assert (torch.sum, F.relu) == originals and not hasattr(torch, "not_a_torch_function")
    assert torch.ones(2).sum() == 2 and baseline.restore() == []


def test_precision_settings_are_read_through_one_api():
    baseline = torch_state.Baseline()
    if hasattr(torch.backends, "fp32_precision"):
        torch.backends.cuda.matmul.fp32_precision = "tf32"
        assert baseline.restore() == ["left torch.backends.cuda.matmul.fp32_precision at 'tf32' "
                                      "(was 'none')"]
    else:
        torch.backends.cuda.matmul.allow_tf32 = not torch.backends.cuda.matmul.allow_tf32
        assert len(baseline.restore()) == 1


def test_dynamo_settings_changed_are_named_and_put_back():
    import torch._dynamo

    baseline = torch_state.Baseline()
    limit = torch._dynamo.config.recompile_limit
    torch._dynamo.config.suppress_errors = True
    torch._dynamo.config.recompile_limit = limit + 1
    assert baseline.restore() == [f"changed torch._dynamo.config: recompile_limit={limit + 1}, "
                                  "suppress_errors=True"]
    assert torch._dynamo.config.suppress_errors is False
    assert torch._dynamo.config.recompile_limit == limit
