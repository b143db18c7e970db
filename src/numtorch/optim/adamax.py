"""Adamax: Adam with the infinity norm of past gradients."""
import numpy as np

from ._fused import add_scaled, lerp_
from .optimizer import (Optimizer, _arrays, _as_real, _bump, _check_capturable_device,
                        _check_hyperparams, _check_unsupported, _step_zero, _value, _zeros)

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    r"""Adamax (the infinity-norm variant of Adam).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad
        \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\frac{m_t}{u_t}

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): learning rate (default: 2e-3).
        betas (Tuple[float, float]): coefficients (default: (0.9, 0.999)).
        eps (float): added to ``|g|`` (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.tensor([1.0], requires_grad=True)
        >>> opt = numtorch.optim.Adamax([w], lr=0.1)
        >>> w.grad = numtorch.tensor([2.0])
        >>> opt.step()
        >>> w
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_hyperparams(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    _state_init = (("step", _step_zero), ("exp_avg", _zeros), ("exp_inf", _zeros))
    _state_lists = ("exp_avg", "exp_inf", "step")
    _sparse_name = "Adamax"
    _renamed_options = {"betas": ("beta1", "beta2")}
    _setstate_options = {"foreach": None, "maximize": False, "differentiable": False,
                         "capturable": False}
    _scalar_state = ("step",)


def adamax(params, grads, exp_avgs, exp_infs, state_steps, foreach=None, maximize=False,
           differentiable=False, capturable=False, has_complex=False, *, eps, beta1, beta2, lr,
           weight_decay):
    """Functional Adamax on lists of tensors (state tensors are updated in place)."""
    if capturable and params:
        _check_capturable_device()
    _single_tensor_adamax(*_arrays(params, grads, exp_avgs, exp_infs, state_steps), eps=eps,
                          beta1=beta1, beta2=beta2, lr=_value(lr), weight_decay=weight_decay,
                          maximize=maximize, has_complex=has_complex)
    _bump(params)


Adamax._functional = staticmethod(adamax)


def _single_tensor_adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2,
                          lr, weight_decay, maximize, has_complex):
    """The Adamax update on NumPy arrays, in place."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_inf = exp_infs[i]
        step_t = state_steps[i]
        step_t += 1
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        if has_complex:
            param, grad, exp_avg, exp_inf = (_as_real(param), _as_real(grad), _as_real(exp_avg),
                                             _as_real(exp_inf))
        lerp_(exp_avg, grad, 1 - beta1)
        exp_inf *= beta2
        norm = np.abs(grad)
        norm += eps
        np.maximum(exp_inf, norm, out=exp_inf)
        clr = lr / (1 - beta1 ** float(step_t))
        upd = -clr * exp_avg
        upd /= exp_inf
        param += upd
