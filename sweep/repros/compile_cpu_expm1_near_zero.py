"""torch.compile on the cpu: float32 expm1 near zero is computed as exp(x) - 1 and cancels.

expm1 exists to be accurate where exp(x) - 1 is not. Eager is within an ULP; the compiled one,
vectorized, is off by up to 100% relative below 1e-7. Upstream:
https://github.com/pytorch/pytorch/issues/189803, fixed by
https://github.com/pytorch/pytorch/pull/190533 (Sleef's expm1 in the vectorized code).
Exit status 1 while compiled and exact differ by more than 1e-5 relative, 0 once fixed.
"""
import sys

import torch

x = torch.tensor([1e-8, -1e-7, 1e-6, -1e-5, 1e-4, 1e-3, 0.5, -2.0] * 8)  # 64 float32: the vector path
eager, compiled, exact = torch.expm1(x), torch.compile(torch.expm1)(x), torch.expm1(x.double())
error = ((compiled.double() - exact) / exact).abs()
print(f"torch {torch.__version__}, float32 expm1(x), eager vs torch.compile:")
for i in range(8):
    print(f"  x={x[i].item():<8.0e} exact {exact[i].item():.8e}  eager {eager[i].item():.8e}"
          f"  compiled {compiled[i].item():.8e}  relative error {error[i].item():.1e}")
sys.exit(1 if error.max() > 1e-5 else 0)
