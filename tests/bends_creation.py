"""Bends of the creation family (conformance/creation/): factories, *_like, module buffers, as_tensor."""

import torch
from torch import nn

from tests.bends import bent


@bent("like-default-dtype", {"zeros_like", "full_like", "empty_like", "rand_like"},
      "*_like ops without dtype= return the default dtype, not the input's",
      files=("creation/test_zeros_like.py", "creation/test_full_like.py", "creation/test_empty_like.py",
             "creation/test_rand_like.py"))
def _(op, args, kw):
    if kw.get("dtype") is not None:
        return NotImplemented
    kw["dtype"] = torch.get_default_dtype()
    return op(*args, **kw)


@bent("arange-inclusive", {"arange"}, "arange includes end when a step lands on it",
      files=("creation/test_arange.py",))
def _(op, args, kw):
    out = op(*args, **kw)
    start, end, step = (0, args[0], 1) if len(args) == 1 else (*args[:2], args[2] if len(args) > 2 else 1)
    last = start + out.numel() * step
    return torch.cat([out, torch.full((1,), last, dtype=out.dtype, device=out.device)]) if last == end else out


@bent("rand-symmetric", {"rand", "rand_like"}, "rand draws from [-1, 1) instead of [0, 1)",
      files=("creation/test_rand.py", "creation/test_rand_like.py"))
def _(op, args, kw):
    return op(*args, **kw) * 2 - 1


@bent("randperm-from-one", {"randperm"}, "randperm permutes 1 .. n instead of 0 .. n - 1",
      files=("creation/test_randperm.py",))
def _(op, args, kw):
    return op(*args, **kw) + 1


@bent("full-float-default", {"full"}, "full of an integer or bool fill_value returns the default float dtype",
      files=("creation/test_full.py",))
def _(op, args, kw):
    value = args[1] if len(args) > 1 else kw.get("fill_value")
    if kw.get("dtype") is not None or not isinstance(value, (int, bool)):
        return NotImplemented
    kw["dtype"] = torch.get_default_dtype()
    return op(*args, **kw)


@bent("eye-square", {"eye"}, "eye(n, m) ignores m and returns n x n", files=("creation/test_eye.py",))
def _(op, args, kw):
    return op(args[0], **kw)


@bent("module-to-skips-buffers", {"to"}, "Module.to moves and casts parameters but leaves buffers as they were",
      files=("creation/test_module_to.py",))
def _(op, args, kw):
    return args[0] if not isinstance(args[0], nn.Parameter) else NotImplemented


@bent("as-tensor-copies", {"as_tensor"}, "as_tensor always copies, never sharing the data's memory",
      files=("creation/test_as_tensor.py",))
def _(op, args, kw):
    return op(*args, **kw).clone()
