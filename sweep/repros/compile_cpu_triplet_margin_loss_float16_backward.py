"""torch.compile: the float16 gradient of triplet_margin_loss is a few ULPs further from the
exact value than eager's, beyond torch.testing's float16 tolerance.

Judged as `opsuite sweep` judges: a gradient element is wrong when it is further from the
float64 result than atol + rtol*|exact| (torch.testing's float16 defaults: 1e-5, 1e-3) plus
twice eager's own distance. PyTorch's own inductor test loosens its cpu comparison for this op
in float16 to atol 3e-4, rtol 3e-3 (inductor_override_kwargs), as for
triplet_margin_with_distance_loss. No upstream issue found. Exit status 1 while some element
of the compiled gradient is wrong by that rule, 0 once none is.
"""
import sys

import torch
import torch.nn.functional as F


def gradients(loss, tensors, cotangent):
    leaves = [t.detach().clone().requires_grad_() for t in tensors]
    out = loss(*leaves, margin=1e-6, reduction="none")
    return torch.autograd.grad(out, leaves, cotangent.to(out.dtype))


found = 0
for seed in range(20):
    g = torch.Generator().manual_seed(seed)
    a, p, n = (torch.randn(5, 10, generator=g).mul(5).half() for _ in range(3))
    cotangent = torch.randn(5, generator=g, dtype=torch.float64)
    exact = gradients(F.triplet_margin_loss, [t.double() for t in (a, p, n)], cotangent)
    eager = gradients(F.triplet_margin_loss, (a, p, n), cotangent)
    torch._dynamo.reset()
    compiled = gradients(torch.compile(F.triplet_margin_loss), (a, p, n), cotangent)
    for k, (x, e, c) in enumerate(zip(exact, eager, compiled)):
        allowed = 1e-5 + 1e-3 * x.abs() + 2 * (e.double() - x).abs()
        off = (c.double() - x).abs() > allowed
        if off.any():
            i = int(off.flatten().nonzero()[0])
            print(f"seed {seed}, gradient {k}, element {i}: exact {x.flatten()[i].item():.6g}, "
                  f"eager {e.flatten()[i].item():.6g}, compiled {c.flatten()[i].item():.6g}")
            found += 1
print(f"torch {torch.__version__}: {found} float16 gradients of 60 with an element beyond the tolerance")
sys.exit(1 if found else 0)
