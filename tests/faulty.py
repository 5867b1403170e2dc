"""Faulty backends, one per way a backend under bring-up fails: each misbehaves only when the
operation under test is torch.argmax, so every other case shows that the run went on."""

import ctypes
import os
import signal
import time

import torch
from torch.overrides import TorchFunctionMode

from suite.backends import Backend


def on_argmax(action):
    """A TorchFunctionMode that runs ``action`` when torch.argmax is called, then the op."""
    class Mode(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            if func is torch.argmax:
                action()
            return func(*args, **(kwargs or {}))
    return Mode


def segfault():
    ctypes.string_at(0)  # reads address 0: SIGSEGV


def hang_in_native_code():
    # As a kernel that never returns: no Python signal handler runs (SIGALRM blocked).
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(10**6)


SEGFAULT = Backend("segfault", "cpu", context=on_argmax(segfault))
ABORT = Backend("abort", "cpu", context=on_argmax(os.abort))
EXIT = Backend("os-exit", "cpu", context=on_argmax(lambda: os._exit(3)))
SYS_EXIT = Backend("sys-exit", "cpu", context=on_argmax(lambda: exit(4)))
HANG = Backend("hang", "cpu", context=on_argmax(hang_in_native_code))
SLOW = Backend("slow", "cpu", context=on_argmax(lambda: time.sleep(10**6)))


class RaisesOnEntry:
    def __enter__(self):
        raise RuntimeError("the device is not initialised")

    def __exit__(self, *exc):
        return False


def wrap_that_raises(fn):
    raise RuntimeError("cannot compile")


def wrap_that_runs_nothing(fn):
    def refuse(*args, **kwargs):
        raise RuntimeError("not implemented")
    return refuse


class Leaky:
    """Enters float64 and no-grad, patches torch.sum, and never puts any of them back."""
    def __enter__(self):
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        torch.sum = lambda *args, **kwargs: torch.tensor(-1)

    def __exit__(self, *exc):
        return False


BAD_CONTEXT = Backend("bad-context", "cpu", context=RaisesOnEntry)
BAD_WRAP = Backend("bad-wrap", "cpu", wrap=wrap_that_raises)
RUNS_NOTHING = Backend("runs-nothing", "cpu", wrap=wrap_that_runs_nothing)
LEAKY = Backend("leaky", "cpu", context=Leaky)
NAMED_CPU = Backend("cpu", "cpu", context=on_argmax(lambda: None))



def wrap_that_returns_nothing(fn):
    return lambda *args, **kwargs: None


RETURNS_NOTHING = Backend("returns-nothing", "cpu", wrap=wrap_that_returns_nothing)
