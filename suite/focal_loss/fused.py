"""`fused`: the focal loss as one autograd.Function with one compiled pass each way.

Forward reads the logits and targets once and writes the loss (or only its sum) and dFL/dx.
That gradient is all backward needs, so it is what is saved — one float32 tensor: half the
inputs' bytes for float32 logits and targets, as many for half precision — and backward is a
single scaling pass. Compiled by torch.compile: C++/OpenMP on CPU, Triton on CUDA.

Each compiled variant costs 5 s of compilation on a machine's first run (on a 2-core CPU), and
a first run is every run on a fresh CI machine, so a CPU has few: one per reduction ("none",
or a sum) and γ = 2 or not. There the gradient is computed even where none is needed (8 % of
the kernel's time at 8192 x 128) and half-precision inputs are converted to float32 first,
which the kernel computes in anyway (a forward 20 % slower for bfloat16 and 60 % for float16
than a half-precision kernel). On a GPU, where the kernel is memory-bound and extra bytes cost
time, dtype and whether a gradient is needed are variants too. float64, the precision for
checking the formulas (gradcheck), runs them uncompiled.

The math, per element, with e = exp(−|x|) so that nothing overflows:

    1 − p_t = m / (1 + e)      m = 1 − t + e·t   (x ≥ 0),   e·(1 − t) + t   (x < 0)
    σ(x) − t = n / (1 + e)     n = 1 − t − e·t   (x ≥ 0),   e·(1 − t) − t   (x < 0)
    CE      = max(x, 0) − t·x + log1p(e)
    FL      = α_t · (1 − p_t)^γ · CE
    dFL/dx  = α_t · (1 − p_t)^γ · (γ·(1 − 2t)·r·CE + σ(x) − t),   r = σ(x)σ(−x) / (1 − p_t)

pow's derivative γ(1 − p_t)^(γ−1), infinite at 1 − p_t = 0 for γ < 1, never appears: it is
folded into r = e / ((1 + e)·m), which lies in [0, 1]. The gradient is therefore finite for
every γ ≥ 0 and every finite logit. The three divisions (1/(1 + e), r, and e/(2 + e) for
log1p) share one reciprocal, and float32's log1p(e), e in (0, 1], is 2·atanh(e/(2 + e)) by a
short polynomial (relative error 2.2e-7): this kernel is compute-bound on a CPU.

The target: forward+backward at least 2x faster than vectorized at 8192 x 128 float32 on a
CPU (3x on a GPU), checked by `opsuite claims --claim focal-fused`.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

from suite.focal_loss.compile import compiled_on_device
from suite.focal_loss.formulas import REDUCTIONS

# atanh(z)/z = 1 + w·P(w), w = z² in [0, 1/9]: least-squares fit, float32 error 2.2e-7.
_ATANH = (0.3333330518014749, 0.20004610088106115, 0.1410828785020438, 0.13451955069457228)
# Below this, m only scales terms that are themselves below float32's resolution (see r).
_TINY = 1e-30


def _log1p_unit(e: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """log1p(e) for e in [0, 1], given z = e / (2 + e): exact in float64, the polynomial otherwise."""
    if e.dtype == torch.float64:
        return torch.log1p(e)
    w = z * z
    return 2 * z * (1 + w * (_ATANH[0] + w * (_ATANH[1] + w * (_ATANH[2] + w * _ATANH[3]))))


def _kernel(x, t, a0, a1, gamma, *, square: bool, elementwise: bool, with_grad: bool):
    """One pass: the loss (per element, or its sum) and, with_grad, dFL/dx per element.
    α_t = a0 + a1·t. (1 − p_t)^γ is q·q when `square` (γ = 2), else exp(γ·log q) with γ a
    runtime value: pow with a traced float exponent makes dynamo specialise on γ, and in
    torch 2.13 a kernel recompiled for a new γ could then reuse the previous one."""
    dtype = x.dtype
    opmath = torch.float64 if dtype == torch.float64 else torch.float32
    x, t = x.to(opmath), t.to(opmath)
    e = torch.exp(-x.abs())
    u = 1 - t
    positive = x >= 0
    m = torch.where(positive, u + e * t, e * u + t)
    one_e, two_e = 1 + e, 2 + e
    m_safe = m.clamp_min(_TINY)
    reciprocal = 1 / (one_e * two_e * m_safe)           # the one division
    d = two_e * m_safe * reciprocal                     # 1 / (1 + e)
    z = e * one_e * m_safe * reciprocal                 # e / (2 + e)
    ce = x.clamp_min(0) - t * x + _log1p_unit(e, z)
    q = m * d                                           # 1 − p_t
    # log q is clamped: q < 1e-30 happens only where e < 1e-30, so CE < 1e-30 too, and
    # 0^0 stays 1.
    modulating = q * q if square else torch.exp(gamma * torch.log(q.clamp_min(_TINY)))
    weight = (a0 + a1 * t) * modulating
    loss = weight * ce
    loss = loss.to(dtype) if elementwise else loss.sum()
    if not with_grad:
        return loss, None
    r = e * two_e * reciprocal                          # σ(x)σ(−x) / (1 − p_t)
    n = torch.where(positive, u - e * t, e * u - t)
    grad = weight * (gamma * (u - t) * r * ce + n * d)
    return loss, grad


_compiled_kernel = compiled_on_device(_kernel, dynamic=True)
_HALF = (torch.float16, torch.bfloat16)


def _kernel_for(x, t, needs_grad: bool):
    """The kernel for these inputs, the inputs to give it, and whether it computes the gradient
    (see the module docstring: on a CPU always, so that one kernel serves both)."""
    if x.dtype == torch.float64:
        return _kernel, x, t, needs_grad
    if x.device.type == "cpu":
        if x.dtype in _HALF:
            x, t = x.float(), t.float()
        return _compiled_kernel, x, t, True
    return _compiled_kernel, x, t, needs_grad


class FocalLoss(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inputs, targets, alpha, gamma, reduction):
        if ctx.needs_input_grad[1]:
            raise ValueError("fused focal loss: targets are labels, and no gradient is computed "
                             "for them; pass targets that do not require grad")
        a0, a1 = (1 - alpha, 2 * alpha - 1) if alpha >= 0 else (1.0, 0.0)
        # Detached: the kernel is plain arithmetic, not a graph for autograd to trace.
        kernel, x, t, with_grad = _kernel_for(inputs.detach(), targets.detach(),
                                              ctx.needs_input_grad[0])
        loss, grad = kernel(x, t, a0, a1, float(gamma), square=gamma == 2,
                            elementwise=reduction == "none", with_grad=with_grad)
        n = inputs.numel()
        scale = (1 / n if n else float("nan")) if reduction == "mean" else 1.0  # mean of none: NaN
        loss = (loss if reduction == "none" else loss * scale).to(inputs.dtype)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(grad)
            ctx.scale, ctx.dtype = scale, inputs.dtype
        return loss

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        (grad,) = ctx.saved_tensors
        if ctx.scale != 1.0:  # the mean's 1/n, on the 0-dim grad_output, in the saved precision
            grad_output = grad_output.to(grad.dtype) * ctx.scale
        # Rounded once: mul computes in the saved (float32) precision and writes the inputs'
        # dtype (one kernel on a GPU; on a CPU, ATen goes through a float32 buffer). A new tensor, not in place: a graph kept for a second backward
        # (retain_graph=True, gradcheck) still needs the saved gradient unscaled.
        grad_input = torch.mul(grad, grad_output, out=torch.empty_like(grad, dtype=ctx.dtype))
        return grad_input, None, None, None, None


def fused(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """Sigmoid focal loss in one compiled pass forward and one backward (see the module)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', not {reduction!r}")
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, not {gamma}")
    if inputs.shape != targets.shape:
        raise ValueError(f"targets must have the shape of inputs, {tuple(inputs.shape)}, "
                         f"not {tuple(targets.shape)}")
    return FocalLoss.apply(inputs, targets, float(alpha), float(gamma), reduction)
