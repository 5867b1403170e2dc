"""torch.compile: torch.any of a uint8 tensor returns bool, where the docs promise uint8.

torch.any's docstring: "For uint8 the dtype of output is uint8 itself." Eager keeps uint8;
inductor's own lowering of any casts to bool (torch.all keeps uint8 under both), so arithmetic
on the result changes value: any(x) * 200 + 100 wraps to 44 in uint8, and is 300 in int64.
Upstream: https://github.com/pytorch/pytorch/issues/198081 (open).
Exit status 1 while the compiled result is not uint8, 0 once fixed.
"""
import sys

import torch

x = torch.tensor([[0, 3], [0, 0]], dtype=torch.uint8)
print(f"torch {torch.__version__}, x = {x.tolist()} (uint8):")
failed = False
for name, fn in {"torch.any(x)": lambda x: torch.any(x), "x.any(0)": lambda x: x.any(0),
                 "torch.all(x)": lambda x: torch.all(x), "any(x) * 200 + 100": lambda x: torch.any(x) * 200 + 100}.items():
    torch._dynamo.reset()
    eager, compiled = fn(x), torch.compile(fn)(x)
    print(f"  {name:<20} eager {eager.tolist()} {eager.dtype}   compiled {compiled.tolist()} {compiled.dtype}")
    failed |= compiled.dtype != eager.dtype or not torch.equal(compiled.to(eager.dtype), eager)
sys.exit(1 if failed else 0)
