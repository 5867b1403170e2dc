"""Bent backends for the einsum family: torch.einsum and torch.tensordot."""

from tests.bends import bent


@bent("einsum-implicit-first-seen", {"einsum"}, "einsum's implicit output keeps the once-appearing "
      "subscripts in order of first appearance, not alphabetical", files=("einsum/test_einsum.py",))
def _(op, args, kw):
    equation = args[0]
    if not isinstance(equation, str) or "->" in equation:
        return NotImplemented
    letters = [c for c in equation if c.isalpha()]
    once = "".join(dict.fromkeys(c for c in letters if letters.count(c) == 1))
    ellipsis = "..." if "..." in equation else ""
    return op(f"{equation}->{ellipsis}{once}", *args[1:], **kw)


@bent("tensordot-sorted-dims", {"tensordot"}, "tensordot sorts each list of dims, pairing them in "
      "another order than given", files=("einsum/test_tensordot.py",))
def _(op, args, kw):
    dims = kw.get("dims", args[2] if len(args) > 2 else 2)
    if not isinstance(dims, (list, tuple)):
        return NotImplemented
    kw["dims"] = (sorted(dims[0]), sorted(dims[1]))
    return op(*args[:2], **kw)
