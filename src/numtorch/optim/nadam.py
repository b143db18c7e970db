"""NAdam: Adam with Nesterov momentum (and momentum decay)."""
import numpy as np

from ._fused import addcmul_, lerp_
from .optimizer import (Optimizer, _arrays, _as_real, _bump, _check_capturable_device,
                        _check_hyperparams, _check_state_steps, _check_unsupported, _one,
                        _step_zero, _value, _weight_decay, _zeros)

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    r"""NAdam (Adam with Nesterov momentum).

    .. math::
        \mu_t = \beta_1(1 - \tfrac12 0.96^{t\psi}),\quad
        \theta_t = \theta_{t-1} - \gamma\frac{(1-\mu_t)g_t/(1-\prod_{i\le t}\mu_i)
        + \mu_{t+1}m_t/(1-\prod_{i\le t+1}\mu_i)}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): learning rate (default: 2e-3).
        betas (Tuple[float, float]): coefficients (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): weight decay (default: 0).
        momentum_decay (float): :math:`\psi` (default: 4e-3).
        decoupled_weight_decay (bool): AdamW-style weight decay (default: False).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.tensor([1.0], requires_grad=True)
        >>> opt = numtorch.optim.NAdam([w])
        >>> w.grad = numtorch.tensor([1.0])
        >>> opt.step()
        >>> w
        tensor([0.9979], requires_grad=True)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_hyperparams(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay,
                           momentum_decay=momentum_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    _state_init = (("step", _step_zero), ("mu_product", _one), ("exp_avg", _zeros),
                   ("exp_avg_sq", _zeros))
    _state_lists = ("exp_avg", "exp_avg_sq", "mu_product", "step")
    _sparse_name = "NAdam"
    _renamed_options = {"betas": ("beta1", "beta2")}
    _setstate_options = {"maximize": False, "foreach": None, "capturable": False,
                         "differentiable": False, "decoupled_weight_decay": False}
    _scalar_state = ("step", "mu_product")


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps,
          decoupled_weight_decay=False, foreach=None, capturable=False, differentiable=False,
          has_complex=False, maximize=False, *, beta1, beta2, lr, weight_decay, momentum_decay,
          eps):
    """Functional NAdam on lists of tensors (state tensors are updated in place)."""
    _check_state_steps(state_steps)
    if capturable and params:
        _check_capturable_device("params, mu_products and state_steps")
    _single_tensor_nadam(*_arrays(params, grads, exp_avgs, exp_avg_sqs, mu_products,
                                  state_steps),
                         beta1=beta1, beta2=beta2, lr=_value(lr), weight_decay=weight_decay,
                         momentum_decay=momentum_decay, eps=eps,
                         decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                         has_complex=has_complex)
    _bump(params)


NAdam._functional = staticmethod(nadam)


def _single_tensor_nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *,
                         beta1, beta2, lr, weight_decay, momentum_decay, eps,
                         decoupled_weight_decay, maximize, has_complex):
    """The NAdam update on NumPy arrays, in place (``mu_product`` is a 0-dim array)."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        mu_product = mu_products[i]
        step_t = state_steps[i]
        if has_complex:
            param, grad, exp_avg, exp_avg_sq = (_as_real(param), _as_real(grad),
                                                _as_real(exp_avg), _as_real(exp_avg_sq))
        step_t += 1
        step = float(step_t)
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            grad = _weight_decay(param, grad, lr, weight_decay, decoupled_weight_decay)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mu_product *= mu
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
        denom = exp_avg_sq / bias_correction2
        np.sqrt(denom, out=denom)
        denom += eps
        mu_prod = float(mu_product)
        mu_product_next = mu_prod * mu_next
        upd = (-lr * (1.0 - mu) / (1.0 - mu_prod)) * grad
        upd /= denom
        param += upd
        upd = (-lr * mu_next / (1.0 - mu_product_next)) * exp_avg
        upd /= denom
        param += upd
