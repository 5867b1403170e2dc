"""torch.compile on the cpu: the gradient of soft_margin_loss cancels, and vanishes for y*x > 16.6.

d/dx log(1 + exp(-y*x)) = -y * sigmoid(-y*x). Eager computes it accurately; under torch.compile
the backward comes from torch._decomp's soft_margin_loss_backward,
`target * grad_output * (torch.sigmoid(target * self) - 1)`, which subtracts two numbers near 1:
in float32 the gradient loses digits from y*x = 5 on and is 0 once sigmoid(y*x) rounds to 1.
No upstream issue found (searched pytorch/pytorch for soft_margin_loss backward precision).
Exit status 1 while compiled and exact differ by more than 1e-5 relative, 0 once fixed.
"""
import sys

import torch
import torch.nn.functional as F


def gradient(loss, x):
    x = x.clone().requires_grad_()
    loss(x, torch.ones_like(x), reduction="sum").backward()
    return x.grad


x = torch.tensor([1.0, 5.0, 10.0, 15.0, 17.0, 20.0, 30.0, 80.0] * 8)  # 64 float32; target y = 1
eager, compiled = gradient(F.soft_margin_loss, x), gradient(torch.compile(F.soft_margin_loss), x)
exact = gradient(F.soft_margin_loss, x.double())
error = ((compiled.double() - exact) / exact).abs()
print(f"torch {torch.__version__}, float32 gradient of soft_margin_loss(x, 1), eager vs torch.compile:")
for i in range(8):
    print(f"  x={x[i].item():<5.0f} exact {exact[i].item():.8e}  eager {eager[i].item():.8e}"
          f"  compiled {compiled[i].item():.8e}  relative error {error[i].item():.1e}")
sys.exit(1 if error.max() > 1e-5 else 0)
