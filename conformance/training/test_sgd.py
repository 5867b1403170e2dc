"""torch.optim.SGD: its documented algorithm with defaults, momentum, dampening, Nesterov, weight decay, maximize."""

import pytest
import torch

from conformance.training.shared import GRADS, PARAMS, optimizer_steps, sgd_reference
from suite.expect import assert_close
from suite.spec import spec

URL = "https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html"
LR = "lr (float, Tensor, optional): learning rate (default: 1e-3)"
MOMENTUM = "momentum (float, optional): momentum factor (default: 0)"
FIRST_BUFFER = "Moreover, the initial value of the momentum buffer is set to the gradient value at the first step."
DAMPENING = ("One notable side effect of this decision is that the first momentum value will not be scaled by "
             "dampening. Dampening will be applied starting at the second step.")
NESTEROV = ("nesterov (bool, optional): enables Nesterov momentum. Only applicable when momentum is non-zero. "
            "(default: False)")
WEIGHT_DECAY = "weight_decay (float, optional): weight decay (L2 penalty) (default: 0)"
MAXIMIZE = ("maximize (bool, optional): maximize the objective with respect to the params, instead of minimizing "
            "(default: False)")


def case(kwargs, claim, id):
    return pytest.param(kwargs, id=id, marks=spec("torch.optim.SGD", claim, url=URL))


CASES = [
    case({}, LR, "default-lr"),
    case({"lr": 0.1}, MOMENTUM, "default-momentum"),
    case({"lr": 0.1, "momentum": 0.9}, FIRST_BUFFER, "momentum"),
    case({"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, DAMPENING, "dampening"),
    case({"lr": 0.1, "momentum": 0.9, "nesterov": True}, NESTEROV, "nesterov"),
    case({"lr": 0.1, "weight_decay": 0.1}, WEIGHT_DECAY, "weight-decay"),
    case({"lr": 0.1, "momentum": 0.5, "weight_decay": 0.2, "nesterov": True, "maximize": True}, MAXIMIZE, "maximize"),
]


@pytest.mark.parametrize("kwargs", CASES)
def test_sgd_follows_its_documented_algorithm(run, kwargs):
    # Each step: g += weight_decay * p; b = g at step 1, else momentum * b + (1 - dampening) * g;
    # g = g + momentum * b (Nesterov) or b; p -= lr * g. Three steps over two parameters.
    got = optimizer_steps(run, lambda params: torch.optim.SGD(params, **kwargs))
    for i, (p, grads) in enumerate(zip(PARAMS, GRADS)):
        assert_close(got[i], sgd_reference(p, grads, **kwargs), torch.float32,
                     f"parameter {i} after each of 3 steps of SGD({kwargs})")
