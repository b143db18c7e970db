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


def compare_grads(t_params, n_params, rtol, atol):
    for (tn, tp), (nn_, np_) in zip(t_params, n_params):
        assert tn == nn_
        if tp.grad is None:
            assert np_.grad is None, tn
        else:
            assert np_.grad is not None, tn
            assert_close(np_.grad, tp.grad, rtol=rtol, atol=atol)
