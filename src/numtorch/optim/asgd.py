"""ASGD: averaged stochastic gradient descent."""
import numpy as np

from .. import _dtype
from ._fused import add_scaled, add_scaled_
from .optimizer import (Optimizer, _arrays, _as_real, _bump, _check_capturable_device,
                        _check_hyperparams, _check_unsupported, _one, _scalar_tensor, _step_zero,
                        _value, _zeros)

__all__ = ["ASGD", "asgd"]


def _eta_init(opt, p, group):
    return _scalar_tensor(_value(group["lr"]))


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent.

    .. math::
        \theta_t = \theta_{t-1}(1-\lambda\eta_t) - \eta_t g_t,\quad
        \bar\theta_t = \bar\theta_{t-1} + \mu_t(\theta_t - \bar\theta_{t-1}),\quad
        \eta_{t+1} = \frac{\gamma}{(1+\lambda\gamma t)^\alpha},\quad
        \mu_{t+1} = \frac{1}{\max(1, t - t_0)}

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): learning rate (default: 1e-2).
        lambd (float): decay term (default: 1e-4).
        alpha (float): power for the eta update (default: 0.75).
        t0 (float): point at which to start averaging (default: 1e6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.tensor([1.0], requires_grad=True)
        >>> opt = numtorch.optim.ASGD([w], lr=0.1, lambd=0.0)
        >>> w.grad = numtorch.tensor([1.0])
        >>> opt.step()
        >>> w
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_hyperparams(lr=lr, weight_decay=weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    _state_init = (("step", _step_zero), ("eta", _eta_init), ("mu", _one), ("ax", _zeros))
    _state_lists = ("ax", "mu", "eta", "step")
    _sparse_name = "ASGD"
    _setstate_options = {"foreach": None, "maximize": False, "differentiable": False,
                         "capturable": False}
    _scalar_state = ("step", "eta", "mu")


def asgd(params, grads, axs, mus, etas, state_steps, foreach=None, maximize=False,
         differentiable=False, capturable=False, has_complex=False, *, lambd, lr, t0, alpha,
         weight_decay):
    """Functional ASGD on lists of tensors (state tensors are updated in place)."""
    if capturable and params:
        _check_capturable_device("params, mus, etas, and state_steps")
    _single_tensor_asgd(*_arrays(params, grads, axs, mus, etas, state_steps), lambd=lambd,
                        lr=_value(lr), t0=t0, alpha=alpha, weight_decay=weight_decay,
                        maximize=maximize, has_complex=has_complex)
    _bump(params)


ASGD._functional = staticmethod(asgd)


def _single_tensor_asgd(params, grads, axs, mus, etas, state_steps, *, lambd, lr, t0, alpha,
                        weight_decay, maximize, has_complex):
    """The ASGD update on NumPy arrays, in place (``eta``, ``mu``, ``step`` are 0-dim)."""
    default_np = _dtype.get_default_dtype().np
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        mu = mus[i]
        ax = axs[i]
        eta = etas[i]
        step_t = state_steps[i]
        if has_complex:
            grad, param, ax = _as_real(grad), _as_real(param), _as_real(ax)
        step_t += 1
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        eta_value = float(eta)
        param *= 1 - lambd * eta_value
        add_scaled_(param, grad, -eta_value)
        mu_value = float(mu)
        if mu_value != 1:
            d = param - ax
            d *= mu_value
            ax += d
        else:
            np.copyto(ax, param)
        step = float(step_t)
        # torch builds the new values with as_tensor (default dtype), then copies them
        eta[...] = default_np.type(lr / ((1 + lambd * lr * step) ** alpha))
        mu[...] = default_np.type(1 / max(1, step - t0))
