"""The Optimizer base class: construction, groups, zero_grad, state_dict, hooks, errors."""
import copy
import warnings

import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch
from ._common import assert_state_close, make_params, set_grads

ALL = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta",
       "ASGD", "Rprop", "LBFGS", "SparseAdam", "Adafactor"]


def _both(fn):
    """Run ``fn(mod, params)`` for numtorch and torch; return both (result or exception)."""
    out = []
    for mod, ps in zip((nt, torch), make_params(np.float32)):
        try:
            out.append(fn(mod, ps))
        except Exception as e:  # noqa: BLE001 - compared below
            out.append(e)
    return out


def _same_error(fn):
    a, b = _both(fn)
    assert isinstance(b, Exception), "torch did not raise"
    assert type(a) is type(b), (a, b)
    # (numtorch's Tensor class lives in numtorch._tensor; torch's prints as torch.Tensor)
    assert str(a).replace("numtorch._tensor", "torch").replace("numtorch", "torch") == str(b), (
        str(a), str(b))


# (optimizer, kwargs) that torch rejects: the exception type and message must match
BAD_ARGS = [
    ("SGD", dict(lr=-1)), ("SGD", dict(momentum=-0.5)), ("SGD", dict(weight_decay=-1e-3)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=-0.1)), ("Adam", dict(eps=-1.0)), ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-2)),
    ("Adam", dict(betas=(0, 0.9))), ("AdamW", dict(lr=-1)), ("AdamW", dict(betas=(0.9, 1.5))),
    ("Adamax", dict(lr=-1)), ("Adamax", dict(eps=-1)), ("Adamax", dict(betas=(2.0, 0.1))),
    ("Adamax", dict(weight_decay=-1)), ("NAdam", dict(momentum_decay=-1)),
    ("NAdam", dict(betas=(0.9, 1.0))), ("RAdam", dict(eps=-1e-8)),
    ("RAdam", dict(weight_decay=-0.1)), ("RMSprop", dict(alpha=-0.1)),
    ("RMSprop", dict(momentum=-1)), ("RMSprop", dict(eps=-1)), ("Adagrad", dict(lr_decay=-1)),
    ("Adagrad", dict(initial_accumulator_value=-1)), ("Adagrad", dict(eps=-1)),
    ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(lr=-1)), ("ASGD", dict(weight_decay=-1)),
    ("Rprop", dict(etas=(1.5, 2.0))), ("Rprop", dict(etas=(0.5, 0.9))), ("LBFGS", dict(lr=-1)),
    ("SparseAdam", dict(lr=-1)), ("SparseAdam", dict(betas=(0.9, 1.0))),
    ("SGD", dict(lr=None)), ("Adafactor", dict(lr=-1)), ("Adafactor", dict(beta2_decay=0.5)),
    ("Adafactor", dict(eps=(-1, 1e-3))), ("Adafactor", dict(eps=(None, -1))),
    ("Adafactor", dict(d=0.5)), ("Adafactor", dict(weight_decay=-1)),
]


@pytest.mark.parametrize("name,kwargs", BAD_ARGS, ids=[f"{n}-{k}" for n, k in BAD_ARGS])
def test_invalid_hyperparameters_raise_like_torch(name, kwargs):
    _same_error(lambda mod, ps: getattr(mod.optim, name)(ps, **kwargs))


BAD_PARAMS = [
    ("tensor", lambda mod, ps: mod.optim.SGD(ps[0], lr=0.1)),
    ("empty", lambda mod, ps: mod.optim.SGD([], lr=0.1)),
    ("not a tensor", lambda mod, ps: mod.optim.SGD([ps[0], 3], lr=0.1)),
    ("set", lambda mod, ps: mod.optim.SGD([{"params": set(ps)}], lr=0.1)),
    ("non-leaf", lambda mod, ps: mod.optim.SGD([ps[0] * 2], lr=0.1)),
    ("overlapping groups", lambda mod, ps: mod.optim.SGD(
        [{"params": ps[:2]}, {"params": ps[1:]}], lr=0.1)),
    ("group not a dict", lambda mod, ps: mod.optim.SGD(ps, lr=0.1).add_param_group(ps[0])),
    ("group again", lambda mod, ps: mod.optim.SGD(ps, lr=0.1).add_param_group(
        {"params": ps[0]})),
    ("names missing", lambda mod, ps: mod.optim.SGD([("a", ps[0]), ps[1]], lr=0.1)),
    ("names mixed groups", lambda mod, ps: mod.optim.SGD(
        [{"params": [("a", ps[0])]}, {"params": [ps[1]]}], lr=0.1)),
    ("required lr", lambda mod, ps: _with_required(mod, ps)),
    ("load: group count", lambda mod, ps: mod.optim.SGD(ps, lr=0.1).load_state_dict(
        mod.optim.SGD([{"params": ps[:1]}, {"params": ps[1:]}], lr=0.1).state_dict())),
    ("load: group size", lambda mod, ps: mod.optim.SGD(ps[:2], lr=0.1).load_state_dict(
        mod.optim.SGD(ps[:3], lr=0.1).state_dict())),
    ("base step", lambda mod, ps: mod.optim.Optimizer(ps, {}).step()),
]


def _with_required(mod, ps):
    from importlib import import_module
    required = import_module(mod.__name__ + ".optim.optimizer").required
    return mod.optim.Optimizer([{"params": ps}], {"lr": required})


@pytest.mark.parametrize("fn", [f for _, f in BAD_PARAMS], ids=[n for n, _ in BAD_PARAMS])
def test_invalid_params_raise_like_torch(fn):
    _same_error(fn)


def test_duplicate_parameters_warn_like_torch():
    msgs = []
    for mod, ps in zip((nt, torch), make_params(np.float32)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            mod.optim.SGD([ps[0], ps[0]], lr=0.1)
        msgs.append([str(x.message) for x in w if issubclass(x.category, UserWarning)])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


@pytest.mark.parametrize("name", ALL)
def test_repr_and_defaults_like_torch(name):
    a, b = _both(lambda mod, ps: getattr(mod.optim, name)(ps))
    assert repr(a) == repr(b)
    assert a.defaults == b.defaults


def test_param_groups_print_like_torch():
    def fn(mod, ps):
        opt = mod.optim.SGD(ps[:1], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": ps[1], "lr": 1e-4, "nesterov": True})
        return str([{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]), \
            str(opt.state_dict()), repr(opt)

    a, b = _both(fn)
    assert a == b


def test_named_parameters_give_param_names():
    def fn(mod, ps):
        opt = mod.optim.Adam([("w", ps[0]), ("b", ps[1])], lr=0.1)
        opt.add_param_group({"params": [("c", ps[2])], "lr": 0.5})
        return opt

    a, b = _both(fn)
    assert a.state_dict()["param_groups"] == b.state_dict()["param_groups"]
    assert a.param_groups[1]["param_names"] == ["c"]


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    ps_nt, ps_th = make_params(np.float32)
    opt_nt, opt_th = nt.optim.SGD(ps_nt, lr=0.1), torch.optim.SGD(ps_th, lr=0.1)
    set_grads(ps_nt, ps_th, 0, skip=(2,))
    grad0 = ps_nt[0].grad
    opt_nt.zero_grad(set_to_none)
    opt_th.zero_grad(set_to_none)
    for p, q in zip(ps_nt, ps_th):
        assert (p.grad is None) == (q.grad is None)
        if q.grad is not None:
            assert not p.grad.requires_grad
            np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    if not set_to_none:
        assert ps_nt[0].grad is grad0  # zeroed in place


def test_step_skips_params_without_grad_and_bumps_version():
    ps_nt, _ = make_params(np.float32)
    opt = nt.optim.Adam(ps_nt, lr=0.1)
    before = [p.detach().numpy().copy() for p in ps_nt]
    v = [p._version[0] for p in ps_nt]
    ps_nt[0].grad = nt.ones_like(ps_nt[0])
    opt.step()
    assert not np.array_equal(ps_nt[0].detach().numpy(), before[0])
    assert ps_nt[0]._version[0] > v[0]
    for p, b in zip(ps_nt[1:], before[1:]):
        np.testing.assert_array_equal(p.detach().numpy(), b)
    assert len(opt.state) == 1


def test_step_returns_closure_loss_with_grad_enabled():
    ps_nt, _ = make_params(np.float64)
    opt = nt.optim.SGD(ps_nt, lr=0.1)
    seen = []

    def closure():
        seen.append(nt.is_grad_enabled())
        opt.zero_grad()
        loss = (ps_nt[0] ** 2).sum()
        loss.backward()
        return loss

    with nt.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and loss.item() > 0


def test_load_state_dict_casts_state_to_param_dtype_but_not_step():
    def fn(mod, ps):
        ps64 = [p.detach().double().requires_grad_() for p in ps]
        opt = mod.optim.Adam(ps64, lr=0.1)
        for p in ps64:
            p.grad = mod.ones_like(p)
        opt.step()
        sd = copy.deepcopy(opt.state_dict())
        opt32 = mod.optim.Adam(ps, lr=0.1)
        opt32.load_state_dict(sd)
        return opt32.state_dict()

    a, b = _both(fn)
    assert_state_close(a, b, 1e-6)
    assert a["state"][0]["exp_avg"].dtype == nt.float32
    assert a["state"][0]["step"].dtype == nt.float32


def test_state_dict_references_state_and_load_keeps_unknown_keys():
    ps_nt, ps_th = make_params(np.float32)
    opt = nt.optim.SGD(ps_nt, lr=0.1, momentum=0.9)
    set_grads(ps_nt, ps_th, 0)
    opt.step()
    sd = opt.state_dict()
    assert sd["state"][0]["momentum_buffer"] is opt.state[ps_nt[0]]["momentum_buffer"]
    sd = copy.deepcopy(sd)
    sd["state"]["extra"] = {"x": 1}
    sd["param_groups"][0]["lr"] = 0.5
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.5 and opt.state["extra"] == {"x": 1}
    assert opt.param_groups[0]["params"][0] is ps_nt[0]


def test_step_hooks_and_global_hooks():
    from numtorch.optim.optimizer import (register_optimizer_step_post_hook,
                                          register_optimizer_step_pre_hook)
    calls = []
    ps_nt, _ = make_params(np.float32)
    opt = nt.optim.SGD(ps_nt, lr=0.1)
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", len(a))))
    g1 = register_optimizer_step_pre_hook(lambda o, a, k: calls.append("gpre"))
    g2 = register_optimizer_step_post_hook(lambda o, a, k: calls.append("gpost"))
    opt.step()
    assert calls == ["gpre", ("pre", True), ("post", 1), "gpost"]
    for h in (h1, h2, g1, g2):
        h.remove()
    opt.step()
    assert len(calls) == 4


def test_pre_hook_can_replace_arguments_and_bad_result_raises():
    ps_nt, _ = make_params(np.float64)
    opt = nt.optim.SGD(ps_nt, lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: (a, {"closure": lambda: 7.0}))
    assert opt.step() == 7.0
    opt2 = nt.optim.SGD(ps_nt, lr=0.1)
    opt2.register_step_pre_hook(lambda o, a, k: 5)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt2.step()


def test_state_dict_and_load_hooks():
    ps_nt, _ = make_params(np.float32)
    opt = nt.optim.SGD(ps_nt, lr=0.1)
    log = []
    opt.register_state_dict_pre_hook(lambda o: log.append("sd-pre"))
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    opt.register_load_state_dict_pre_hook(lambda o, sd: log.append("load-pre"))
    opt.register_load_state_dict_post_hook(lambda o: log.append("load-post"))
    opt.register_load_state_dict_post_hook(lambda o: log.append("first"), prepend=True)
    sd = opt.state_dict()
    assert sd["extra"] == 1
    opt.load_state_dict(sd)
    assert log == ["sd-pre", "load-pre", "first", "load-post"]


def test_custom_optimizer_subclass():
    class Sign(nt.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        @nt.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.sub_(group["lr"] * p.grad.sign())
                        self.state[p]["n"] = self.state[p].get("n", 0) + 1

    p = nt.tensor([1.0, -1.0], requires_grad=True)
    opt = Sign([p])
    calls = []
    opt.register_step_post_hook(lambda *a: calls.append(1))
    p.grad = nt.tensor([2.0, -3.0])
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.9, -0.9], rtol=1e-6)
    assert calls == [1] and opt.state_dict()["state"] == {0: {"n": 1}}


def test_adam_state_dict_matches_torch_exactly_in_structure():
    ps_nt, ps_th = make_params(np.float32)
    opts = dict(lr=0.01, amsgrad=True)
    opt_nt, opt_th = nt.optim.Adam(ps_nt, **opts), torch.optim.Adam(ps_th, **opts)
    set_grads(ps_nt, ps_th, 0)
    opt_nt.step()
    opt_th.step()
    sd_nt, sd_th = opt_nt.state_dict(), opt_th.state_dict()
    assert list(sd_nt) == list(sd_th)
    assert sd_nt["param_groups"] == sd_th["param_groups"]
    assert_state_close(sd_nt["state"], sd_th["state"], 1e-6)
    assert repr(sd_nt["state"][0]["step"]) == repr(sd_th["state"][0]["step"])


def test_adagrad_state_exists_before_first_step():
    a, b = _both(lambda mod, ps: mod.optim.Adagrad(ps, initial_accumulator_value=0.1))
    assert_state_close(a.state_dict(), b.state_dict(), 1e-7)


@pytest.mark.parametrize("name", ["Adam", "SGD", "RMSprop"])
def test_pickle_roundtrip_of_optimizer(name):
    import pickle
    ps_nt, ps_th = make_params(np.float64)
    opt = getattr(nt.optim, name)(ps_nt, lr=0.1)
    set_grads(ps_nt, ps_th, 0)
    opt.step()
    opt2 = pickle.loads(pickle.dumps(opt))
    assert opt2.defaults == opt.defaults and len(opt2.state) == len(opt.state)
    opt2.step()  # hooks dicts restored, step still wrapped


@pytest.mark.parametrize("name", ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop",
                                  "Adadelta", "ASGD", "Rprop"])
def test_capturable_on_cpu_raises_like_torch(name):
    def fn(mod, ps):
        opt = getattr(mod.optim, name)(ps, capturable=True)
        for p in ps:
            p.grad = mod.ones_like(p)
        opt.step()

    _same_error(fn)


@pytest.mark.parametrize("name,kw", [("SGD", dict(fused=True, differentiable=True)),
                                     ("Adam", dict(fused=True, foreach=True)),
                                     ("Adagrad", dict(fused=True, differentiable=True))])
def test_fused_conflicts_raise_like_torch(name, kw):
    _same_error(lambda mod, ps: getattr(mod.optim, name)(ps, **kw))


def test_end_to_end_mlp_training_matches_torch():
    """A small MLP built from tensor ops, trained 50 steps with autograd in both frameworks."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 5))
    y = rng.standard_normal((16, 1))
    w1, b1 = rng.standard_normal((5, 8)) * 0.5, np.zeros(8)
    w2, b2 = rng.standard_normal((8, 1)) * 0.5, np.zeros(1)
    results = []
    for mod in (nt, torch):
        ps = [mod.tensor(a, requires_grad=True) for a in (w1, b1, w2, b2)]
        xt, yt = mod.tensor(x), mod.tensor(y)
        opt = mod.optim.AdamW([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.005}], lr=0.01)
        sched = mod.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=50)
        losses = []
        for _ in range(50):
            opt.zero_grad()
            h = (xt @ ps[0] + ps[1]).tanh()
            loss = ((h @ ps[2] + ps[3] - yt) ** 2).mean()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        results.append((losses, [p.detach().numpy().copy() for p in ps]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-10)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["Adam", "SGD", "NAdam", "LBFGS"])
def test_state_dict_survives_save_and_load(name, tmp_path):
    """optimizer.state_dict() -> numtorch.save -> numtorch.load -> load_state_dict continues."""
    ps_nt, ps_th = make_params(np.float32)
    opts = dict(lr=0.01) if name != "SGD" else dict(lr=0.01, momentum=0.9)
    if name == "LBFGS":
        opts = dict(max_iter=3)
    opt = getattr(nt.optim, name)(ps_nt, **opts)

    def closure():
        set_grads(ps_nt, ps_th, 0)
        return nt.tensor(1.0)

    for _ in range(3):
        opt.step(closure) if name == "LBFGS" else (closure(), opt.step())
    path = tmp_path / "opt.pt"
    nt.save(opt.state_dict(), path)
    loaded = nt.load(path)
    _assert_same(loaded, opt.state_dict())
    opt2 = getattr(nt.optim, name)(ps_nt, **opts)
    opt2.load_state_dict(loaded)
    _assert_same(opt2.state_dict(), opt.state_dict())


def _assert_same(a, b):
    """Two numtorch state dicts are equal (same structure, dtypes and values)."""
    if isinstance(b, nt.Tensor):
        assert isinstance(a, nt.Tensor) and a.dtype == b.dtype
        np.testing.assert_array_equal(a._data, b._data)
    elif isinstance(b, dict):
        assert list(a) == list(b)
        for k in b:
            _assert_same(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "ASGD"])
def test_checkpoints_move_between_torch_and_numtorch(name, tmp_path):
    """A torch optimizer checkpoint resumes in numtorch (and back) to the same end point."""
    ps_nt, ps_th = make_params(np.float64)
    opt_th = getattr(torch.optim, name)(ps_th, lr=0.01)
    for step in range(5):
        set_grads(ps_nt, ps_th, step)
        opt_th.step()
    torch.save(opt_th.state_dict(), tmp_path / "th.pt")
    fresh = [nt.from_numpy(q.detach().numpy().copy()).requires_grad_() for q in ps_th]
    opt_nt = getattr(nt.optim, name)(fresh, lr=0.01)
    opt_nt.load_state_dict(nt.load(tmp_path / "th.pt"))
    nt.save(opt_nt.state_dict(), tmp_path / "nt.pt")
    back = [torch.from_numpy(q.detach().numpy().copy()).requires_grad_() for q in ps_th]
    opt_back = getattr(torch.optim, name)(back, lr=0.01)
    opt_back.load_state_dict(torch.load(tmp_path / "nt.pt"))
    for step in range(5, 15):
        set_grads(fresh, ps_th, step)
        set_grads([nt.from_numpy(q.detach().numpy()) for q in back], back, step)
        opt_nt.step()
        opt_th.step()
        opt_back.step()
    for p, q, r in zip(fresh, ps_th, back):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(r.detach().numpy(), q.detach().numpy(), rtol=1e-10)
