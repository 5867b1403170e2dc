"""torch.nn.Identity: returns its input whatever its constructor arguments."""

import torch
from torch import nn

from suite.expect import assert_exact
from suite.spec import spec

IDENTITY = "A placeholder identity operator that is argument-insensitive."


@spec("torch.nn.Identity", IDENTITY, needs_values=False)
def test_identity_returns_the_input_and_ignores_arguments(run):
    inputs = [torch.randn(4, 5, generator=torch.Generator().manual_seed(0)), torch.tensor([[1, -2], [3, 4]]),
              torch.tensor([True, False]), torch.zeros(0, 3, dtype=torch.float16)]

    def fn(*xs):
        plain = nn.Identity()
        # The documented example's arguments.
        loaded = nn.Identity(54, unused_argument1=0.1, unused_argument2=False)
        return [plain(x) for x in xs], [loaded(x) for x in xs]

    plain, loaded = run(fn, *inputs)
    for x, a, b in zip(inputs, plain, loaded):
        assert_exact(a, x, f"Identity()(x) of a {x.dtype} {tuple(x.shape)} input")
        assert_exact(b, x, f"Identity(54, unused_argument1=0.1, unused_argument2=False)(x) of a {x.dtype} input")
