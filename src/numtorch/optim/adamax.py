"""Adamax: Adam with the infinity norm of past gradients."""
import numpy as np

from .._tensor import Tensor
from ._fused import add_scaled, lerp_
from .optimizer import (Optimizer, _as_real, _bump, _check_capturable_device, _check_no_sparse,
                        _check_unsupported, _closure_loss, _scalar_tensor, _validate,
                        _value, _zeros_like)

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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate(lr=(0.0 <= lr, f"Invalid learning rate: {lr}"),
                  eps=(0.0 <= eps, f"Invalid epsilon value: {eps}"),
                  b0=(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}"),
                  b1=(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}"),
                  wd=(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}"))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._setstate_groups(foreach=None, maximize=False, differentiable=False,
                              capturable=False)
        self._setstate_tensor_state("step")

    def _init_group(self, group, params_with_grad, grads, exp_avgs, exp_infs, state_steps):
        has_complex = False
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            has_complex |= p._data.dtype.kind == "c"
            params_with_grad.append(p)
            _check_no_sparse(g, "Adamax")
            grads.append(g)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _scalar_tensor(0.0)
                state["exp_avg"] = _zeros_like(p)
                state["exp_inf"] = _zeros_like(p)
            exp_avgs.append(state["exp_avg"])
            exp_infs.append(state["exp_inf"])
            state_steps.append(state["step"])
        return has_complex

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, exp_avgs, exp_infs, steps = [], [], [], [], []
            beta1, beta2 = group["betas"]
            has_complex = self._init_group(group, params, grads, exp_avgs, exp_infs, steps)
            adamax(params, grads, exp_avgs, exp_infs, steps, eps=group["eps"], beta1=beta1,
                   beta2=beta2, lr=group["lr"], weight_decay=group["weight_decay"],
                   foreach=group["foreach"], maximize=group["maximize"],
                   differentiable=group["differentiable"], capturable=group["capturable"],
                   has_complex=has_complex)
        return loss


def adamax(params, grads, exp_avgs, exp_infs, state_steps, foreach=None, maximize=False,
           differentiable=False, capturable=False, has_complex=False, *, eps, beta1, beta2, lr,
           weight_decay):
    """Functional Adamax on lists of tensors (state tensors are updated in place)."""
    if capturable and params:
        _check_capturable_device()
    _single_tensor_adamax([p._data for p in params], [g._data for g in grads],
                          [t._data for t in exp_avgs], [t._data for t in exp_infs],
                          [t._data for t in state_steps], eps=eps, beta1=beta1, beta2=beta2,
                          lr=_value(lr), weight_decay=weight_decay, maximize=maximize,
                          has_complex=has_complex)
    _bump(params)


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
