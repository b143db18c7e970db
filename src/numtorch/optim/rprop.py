"""Rprop: resilient backpropagation (sign-based steps with adaptive sizes)."""
import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _as_real, _bump, _check_capturable_device, _check_no_sparse,
                        _check_unsupported, _closure_loss, _scalar_tensor, _validate, _value,
                        _zeros_like)

__all__ = ["Rprop", "rprop"]


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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate(lr=(0.0 <= lr, f"Invalid learning rate: {lr}"),
                  etas=(0.0 < etas[0] < 1.0 < etas[1],
                        f"Invalid eta values: {etas[0]}, {etas[1]}"))
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)
        _check_unsupported(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        self._setstate_groups(foreach=None, maximize=False, differentiable=False,
                              capturable=False)
        self._setstate_tensor_state("step")

    def _init_group(self, group, params, grads, prevs, step_sizes, state_steps):
        has_complex = False
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            has_complex |= p._data.dtype.kind == "c"
            params.append(p)
            _check_no_sparse(g, "Rprop")
            grads.append(g)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _scalar_tensor(0.0)
                state["prev"] = _zeros_like(p)
                lr = _value(group["lr"])
                if p._data.dtype.kind == "c":
                    lr = complex(lr, lr)
                state["step_size"] = _wrap(np.full_like(g._data, lr))
            prevs.append(state["prev"])
            step_sizes.append(state["step_size"])
            state_steps.append(state["step"])
        return has_complex

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, prevs, step_sizes, steps = [], [], [], [], []
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            has_complex = self._init_group(group, params, grads, prevs, step_sizes, steps)
            rprop(params, grads, prevs, step_sizes, steps, step_size_min=step_size_min,
                  step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus,
                  foreach=group["foreach"], maximize=group["maximize"],
                  differentiable=group["differentiable"], capturable=group["capturable"],
                  has_complex=has_complex)
        return loss


def rprop(params, grads, prevs, step_sizes, state_steps, foreach=None, capturable=False,
          maximize=False, differentiable=False, has_complex=False, *, step_size_min,
          step_size_max, etaminus, etaplus):
    """Functional Rprop on lists of tensors (state tensors are updated in place)."""
    if capturable and params:
        _check_capturable_device()
    _single_tensor_rprop([p._data for p in params], [g._data for g in grads],
                         [t._data for t in prevs], [t._data for t in step_sizes],
                         [t._data for t in state_steps], step_size_min=step_size_min,
                         step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus,
                         maximize=maximize, has_complex=has_complex)
    _bump(params)


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
