"""Rprop: resilient backpropagation (sign-based steps with adaptive sizes)."""
import numpy as np

from .._tensor import _wrap
from .optimizer import (Optimizer, _arrays, _as_real, _bump, _check_capturable_device,
                        _check_hyperparams, _check_unsupported, _step_zero, _validate, _value,
                        _zeros)

__all__ = ["Rprop", "rprop"]


def _step_size_init(opt, p, group):
    """Every step size starts at lr (lr + lr*1j for a complex parameter), shaped as the grad."""
    lr = _value(group["lr"])
    if p._data.dtype.kind == "c":
        lr = complex(lr, lr)
    return _wrap(np.full_like(p._grad._data, lr))


class Rprop(Optimizer):
    r"""Rprop (resilient backpropagation).

    .. math::
        \eta_t = \begin{cases}\min(\eta_{t-1}\eta_+, \Gamma_{max}) & g_t g_{t-1} > 0\\
        \max(\eta_{t-1}\eta_-, \Gamma_{min}) & g_t g_{t-1} < 0 \ (\text{and } g_t \leftarrow 0)\\
        \eta_{t-1} & \text{otherwise}\end{cases},\quad
        \theta_t = \theta_{t-1} - \eta_t\,\mathrm{sign}(g_t)

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float, Tensor): initial step size (default: 1e-2).
        etas (Tuple[float, float]): (etaminus, etaplus) (default: (0.5, 1.2)).
        step_sizes (Tuple[float, float]): minimal and maximal step sizes (default: (1e-6, 50)).
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> w = numtorch.tensor([1.0], requires_grad=True)
        >>> opt = numtorch.optim.Rprop([w], lr=0.1)
        >>> w.grad = numtorch.tensor([3.0])
        >>> opt.step()
        >>> w
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_hyperparams(lr=lr)
        _validate(etas=(0.0 < etas[0] < 1.0 < etas[1],
                        f"Invalid eta values: {etas[0]}, {etas[1]}"))
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    _state_init = (("step", _step_zero), ("prev", _zeros), ("step_size", _step_size_init))
    _state_lists = ("prev", "step_size", "step")
    _sparse_name = "Rprop"
    _renamed_options = {"etas": ("etaminus", "etaplus"),
                        "step_sizes": ("step_size_min", "step_size_max")}
    _skipped_options = ("lr",)
    _setstate_options = {"foreach": None, "maximize": False, "differentiable": False,
                         "capturable": False}
    _scalar_state = ("step",)


def rprop(params, grads, prevs, step_sizes, state_steps, foreach=None, capturable=False,
          maximize=False, differentiable=False, has_complex=False, *, step_size_min,
          step_size_max, etaminus, etaplus):
    """Functional Rprop on lists of tensors (state tensors are updated in place)."""
    if capturable and params:
        _check_capturable_device()
    _single_tensor_rprop(*_arrays(params, grads, prevs, step_sizes, state_steps),
                         step_size_min=step_size_min,
                         step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus,
                         maximize=maximize, has_complex=has_complex)
    _bump(params)


Rprop._functional = staticmethod(rprop)


def _single_tensor_rprop(params, grads, prevs, step_sizes, state_steps, *, step_size_min,
                         step_size_max, etaminus, etaplus, maximize, has_complex):
    """The Rprop update on NumPy arrays, in place."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        prev = prevs[i]
        step_size = step_sizes[i]
        step = state_steps[i]
        step += 1
        if has_complex:
            grad, prev, param, step_size = (_as_real(grad), _as_real(prev), _as_real(param),
                                            _as_real(step_size))
        sign = grad * prev
        np.sign(sign, out=sign)
        np.copyto(sign, etaplus, where=sign > 0)
        flipped = sign < 0
        np.copyto(sign, etaminus, where=flipped)
        np.copyto(sign, 1, where=sign == 0)
        step_size *= sign
        np.clip(step_size, step_size_min, step_size_max, out=step_size)
        grad = np.array(grad, copy=True)
        grad[flipped] = 0
        param -= np.sign(grad) * step_size
        np.copyto(prev, grad)
