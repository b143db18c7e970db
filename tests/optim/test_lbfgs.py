"""LBFGS (with and without the strong-Wolfe line search) against torch."""
import copy

import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch
from ._common import assert_state_close, make_params

SHAPES = [(3, 4), (5,)]


def _objective(x, n, convex):
    """Value and gradient of a nonconvex f = -cos(3x)/3 + x^2/4 + n x, or of a strongly convex
    f = log(cosh(2x)) + x^2/4 + n x (float32 L-BFGS is only reproducible where it is stable:
    torch's float32 dot products use MKL's summation order)."""
    if convex:
        return np.sum(np.log(np.cosh(2 * x)) + 0.25 * x * x + n * x), 2 * np.tanh(2 * x) + \
            0.5 * x + n
    return np.sum(-np.cos(3 * x) / 3 + 0.25 * x * x + n * x), np.sin(3 * x) + 0.5 * x + n


def _closure(mod, opt, params, noise, counter, convex=False):
    def closure():
        opt.zero_grad()
        total = 0.0
        for p, n in zip(params, noise):
            x = p.detach().numpy().astype(np.float64)
            f, g = _objective(x, n, convex)
            total += float(f)
            g = g.astype(p.detach().numpy().dtype)
            p.grad = mod.from_numpy(g)
        counter[0] += 1
        return mod.tensor(total, dtype=params[0].dtype)

    return closure


CASES = [
    dict(lr=1, max_iter=5),
    dict(lr=0.5, max_iter=4, history_size=3),
    dict(lr=1, max_iter=5, line_search_fn="strong_wolfe"),
    dict(lr=0.8, max_iter=3, history_size=2, line_search_fn="strong_wolfe", max_eval=5),
    dict(lr=1, max_iter=20, tolerance_grad=1e-3, tolerance_change=1e-4),
]


@pytest.mark.parametrize("dtype,rtol,convex", [(np.float64, 1e-10, False),
                                               (np.float32, 1e-5, True)],
                         ids=["f64-nonconvex", "f32-convex"])
@pytest.mark.parametrize("opts", CASES, ids=[str(i) for i in range(len(CASES))])
def test_lbfgs_matches_torch(opts, dtype, rtol, convex):
    ps_nt, ps_th = make_params(dtype, seed=3, shapes=SHAPES)
    rng = np.random.default_rng(7)
    noise = [0.3 * rng.standard_normal(s) for s in SHAPES]
    opt_nt = nt.optim.LBFGS(ps_nt, **opts)
    opt_th = torch.optim.LBFGS(ps_th, **opts)
    c_nt, c_th = [0], [0]
    cl_nt = _closure(nt, opt_nt, ps_nt, noise, c_nt, convex)
    cl_th = _closure(torch, opt_th, ps_th, noise, c_th, convex)
    for step in range(12):
        loss_nt = opt_nt.step(cl_nt)
        loss_th = opt_th.step(cl_th)
        np.testing.assert_allclose(float(loss_nt), float(loss_th), rtol=rtol)
        if step == 5:
            saved_nt = copy.deepcopy(opt_nt.state_dict())
            saved_th = copy.deepcopy(opt_th.state_dict())
            saved = [p.detach().numpy().copy() for p in ps_nt]
    assert c_nt[0] == c_th[0]
    for p, q in zip(ps_nt, ps_th):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=rtol,
                                   atol=rtol)
    # the history (al, ro, H_diag) holds differences of nearly equal numbers near the optimum:
    # their relative error is larger than the parameters' (which are held to rtol above)
    assert_state_close(opt_nt.state_dict(), opt_th.state_dict(), rtol * 10, atol=rtol * 10)

    # resume from the step-6 state dict in both frameworks
    f_nt = [nt.from_numpy(a.copy()).requires_grad_() for a in saved]
    f_th = [torch.from_numpy(a.copy()).requires_grad_() for a in saved]
    o2_nt, o2_th = nt.optim.LBFGS(f_nt, **opts), torch.optim.LBFGS(f_th, **opts)
    o2_nt.load_state_dict(saved_nt)
    o2_th.load_state_dict(saved_th)
    cl2_nt = _closure(nt, o2_nt, f_nt, noise, [0], convex)
    cl2_th = _closure(torch, o2_th, f_th, noise, [0], convex)
    for _ in range(6, 12):
        o2_nt.step(cl2_nt)
        o2_th.step(cl2_th)
    for p, q in zip(f_nt, f_th):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=rtol,
                                   atol=rtol)


def test_lbfgs_with_autograd_closure():
    x0 = np.array([-1.2, 1.0, 0.5])
    p = nt.tensor(x0, requires_grad=True)
    q = torch.tensor(x0, requires_grad=True)
    opt_nt = nt.optim.LBFGS([p], line_search_fn="strong_wolfe")
    opt_th = torch.optim.LBFGS([q], line_search_fn="strong_wolfe")

    def rosen(mod, x):
        return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()

    def make(mod, opt, x):
        def closure():
            opt.zero_grad()
            loss = rosen(mod, x)
            loss.backward()
            return loss
        return closure

    for _ in range(3):
        opt_nt.step(make(nt, opt_nt, p))
        opt_th.step(make(torch, opt_th, q))
    np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-8)


def test_lbfgs_errors_match_torch():
    ps_nt, ps_th = make_params(np.float32, shapes=[(2,), (3,)])
    for mod, ps in ((nt, ps_nt), (torch, ps_th)):
        with pytest.raises(ValueError, match="per-parameter options"):
            mod.optim.LBFGS([{"params": ps[:1]}, {"params": ps[1:]}])
        with pytest.raises(ValueError, match="Invalid learning rate: -1"):
            mod.optim.LBFGS(ps, lr=-1)
        opt = mod.optim.LBFGS(ps, line_search_fn="armijo")

        def closure(ps=ps, mod=mod):
            for p in ps:
                p.grad = mod.ones_like(p)
            return mod.tensor(1.0)

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)
