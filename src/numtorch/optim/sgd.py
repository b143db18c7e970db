"""SGD: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
import numpy as np

from .._tensor import Tensor, _wrap
from ._fused import add_scaled, add_scaled_
from . import _differentiable
from .optimizer import (Optimizer, _bump, _check_fused, _closure_loss, _validate, _value,
                        _with_grad)

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    .. math::
        g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1},\quad
        b_t = \mu b_{t-1} + (1-\tau) g_t \ (b_1 = g_1),\quad
        \theta_t = \theta_{t-1} - \gamma\,(g_t + \mu b_t \text{ if nesterov else } b_t)

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): learning rate :math:`\gamma` (default: 1e-3).
        momentum (float): momentum factor :math:`\mu` (default: 0).
        dampening (float): dampening :math:`\tau` for momentum (default: 0).
        weight_decay (float): L2 penalty :math:`\lambda` (default: 0).
        nesterov (bool): Nesterov momentum (default: False).
        maximize (bool): maximize the objective instead of minimizing (default: False).
        foreach, differentiable, fused: accepted for compatibility (same math on the CPU).

    Example::

        >>> w = numtorch.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = numtorch.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> w.grad = numtorch.tensor([1.0, 1.0])
        >>> opt.step()
        >>> w
        tensor([0.9000, 1.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        # torch's SGD tests ``lr < 0.0`` (a NaN passes), unlike the other optimizers
        _validate(lr=(not lr < 0.0, f"Invalid learning rate: {lr}"),
                  momentum=(not momentum < 0.0, f"Invalid momentum value: {momentum}"),
                  wd=(not weight_decay < 0.0, f"Invalid weight_decay value: {weight_decay}"))
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)

    _setstate_options = {"nesterov": False, "maximize": False, "foreach": None,
                         "differentiable": False, "fused": False}

    def _init_group(self, group, params, grads, momentum_buffer_list):
        has_sparse_grad = False
        use_momentum = group["momentum"] != 0
        state = self.state
        for p in group["params"]:
            g = p._grad
            if g is not None:
                params.append(p)
                grads.append(g)
                if use_momentum:
                    momentum_buffer_list.append(state[p].get("momentum_buffer"))
        return has_sparse_grad

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, bufs = [], [], []
            has_sparse_grad = self._init_group(group, params, grads, bufs)
            sgd(params, grads, bufs, weight_decay=group["weight_decay"],
                momentum=group["momentum"], lr=group["lr"], dampening=group["dampening"],
                nesterov=group["nesterov"], maximize=group["maximize"],
                has_sparse_grad=has_sparse_grad, foreach=group["foreach"],
                fused=group["fused"], differentiable=group["differentiable"])
            if group["momentum"] != 0:
                state = self.state
                for p, buf in zip(params, bufs):
                    state[p]["momentum_buffer"] = buf
        return loss


def sgd(params, d_p_list, momentum_buffer_list, has_sparse_grad=False, foreach=None, fused=None,
        grad_scale=None, found_inf=None, *, weight_decay, momentum, lr, dampening, nesterov,
        maximize, differentiable=False):
    """Functional SGD on lists of tensors; fills ``None`` momentum buffers with new tensors.

    ``differentiable=True`` (numtorch's extra keyword) records the update with autograd.
    """
    if grad_scale is not None or found_inf is not None:
        raise NotImplementedError("grad_scale/found_inf (AMP) are not supported")
    if differentiable:
        _with_grad(_differentiable.sgd, params, d_p_list, momentum_buffer_list,
                   weight_decay=weight_decay, momentum=momentum, lr=lr, dampening=dampening,
                   nesterov=nesterov, maximize=maximize)
        return
    bufs = [None if b is None else b._data for b in momentum_buffer_list]
    _single_tensor_sgd([p._data for p in params], [g._data for g in d_p_list], bufs,
                       weight_decay=_value(weight_decay), momentum=momentum, lr=_value(lr),
                       dampening=dampening, nesterov=nesterov, maximize=maximize)
    if momentum != 0:
        for i, b in enumerate(momentum_buffer_list):
            if b is None:
                momentum_buffer_list[i] = _wrap(bufs[i])
    _bump(params)


def _single_tensor_sgd(params, grads, momentum_buffer_list, *, weight_decay, momentum, lr,
                       dampening, nesterov, maximize):
    """The SGD update on NumPy arrays, in place (``params`` and momentum buffers)."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        if weight_decay != 0:
            grad = add_scaled(grad, param, weight_decay)
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = np.array(grad, copy=True)
                momentum_buffer_list[i] = buf
            else:
                buf *= momentum
                add_scaled_(buf, grad, 1 - dampening)
            if nesterov:
                grad = add_scaled(grad, buf, momentum)
            else:
                grad = buf
        add_scaled_(param, grad, -lr)
