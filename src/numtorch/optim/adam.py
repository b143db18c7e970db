"""Adam (and, with decoupled weight decay, AdamW): adaptive moment estimation."""
import numpy as np

from .._tensor import Tensor
from . import _differentiable
from ._fused import addcmul_, lerp_
from .optimizer import (Optimizer, _arrays, _as_real, _bump, _check_capturable_device,
                        _check_fused, _check_hyperparams, _check_state_steps, _fused_step_zero,
                        _rdiv, _to_scalar, _value, _weight_decay, _with_grad,
                        _zeros)

__all__ = ["Adam", "adam"]


def _check_betas(betas, capturable, foreach):
    b0, b1 = betas
    if not ((isinstance(b0, float) and isinstance(b1, float))
            or (isinstance(b0, Tensor) and isinstance(b1, Tensor))):
        raise ValueError("betas must be either both floats or both Tensors")
    for i, b in enumerate(betas):
        if isinstance(b, Tensor):
            if not capturable and foreach:
                raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False "
                                 "and foreach=True")
            if b.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")


class Adam(Optimizer):
    r"""Adam.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
        \quad \theta_t = \theta_{t-1} - \gamma \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)}
        + \epsilon}

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): learning rate (default: 1e-3).
        betas (Tuple[float, float]): coefficients of the running averages of the gradient and its
            square (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        amsgrad (bool): use the maximum of past squared-gradient averages (default: False).
        maximize (bool): maximize the objective (default: False).
        decoupled_weight_decay (bool): AdamW-style weight decay (default: False).
        foreach, capturable, differentiable, fused: accepted for compatibility.

    Example::

        >>> w = numtorch.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = numtorch.optim.Adam([w], lr=0.1)
        >>> w.grad = numtorch.tensor([1.0, -1.0])
        >>> opt.step()
        >>> w
        tensor([0.9000, 2.1000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
        _check_hyperparams(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        _check_betas(betas, capturable, foreach)
        betas = tuple(map(_to_scalar, betas))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)

    _state_init = (("step", _fused_step_zero), ("exp_avg", _zeros), ("exp_avg_sq", _zeros),
                   ("max_exp_avg_sq", _zeros, lambda group: group["amsgrad"]))
    _state_lists = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step")
    _sparse_name = "Adam"
    _renamed_options = {"betas": ("beta1", "beta2")}
    _setstate_options = {"amsgrad": False, "maximize": False, "foreach": None,
                         "capturable": False, "differentiable": False,
                         "decoupled_weight_decay": False, "fused": None}
    _scalar_state = ("step",)


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, foreach=None,
         capturable=False, differentiable=False, fused=None, grad_scale=None, found_inf=None,
         has_complex=False, decoupled_weight_decay=False, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize):
    """Functional Adam on lists of tensors (state tensors are updated in place)."""
    _check_state_steps(state_steps)
    if grad_scale is not None or found_inf is not None:
        raise NotImplementedError("grad_scale/found_inf (AMP) are not supported")
    if capturable and params:
        _check_capturable_device()
    if differentiable:
        _with_grad(_differentiable.adam, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs,
                   state_steps, amsgrad=amsgrad, beta1=beta1, beta2=beta2, lr=lr,
                   weight_decay=weight_decay, eps=eps, maximize=maximize,
                   decoupled_weight_decay=decoupled_weight_decay)
        return
    _single_tensor_adam(
        *_arrays(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps),
        amsgrad=amsgrad, has_complex=has_complex,
        beta1=_value(beta1), beta2=_value(beta2), lr=_value(lr), weight_decay=weight_decay,
        eps=eps, maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
    _bump(params)


Adam._functional = staticmethod(adam)


def _single_tensor_adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *,
                        amsgrad, has_complex, beta1, beta2, lr, weight_decay, eps, maximize,
                        decoupled_weight_decay):
    """The Adam/AdamW update on NumPy arrays, in place."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        step_t = state_steps[i]
        step_t += 1
        if weight_decay != 0:
            grad = _weight_decay(param, grad, lr, weight_decay, decoupled_weight_decay)
        if has_complex:
            grad, exp_avg, exp_avg_sq, param = (_as_real(grad), _as_real(exp_avg),
                                                _as_real(exp_avg_sq), _as_real(param))
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
        step = float(step_t)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = _rdiv(lr, bias_correction1)
        bias_correction2_sqrt = bias_correction2 ** 0.5
        if amsgrad:
            max_sq = _as_real(max_exp_avg_sqs[i]) if has_complex else max_exp_avg_sqs[i]
            np.maximum(max_sq, exp_avg_sq, out=max_sq)
            denom = np.sqrt(max_sq)
        else:
            denom = np.sqrt(exp_avg_sq)
        denom /= bias_correction2_sqrt
        denom += eps
        upd = -step_size * exp_avg
        upd /= denom
        param += upd
