"""The ``run`` fixture: only the operation under test runs on the backend.

    run(fn, *args, **kwargs)       -> fn's outputs, tensors back on the CPU (left on meta)
    run.grad(fn, *args, **kwargs)  -> (outputs, gradients of the args that require grad)
    run.gradcheck(fn, *args)       -> torch.autograd.gradcheck on the backend; AssertionError if it fails

Inputs are copied to the backend's device before, and outputs moved back after, the backend's
context is entered, so a TorchFunctionMode context sees the operation and nothing else, and
nothing the operation does reaches the caller's tensors.
"""

from __future__ import annotations

import contextlib
from typing import Callable

import torch
from torch.autograd.gradcheck import GradcheckError
from torch.utils import _pytree as pytree

from suite.backends import Backend


def _to(x, device: torch.device):
    # Always a copy, on the CPU too: an operation that writes into its input must not change
    # the caller's tensor, which the spec may still compare against; and every device then
    # sees the same thing.
    if isinstance(x, torch.Tensor):
        return x.detach().to(device, copy=True).requires_grad_(x.requires_grad)
    return x


def _back(x):
    if isinstance(x, torch.Tensor) and x.device.type != "meta":
        return x.detach().cpu()
    return x.detach() if isinstance(x, torch.Tensor) else x


def describe(fn: Callable, args, kwargs) -> str:
    """A one-line, paste-able rendering of a call, for failure messages."""
    def show(x):
        if isinstance(x, torch.Tensor):
            grad = ", requires_grad=True" if x.requires_grad else ""
            if x.numel() <= 64:
                return f"torch.tensor({x.detach().tolist()}, dtype={x.dtype}{grad})"
            return f"<tensor shape={tuple(x.shape)} dtype={x.dtype}{grad}>"
        return repr(x)
    if getattr(fn, "__module__", None) in ("torch", "torch.functional"):
        name = f"torch.{fn.__name__}"  # torch.sum, not torch._VariableFunctionsClass.sum
    else:
        name = getattr(fn, "__qualname__", None) or repr(fn)
    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


class Runner:
    def __init__(self, backend: Backend, on_call: Callable[[str], None] = lambda _: None):
        self.backend = backend
        self.device = torch.device(backend.device)
        self._on_call = on_call
        self.raised: BaseException | None = None  # what the backend raised, if anything

    @contextlib.contextmanager
    def _on_backend(self):
        try:
            with self.backend.context() if self.backend.context else contextlib.nullcontext():
                yield
        except Exception as exc:
            self.raised = exc  # lets the report tell a crash of the backend from a broken claim
            raise

    def _prepare(self, fn, args, kwargs):
        self._on_call(describe(fn, args, kwargs))
        args, kwargs = pytree.tree_map(lambda x: _to(x, self.device), (args, kwargs))
        if self.backend.wrap is None:
            return fn, args, kwargs
        # Dynamo caches compiled code per code object and, past its recompile limit, silently
        # runs eager; a spec parametrized over many dtypes would then test eager under a
        # compile-* column. Resetting first makes every wrapped call a real compilation.
        torch.compiler.reset()
        return self.backend.wrap(fn), args, kwargs

    def __call__(self, fn: Callable, *args, **kwargs):
        call, args, kwargs = self._prepare(fn, args, kwargs)
        with self._on_backend():
            out = call(*args, **kwargs)
        return pytree.tree_map(_back, out)

    def grad(self, fn: Callable, *args, grad_output=None, **kwargs):
        """Forward and backward both on the backend. The gradient flows from ``grad_output``
        (default: ones) into every positional tensor argument with ``requires_grad``."""
        call, args, kwargs = self._prepare(fn, args, kwargs)
        leaves = [a for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
        if not leaves:
            raise ValueError("run.grad needs at least one argument with requires_grad=True")
        with self._on_backend():
            out = call(*args, **kwargs)
            first = out[0] if isinstance(out, tuple) else out
            seed = (torch.ones_like(first) if grad_output is None
                    else grad_output.to(first.device, first.dtype))
            grads = torch.autograd.grad(first, leaves, seed, allow_unused=True)
        return pytree.tree_map(_back, out), tuple(pytree.tree_map(_back, list(grads)))

    def gradcheck(self, fn: Callable, *args, **kwargs) -> None:
        """torch.autograd.gradcheck of ``fn`` on the backend: analytic gradients (of the
        positional arguments that require grad) against finite differences. A mismatch is a
        broken claim (AssertionError), not a crash of the backend."""
        call, args, kwargs = self._prepare(fn, args, kwargs)
        try:
            with self._on_backend():
                torch.autograd.gradcheck(lambda *a: call(*a, **kwargs), args)
        except GradcheckError as error:
            self.raised = None
            raise AssertionError(f"gradcheck: {error}") from None
