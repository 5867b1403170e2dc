"""Eager on the cpu: the float64 gradient of hardsigmoid is float32's 1/6, not float64's.

hardsigmoid(x) = x/6 + 1/2 on (-3, 3), so its gradient there is exactly 1/6. The cpu's eager
backward returns 0.1666666716337204 (1/6 rounded to float32: 3e-8 relative, 2.7e8 ULPs of
float64); torch.compile's backward, from torch._decomp, returns 1/6 in float64. Found as a gap
between compile-cpu and the cpu in `opsuite sweep` (float64, where the cpu is the reference).
No upstream issue found (searched pytorch/pytorch for hardsigmoid backward precision).
Exit status 1 while the cpu's gradient is more than 1e-12 from 1/6, 0 once fixed.
"""
import sys

import torch
import torch.nn.functional as F


def gradient(fn, x):
    x = x.clone().requires_grad_()
    fn(x).sum().backward()
    return x.grad


x = torch.tensor([-2.5, -1.0, 0.0, 0.5, 2.0, 2.9] * 8, dtype=torch.float64)  # all inside (-3, 3)
eager, compiled = gradient(F.hardsigmoid, x), gradient(torch.compile(F.hardsigmoid), x)
exact = 1 / 6
print(f"torch {torch.__version__}, float64 gradient of hardsigmoid on (-3, 3): exactly 1/6 = {exact!r}")
print(f"  eager (cpu)     {eager[0].item()!r}  relative error {abs(eager[0].item() - exact) / exact:.1e}")
print(f"  torch.compile   {compiled[0].item()!r}  relative error {abs(compiled[0].item() - exact) / exact:.1e}")
sys.exit(1 if (eager - exact).abs().max() > 1e-12 else 0)
