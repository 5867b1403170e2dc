"""What several training spec files share: the documented algorithms in float64 NumPy, and the
loops that run an optimizer or a scheduler on the backend."""

import numpy as np
import torch

# Two parameters of different shapes and three steps of gradients that change sign and size.
PARAMS = [np.array([1.0, -2.0, 0.5]), np.array([[0.25, -0.75], [1.5, 3.0]])]
GRADS = [np.array([[0.5, -1.0, 2.0], [0.25, 0.5, -1.5], [-1.0, 0.125, 0.75]]),
         np.array([[[1.0, 0.5], [-0.25, 2.0]], [[-0.5, 1.5], [0.75, -1.0]], [[0.25, -2.0], [1.0, 0.5]]])]


def sgd_reference(p, grads, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    """torch.optim.SGD's documented algorithm; the parameter after each step."""
    out, b = [], None
    for g in grads:
        g = -g if maximize else g
        if weight_decay != 0:
            g = g + weight_decay * p
        if momentum != 0:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        p = p - lr * g
        out.append(p)
    return np.stack(out)


def adam_reference(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False,
                   amsgrad=False):
    """torch.optim.Adam's documented algorithm (decoupled=True: AdamW's); the parameter after each step."""
    b1, b2 = betas
    m = v = v_max = np.zeros_like(p)
    out = []
    for t, g in enumerate(grads, 1):
        if decoupled:
            p = p - lr * weight_decay * p
        elif weight_decay != 0:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_max = np.maximum(v_max, v)
        v_hat = (v_max if amsgrad else v) / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p)
    return np.stack(out)


def optimizer_steps(run, make, grads=GRADS, dtype=torch.float32):
    """Builds ``make(params)`` on the backend over PARAMS, sets each step's ``grads`` and steps;
    returns each parameter after each step (a tensor per parameter, steps first)."""
    def fn(*tensors):
        params, steps = tensors[:len(PARAMS)], tensors[len(PARAMS):]
        opt = make(params)
        after = [[] for _ in params]
        for step in range(len(steps[0])):
            for p, g in zip(params, steps):
                p.grad = g[step].clone()
            opt.step()
            for p, seen in zip(params, after):
                seen.append(p.detach().clone())
        return [torch.stack(seen) for seen in after]

    params = [torch.tensor(p, dtype=dtype, requires_grad=True) for p in PARAMS]
    return run(fn, *params, *[torch.tensor(g, dtype=dtype) for g in grads])


LRS = (0.1, 0.02)  # one learning rate per parameter group


def scheduled_sgd(run, make_scheduler, steps, momentum=0.0, metrics=None):
    """SGD over two parameter groups (one float64 scalar each, gradient 1 at every step), with
    ``make_scheduler(optimizer)`` stepped after each optimizer step (with ``metrics[step]`` if
    given), on the backend. Returns the (lr, momentum) of each group at each step, and the
    parameters after each step: the learning rates as the device applied them."""
    def fn(p1, p2, metrics):
        opt = torch.optim.SGD([{"params": [p1]}, {"params": [p2], "lr": LRS[1]}], lr=LRS[0], momentum=momentum)
        scheduler = make_scheduler(opt)
        used, after = [], []
        for step in range(steps):
            used.append([[group["lr"], group["momentum"]] for group in opt.param_groups])
            p1.grad, p2.grad = torch.ones_like(p1), torch.ones_like(p2)
            opt.step()
            after.append(torch.cat([p1.detach(), p2.detach()]))
            scheduler.step() if metrics is None else scheduler.step(metrics[step])
        return torch.tensor(used, dtype=torch.float64), torch.stack(after)

    zero = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    used, after = run(fn, zero, zero.detach().clone().requires_grad_(), metrics)
    return used[..., 0], used[..., 1], after


def sgd_positions(lrs, momenta=None):
    """Where scheduled_sgd's parameters are after each step, from the learning rates (steps x
    groups) and momenta by SGD's algorithm with gradient 1 (dampening 0)."""
    lrs = np.asarray(lrs, dtype=np.float64)
    momenta = np.zeros_like(lrs) if momenta is None else np.asarray(momenta, dtype=np.float64)
    p, b, out = np.zeros(lrs.shape[1]), None, []
    for lr, mu in zip(lrs, momenta):
        b = np.ones_like(p) if b is None else np.where(mu != 0, mu * b + 1, 1.0)
        p = p - lr * b
        out.append(p)
    return np.stack(out)
