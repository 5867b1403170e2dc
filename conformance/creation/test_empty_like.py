"""torch.empty_like: the input's size, dtype, layout and device; strides kept for dense inputs."""

import torch

from suite.spec import spec

EQUIVALENT = ("``torch.empty_like(input)`` is equivalent to ``torch.empty(input.size(), dtype=input.dtype, "
              "layout=input.layout, device=input.device)``.")
PRESERVE = ("When ``torch.preserve_format`` is used: If the input tensor is dense (i.e., non-overlapping strided), "
            "its memory format (including strides) is retained. Otherwise (e.g., a non-dense view like a stepped "
            "slice), the output is converted to the dense format.")


def describe(t):
    return tuple(t.shape), t.dtype, t.device, t.layout, t.stride()


@spec("torch.empty_like", EQUIVALENT, needs_values=False)
def test_empty_like_keeps_size_dtype_layout_and_device(run):
    inputs = [torch.ones(2, 3, dtype=torch.float64), torch.ones(4, dtype=torch.int8),
              torch.ones(0, 2, dtype=torch.bool)]
    # The output's values are uninitialised; only its metadata is compared, read before it leaves the backend.
    got = run(lambda *xs: [(describe(torch.empty_like(x)), describe(x)) for x in xs], *inputs)
    for x, (out, like) in zip(inputs, got):
        assert out[:4] == like[:4], f"empty_like of a {x.dtype} {tuple(x.shape)} input: (shape, dtype, " \
                                    f"device, layout) is {out[:4]}, documented {like[:4]}"


# Views are built on the backend from a contiguous base (moving a view to a device may not keep its strides).
VIEWS = {
    "x.t() of 3x4": (lambda x: x.t(), (1, 4)),
    "a channels_last 1x3x2x2": (lambda x: x.reshape(1, 3, 2, 2).contiguous(memory_format=torch.channels_last),
                                (12, 1, 6, 3)),
    "x.reshape(2, 3, 2).permute(2, 0, 1)": (lambda x: x.reshape(2, 3, 2).permute(2, 0, 1), (1, 6, 2)),
    "x[:, ::2] of 3x4 (not dense)": (lambda x: x[:, ::2], (2, 1)),
}


@spec("torch.empty_like", PRESERVE, needs_values=False)
def test_empty_like_keeps_dense_strides_and_densifies_stepped_slices(run):
    x = torch.arange(12.0).reshape(3, 4)
    got = run(lambda x: {name: torch.empty_like(view(x)).stride() for name, (view, _) in VIEWS.items()}, x)
    for name, (_, strides) in VIEWS.items():
        assert tuple(got[name]) == strides, f"empty_like({name}) has strides {tuple(got[name])}, documented {strides}"
