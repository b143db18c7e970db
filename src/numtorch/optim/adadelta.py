"""Adadelta: an adaptive learning rate from running averages of updates and gradients."""
import numpy as np

from .._tensor import Tensor
from ._fused import add_scaled, add_scaled_, addcmul_
from .optimizer import (Optimizer, _as_real, _bump, _check_capturable_device, _check_no_sparse,
                        _check_unsupported, _closure_loss, _scalar_tensor, _validate, _value,
                        _zeros_like)

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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate(lr=(0.0 <= lr, f"Invalid learning rate: {lr}"),
                  rho=(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}"),
                  eps=(0.0 <= eps, f"Invalid epsilon value: {eps}"),
                  wd=(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}"))
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._setstate_groups(foreach=None, maximize=False, differentiable=False,
                              capturable=False)
        self._setstate_tensor_state("step")

    def _init_group(self, group, params_with_grad, grads, square_avgs, acc_deltas, state_steps):
        has_complex = False
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            has_complex |= p._data.dtype.kind == "c"
            params_with_grad.append(p)
            _check_no_sparse(g, "Adadelta")
            grads.append(g)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _scalar_tensor(0.0)
                state["square_avg"] = _zeros_like(p)
                state["acc_delta"] = _zeros_like(p)
            square_avgs.append(state["square_avg"])
            acc_deltas.append(state["acc_delta"])
            state_steps.append(state["step"])
        return has_complex

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, square_avgs, acc_deltas, steps = [], [], [], [], []
            has_complex = self._init_group(group, params, grads, square_avgs, acc_deltas, steps)
            adadelta(params, grads, square_avgs, acc_deltas, steps, lr=group["lr"],
                     rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                     foreach=group["foreach"], maximize=group["maximize"],
                     differentiable=group["differentiable"], capturable=group["capturable"],
                     has_complex=has_complex)
        return loss


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, capturable=False,
             foreach=None, differentiable=False, has_complex=False, *, lr, rho, eps,
             weight_decay, maximize):
    """Functional Adadelta on lists of tensors (state tensors are updated in place)."""
    if capturable and params:
        _check_capturable_device(supports_xla=False)
    _single_tensor_adadelta([p._data for p in params], [g._data for g in grads],
                            [t._data for t in square_avgs], [t._data for t in acc_deltas],
                            [t._data for t in state_steps], lr=_value(lr), rho=rho, eps=eps,
                            weight_decay=weight_decay, maximize=maximize,
                            has_complex=has_complex)
    _bump(params)


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
