"""Bent backends for the shape specs (conformance/shapes): splitting, joining, views, broadcasting."""

import torch

from tests.bends import bent


def _arg(args, kwargs, position, name, default=None):
    return kwargs.get(name, args[position] if len(args) > position else default)


@bent("chunk-last-larger", {"chunk"}, "chunk rounds the chunk size down and gives the remainder to the last chunk",
      files=("shapes/test_chunk.py",))
def _(op, args, kw):
    x, chunks, dim = args[0], _arg(args, kw, 1, "chunks"), _arg(args, kw, 2, "dim", 0)
    n = x.shape[dim]
    if n < chunks:
        return NotImplemented
    k = n // chunks
    return torch.split(x, [k] * (chunks - 1) + [n - k * (chunks - 1)], dim)


@bent("chunk-copies", {"chunk"}, "chunk returns copies instead of views", files=("shapes/test_chunk.py",))
def _(op, args, kw):
    return tuple(c.clone() for c in op(*args, **kw))


@bent("split-smaller-first", {"split"}, "split with an integer size puts the smaller chunk first",
      files=("shapes/test_split.py",))
def _(op, args, kw):
    x, size, dim = args[0], _arg(args, kw, 1, "split_size_or_sections"), _arg(args, kw, 2, "dim", 0)
    if not isinstance(size, int):
        return NotImplemented
    sizes = [len(range(s, min(s + size, x.shape[dim]))) for s in range(0, x.shape[dim], size)]
    return op(x, sizes[::-1], dim)


@bent("tensor-split-larger-last", {"tensor_split"}, "tensor_split gives the larger sections at the end",
      files=("shapes/test_tensor_split.py",))
def _(op, args, kw):
    x, sections, dim = args[0], _arg(args, kw, 1, "indices_or_sections"), _arg(args, kw, 2, "dim", 0)
    if isinstance(sections, torch.Tensor) and sections.dim() == 0:
        sections = int(sections)
    if not isinstance(sections, int):
        return NotImplemented
    n = x.shape[dim]
    sizes = [n // sections] * (sections - n % sections) + [n // sections + 1] * (n % sections)
    return tuple(torch.split(x, sizes, dim))


@bent("cat-default-last-dim", {"cat"}, "cat defaults to the last dimension", files=("shapes/test_cat.py",))
def _(op, args, kw):
    if len(args) > 1 or "dim" in kw:
        return NotImplemented
    return op(*args, dim=-1)


@bent("stack-negative-dim-off-by-one", {"stack"}, "stack counts a negative dim from the input's dims, not the result's",
      files=("shapes/test_stack.py",))
def _(op, args, kw):
    tensors, dim = args[0], _arg(args, kw, 1, "dim", 0)
    if dim >= 0:
        return NotImplemented
    return op(tensors, dim + tensors[0].dim())


@bent("squeeze-ignores-dim", {"squeeze"}, "squeeze(x, dim) removes every size-1 dim",
      files=("shapes/test_squeeze_unsqueeze.py",))
def _(op, args, kw):
    return op(args[0])


@bent("unsqueeze-negative-dim-off-by-one", {"unsqueeze"}, "unsqueeze maps a negative dim to dim + input.dim()",
      files=("shapes/test_squeeze_unsqueeze.py",))
def _(op, args, kw):
    x, dim = args[0], _arg(args, kw, 1, "dim")
    return NotImplemented if dim >= 0 else op(x, dim + x.dim())


@bent("permute-inverse", {"permute"}, "permute applies the inverse permutation", files=("shapes/test_permute.py",))
def _(op, args, kw):
    x, dims = args[0], [d % args[0].dim() for d in _arg(args, kw, 1, "dims")]
    return op(x, sorted(range(len(dims)), key=dims.__getitem__))


@bent("transpose-copies", {"transpose"}, "transpose returns a copy", files=("shapes/test_transpose.py",))
def _(op, args, kw):
    return op(*args, **kw).clone()


@bent("view-copies", {"view"}, "view copies where the strides allow no view, instead of raising",
      files=("shapes/test_view_reshape.py",))
def _(op, args, kw):
    try:
        return op(*args, **kw)
    except RuntimeError:
        return args[0].reshape(*args[1:])


@bent("reshape-column-major", {"reshape"}, "reshape reads and writes elements in column-major order",
      files=("shapes/test_view_reshape.py",))
def _(op, args, kw):
    x, shape = args[0], list(_arg(args, kw, 1, "shape"))
    if -1 in shape:
        shape[shape.index(-1)] = x.numel() // -torch.tensor(shape).prod().item()
    return op(x.permute(*reversed(range(x.dim()))), tuple(reversed(shape))).permute(*reversed(range(len(shape))))


@bent("expand-copies", {"expand"}, "expand materializes the expanded tensor", files=("shapes/test_expand.py",))
def _(op, args, kw):
    return op(*args, **kw).clone()


@bent("broadcast-left-aligned", {"broadcast_tensors"}, "broadcast_tensors aligns shapes on their leading dims",
      files=("shapes/test_broadcast_tensors.py",))
def _(op, args, kw):
    rank = max(t.dim() for t in args)
    return op(*(t.reshape(*t.shape, *[1] * (rank - t.dim())) for t in args))
