"""torch.compile: the backward of some complex ops on empty tensors fails to compile.

cholesky_inverse and cholesky_solve of a 0 x 0 complex matrix, and circular padding of a
(0, 3, 3) complex tensor: eager returns empty gradients; under torch.compile the backward
raises, "self.stride(0) must be divisible by 2 to view Float as ComplexFloat" (cholesky) and
"self.stride(-1) must be 1 to view Float as ComplexFloat" (pad). Float inputs of the same
shapes, and non-empty complex ones, work. Upstream: the same error family as
https://github.com/pytorch/pytorch/issues/190274 (open). Exit status 1 while a compiled
backward raises, 0 once all run.
"""
import sys
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore", "Torchinductor does not support code generation for complex")
cases = {"cholesky_inverse, 0 x 0": (torch.cholesky_inverse, [(0, 0)]),
         "cholesky_solve, 0 x 0": (torch.cholesky_solve, [(0, 0), (0, 0)]),
         "pad circular, (0, 3, 3)": (lambda x: F.pad(x, (1, 2), mode="circular"), [(0, 3, 3)])}
print(f"torch {torch.__version__}, backward under torch.compile:")
failed = False
for name, (fn, shapes) in cases.items():
    for dtype in (torch.float32, torch.complex64):
        xs = [torch.zeros(s, dtype=dtype, requires_grad=True) for s in shapes]
        torch._dynamo.reset()
        try:
            out = torch.compile(fn)(*xs)
            torch.autograd.grad(out, xs, torch.ones_like(out), allow_unused=True)
            print(f"  {name:<24} {str(dtype):<15} runs")
        except Exception as exc:
            message = next((line for line in str(exc).splitlines() if "stride" in line), str(exc).splitlines()[0])
            print(f"  {name:<24} {str(dtype):<15} raises {type(exc).__name__}: {message.strip()[:110]}")
            failed |= dtype.is_complex
sys.exit(1 if failed else 0)
