"""SparseAdam against torch's, with sparse COO gradients."""
import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch
from numtorch.optim.sparse_adam import _single_tensor_sparse_adam


class _SparseGrad:
    """A minimal sparse COO gradient (numtorch has no sparse tensors): what SparseAdam reads."""

    is_sparse = True

    def __init__(self, indices, values, shape):
        self._i = nt.from_numpy(indices)
        self._v = nt.from_numpy(values)
        self.shape = shape

    def coalesce(self):
        return self

    def _indices(self):
        return self._i

    def _values(self):
        return self._v


def _grads(step, rows, dtype):
    rng = np.random.default_rng(step)
    idx = rng.integers(0, rows, size=4)  # duplicates are summed (coalesced)
    vals = rng.standard_normal((4, 3)).astype(dtype)
    return idx[None, :], vals


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 1e-5)],
                         ids=["f64", "f32"])
@pytest.mark.parametrize("opts", [dict(lr=0.01), dict(lr=0.05, betas=(0.8, 0.95), eps=1e-4,
                                                      maximize=True)], ids=["default", "opts"])
def test_sparse_adam_matches_torch(opts, dtype, rtol):
    rows = 6
    w0 = np.random.default_rng(0).standard_normal((rows, 3)).astype(dtype)
    p = nt.from_numpy(w0.copy()).requires_grad_()
    q = torch.from_numpy(w0.copy()).requires_grad_()
    opt_nt = nt.optim.SparseAdam([p], **opts)
    opt_th = torch.optim.SparseAdam([q], **opts)
    for step in range(50):
        idx, vals = _grads(step, rows, dtype)
        p._grad = _SparseGrad(idx, vals, (rows, 3))
        q.grad = torch.sparse_coo_tensor(torch.from_numpy(idx), torch.from_numpy(vals),
                                         (rows, 3), check_invariants=True)
        opt_nt.step()
        opt_th.step()
    np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=rtol, atol=rtol)
    st_nt, st_th = opt_nt.state[p], opt_th.state[q]
    assert list(st_nt) == list(st_th) and st_nt["step"] == st_th["step"]
    np.testing.assert_allclose(st_nt["exp_avg_sq"]._data, st_th["exp_avg_sq"].numpy(), rtol=rtol)


def test_single_tensor_sparse_adam_on_arrays():
    """The per-parameter function works on plain arrays (no optimizer, no tensors)."""
    param = np.zeros((4, 2))
    m, v = np.zeros_like(param), np.zeros_like(param)
    idx = np.array([[2, 0, 2]])
    vals = np.ones((3, 2))
    _single_tensor_sparse_adam([param], [idx], [vals], [m], [v], [1], eps=1e-8, beta1=0.9,
                               beta2=0.999, lr=0.1, maximize=False)
    q = torch.zeros(4, 2, requires_grad=True)
    opt = torch.optim.SparseAdam([q], lr=0.1)
    q.grad = torch.sparse_coo_tensor(torch.tensor(idx), torch.ones(3, 2, dtype=torch.float32),
                                     (4, 2), check_invariants=True)
    opt.step()
    np.testing.assert_allclose(param, q.detach().numpy(), rtol=1e-6)


def test_sparse_adam_errors_match_torch():
    for mod in (nt, torch):
        p = mod.zeros(3, requires_grad=True)
        with pytest.raises(ValueError, match="Invalid learning rate: 0.0"):
            mod.optim.SparseAdam([p], lr=0.0)
        with pytest.raises(ValueError, match="Invalid epsilon value: 0"):
            mod.optim.SparseAdam([p], eps=0)
        c = mod.zeros(3, dtype=mod.complex64, requires_grad=True)
        with pytest.raises(ValueError, match=r"Complex params at indices \[\[0, 0\]\]"):
            mod.optim.SparseAdam([c])
        opt = mod.optim.SparseAdam([p])
        p.grad = mod.ones(3)
        with pytest.raises(RuntimeError, match="does not support dense gradients"):
            opt.step()
