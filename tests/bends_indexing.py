"""Bent backends for the indexing and selection specs (conformance/indexing)."""

import torch

from tests.bends import bent


def _arg(args, kwargs, position, name, default=None):
    return kwargs.get(name, args[position] if len(args) > position else default)


@bent("index-add-no-alpha", {"index_add_", "index_add"}, "index_add_ ignores alpha",
      files=("indexing/test_index_add.py",))
def _(op, args, kw):
    kw.pop("alpha", None)
    return op(*args, **kw)


@bent("index-add-last-wins", {"index_add_"}, "index_add_ keeps one row per repeated index instead of adding all",
      files=("indexing/test_index_add.py",))
def _(op, args, kw):
    self, dim, index, source = args[:4]
    alpha = kw.get("alpha", 1)
    # Each indexed row becomes its old value plus one source row: the last one given for it.
    return self.index_copy_(dim, index, self.index_select(dim, index) + alpha * source)


@bent("scatter-adds-repeats", {"scatter_", "scatter"}, "scatter adds the values that meet at a repeated index",
      files=("indexing/test_scatter.py",))
def _(op, args, kw):
    if kw.get("reduce") is not None or not isinstance(_arg(args, kw, 3, "src"), torch.Tensor):
        return NotImplemented
    self, dim, index, src = args[0], args[1], args[2], _arg(args, kw, 3, "src")
    out = self if op.__name__ == "scatter_" else self.clone()
    return out.scatter_(dim, index, 0.0).scatter_add_(dim, index, src[tuple(slice(0, n) for n in index.shape)])


@bent("scatter-reduce-ignored", {"scatter_", "scatter"}, "scatter ignores reduce and overwrites",
      files=("indexing/test_scatter.py",))
def _(op, args, kw):
    if kw.pop("reduce", None) is None:
        return NotImplemented
    return op(*args, **kw)


@bent("masked-select-column-major", {"masked_select"}, "masked_select returns the elements in column-major order",
      files=("indexing/test_masked_select.py",))
def _(op, args, kw):
    x, mask = torch.broadcast_tensors(args[0], args[1])
    reverse = list(reversed(range(x.dim())))
    return op(x.permute(reverse).contiguous(), mask.permute(reverse).contiguous())


@bent("where-grad-both", {"where"}, "where sends the gradient to both input and other",
      files=("indexing/test_where.py",))
def _(op, args, kw):
    if len(args) != 3 or not all(isinstance(a, torch.Tensor) and a.requires_grad for a in args[1:]):
        return NotImplemented
    _, x, y = args
    both = x + y
    return op(*args).detach() + (both - both.detach())


@bent("sort-unstable", {"sort"}, "sort(stable=True) puts equal elements in reverse input order",
      files=("indexing/test_sort.py",))
def _(op, args, kw):
    if not kw.get("stable"):
        return NotImplemented
    x, dim = args[0], kw.get("dim", -1)
    values, indices = op(x.flip(dim), **kw)
    return type(op(x, **kw))((values, x.shape[dim] - 1 - indices))


@bent("sort-default-dim-0", {"sort"}, "sort defaults to dim 0", files=("indexing/test_sort.py",))
def _(op, args, kw):
    if len(args) > 1 or "dim" in kw or args[0].dim() < 2:
        return NotImplemented
    return op(args[0], 0, **kw)


@bent("diag-sign-flipped", {"diag"}, "diag takes diagonal > 0 below the main diagonal",
      files=("indexing/test_diag.py",))
def _(op, args, kw):
    k = _arg(args, kw, 1, "diagonal", 0)
    return op(args[0], -k)


@bent("cumsum-exclusive", {"cumsum"}, "cumsum leaves out the element itself (exclusive scan)",
      files=("indexing/test_cumsum.py",))
def _(op, args, kw):
    out = op(*args, **kw)
    return out - args[0].to(out.dtype)


@bent("cumsum-dtype-after", {"cumsum"}, "cumsum casts to dtype after summing", files=("indexing/test_cumsum.py",))
def _(op, args, kw):
    dtype = kw.pop("dtype", None)
    return NotImplemented if dtype is None else op(*args, **kw).to(dtype)


@bent("clamp-min-wins", {"clamp"}, "clamp applies min after max, so min wins where min > max",
      files=("indexing/test_clamp.py",))
def _(op, args, kw):
    lo, hi = _arg(args, kw, 1, "min"), _arg(args, kw, 2, "max")
    if lo is None or hi is None:
        return NotImplemented
    return op(op(args[0], max=hi), min=lo)
