"""torch.nn.Module.register_buffer: buffers are attributes, persistent ones (the default) are in state_dict."""

import torch
from torch import nn

from suite.expect import assert_exact
from suite.spec import spec

URL = "https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer"
PERSISTENT = "Buffers, by default, are persistent and will be saved alongside parameters."
NON_PERSISTENT = ("The only difference between a persistent buffer and a non-persistent buffer is that the latter "
                  "will not be a part of this module's :attr:`state_dict`.")
NONE = "If ``None``, the buffer is **not** included in the module's :attr:`state_dict`."
ATTRIBUTES = "Buffers can be accessed as attributes using given names."


def module_with_buffers(w, b):
    m = nn.Module()
    m.weight = nn.Parameter(w)
    m.register_buffer("running", b)
    m.register_buffer("scratch", b * 2, persistent=False)
    m.register_buffer("absent", None)
    return m


@spec("torch.nn.Module.register_buffer", PERSISTENT, url=URL, needs_values=False)
def test_default_buffer_is_saved_in_state_dict_with_the_parameters(run):
    w, b = torch.tensor([1.0, -2.0]), torch.tensor([3, 4, 5])
    state = run(lambda w, b: module_with_buffers(w, b).state_dict(), w, b)
    assert list(state) == ["weight", "running"], f"state_dict keys {list(state)}, documented ['weight', 'running']"
    assert_exact(state["weight"], w, "state_dict()['weight']")
    assert_exact(state["running"], b, "state_dict()['running'] of a buffer registered without persistent=")


@spec("torch.nn.Module.register_buffer", NON_PERSISTENT, url=URL, needs_values=False)
def test_non_persistent_buffer_is_a_buffer_left_out_of_state_dict(run):
    b = torch.tensor([3.0, 4.0])

    def fn(w, b):
        m = module_with_buffers(w, b)
        return dict(m.named_buffers()), list(m.state_dict()), m.scratch

    buffers, keys, scratch = run(fn, torch.zeros(1), b)
    assert "scratch" not in keys, f"state_dict keys {keys} include the non-persistent buffer"
    assert list(buffers) == ["running", "scratch"], f"named_buffers() {list(buffers)}, documented both buffers"
    assert_exact(buffers["scratch"], b * 2, "named_buffers()['scratch']")
    assert_exact(scratch, b * 2, "m.scratch")


@spec("torch.nn.Module.register_buffer", NONE, url=URL, needs_values=False)
def test_none_buffer_is_not_in_state_dict(run):
    keys, absent = run(lambda w, b: (list(module_with_buffers(w, b).state_dict()),
                                     module_with_buffers(w, b).absent), torch.zeros(1), torch.zeros(2))
    assert "absent" not in keys and absent is None, f"state_dict keys {keys}; m.absent is {absent!r}"


@spec("torch.nn.Module.register_buffer", ATTRIBUTES, url=URL, needs_values=False)
def test_buffer_is_an_attribute_under_its_name(run):
    b = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
    got = run(lambda w, b: module_with_buffers(w, b).running, torch.zeros(1), b)
    assert_exact(got, b, "m.running after m.register_buffer('running', b)")
