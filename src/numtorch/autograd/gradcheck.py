"""Finite-difference gradient checks (float64 central differences), as torch.autograd.gradcheck."""
import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    pass


def _numerical_jacobian(fn, inputs, idx, eps):
    """d(flattened outputs)/d(inputs[idx]) by central differences."""
    from .grad_mode import no_grad
    x = inputs[idx]
    flat = x._data.reshape(-1)  # a view when contiguous; we perturb in place
    if not np.shares_memory(flat, x._data):
        raise ValueError("gradcheck needs contiguous inputs")
    cols = []
    with no_grad():
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = _flat_outputs(fn(*inputs))
            flat[j] = orig - eps
            minus = _flat_outputs(fn(*inputs))
            flat[j] = orig
            cols.append((plus - minus) / (2 * eps))
    n_out = cols[0].size if cols else _flat_outputs(fn(*inputs)).size
    return np.stack(cols, axis=1) if cols else np.zeros((n_out, 0))


def _outputs(out):
    return out if isinstance(out, (tuple, list)) else (out,)


def _flat_outputs(out):
    arrs = [o._data.reshape(-1).astype(np.float64) for o in _outputs(out)
            if hasattr(o, "_data") and o._data.dtype.kind == "f"]
    return np.concatenate(arrs) if arrs else np.zeros(0)


def _analytical_jacobian(fn, inputs, idx):
    from . import grad as autograd_grad
    outs = [o for o in _outputs(fn(*inputs)) if hasattr(o, "_data") and o._data.dtype.kind == "f"]
    sizes = [o._data.size for o in outs]
    total = sum(sizes)
    x = inputs[idx]
    jac = np.zeros((total, x._data.size))
    row = 0
    for k, o in enumerate(outs):
        for j in range(o._data.size):
            if not o._rg:
                row += 1
                continue
            go = np.zeros(o._data.shape, dtype=o._data.dtype)
            go.reshape(-1)[j] = 1
            from .._tensor import _wrap
            g, = autograd_grad([o], [x], grad_outputs=[_wrap(go)], retain_graph=True,
                               allow_unused=True)
            if g is not None:
                jac[row] = g._data.reshape(-1)
            row += 1
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Compare analytical gradients of ``func`` with central differences for each input."""
    from .._tensor import Tensor
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x._rg):
            continue
        if x._data.dtype != np.float64:
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of "
                          "double precision floating point.")
        num = _numerical_jacobian(func, inputs, i, eps)
        ana = _analytical_jacobian(func, inputs, i)
        if num.shape != ana.shape or not np.allclose(ana, num, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {i},\n"
                    f"numerical:{num}\nanalytical:{ana}\n")
            return False
    return True


def gradgradcheck(*args, **kwargs):
    raise NotImplementedError(
        "gradgradcheck needs higher-order gradients (create_graph=True), which numtorch does "
        "not support yet")
