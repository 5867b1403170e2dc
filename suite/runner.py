"""The ``run`` fixture: only the operation under test runs on the backend.

    run(fn, *args, **kwargs)       -> fn's outputs, tensors back on the CPU (left on meta)
    run.grad(fn, *args, **kwargs)  -> (outputs, gradients of the args that require grad)
    run.gradcheck(fn, *args)       -> torch.autograd.gradcheck on the backend; AssertionError if it fails

Inputs are copied to the backend's device before, and outputs moved back after, the backend's
context is entered, so a TorchFunctionMode context sees the operation and nothing else, and
nothing the operation does reaches the caller's tensors.

What the operation raises propagates as it is (a spec may expect it). What the backend's own
machinery raises becomes a ``BackendFault``, which no spec can mistake for the operation's error.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Callable

import torch
from torch.autograd.gradcheck import GradcheckError
from torch.utils import _pytree as pytree

from suite import exercised, variants
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
            if x.numel() <= 64 and x.layout == torch.strided and x.device.type != "meta":
                return f"torch.tensor({x.detach().tolist()}, dtype={x.dtype}{grad})"
            layout = "" if x.layout == torch.strided else f" layout={x.layout}"
            return f"<tensor shape={tuple(x.shape)} dtype={x.dtype}{layout}{grad}>"
        return repr(x)
    if getattr(fn, "__module__", None) in ("torch", "torch.functional"):
        name = f"torch.{fn.__name__}"  # torch.sum, not torch._VariableFunctionsClass.sum
    else:
        name = getattr(fn, "__qualname__", None) or repr(fn)
    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


class BackendFault(BaseException):
    """The backend's own machinery failed: creating, entering or leaving its context, its
    wrap, moving tensors to or from its device; or it ended the process's normal flow
    (SystemExit). Not an Exception, so that neither a spec's ``assert_raises`` nor an
    ``except Exception`` can take it for the operation's documented error: the case is an
    ``error`` of the backend, never passed and never a known divergence."""


@contextlib.contextmanager
def _machinery(what: str):
    try:
        yield
    except (Exception, SystemExit) as error:
        raise BackendFault(f"{what} raised {type(error).__name__}: {error}") from error


def _synchronize(device: torch.device) -> None:
    """Wait for the device's queued work, so that an asynchronous error (CUDA's) surfaces in
    the call that caused it, inside the backend's context, not in a later case."""
    module = getattr(torch, device.type, None)
    if device.type not in ("cpu", "meta") and hasattr(module, "synchronize"):
        module.synchronize()


class Runner:
    def __init__(self, backend: Backend, on_call: Callable[[str], None] | None = None,
                 checker: variants.Checker | None = None):
        self.backend = backend
        self.device = torch.device(backend.device)
        self._on_call = on_call
        self.raised: BaseException | None = None  # what the operation raised, if anything
        self.calls = 0       # calls made on the backend
        self.completed = 0   # of which returned normally: a backend that runs nothing passes nothing
        self.checker = checker  # surface checks of each call (suite.variants), or None
        self.pending: list = []  # calls whose surface checks run when the spec has passed
        self.recorder: variants.Checker | None = None  # --record-surface: what calls exercise
        self.exercised: list[dict] = []
        self.log = variants.Log()
        self.used = set()    # "grad", "gradcheck": how the case checked gradients
        self.varied_calls = 0  # calls that get (or, recording, would get) surface checks

    def _on_backend(self, fn, args, kwargs, invoke, variant: bool = False):
        """``invoke(call, args, kwargs)`` inside the backend's context, where ``call`` is
        ``fn`` wrapped; inputs copied to the device before, outputs moved back after. A
        ``variant`` call (a surface check) is neither counted nor described; it returns the
        outputs and the inputs as the call left them, both back on the CPU."""
        if not variant:
            self.calls += 1
            if self._on_call is not None:
                self._on_call(describe(fn, args, kwargs))
        with _machinery(f"moving the inputs to {self.device}"):
            args, kwargs = pytree.tree_map(lambda x: _to(x, self.device), (args, kwargs))
        call = fn
        if self.backend.wrap is not None:
            # Dynamo caches compiled code per code object and, past its recompile limit,
            # silently runs eager; a spec parametrized over many dtypes would then test eager
            # under a compile-* column. Resetting first makes every wrapped call a compilation.
            torch.compiler.reset()
            with _machinery("the backend's wrap"):
                call = self.backend.wrap(fn)
        context = contextlib.nullcontext()
        if self.backend.context is not None:
            with _machinery("creating the backend's context"):
                context = self.backend.context()
        with _machinery("entering the backend's context"):
            context.__enter__()
        try:
            out = invoke(call, args, kwargs)
            _synchronize(self.device)
        except KeyboardInterrupt:
            context.__exit__(*sys.exc_info())
            raise
        except BaseException as error:
            with _machinery("leaving the backend's context"):
                if context.__exit__(type(error), error, error.__traceback__):
                    raise RuntimeError(f"it swallowed the operation's {type(error).__name__}: {error}")
            if isinstance(error, SystemExit):
                raise BackendFault(f"the backend called sys.exit({error.code!r})") from error
            self.raised = error  # the operation raised: the report tells a crash from a broken claim
            raise
        with _machinery("leaving the backend's context"):
            context.__exit__(None, None, None)
        with _machinery(f"moving the outputs back from {self.device}"):
            out = pytree.tree_map(_back, out)
            after = pytree.tree_map(_back, (args, kwargs))
        if variant:
            return out, after
        self.completed += 1
        self._after = after
        return out

    def __call__(self, fn: Callable, *args, **kwargs):
        # one of the case's first repeatable calls gets surface checks (or is recorded as one)
        varied = (self.checker is not None or self.recorder is not None) \
            and self.varied_calls < variants.CALLS_VARIED and variants.repeatable(fn, args, kwargs)
        self.varied_calls += varied
        snapshot = variants._clone((args, kwargs)) if varied and self.checker is not None else None
        if self.recorder is not None:  # --record-surface: before the call (it may write its inputs)
            exercised_args = variants._clone((args, kwargs))
        out = self._on_backend(fn, args, kwargs, lambda call, a, k: call(*a, **k))
        if snapshot is not None:
            self.pending.append((variants.freeze(fn), *snapshot, out, self._after))
        if self.recorder is not None:
            self.exercised += exercised.record(self.recorder, fn, *exercised_args, out, varied)
        return out

    def check_surface(self) -> None:
        """The surface checks of this case's first calls (suite.variants), once the spec's own
        assertions have passed: a broken claim is reported as that, not as a variant of it."""
        pending, self.pending = self.pending, []
        for fn, args, kwargs, out, after in pending:
            self.checker.check(fn, args, kwargs, out, after, self.log)

    def _variant_call(self, fn, args, kwargs, invoke):
        """A surface check's call on the backend (suite.variants.Checker)."""
        if invoke is None:
            return self._on_backend(fn, args, kwargs, lambda call, a, k: call(*a, **k), variant=True)
        return self._on_backend(fn, args, kwargs, invoke, variant=True)[0]

    def grad(self, fn: Callable, *args, grad_output=None, **kwargs):
        """Forward and backward both on the backend. The gradient flows from ``grad_output``
        (default: ones) into every positional tensor argument with ``requires_grad``."""
        if not any(isinstance(a, torch.Tensor) and a.requires_grad for a in args):
            raise ValueError("run.grad needs at least one argument with requires_grad=True")

        def forward_backward(call, args, kwargs):
            leaves = [a for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
            out = call(*args, **kwargs)
            first = out[0] if isinstance(out, tuple) else out
            seed = (torch.ones_like(first) if grad_output is None
                    else grad_output.to(first.device, first.dtype))
            return out, list(torch.autograd.grad(first, leaves, seed, allow_unused=True))

        self.used.add("grad")
        out, grads = self._on_backend(fn, args, kwargs, forward_backward)
        return out, tuple(grads)

    def gradcheck(self, fn: Callable, *args, **kwargs) -> None:
        """torch.autograd.gradcheck of ``fn`` on the backend: analytic gradients (of the
        positional arguments that require grad) against finite differences. A mismatch is a
        broken claim (AssertionError), not a crash of the backend."""
        def check(call, args, kwargs):
            try:
                torch.autograd.gradcheck(lambda *a: call(*a, **kwargs), args)
            except GradcheckError as error:
                return error
            return None

        self.used.add("gradcheck")
        error = self._on_backend(fn, args, kwargs, check)
        if error is not None:
            raise AssertionError(f"gradcheck: {error}") from None
