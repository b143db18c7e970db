"""RMSprop: divide the gradient by a running root mean square."""
import numpy as np

from .._tensor import Tensor
from . import _differentiable
from ._fused import add_scaled, add_scaled_, addcmul, addcmul_, lerp_
from .optimizer import (Optimizer, _as_real, _bump, _check_capturable_device, _check_no_sparse,
                        _closure_loss, _scalar_tensor, _validate, _value, _with_grad,
                        _zeros_like)

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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate(lr=(0.0 <= lr, f"Invalid learning rate: {lr}"),
                  eps=(0.0 <= eps, f"Invalid epsilon value: {eps}"),
                  momentum=(0.0 <= momentum, f"Invalid momentum value: {momentum}"),
                  wd=(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}"),
                  alpha=(0.0 <= alpha, f"Invalid alpha value: {alpha}"))
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._setstate_groups(momentum=0, centered=False, foreach=None, maximize=False,
                              differentiable=False, capturable=False)
        self._setstate_tensor_state("step")

    def _init_group(self, group, params_with_grad, grads, square_avgs, momentum_buffer_list,
                    grad_avgs, state_steps):
        has_complex = False
        momentum = group["momentum"] > 0
        centered = group["centered"]
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            has_complex |= p._data.dtype.kind == "c"
            params_with_grad.append(p)
            _check_no_sparse(g, "RMSprop")
            grads.append(g)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _scalar_tensor(0.0)
                state["square_avg"] = _zeros_like(p)
                if momentum:
                    state["momentum_buffer"] = _zeros_like(p)
                if centered:
                    state["grad_avg"] = _zeros_like(p)
            square_avgs.append(state["square_avg"])
            state_steps.append(state["step"])
            if momentum:
                momentum_buffer_list.append(state["momentum_buffer"])
            if centered:
                grad_avgs.append(state["grad_avg"])
        return has_complex

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, square_avgs, grad_avgs, bufs, steps = [], [], [], [], [], []
            has_complex = self._init_group(group, params, grads, square_avgs, bufs, grad_avgs,
                                           steps)
            rmsprop(params, grads, square_avgs, grad_avgs, bufs, steps, lr=group["lr"],
                    alpha=group["alpha"], eps=group["eps"], weight_decay=group["weight_decay"],
                    momentum=group["momentum"], centered=group["centered"],
                    foreach=group["foreach"], maximize=group["maximize"],
                    differentiable=group["differentiable"], capturable=group["capturable"],
                    has_complex=has_complex)
        return loss


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
    _single_tensor_rmsprop([p._data for p in params], [g._data for g in grads],
                           [t._data for t in square_avgs], [t._data for t in grad_avgs],
                           [t._data for t in momentum_buffer_list],
                           [t._data for t in state_steps], lr=_value(lr), alpha=alpha, eps=eps,
                           weight_decay=weight_decay, momentum=momentum, centered=centered,
                           maximize=maximize, has_complex=has_complex)
    _bump(params)


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
