"""F.pad: which dims a pad tuple addresses, constant padding, defaults, reflect/replicate/circular."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance.layers.reference import sample
from suite.expect import assert_exact
from suite.spec import spec

OP = "torch.nn.functional.pad"
ORDER = ("The padding size by which to pad some dimensions of :attr:`input` are described starting from the "
         "last dimension and moving forward.")
ANY_RANK = "Constant padding is implemented for arbitrary dimensions."
MODES = ("Circular, replicate and reflection padding are implemented for padding the last 3 dimensions of a "
         "4D or 5D input tensor, the last 2 dimensions of a 3D or 4D input tensor, or the last dimension of a "
         "2D or 3D input tensor.")

DEFAULTS = [
    pytest.param("mode", id="mode", marks=spec(
        OP, "mode: ``'constant'``, ``'reflect'``, ``'replicate'`` or ``'circular'``. Default: ``'constant'``")),
    pytest.param("value", id="value", marks=spec(OP, "value: fill value for ``'constant'`` padding. Default: ``0``")),
]

NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def np_pad(x, pad, **kwargs):
    """np.pad of x with a torch pad tuple: (left, right) pairs from the last dimension forward."""
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)][::-1]
    widths = [(0, 0)] * (x.dim() - len(pairs)) + pairs
    return torch.from_numpy(np.pad(x.numpy(), widths, **kwargs))


@spec(OP, ORDER, needs_values=False)
def test_pad_tuple_starts_from_the_last_dimension(run):
    x = sample((2, 3, 4), 0)
    pads = [(1, 2), (1, 2, 3, 0), (0, 1, 2, 1, 1, 3)]
    outs = run(lambda x: tuple(F.pad(x, p) for p in pads), x)
    for out, pad, shape in zip(outs, pads, ((2, 3, 7), (2, 6, 7), (6, 6, 5))):
        assert_exact(torch.tensor(out.shape), torch.tensor(shape), f"shape of pad(2x3x4, {pad})")
        assert_exact(out, np_pad(x, pad), f"pad(2x3x4, {pad})")


@spec(OP, ANY_RANK)
def test_pad_constant_any_rank(run):
    cases = [(sample((5,), 1), (2, 1)), (sample((2, 1, 2, 3, 2), 2), (1, 0, 0, 2, 1, 1, 0, 1, 2, 0)),
             (torch.arange(12).reshape(3, 4), (1, 1, 2, 0)), (sample((2, 3), 3, torch.float16), (0, 0, 1, 1))]
    outs = run(lambda *xs: tuple(F.pad(x, p, "constant", -2.5 if x.is_floating_point() else 7)
                                 for x, (_, p) in zip(xs, cases)), *[x for x, _ in cases])
    for out, (x, pad) in zip(outs, cases):
        fill = -2.5 if x.is_floating_point() else 7
        assert_exact(out, np_pad(x, pad, constant_values=fill),
                     f"pad({'x'.join(map(str, x.shape))} {x.dtype}, {pad}, 'constant', {fill})")


@pytest.mark.parametrize("argument", DEFAULTS)
def test_pad_defaults_constant_zero(run, argument):
    x = sample((2, 3, 4), 4)
    pad = (2, 1, 0, 1)
    calls = {"mode": lambda x: (F.pad(x, pad), F.pad(x, pad, value=0.0)),
             "value": lambda x: (F.pad(x, pad, "constant"), F.pad(x, pad, mode="constant", value=None))}
    outs = run(calls[argument], x)
    assert_exact(outs[0], np_pad(x, pad), f"pad(x, {pad}) without {argument}")
    assert_exact(outs[1], np_pad(x, pad), f"pad(x, {pad}) with {argument} left to its default")


@spec(OP, MODES)
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes_match_numpy(run, mode):
    # Every supported rank and pad length, asymmetric pads, each pad at most size - 1.
    cases = [((3, 5), (2, 1)), ((2, 3, 4), (0, 3)), ((2, 3, 4), (1, 2, 2, 1)), ((1, 2, 4, 3), (2, 0, 1, 2)),
             ((1, 3, 3, 4, 3), (1, 2, 0, 1, 2, 1)), ((2, 3, 4, 3), (2, 1, 1, 3, 1, 2))]
    xs = [sample(shape, 10 + i) for i, (shape, _) in enumerate(cases)]
    outs = run(lambda *xs: tuple(F.pad(x, p, mode) for x, (_, p) in zip(xs, cases)), *xs)
    for out, x, (shape, pad) in zip(outs, xs, cases):
        assert_exact(out, np_pad(x, pad, mode=NUMPY_MODE[mode]), f"pad({'x'.join(map(str, shape))}, {pad}, {mode!r})")
