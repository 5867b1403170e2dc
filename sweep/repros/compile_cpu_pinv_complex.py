"""torch.compile: complex linalg.pinv (and pinverse) returns a wrong pseudo-inverse, silently.

For a complex A, pinv(A) @ A should be the identity when A is invertible; eager's is, to 1e-6,
and the compiled one is not within 1. Float inputs are unaffected. The kernel conjugates the
SVD factors with a lazy conjugate view, which is consumed unmaterialized under any
TorchDispatchMode, and torch.compile's runtime runs under one. Upstream:
https://github.com/pytorch/pytorch/issues/198118 (open; the gradients: #197084).
Exit status 1 while the compiled pinv is not a pseudo-inverse, 0 once it is.
"""
import sys
import warnings

import torch

warnings.filterwarnings("ignore", "Torchinductor does not support code generation for complex")
A = torch.randn(5, 5, dtype=torch.complex64, generator=torch.Generator().manual_seed(0))
eye = torch.eye(5, dtype=torch.complex64)
eager, compiled = torch.linalg.pinv(A), torch.compile(torch.linalg.pinv)(A)
print(f"torch {torch.__version__}, complex64 A (5 x 5): max |pinv(A) @ A - I|")
print(f"  eager          {(eager @ A - eye).abs().max().item():.2e}")
print(f"  torch.compile  {(compiled @ A - eye).abs().max().item():.2e}")
sys.exit(1 if (compiled @ A - eye).abs().max() > 1e-4 else 0)
