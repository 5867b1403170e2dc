"""Bends of the training family (conformance/training/): optimizer kernels, schedulers' learning rates as
the device applies them, autocast, gradient clipping, gradient accumulation."""

import weakref

import torch

from tests.bends import bent


@bent("add-drops-alpha", {"add"}, "add(x, y, alpha=a) ignores alpha (SGD's weight decay and Nesterov term)",
      files=("training/test_sgd.py",))
def _(op, args, kw):
    if kw.pop("alpha", 1) == 1:
        return NotImplemented
    return op(*args, **kw)


@bent("lerp-weight-flipped", {"lerp_"},
      "lerp_(end, w) moves by 1 - w (Adam's first moment keeps beta1 of the gradient)",
      files=("training/test_adam.py", "training/test_adamw.py"))
def _(op, args, kw):
    weight = kw.pop("weight", args[2] if len(args) > 2 else None)
    if not isinstance(weight, float):
        return NotImplemented
    return op(args[0], args[1], 1 - weight)


@bent("param-mul-dropped", {"mul_"}, "in-place scaling of a parameter is lost (AdamW's decoupled decay)",
      files=("training/test_adamw.py",))
def _(op, args, kw):
    return args[0] if args[0].requires_grad else NotImplemented


_FIRST_ALPHA = weakref.WeakKeyDictionary()


@bent("stale-lr", {"add_"}, "the parameter update keeps the first learning rate it saw, as if compiled with it "
      "as a constant, so schedulers' changes never reach the device",
      files=("training/test_step_lr.py", "training/test_multi_step_lr.py", "training/test_exponential_lr.py",
             "training/test_cosine_annealing_lr.py", "training/test_one_cycle_lr.py",
             "training/test_reduce_lr_on_plateau.py"))
def _(op, args, kw):
    if not args[0].requires_grad or "alpha" not in kw:
        return NotImplemented
    kw["alpha"] = _FIRST_ALPHA.setdefault(args[0], kw["alpha"])
    return op(*args, **kw)


@bent("autocast-ignored", {"mm", "matmul", "linear", "addmm", "bmm"}, "matmuls ignore autocast and run in float32",
      files=("training/test_autocast.py",))
def _(op, args, kw):
    args = [a.float() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args]
    with torch.autocast(device_type="cpu", enabled=False):
        return op(*args, **kw)


@bent("clamp-ignores-max", {"clamp"}, "clamp(x, max=m) does not clamp (clip_grad_norm_ scales gradients up)",
      files=("training/test_clip_grad_norm.py",))
def _(op, args, kw):
    return args[0] if "max" in kw and kw.get("min") is None else NotImplemented


@bent("backward-overwrites-grad", {"backward"}, "backward replaces .grad instead of accumulating into it",
      files=("training/test_backward.py",))
def _(op, args, kw):
    stack, seen = [args[0].grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if hasattr(node, "variable"):
            node.variable.grad = None
        stack.extend(next_node for next_node, _ in node.next_functions)
    return NotImplemented
