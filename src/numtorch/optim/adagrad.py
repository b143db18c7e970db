"""Adagrad: per-coordinate learning rates from the sum of squared gradients."""
import numpy as np

from .._tensor import _wrap
from . import _differentiable
from ._fused import add_scaled, addcmul_
from .optimizer import (Optimizer, _arrays, _as_real, _bump, _check_fused, _check_hyperparams,
                        _check_state_steps, _fused_step_zero, _value, _with_grad)

__all__ = ["Adagrad", "adagrad"]


def _sum_init(opt, p, group):
    """The sum starts at initial_accumulator_value (v + v*1j for a complex parameter)."""
    value = opt.defaults["initial_accumulator_value"]
    if p._data.dtype.kind == "c":
        value = complex(value, value)
    return _wrap(np.full_like(p._data, value))


class Adagrad(Optimizer):
    r"""Adagrad.

    .. math::
        \tilde\gamma = \frac{\gamma}{1 + (t-1)\eta},\quad s_t = s_{t-1} + g_t^2,\quad
        \theta_t = \theta_{t-1} - \tilde\gamma\frac{g_t}{\sqrt{s_t}+\epsilon}

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): learning rate (default: 1e-2).
        lr_decay (float): learning rate decay :math:`\eta` (default: 0).
        weight_decay (float): L2 penalty (default: 0).
        initial_accumulator_value (float): initial value of the sum :math:`s_0` (default: 0).
        eps (float): added to the denominator (default: 1e-10).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.tensor([1.0], requires_grad=True)
        >>> opt = numtorch.optim.Adagrad([w], lr=0.1)
        >>> w.grad = numtorch.tensor([2.0])
        >>> opt.step()
        >>> w
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_hyperparams(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                for name, init in self._state_init:
                    state[name] = init(self, p, group)

    _state_init = (("step", _fused_step_zero), ("sum", _sum_init))
    _state_lists = ("sum", "step")
    _skipped_options = ("initial_accumulator_value",)
    _setstate_options = {"foreach": None, "maximize": False, "differentiable": False,
                         "fused": None}
    _scalar_state = ("step",)

    def share_memory(self):
        """No-op: NumPy arrays are not shared between processes this way."""


def adagrad(params, grads, state_sums, state_steps, fused=None, grad_scale=None, found_inf=None,
            has_sparse_grad=False, foreach=None, differentiable=False, has_complex=False, *,
            lr, weight_decay, lr_decay, eps, maximize):
    """Functional Adagrad on lists of tensors (state tensors are updated in place)."""
    _check_state_steps(state_steps)
    if has_sparse_grad:
        raise NotImplementedError("sparse gradients are not supported by numtorch's Adagrad")
    if differentiable:
        _with_grad(_differentiable.adagrad, params, grads, state_sums, state_steps, lr=lr,
                   weight_decay=weight_decay, lr_decay=lr_decay, eps=eps, maximize=maximize)
        return
    _single_tensor_adagrad(*_arrays(params, grads, state_sums, state_steps), lr=_value(lr),
                           weight_decay=weight_decay, lr_decay=lr_decay, eps=eps,
                           maximize=maximize, has_complex=has_complex)
    _bump(params)


Adagrad._functional = staticmethod(adagrad)


def _single_tensor_adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay,
                           lr_decay, eps, maximize, has_complex):
    """The Adagrad update on NumPy arrays, in place."""
    for param, grad, state_sum, step_t in zip(params, grads, state_sums, state_steps):
        step_t += 1
        step = float(step_t)
        grad = grad if not maximize else -grad
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        if has_complex:
            grad, state_sum, param = _as_real(grad), _as_real(state_sum), _as_real(param)
        addcmul_(state_sum, grad, grad, 1)
        std = np.sqrt(state_sum)
        std += eps
        upd = -clr * grad
        upd /= std
        param += upd
