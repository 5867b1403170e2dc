"""Deliberately non-conforming backends for the activations and losses (see tests/bends.py).

nn modules reach these through their torch.nn.functional function (nn.CrossEntropyLoss calls
F.cross_entropy), which is what a TorchFunctionMode sees; the modules pass their settings as
arguments, so each bend reads them from args and kwargs.
"""

import math

import torch
import torch.nn.functional as F

from tests.bends import bent

LOSSES = "losses/test_{}_loss.py"


def _reduce(losses, reduction):
    return {"none": losses, "sum": losses.sum(), "mean": losses.mean()}[reduction]


def _inplace(args, kw):
    return kw.get("inplace", args[-1] if len(args) > 1 and isinstance(args[-1], bool) else False)


@bent("relu-mask-multiply", {"relu"}, "relu multiplies by the mask x > 0, so -inf becomes NaN",
      files=("activations/test_relu.py",))
def _(op, args, kw):
    x = args[0]
    out = x * (x > 0).to(x.dtype)
    return x.copy_(out) if _inplace(args, kw) else out


@bent("leaky-relu-slope-ignored", {"leaky_relu"}, "leaky_relu always uses the slope 0.01",
      files=("activations/test_leaky_relu.py",))
def _(op, args, kw):
    kw.pop("negative_slope", None)
    return op(args[0], 0.01, *args[2:], **kw)


@bent("sigmoid-overflow", {"sigmoid"}, "sigmoid computes exp(x) / (1 + exp(x)), NaN once exp overflows",
      files=("activations/test_sigmoid.py",))
def _(op, args, kw):
    e = torch.exp(args[0])
    return e / (1 + e)


@bent("ce-unweighted-mean", {"cross_entropy"},
      "cross_entropy's weighted mean divides by the number of targets, not by their weights",
      files=(LOSSES.format("cross_entropy"),))
def _(op, args, kw):
    x, target = args[0], args[1]
    if kw.get("weight") is None or kw.get("reduction", "mean") != "mean" or target.is_floating_point():
        return NotImplemented
    kept = (target != kw.get("ignore_index", -100)).sum()
    return op(*args, **{**kw, "reduction": "sum"}) / kept


@bent("ce-smoothing-ignored", {"cross_entropy"}, "cross_entropy ignores label_smoothing",
      files=(LOSSES.format("cross_entropy"),))
def _(op, args, kw):
    kw["label_smoothing"] = 0.0
    return op(*args, **kw)


@bent("ce-soft-targets-weighted-mean", {"cross_entropy"},
      "cross_entropy with probability targets divides the weighted sum by the targets' weights, not N",
      files=(LOSSES.format("cross_entropy"),))
def _(op, args, kw):
    x, target, weight = args[0], args[1], kw.get("weight")
    if weight is None or kw.get("reduction", "mean") != "mean" or not target.is_floating_point():
        return NotImplemented
    return op(*args, **{**kw, "reduction": "sum"}) / (target * weight).sum()


@bent("nll-ignored-in-mean", {"nll_loss"}, "nll_loss's mean counts ignored targets in the denominator",
      files=(LOSSES.format("nll"),))
def _(op, args, kw):
    x, target = args[0], args[1]
    if kw.get("reduction", "mean") != "mean":
        return NotImplemented
    weight = kw.get("weight")
    weight = torch.ones(x.shape[1], dtype=x.dtype) if weight is None else weight
    keep = target != kw.get("ignore_index", -100)
    denominator = (weight[target.where(keep, 0)] * keep).sum() + (~keep).sum()
    return op(*args, **{**kw, "reduction": "sum"}) / denominator


@bent("bce-clamp-probabilities", {"binary_cross_entropy"},
      "binary_cross_entropy clamps the probabilities to [1e-7, 1 - 1e-7] instead of the logs to -100",
      files=(LOSSES.format("bce"),))
def _(op, args, kw):
    return op(args[0].clamp(1e-7, 1 - 1e-7), *args[1:], **kw)


@bent("bce-logits-pos-weight-both-terms", {"binary_cross_entropy_with_logits"},
      "binary_cross_entropy_with_logits scales both terms by pos_weight",
      files=(LOSSES.format("bce_with_logits"),))
def _(op, args, kw):
    pos_weight = kw.pop("pos_weight", None)
    if pos_weight is None:
        return NotImplemented
    weight = kw.pop("weight", None)
    return op(*args, weight=pos_weight if weight is None else weight * pos_weight, **kw)


@bent("bce-logits-naive", {"binary_cross_entropy_with_logits"},
      "binary_cross_entropy_with_logits is sigmoid followed by binary_cross_entropy",
      files=(LOSSES.format("bce_with_logits"),))
def _(op, args, kw):
    if kw.get("pos_weight") is not None:
        return NotImplemented
    kw.pop("pos_weight", None)
    return F.binary_cross_entropy(torch.sigmoid(args[0]), *args[1:], **kw)


@bent("mse-mean-over-batch", {"mse_loss"}, "mse_loss's mean divides by the batch size, not every element",
      files=(LOSSES.format("mse"),))
def _(op, args, kw):
    if kw.get("reduction", "mean") != "mean":
        return NotImplemented
    return op(*args, **{**kw, "reduction": "sum"}) / args[0].shape[0]


@bent("l1-mean-is-sum", {"l1_loss"}, "l1_loss's reduction 'mean' returns the sum", files=(LOSSES.format("l1"),))
def _(op, args, kw):
    if kw.get("reduction", "mean") != "mean":
        return NotImplemented
    return op(*args, **{**kw, "reduction": "sum"})


@bent("l1-complex-real-part", {"l1_loss"}, "l1_loss of complex inputs takes |Re(x - y)|",
      files=(LOSSES.format("l1"),))
def _(op, args, kw):
    x, y = args[0], args[1]
    if not x.is_complex():
        return NotImplemented
    return op(x.real, y.real, *args[2:], **kw)


@bent("huber-missing-delta-factor", {"huber_loss"}, "huber_loss computes smooth_l1_loss(beta=delta)",
      files=(LOSSES.format("huber"),))
def _(op, args, kw):
    kw.pop("weight", None)
    return F.smooth_l1_loss(*args, reduction=kw.get("reduction", "mean"), beta=kw.get("delta", 1.0))


@bent("smooth-l1-is-huber", {"smooth_l1_loss"}, "smooth_l1_loss computes huber_loss(delta=beta)",
      files=(LOSSES.format("smooth_l1"),))
def _(op, args, kw):
    beta = kw.get("beta", 1.0)
    if beta <= 0:
        return NotImplemented
    return F.huber_loss(*args, reduction=kw.get("reduction", "mean"), delta=beta)


@bent("kl-batchmean-is-mean", {"kl_div"}, "kl_div's 'batchmean' divides by every element",
      files=(LOSSES.format("kl_div"),))
def _(op, args, kw):
    if kw.get("reduction") != "batchmean":
        return NotImplemented
    return op(*args, **{**kw, "reduction": "mean"})


@bent("kl-log-target-ignored", {"kl_div"}, "kl_div ignores log_target", files=(LOSSES.format("kl_div"),))
def _(op, args, kw):
    kw["log_target"] = False
    return op(*args, **kw)


@bent("cosine-embedding-no-clamp", {"cosine_embedding_loss"},
      "cosine_embedding_loss gives cos - margin for y = -1 without clamping at 0",
      files=(LOSSES.format("cosine_embedding"),))
def _(op, args, kw):
    x1, x2, y = args[:3]
    cos = F.cosine_similarity(x1, x2, dim=-1)
    losses = torch.where(y > 0, 1 - cos, cos - kw.get("margin", 0.0))
    return _reduce(losses, kw.get("reduction", "mean"))


@bent("margin-ranking-sign-flipped", {"margin_ranking_loss"}, "margin_ranking_loss ranks y = 1 the other way",
      files=(LOSSES.format("margin_ranking"),))
def _(op, args, kw):
    return op(args[0], args[1], -args[2], *args[3:], **kw)


@bent("triplet-swap-ignored", {"triplet_margin_loss"}, "triplet_margin_loss ignores swap",
      files=(LOSSES.format("triplet_margin"),))
def _(op, args, kw):
    kw["swap"] = False
    return op(*args, **kw)


@bent("triplet-p-ignored", {"triplet_margin_loss"}, "triplet_margin_loss always uses the 2-norm",
      files=(LOSSES.format("triplet_margin"),))
def _(op, args, kw):
    kw["p"] = 2
    return op(*args, **kw)


@bent("poisson-stirling-every-target", {"poisson_nll_loss"},
      "poisson_nll_loss adds the Stirling term for every positive target, not only those above 1",
      files=(LOSSES.format("poisson_nll"),))
def _(op, args, kw):
    if not kw.get("full", False):
        return NotImplemented
    target = args[1]
    losses = op(*args, **{**kw, "full": False, "reduction": "none"})
    positive = target > 0
    t = target.where(positive, 1.0)
    stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
    return _reduce(losses + stirling * positive, kw.get("reduction", "mean"))


@bent("poisson-no-eps", {"poisson_nll_loss"},
      "poisson_nll_loss with log_input=False takes log(input) without eps",
      files=(LOSSES.format("poisson_nll"),))
def _(op, args, kw):
    if kw.get("log_input", True) or kw.get("full", False):
        return NotImplemented
    x, target = args[0], args[1]
    return _reduce(x - target * x.log(), kw.get("reduction", "mean"))
