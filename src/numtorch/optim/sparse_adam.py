"""SparseAdam: a lazy Adam that updates only the rows a sparse gradient touches."""
import math

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _bump, _closure_loss, _validate, _value, _zeros_like

__all__ = ["SparseAdam", "sparse_adam"]


class SparseAdam(Optimizer):
    r"""Adam for sparse gradients: moments and parameters change only where the gradient is
    non-zero (e.g. the rows of an embedding that a batch used).

    Gradients must be sparse COO tensors (``grad.is_sparse``; they provide ``coalesce()``,
    ``_indices()`` and ``_values()``); a dense gradient raises, as in torch.

    Args:
        params (iterable): parameters or parameter groups to optimize (dense, real).
        lr (float, Tensor): learning rate (default: 1e-3).
        betas (Tuple[float, float]): coefficients (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.zeros(4, 2, requires_grad=True)
        >>> opt = numtorch.optim.SparseAdam([w], lr=0.1)
        >>> opt.defaults["betas"]
        (0.9, 0.999)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate(lr=(0.0 < lr, f"Invalid learning rate: {lr}"),
                  eps=(0.0 < eps, f"Invalid epsilon value: {eps}"),
                  b0=(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}"),
                  b1=(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}"))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)
        sparse_params = []
        complex_params = []
        for index, group in enumerate(self.param_groups):
            for d_index, p in enumerate(group["params"]):
                if getattr(p, "is_sparse", False):
                    sparse_params.append([index, d_index])
                if p.is_complex():
                    complex_params.append([index, d_index])
        if sparse_params:
            raise ValueError(f"Sparse params at indices {sparse_params}: SparseAdam requires "
                             "dense parameter tensors")
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not "
                             "support complex parameters")

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, exp_avgs, exp_avg_sqs, steps = [], [], [], [], []
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                params.append(p)
                if not getattr(g, "is_sparse", False):
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
                grads.append(g)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
                state["step"] += 1
                steps.append(state["step"])
            sparse_adam(params, grads, exp_avgs, exp_avg_sqs, steps, eps=group["eps"],
                        beta1=beta1, beta2=beta2, lr=_value(group["lr"]),
                        maximize=group.get("maximize", False))
        return loss


def sparse_adam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, eps, beta1, beta2, lr,
                maximize):
    """Functional SparseAdam on tensors whose gradients are sparse COO tensors."""
    indices, values = [], []
    for g in grads:
        g = g.coalesce()
        indices.append(np.asarray(g._indices()._data))
        values.append(np.asarray(g._values()._data))
    _single_tensor_sparse_adam([p._data for p in params], indices, values,
                               [t._data for t in exp_avgs], [t._data for t in exp_avg_sqs],
                               state_steps, eps=eps, beta1=beta1, beta2=beta2, lr=lr,
                               maximize=maximize)
    _bump(params)


def _coalesce(indices, values, shape):
    """Sum duplicate entries of COO (indices, values); indices come back sorted and unique."""
    sparse_dim = indices.shape[0]
    if indices.shape[1] == 0:
        return indices, values
    flat = np.ravel_multi_index(tuple(indices), shape[:sparse_dim])
    uniq, inverse = np.unique(flat, return_inverse=True)
    if len(uniq) == len(flat) and np.all(flat[:-1] < flat[1:]):
        return indices, values
    summed = np.zeros((len(uniq),) + values.shape[1:], dtype=values.dtype)
    np.add.at(summed, inverse, values)
    return np.stack(np.unravel_index(uniq, shape[:sparse_dim])), summed


def _single_tensor_sparse_adam(params, grad_indices, grad_values, exp_avgs, exp_avg_sqs,
                               state_steps, *, eps, beta1, beta2, lr, maximize):
    """The SparseAdam update on NumPy arrays, in place.

    ``grad_indices[i]`` is a (sparse_dim, nnz) integer array and ``grad_values[i]`` the
    (nnz, *dense_dims) values of the gradient of ``params[i]``.
    """
    for i, param in enumerate(params):
        idx, vals = _coalesce(grad_indices[i], grad_values[i], param.shape)
        if maximize:
            vals = -vals
        if vals.size == 0:
            continue
        where = tuple(idx)
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        step = state_steps[i]
        old_exp_avg = exp_avg[where]
        m_update = vals - old_exp_avg
        m_update *= 1 - beta1
        exp_avg[where] += m_update
        old_exp_avg_sq = exp_avg_sq[where]
        v_update = vals * vals
        v_update -= old_exp_avg_sq
        v_update *= 1 - beta2
        exp_avg_sq[where] += v_update
        numer = m_update + old_exp_avg
        v_update += old_exp_avg_sq
        denom = np.sqrt(v_update)
        denom += eps
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr * math.sqrt(bias_correction2) / bias_correction1
        numer /= denom
        param[where] += -step_size * numer
