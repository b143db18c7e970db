"""RAdam: Adam with a rectified adaptive learning rate."""
import numpy as np

from ._fused import addcmul_, lerp_
from .optimizer import (Optimizer, _arrays, _as_real, _bump, _check_capturable_device,
                        _check_hyperparams, _check_state_steps, _check_unsupported, _step_zero,
                        _value, _weight_decay, _zeros)

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    r"""RAdam (rectified Adam).

    .. math::
        \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t},\quad
        \theta_t = \theta_{t-1} - \gamma\,\hat m_t\,
        \begin{cases} r_t\,\sqrt{1-\beta_2^t}/(\sqrt{v_t}+\epsilon) & \rho_t > 5\\
        1 & \text{otherwise}\end{cases}

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): learning rate (default: 1e-3).
        betas (Tuple[float, float]): coefficients (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): weight decay (default: 0).
        decoupled_weight_decay (bool): AdamW-style weight decay (default: False).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.tensor([1.0], requires_grad=True)
        >>> opt = numtorch.optim.RAdam([w], lr=0.1)
        >>> w.grad = numtorch.tensor([1.0])
        >>> opt.step()
        >>> w
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_hyperparams(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    _state_init = (("step", _step_zero), ("exp_avg", _zeros), ("exp_avg_sq", _zeros))
    _state_lists = ("exp_avg", "exp_avg_sq", "step")
    _sparse_name = "RAdam"
    _renamed_options = {"betas": ("beta1", "beta2")}
    _setstate_options = {"foreach": None, "maximize": False, "differentiable": False,
                         "capturable": False, "decoupled_weight_decay": False}
    _scalar_state = ("step",)


def radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, decoupled_weight_decay=False,
          foreach=None, differentiable=False, capturable=False, has_complex=False,
          maximize=False, *, beta1, beta2, lr, weight_decay, eps):
    """Functional RAdam on lists of tensors (state tensors are updated in place)."""
    _check_state_steps(state_steps)
    if capturable and params:
        _check_capturable_device()
    _single_tensor_radam(*_arrays(params, grads, exp_avgs, exp_avg_sqs, state_steps),
                         beta1=beta1, beta2=beta2, lr=_value(lr), weight_decay=weight_decay,
                         eps=eps, decoupled_weight_decay=decoupled_weight_decay,
                         maximize=maximize, has_complex=has_complex)
    _bump(params)


RAdam._functional = staticmethod(radam)


def _single_tensor_radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2,
                         lr, weight_decay, eps, decoupled_weight_decay, maximize, has_complex):
    """The RAdam update on NumPy arrays, in place."""
    rho_inf = 2 / (1 - beta2) - 1
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        step_t = state_steps[i]
        if has_complex:
            param, grad, exp_avg, exp_avg_sq = (_as_real(param), _as_real(grad),
                                                _as_real(exp_avg), _as_real(exp_avg_sq))
        step_t += 1
        step = float(step_t)
        if weight_decay != 0:
            grad = _weight_decay(param, grad, lr, weight_decay, decoupled_weight_decay)
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        upd = exp_avg / bias_correction1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        upd *= lr
        if rho_t > 5.0:
            adaptive = np.sqrt(exp_avg_sq)
            adaptive += eps
            np.reciprocal(adaptive, out=adaptive)  # torch: number / tensor = reciprocal * number
            adaptive *= bias_correction2 ** 0.5
            upd *= adaptive
            upd *= ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        param -= upd
