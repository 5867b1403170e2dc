"""torch.compile: uint8 bilinear and bicubic interpolation round differently from eager (off by 1).

Eager has uint8 kernels for interpolate (bilinear, bicubic, antialias off) that compute with
integer weights; under torch.compile the decomposition interpolates in float and rounds, and a
share of the pixels land one away. The docs promise no rounding rule; PyTorch's own inductor
test compares these three entries with atol=1 ("failing with strict comparison but atol=1 is
acceptable due to rounding errors"). Upstream: https://github.com/pytorch/pytorch/issues/113024
(open). Exit status 1 while compiled and eager differ, 0 once they agree.
"""
import sys

import torch
import torch.nn.functional as F

g = torch.Generator().manual_seed(0)
x = torch.randint(0, 256, (1, 3, 32, 32), dtype=torch.uint8, generator=g)
print(f"torch {torch.__version__}, uint8 image {tuple(x.shape)} resized to 45 x 45:")
failed = False
for mode in ("bilinear", "bicubic"):
    fn = lambda x: F.interpolate(x, size=(45, 45), mode=mode, align_corners=False)  # noqa: E731
    torch._dynamo.reset()
    eager, compiled = fn(x), torch.compile(fn)(x)
    diff = (compiled.int() - eager.int()).abs()
    print(f"  {mode:<8} {int((diff > 0).sum())} of {diff.numel()} pixels differ, by at most {int(diff.max())}")
    failed |= bool(diff.any())
sys.exit(1 if failed else 0)
