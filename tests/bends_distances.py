"""Bent backends for the distances family: torch.cdist, cosine_similarity, normalize."""

import torch

from tests.bends import bent


@bent("cdist-mm-from-25", {"cdist"}, "cdist's default mode uses matrix multiplication from 25 points, "
      "not above 25", files=("distances/test_cdist.py",))
def _(op, args, kw):
    x1, x2 = args[0], args[1]
    if (kw.get("compute_mode") != "use_mm_for_euclid_dist_if_necessary" or kw.get("p", 2.0) != 2
            or max(x1.shape[-2], x2.shape[-2]) < 25):
        return NotImplemented
    kw["compute_mode"] = "use_mm_for_euclid_dist"
    return op(*args, **kw)


@bent("cdist-p0-fraction", {"cdist"}, "cdist(p=0) returns the fraction of differing coordinates "
      "(scipy's hamming), not their count", files=("distances/test_cdist.py",))
def _(op, args, kw):
    if kw.get("p") != 0:
        return NotImplemented
    return op(*args, **kw) / args[0].shape[-1]


@bent("cosine-eps-on-product", {"cosine_similarity"}, "cosine_similarity clamps the product of the "
      "norms to eps instead of each norm", files=("distances/test_cosine_similarity.py",))
def _(op, args, kw):
    x1, x2 = torch.broadcast_tensors(args[0], args[1])
    dim = kw.get("dim", args[2] if len(args) > 2 else 1)
    eps = kw.get("eps", args[3] if len(args) > 3 else 1e-8)
    return (x1 * x2).sum(dim) / (x1.norm(dim=dim) * x2.norm(dim=dim)).clamp_min(eps)


@bent("cosine-default-dim-last", {"cosine_similarity"}, "cosine_similarity defaults to dim=-1",
      files=("distances/test_cosine_similarity.py",))
def _(op, args, kw):
    if len(args) > 2 or "dim" in kw:
        return NotImplemented
    return op(*args, dim=-1, **kw)


@bent("normalize-eps-added", {"normalize"}, "normalize divides by norm + eps instead of max(norm, eps)",
      files=("distances/test_normalize.py",))
def _(op, args, kw):
    if kw.get("out") is not None:
        return NotImplemented
    x = args[0]
    return x / (x.norm(kw.get("p", 2.0), kw.get("dim", 1), keepdim=True) + kw.get("eps", 1e-12))
