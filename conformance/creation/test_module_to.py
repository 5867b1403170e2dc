"""torch.nn.Module.to: buffers move and cast with the module; integral ones keep their dtype."""

import torch
from torch import nn

from suite.expect import assert_exact
from suite.spec import spec

URL = "https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to"
MOVE = "Move and/or cast the parameters and buffers."
INTEGRAL = ("The integral parameters and buffers will be moved :attr:`device`, if that is given, but with dtypes "
            "unchanged.")


def module_on_cpu():
    """Built on the CPU (inside the backend's function), so that .to has something to move."""
    m = nn.Module()
    m.weight = nn.Parameter(torch.tensor([0.5, -1.5], device="cpu"))
    m.register_buffer("running", torch.tensor([1.0, 2.0, 3.0], device="cpu"))
    m.register_buffer("count", torch.tensor([7, 8], device="cpu"))
    m.register_buffer("scratch", torch.tensor([0.25], device="cpu"), persistent=False)
    return m


def moved(like, **kwargs):
    m = module_on_cpu().to(like.device, **kwargs)
    tensors = [m.weight, m.running, m.count, m.scratch]
    return [t.detach() for t in tensors], torch.tensor([t.device == like.device for t in tensors])


@spec("torch.nn.Module.to", MOVE, url=URL, needs_values=False)
def test_to_moves_and_casts_buffers_with_the_parameters(run):
    (weight, running, count, scratch), on_device = run(lambda like: moved(like, dtype=torch.float64), torch.empty(0))
    assert_exact(on_device, torch.ones(4, dtype=torch.bool),
                 "weight, running, count, scratch are on the device given to .to")
    assert_exact(weight, torch.tensor([0.5, -1.5], dtype=torch.float64), "weight after .to(device, float64)")
    assert_exact(running, torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), "buffer after .to(device, float64)")
    assert_exact(scratch, torch.tensor([0.25], dtype=torch.float64),
                 "non-persistent buffer after .to(device, float64)")


@spec("torch.nn.Module.to", INTEGRAL, url=URL, needs_values=False)
def test_to_moves_integral_buffers_without_casting_them(run):
    (_, running, count, _), on_device = run(lambda like: moved(like, dtype=torch.float16), torch.empty(0))
    assert_exact(on_device[2], torch.tensor(True), "integral buffer is on the device given to .to")
    assert_exact(count, torch.tensor([7, 8]), "int64 buffer after .to(device, float16)")
    assert_exact(running, torch.tensor([1.0, 2.0, 3.0], dtype=torch.float16), "float buffer after .to(device, float16)")
