"""ASGD: averaged stochastic gradient descent."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._fused import add_scaled, add_scaled_
from .optimizer import (Optimizer, _as_real, _bump, _check_capturable_device, _check_no_sparse,
                        _check_unsupported, _closure_loss, _scalar_tensor, _validate, _value,
                        _zeros_like)

__all__ = ["ASGD", "asgd"]


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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate(lr=(0.0 <= lr, f"Invalid learning rate: {lr}"),
                  wd=(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}"))
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._setstate_groups(foreach=None, maximize=False, differentiable=False,
                              capturable=False)
        self._setstate_tensor_state("step", "eta", "mu")

    def _init_group(self, group, params_with_grad, grads, mus, axs, etas, state_steps):
        has_complex = False
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            has_complex |= p._data.dtype.kind == "c"
            params_with_grad.append(p)
            _check_no_sparse(g, "ASGD")
            grads.append(g)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _scalar_tensor(0.0)
                state["eta"] = _scalar_tensor(_value(group["lr"]))
                state["mu"] = _scalar_tensor(1.0)
                state["ax"] = _zeros_like(p)
            mus.append(state["mu"])
            axs.append(state["ax"])
            etas.append(state["eta"])
            state_steps.append(state["step"])
        return has_complex

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, mus, axs, etas, steps = [], [], [], [], [], []
            has_complex = self._init_group(group, params, grads, mus, axs, etas, steps)
            asgd(params, grads, axs, mus, etas, steps, lambd=group["lambd"], lr=group["lr"],
                 t0=group["t0"], alpha=group["alpha"], weight_decay=group["weight_decay"],
                 foreach=group["foreach"], maximize=group["maximize"],
                 differentiable=group["differentiable"], capturable=group["capturable"],
                 has_complex=has_complex)
        return loss


def asgd(params, grads, axs, mus, etas, state_steps, foreach=None, maximize=False,
         differentiable=False, capturable=False, has_complex=False, *, lambd, lr, t0, alpha,
         weight_decay):
    """Functional ASGD on lists of tensors (state tensors are updated in place)."""
    if capturable and params:
        _check_capturable_device("params, mus, etas, and state_steps")
    _single_tensor_asgd([p._data for p in params], [g._data for g in grads],
                        [t._data for t in axs], [t._data for t in mus], [t._data for t in etas],
                        [t._data for t in state_steps], lambd=lambd, lr=_value(lr), t0=t0,
                        alpha=alpha, weight_decay=weight_decay, maximize=maximize,
                        has_complex=has_complex)
    _bump(params)


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
