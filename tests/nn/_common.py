"""Helpers shared by the nn tests: copy a torch module's state into a numtorch one, build the
same random inputs for both, compare outputs and gradients."""
import numpy as np

import numtorch as nt

from ..conftest import torch, assert_close


def copy_state(tm, nm):
    """Load torch module ``tm``'s state_dict into numtorch module ``nm`` (arrays via numpy)."""
    sd = {k: nt.from_numpy(v.detach().numpy().copy()) for k, v in tm.state_dict().items()}
    res = nm.load_state_dict(sd)
    assert list(nm.state_dict().keys()) == list(tm.state_dict().keys())
    return res


def make_inputs(specs, rng, dtype=np.float32):
    """specs: shape tuples (float inputs requiring grad) or ("int", shape, high) / ("const",
    array) entries. Returns (torch inputs, numtorch inputs)."""
    ts, ns = [], []
    for s in specs:
        if isinstance(s, tuple) and s and s[0] == "int":
            a = rng.integers(0, s[2], size=s[1]).astype(np.int64)
            ts.append(torch.from_numpy(a.copy()))
            ns.append(nt.from_numpy(a.copy()))
        elif isinstance(s, tuple) and s and s[0] == "const":
            a = np.asarray(s[1])
            ts.append(torch.from_numpy(a.copy()))
            ns.append(nt.from_numpy(a.copy()))
        else:
            a = rng.standard_normal(s).astype(dtype)
            ts.append(torch.from_numpy(a.copy()).requires_grad_(True))
            ns.append(nt.from_numpy(a.copy()).requires_grad_(True))
    return ts, ns


def flat_tensors(out):
    """Tensors in a (possibly nested) output, in order."""
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res += flat_tensors(o)
        return res
    if hasattr(out, "data") and hasattr(out, "batch_sizes"):  # PackedSequence
        return [out.data]
    return [out]


def backward_both(t_outs, n_outs, rng):
    """Backprop the same random weighting of every float output through both graphs."""
    t_loss, n_loss = None, None
    for to, no in zip(t_outs, n_outs):
        if not to.requires_grad:
            continue
        g = rng.standard_normal(tuple(to.shape)).astype(to.detach().numpy().dtype)
        tl = (to * torch.from_numpy(g.copy())).sum()
        nl = (no * nt.from_numpy(g.copy())).sum()
        t_loss = tl if t_loss is None else t_loss + tl
        n_loss = nl if n_loss is None else n_loss + nl
    if t_loss is not None:
        t_loss.backward()
        n_loss.backward()
    return t_loss is not None


def tol(dtype):
    return (1e-5, 1e-6) if dtype == np.float32 else (1e-10, 1e-12)


def assert_close_scaled(a, b, rtol, atol):
    """assert_close with ``atol`` relative to the tensor's largest magnitude: gradients are sums
    of many products, whose rounding (summation order differs between BLAS libraries) is
    proportional to the size of the terms, not of the (possibly cancelling) result."""
    ref = b.detach().numpy()
    scale = max(1.0, float(np.abs(ref).max())) if ref.size else 1.0
    assert_close(a, b, rtol=rtol, atol=atol * scale)


def compare_grads(t_params, n_params, rtol, atol):
    for (tn, tp), (nn_, np_) in zip(t_params, n_params):
        assert tn == nn_
        if tp.grad is None:
            assert np_.grad is None, tn
        else:
            assert np_.grad is not None, tn
            assert_close_scaled(np_.grad, tp.grad, rtol, atol)
