"""Adafactor: Adam-like steps with a factored (row x column) second-moment estimate."""
import numpy as np

from .._tensor import Tensor, _wrap
from ._fused import add_scaled_, lerp_
from .optimizer import Optimizer, _bump, _check_no_sparse, _scalar_tensor, _value

__all__ = ["Adafactor", "adafactor"]


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern, 2018), as in ``torch.optim.Adafactor``.

    For a matrix gradient the second moment is kept as a row and a column average
    (:math:`O(n+m)` memory); vectors keep a full estimate.

    .. math::
        \hat\beta_{2,t} = 1 - t^{c},\quad \rho_t = \min(\gamma, 1/\sqrt t),\quad
        \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\rho_t,\quad
        U_t = g_t/\sqrt{\hat V_t},\quad
        \theta_t = \theta_{t-1} - \frac{\alpha_t}{\max(1, \mathrm{RMS}(U_t)/d)} U_t

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): the cap :math:`\gamma` of the relative step size (default: 1e-2).
        beta2_decay (float): :math:`c`, the decay rate of :math:`\beta_2` (default: -0.8).
        eps (Tuple[float, float]): :math:`\epsilon_1` (added to the second moment; None means
            the dtype's machine epsilon) and :math:`\epsilon_2` (minimum relative step)
            (default: (None, 1e-3)).
        d (float): clipping threshold on the update's RMS (default: 1.0).
        weight_decay (float): decoupled weight decay (default: 0.0).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.ones(2, 2, requires_grad=True)
        >>> opt = numtorch.optim.Adafactor([w])
        >>> w.grad = numtorch.ones(2, 2)
        >>> opt.step()
        >>> w
        tensor([[0.9900, 0.9900],
                [0.9900, 0.9900]], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    _renamed_options = {"eps": ("eps1", "eps2")}
    _skipped_options = ("differentiable",)  # __setstate__ adds it to defaults; not an option
    _setstate_options = {"foreach": None}
    _scalar_state = ("step",)

    def _init_group(self, group):
        """As ``Optimizer._init_group``; a matrix gets a row and a column variance, a vector a
        full one (the lists hold None where a parameter lacks that state)."""
        params, grads, row_vars, col_vars, variances, state_steps = [], [], [], [], [], []
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            if p.is_complex():
                raise RuntimeError("Adafactor does not support complex parameters")
            _check_no_sparse(g, "Adafactor")
            params.append(p)
            grads.append(g)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _scalar_tensor(0.0)
                garr = g._data
                if garr.ndim > 1:
                    state["row_var"] = _wrap(np.zeros(garr.shape[:-1] + (1,), garr.dtype))
                    state["col_var"] = _wrap(np.zeros(garr.shape[:-2] + (1,) + garr.shape[-1:],
                                                      garr.dtype))
                else:
                    state["variance"] = _wrap(np.zeros_like(garr))
            row_vars.append(state.get("row_var", None))
            col_vars.append(state.get("col_var", None))
            variances.append(state.get("variance", None))
            state_steps.append(state["step"])
        return (params, grads, [row_vars, col_vars, variances, state_steps],
                {"has_complex": False})


def adafactor(params, grads, row_vars, col_vars, variances, state_steps, foreach=None,
              grad_scale=None, found_inf=None, has_complex=False, *, d, lr, beta2_decay,
              weight_decay, eps1, eps2, maximize):
    """Functional Adafactor on lists of tensors (state tensors are updated in place)."""
    if grad_scale is not None or found_inf is not None:
        raise AssertionError("Grad scaling should occur outside of optimizer.step()")

    def arr(t):
        return None if t is None else t._data

    _single_tensor_adafactor([p._data for p in params], [g._data for g in grads],
                             [arr(t) for t in row_vars], [arr(t) for t in col_vars],
                             [arr(t) for t in variances], [t._data for t in state_steps], d=d,
                             lr=_value(lr), beta2_decay=beta2_decay, weight_decay=weight_decay,
                             eps1=eps1, eps2=eps2, maximize=maximize)
    _bump(params)


Adafactor._functional = staticmethod(adafactor)


def _rms(a):
    """``a.norm(2) / sqrt(a.numel())`` as a Python float."""
    return float(np.sqrt(np.vdot(a, a))) / a.size ** 0.5


def _single_tensor_adafactor(params, grads, row_vars, col_vars, variances, state_steps, *, d,
                             lr, beta2_decay, weight_decay, eps1, eps2, maximize):
    """The Adafactor update on NumPy arrays, in place."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        step_t = state_steps[i]
        if eps1 is None:
            eps1 = float(np.finfo(param.dtype).eps)
        step_t += 1
        step = float(step_t)
        one_minus_beta2_t = step ** beta2_decay
        rho_t = min(lr, 1 / step ** 0.5)
        alpha = max(eps2, _rms(param)) * rho_t
        if weight_decay != 0:
            param *= 1 - lr * weight_decay
        if grad.ndim > 1:
            row_var, col_var = row_vars[i], col_vars[i]
            sq = grad * grad
            row_mean = np.square(np.sqrt(sq.sum(axis=-1, keepdims=True)))  # norm(dim).square()
            row_mean /= grad.shape[-1]
            lerp_(row_var, row_mean, one_minus_beta2_t)
            col_mean = np.square(np.sqrt(sq.sum(axis=-2, keepdims=True)))
            col_mean /= grad.shape[-2]
            lerp_(col_var, col_mean, one_minus_beta2_t)
            var_estimate = row_var @ col_var
            var_estimate /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
        else:
            lerp_(variances[i], grad * grad, one_minus_beta2_t)
            var_estimate = variances[i].copy()
        np.maximum(var_estimate, eps1 * eps1, out=var_estimate)
        update = np.sqrt(var_estimate)
        np.reciprocal(update, out=update)
        update *= grad
        denom = max(1.0, _rms(update) / d)
        add_scaled_(param, update, -alpha / denom)
