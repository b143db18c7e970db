"""RMSprop: divide the gradient by a running root mean square."""
import numpy as np

from . import _differentiable
from ._fused import add_scaled, add_scaled_, addcmul, addcmul_, lerp_
from .optimizer import (Optimizer, _arrays, _as_real, _bump, _check_capturable_device,
                        _check_hyperparams, _step_zero, _value, _with_grad, _zeros)

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    r"""RMSprop.

    .. math::
        v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\quad
        \tilde v_t = v_t - \bar g_t^2 \text{ (centered)},\quad
        \theta_t = \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon)
        \text{ (through a momentum buffer when momentum > 0)}

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): learning rate (default: 1e-2).
        alpha (float): smoothing constant (default: 0.99).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        momentum (float): momentum factor (default: 0).
        centered (bool): normalize by an estimate of the gradient's variance (default: False).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.tensor([1.0], requires_grad=True)
        >>> opt = numtorch.optim.RMSprop([w], lr=0.01)
        >>> w.grad = numtorch.tensor([1.0])
        >>> opt.step()
        >>> w
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_hyperparams(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                           alpha=alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    _state_init = (("step", _step_zero), ("square_avg", _zeros),
                   ("momentum_buffer", _zeros, lambda group: group["momentum"] > 0),
                   ("grad_avg", _zeros, lambda group: group["centered"]))
    _state_lists = ("square_avg", "grad_avg", "momentum_buffer", "step")
    _sparse_name = "RMSprop"
    _setstate_options = {"momentum": 0, "centered": False, "foreach": None, "maximize": False,
                         "differentiable": False, "capturable": False}
    _scalar_state = ("step",)


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps,
            foreach=None, maximize=False, differentiable=False, capturable=False,
            has_complex=False, *, lr, alpha, eps, weight_decay, momentum, centered):
    """Functional RMSprop on lists of tensors (state tensors are updated in place)."""
    if capturable and params:
        _check_capturable_device()
    if differentiable:
        _with_grad(_differentiable.rmsprop, params, grads, square_avgs, grad_avgs,
                   momentum_buffer_list, state_steps, lr=lr, alpha=alpha, eps=eps,
                   weight_decay=weight_decay, momentum=momentum, centered=centered,
                   maximize=maximize)
        return
    _single_tensor_rmsprop(*_arrays(params, grads, square_avgs, grad_avgs,
                                    momentum_buffer_list, state_steps),
                           lr=_value(lr), alpha=alpha, eps=eps,
                           weight_decay=weight_decay, momentum=momentum, centered=centered,
                           maximize=maximize, has_complex=has_complex)
    _bump(params)


RMSprop._functional = staticmethod(rmsprop)


def _single_tensor_rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list,
                           state_steps, *, lr, alpha, eps, weight_decay, momentum, centered,
                           maximize, has_complex):
    """The RMSprop update on NumPy arrays, in place."""
    for i, param in enumerate(params):
        step = state_steps[i]
        grad = grads[i] if not maximize else -grads[i]
        square_avg = square_avgs[i]
        step += 1
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        if has_complex:
            param, grad, square_avg = _as_real(param), _as_real(grad), _as_real(square_avg)
        square_avg *= alpha
        addcmul_(square_avg, grad, grad, 1 - alpha)
        if centered:
            grad_avg = _as_real(grad_avgs[i]) if has_complex else grad_avgs[i]
            lerp_(grad_avg, grad, 1 - alpha)
            avg = addcmul(square_avg, grad_avg, grad_avg, -1)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(square_avg)
        avg += eps
        if momentum > 0:
            buf = _as_real(momentum_buffer_list[i]) if has_complex else momentum_buffer_list[i]
            buf *= momentum
            buf += grad / avg
            add_scaled_(param, buf, -lr)
        else:
            upd = -lr * grad
            upd /= avg
            param += upd
