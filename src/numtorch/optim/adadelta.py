"""Adadelta: an adaptive learning rate from running averages of updates and gradients."""
import numpy as np

from ._fused import add_scaled, add_scaled_, addcmul_
from .optimizer import (Optimizer, _arrays, _as_real, _bump, _check_capturable_device,
                        _check_hyperparams, _check_unsupported, _step_zero, _validate, _value,
                        _zeros)

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta.

    .. math::
        v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad
        \Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}} g_t,\quad
        u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2,\quad \theta_t = \theta_{t-1} - \gamma\Delta_t

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): coefficient that scales delta (default: 1.0).
        rho (float): running-average coefficient (default: 0.9).
        eps (float): added inside the square roots (default: 1e-6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.tensor([1.0], requires_grad=True)
        >>> opt = numtorch.optim.Adadelta([w], eps=0.01)
        >>> w.grad = numtorch.tensor([1.0])
        >>> opt.step()
        >>> w
        tensor([0.6985], requires_grad=True)
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_hyperparams(lr=lr)
        _validate(rho=(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}"))
        _check_hyperparams(eps=eps, weight_decay=weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    _state_init = (("step", _step_zero), ("square_avg", _zeros), ("acc_delta", _zeros))
    _state_lists = ("square_avg", "acc_delta", "step")
    _sparse_name = "Adadelta"
    _setstate_options = {"foreach": None, "maximize": False, "differentiable": False,
                         "capturable": False}
    _scalar_state = ("step",)


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, capturable=False,
             foreach=None, differentiable=False, has_complex=False, *, lr, rho, eps,
             weight_decay, maximize):
    """Functional Adadelta on lists of tensors (state tensors are updated in place)."""
    if capturable and params:
        _check_capturable_device(supports_xla=False)
    _single_tensor_adadelta(*_arrays(params, grads, square_avgs, acc_deltas, state_steps),
                            lr=_value(lr), rho=rho, eps=eps, weight_decay=weight_decay,
                            maximize=maximize, has_complex=has_complex)
    _bump(params)


Adadelta._functional = staticmethod(adadelta)


def _single_tensor_adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho,
                            eps, weight_decay, maximize, has_complex):
    """The Adadelta update on NumPy arrays, in place."""
    for param, grad, square_avg, acc_delta, step in zip(params, grads, square_avgs, acc_deltas,
                                                        state_steps):
        step += 1
        grad = grad if not maximize else -grad
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        if has_complex:
            square_avg, acc_delta, grad = _as_real(square_avg), _as_real(acc_delta), _as_real(grad)
        square_avg *= rho
        addcmul_(square_avg, grad, grad, 1 - rho)
        std = square_avg + eps
        np.sqrt(std, out=std)
        delta = acc_delta + eps
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= grad
        acc_delta *= rho
        addcmul_(acc_delta, delta, delta, 1 - rho)
        if has_complex:
            delta = delta.view(param.dtype)
        add_scaled_(param, delta, -lr)
