"""Adagrad: per-coordinate learning rates from the sum of squared gradients."""
import numpy as np

from .._tensor import Tensor, _wrap
from . import _differentiable
from ._fused import add_scaled, addcmul_
from .optimizer import (Optimizer, _as_real, _bump, _check_unsupported, _closure_loss,
                        _scalar_tensor, _validate, _value, _with_grad)

__all__ = ["Adagrad", "adagrad"]


def _full_like(p, value):
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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate(lr=(0.0 <= lr, f"Invalid learning rate: {lr}"),
                  lr_decay=(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}"),
                  wd=(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}"),
                  iav=(0.0 <= initial_accumulator_value,
                       f"Invalid initial_accumulator_value value: {initial_accumulator_value}"),
                  eps=(0.0 <= eps, f"Invalid epsilon value: {eps}"))
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused and differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        _check_unsupported(False, fused, foreach)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _scalar_tensor(0.0, group["fused"])
                state["sum"] = _full_like(p, initial_accumulator_value)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._setstate_groups(foreach=None, maximize=False, differentiable=False, fused=None)
        self._setstate_tensor_state("step")

    def share_memory(self):
        """No-op: NumPy arrays are not shared between processes this way."""

    def _init_group(self, group, params_with_grad, grads, state_sums, state_steps):
        has_sparse_grad = has_complex = False
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            has_sparse_grad |= bool(getattr(g, "is_sparse", False))
            has_complex |= p._data.dtype.kind == "c"
            params_with_grad.append(p)
            grads.append(g)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _scalar_tensor(0.0, group["fused"])
                state["sum"] = _full_like(p, self.defaults["initial_accumulator_value"])
            state_sums.append(state["sum"])
            state_steps.append(state["step"])
        return has_sparse_grad, has_complex

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, state_sums, steps = [], [], [], []
            has_sparse_grad, has_complex = self._init_group(group, params, grads, state_sums,
                                                            steps)
            adagrad(params, grads, state_sums, steps, lr=group["lr"],
                    weight_decay=group["weight_decay"], lr_decay=group["lr_decay"],
                    eps=group["eps"], has_sparse_grad=has_sparse_grad,
                    foreach=group["foreach"], maximize=group["maximize"],
                    differentiable=group["differentiable"], has_complex=has_complex,
                    fused=group["fused"])
        return loss


def adagrad(params, grads, state_sums, state_steps, fused=None, grad_scale=None, found_inf=None,
            has_sparse_grad=False, foreach=None, differentiable=False, has_complex=False, *,
            lr, weight_decay, lr_decay, eps, maximize):
    """Functional Adagrad on lists of tensors (state tensors are updated in place)."""
    if not all(isinstance(t, Tensor) for t in state_steps):
        raise RuntimeError("API has changed, `state_steps` argument must contain a list of "
                           "singleton tensors")
    if has_sparse_grad:
        raise NotImplementedError("sparse gradients are not supported by numtorch's Adagrad")
    if differentiable:
        _with_grad(_differentiable.adagrad, params, grads, state_sums, state_steps, lr=lr,
                   weight_decay=weight_decay, lr_decay=lr_decay, eps=eps, maximize=maximize)
        return
    _single_tensor_adagrad([p._data for p in params], [g._data for g in grads],
                           [t._data for t in state_sums], [t._data for t in state_steps],
                           lr=_value(lr), weight_decay=weight_decay, lr_decay=lr_decay, eps=eps,
                           maximize=maximize, has_complex=has_complex)
    _bump(params)


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
