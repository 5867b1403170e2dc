"""torch.autocast: result dtypes of listed ops (matmuls in the lower precision, losses in float32),
the default dtype per device type, nested disabled regions, mixed input dtypes."""

import pytest
import torch
import torch.nn.functional as F

from suite.expect import assert_close
from suite.spec import spec

OP_REFERENCE = "https://docs.pytorch.org/docs/stable/amp.html#autocast-op-reference"
OP_SPECIFIC = ("In these regions, ops run in an op-specific dtype chosen by autocast to improve performance while "
               "maintaining accuracy.")
DEFAULT_DTYPE = ("It uses the default value (``torch.float16`` for CUDA and ``torch.bfloat16`` for CPU), given by "
                 ":func:`~torch.get_autocast_dtype`, if :attr:`dtype` is ``None``.")
NESTED = "``autocast(enabled=False)`` subregions can be nested in autocast-enabled regions."
ANY_TYPE = "When entering an autocast-enabled region, Tensors may be any type."
DOCUMENTED_DEFAULT = {"cpu": torch.bfloat16, "cuda": torch.float16}


def lower_precision(run) -> torch.dtype:
    """The autocast dtype of the backend's device type; skips where torch.autocast refuses it."""
    device_type = run.device.type
    try:
        torch.autocast(device_type=device_type)
    except RuntimeError as error:
        pytest.skip(f"torch.autocast does not support device_type {device_type!r}: {error}")
    return torch.get_autocast_dtype(device_type)


def halves(*shape, seed):
    """Multiples of 0.5 in [-2, 2]: exact in every half type, and so are the products and sums
    below, so a matmul's only rounding is to its output dtype."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(-4, 5, shape, generator=g).float() / 2


@spec("torch.autocast", OP_SPECIFIC, url=OP_REFERENCE, needs_values=False)
def test_autocast_runs_matmuls_in_lower_precision_and_losses_in_float32(run):
    low = lower_precision(run)
    a, b, w, bias = halves(4, 3, seed=0), halves(3, 5, seed=1), halves(5, 3, seed=2), halves(5, seed=3)
    x3, y3 = halves(2, 4, 3, seed=4), halves(2, 3, 2, seed=5)
    # Inputs already in the lower precision, for ops listed to autocast to float32.
    p, q = torch.randn(8, generator=torch.Generator().manual_seed(6)).to(low), halves(8, seed=7).to(low)
    target = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.5, 1.0, 0.0, 0.25]).to(low)

    def fn(a, b, w, bias, x3, y3, p, q, target):
        with torch.autocast(device_type=a.device.type):
            lowered = {"mm": torch.mm(a, b), "matmul": torch.matmul(a, b), "linear": F.linear(a, w, bias),
                       "addmm": torch.addmm(bias, a, w.t()), "bmm": torch.bmm(x3, y3)}
            widened = {"l1_loss": F.l1_loss(p, q),
                       "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits(p, target)}
        return lowered, widened

    lowered, widened = run(fn, a, b, w, bias, x3, y3, p, q, target)
    a64, b64, w64, bias64 = a.double(), b.double(), w.double(), bias.double()
    matmuls = {"mm": a64 @ b64, "matmul": a64 @ b64, "linear": a64 @ w64.T + bias64, "addmm": bias64 + a64 @ w64.T,
               "bmm": x3.double() @ y3.double()}
    for name, reference in matmuls.items():
        assert_close(lowered[name], reference, low, f"{name} of float32 inputs under autocast")
    p64, q64, t64 = p.double(), q.double(), target.double()
    losses = {"l1_loss": (p64 - q64).abs().mean(),
              # max(p, 0) − p·t + log1p(exp(−|p|)): the documented loss, outside torch's kernel
              "binary_cross_entropy_with_logits":
                  (p64.clamp(min=0) - p64 * t64 + (-p64.abs()).exp().log1p()).mean()}
    for name, reference in losses.items():
        assert_close(widened[name], reference, torch.float32, f"{name} of {low} inputs under autocast")


@spec("torch.autocast", DEFAULT_DTYPE, needs_values=False)
def test_autocast_default_dtype_per_device_type(run):
    lower_precision(run)
    device_type = run.device.type
    expected = DOCUMENTED_DEFAULT.get(device_type, torch.get_autocast_dtype(device_type))
    a, b = halves(3, 4, seed=10), halves(4, 2, seed=11)

    def fn(a, b):
        with torch.autocast(device_type=a.device.type):
            implicit = torch.mm(a, b)
        with torch.autocast(device_type=a.device.type, dtype=None):
            none = torch.mm(a, b)
        return implicit, none

    implicit, none = run(fn, a, b)
    reference = a.double() @ b.double()
    assert_close(implicit, reference, expected, f"mm under torch.autocast({device_type!r})")
    assert_close(none, reference, expected, f"mm under torch.autocast({device_type!r}, dtype=None)")


@spec("torch.autocast", NESTED, needs_values=False)
def test_autocast_disabled_subregion_runs_in_float32(run):
    low = lower_precision(run)
    a, b, c, d = (halves(3, 3, seed=20 + i) for i in range(4))

    def fn(a, b, c, d):
        with torch.autocast(device_type=a.device.type):
            e = torch.mm(a, b)
            with torch.autocast(device_type=a.device.type, enabled=False):
                f = torch.mm(c, e.float())
            g = torch.mm(d, f)
        return e, f, g

    e, f, g = run(fn, a, b, c, d)
    e64 = a.double() @ b.double()
    f64 = c.double() @ e64
    assert_close(e, e64, low, "mm(a, b) under autocast")
    assert_close(f, f64, torch.float32, "mm(c, e.float()) in a nested autocast(enabled=False)")
    assert_close(g, d.double() @ f64, low, "mm(d, f) back in the autocast region")


@spec("torch.autocast", ANY_TYPE, needs_values=False)
def test_autocast_takes_mixed_input_dtypes(run):
    low = lower_precision(run)
    a, b, w = halves(2, 3, seed=30), halves(3, 4, seed=31), halves(4, 3, seed=32)

    def fn(a, b_low, w_half):
        with torch.autocast(device_type=a.device.type):
            return torch.mm(a, b_low), torch.mm(b_low.t(), a.t()), F.linear(a, w_half)

    outs = run(fn, a, b.to(low), w.half())
    references = [a.double() @ b.double(), b.double().T @ a.double().T, a.double() @ w.double().T]
    names = ["mm(float32, low)", "mm(low, float32)", "linear(float32, float16)"]
    for out, reference, name in zip(outs, references, names):
        assert_close(out, reference, low, f"{name} under autocast")
