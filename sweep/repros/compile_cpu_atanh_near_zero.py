"""torch.compile on the cpu: float32 atanh returns 0 for |x| below about 1e-7 (atanh(x) ~ x there).

Eager atanh is within an ULP of the exact value; the compiled one, vectorized, cancels near
zero. Upstream: https://github.com/pytorch/pytorch/issues/198183 (open; filed for erf, it names
atanh too). Exit status 1 while compiled and exact differ by more than 1e-5 relative, 0 once fixed.
"""
import sys

import torch

x = torch.tensor([1e-9, 1e-8, 3e-8, 1e-7, 1e-6, 1e-4, 0.5, -0.9] * 8)  # 64 float32: the vector path
eager, compiled, exact = torch.atanh(x), torch.compile(torch.atanh)(x), torch.atanh(x.double())
error = ((compiled.double() - exact) / exact).abs()
print(f"torch {torch.__version__}, float32 atanh(x), eager vs torch.compile:")
for i in range(8):
    print(f"  x={x[i].item():<8.0e} exact {exact[i].item():.8e}  eager {eager[i].item():.8e}"
          f"  compiled {compiled[i].item():.8e}  relative error {error[i].item():.1e}")
sys.exit(1 if error.max() > 1e-5 else 0)
