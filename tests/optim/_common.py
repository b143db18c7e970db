"""Shared helpers of the optim tests: a deterministic gradient field and paired runs.

Both frameworks get the gradient from the same NumPy function of their own current parameter
values, so any difference in the parameters comes from the optimizers alone.
"""
import copy

import numpy as np

import numtorch as nt
from ..conftest import torch

SHAPES = [(3, 4), (4,), (2, 3), (5,)]


def make_params(dtype, seed=0, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    nt_params = [nt.from_numpy(a.copy()).requires_grad_() for a in arrays]
    th_params = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    return nt_params, th_params


def grad_field(arr, step, k):
    """A nonlinear, step-dependent gradient for parameter ``k`` at ``step`` (float64 math)."""
    rng = np.random.default_rng(1000 * k + step)
    noise = rng.standard_normal(arr.shape)
    x = arr.astype(np.float64)
    return (np.sin(3.0 * x) + 0.5 * x + 0.3 * noise).astype(arr.dtype)


def set_grads(nt_params, th_params, step, skip=()):
    """Give both sets of parameters the gradient of ``grad_field``; ``skip``: indices left None."""
    for k, (p, q) in enumerate(zip(nt_params, th_params)):
        if k in skip:
            p.grad = None
            q.grad = None
            continue
        p.grad = nt.from_numpy(grad_field(p.detach().numpy(), step, k))
        q.grad = torch.from_numpy(grad_field(q.detach().numpy(), step, k))


def groups(params, group_opts):
    """Split ``params`` in two groups: the first takes the constructor's options."""
    if group_opts is None:
        return params
    return [{"params": params[:2]}, dict(params=params[2:], **group_opts)]


def skip_at(step, skip_none):
    return (3,) if skip_none and step % 3 == 1 else ()


def assert_params_close(nt_params, th_params, rtol, atol=None):
    for p, q in zip(nt_params, th_params):
        a = p.detach().numpy()
        b = q.detach().numpy()
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-2 if atol is None else atol)


def assert_state_close(nt_value, th_value, rtol, atol=None):
    """Recursively compare state values: same structure, dtypes and (close) numbers."""
    if isinstance(th_value, torch.Tensor):
        assert isinstance(nt_value, nt.Tensor), (type(nt_value), th_value)
        a, b = nt_value._data, th_value.detach().numpy()
        assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-2 if atol is None else atol)
    elif isinstance(th_value, dict):
        assert list(nt_value.keys()) == list(th_value.keys())
        for k in th_value:
            assert_state_close(nt_value[k], th_value[k], rtol, atol)
    elif isinstance(th_value, (list, tuple)):
        assert type(nt_value) is type(th_value) and len(nt_value) == len(th_value)
        for a, b in zip(nt_value, th_value):
            assert_state_close(a, b, rtol, atol)
    elif isinstance(th_value, float):
        np.testing.assert_allclose(nt_value, th_value, rtol=rtol, atol=atol or 0)
    else:
        assert nt_value == th_value, (nt_value, th_value)


def deepcopy_state(sd):
    return copy.deepcopy(sd)
