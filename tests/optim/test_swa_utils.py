"""swa_utils: AveragedModel (SWA, EMA, custom averages, buffers), SWALR and update_bn vs torch."""
import copy
import warnings

import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch


def _model(mod, seed=0):
    rng = np.random.default_rng(seed)
    m = mod.nn.Sequential(mod.nn.Linear(3, 4), mod.nn.BatchNorm1d(4), mod.nn.Linear(4, 2))
    with mod.no_grad():
        for p in m.parameters():
            p.copy_(mod.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
    return m


def _perturb(mod, m, step):
    rng = np.random.default_rng(100 + step)
    with mod.no_grad():
        for p in m.parameters():
            p.add_(mod.from_numpy((0.1 * rng.standard_normal(tuple(p.shape)))
                                  .astype(np.float32)))
        for b in m.buffers():
            if b.is_floating_point():
                b.add_(0.5)


def _averaged(mod, kind):
    su = mod.optim.swa_utils
    if kind == "swa":
        return lambda m: su.AveragedModel(m)
    if kind == "ema-multi":
        return lambda m: su.AveragedModel(m, multi_avg_fn=su.get_ema_multi_avg_fn(0.9))
    if kind == "ema-avg":
        return lambda m: su.AveragedModel(m, avg_fn=su.get_ema_avg_fn(0.8))
    if kind == "ema-multi-buffers":
        return lambda m: su.AveragedModel(m, multi_avg_fn=su.get_ema_multi_avg_fn(0.7),
                                          use_buffers=True)
    if kind == "custom":
        return lambda m: su.AveragedModel(m, avg_fn=lambda a, c, n: 0.5 * a + 0.5 * c)
    raise KeyError(kind)


@pytest.mark.parametrize("kind", ["swa", "ema-multi", "ema-avg", "ema-multi-buffers", "custom"])
def test_averaged_model_matches_torch(kind):
    out = []
    for mod in (nt, torch):
        m = _model(mod)
        avg = _averaged(mod, kind)(m)
        for step in range(12):
            _perturb(mod, m, step)
            avg.update_parameters(m)
        sd = avg.state_dict()
        out.append({k: v.detach().numpy().copy() for k, v in sd.items()})
        x = mod.from_numpy(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
        avg.eval()
        out[-1]["__out__"] = avg(x).detach().numpy().copy()
    assert list(out[0]) == list(out[1])
    for k in out[1]:
        assert out[0][k].dtype == out[1][k].dtype, k
        np.testing.assert_allclose(out[0][k], out[1][k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_swa_over_integer_buffers_raises_like_torch():
    errs = []
    for mod in (nt, torch):
        su = mod.optim.swa_utils
        m = _model(mod)
        avg = su.AveragedModel(m, multi_avg_fn=su.get_swa_multi_avg_fn(), use_buffers=True)
        avg.update_parameters(m)
        with pytest.raises(RuntimeError) as e:
            avg.update_parameters(m)
        errs.append(str(e.value))
    assert errs[0] == errs[1]


def test_averaged_model_is_a_deep_copy_with_n_averaged_buffer():
    m = _model(nt)
    avg = nt.optim.swa_utils.AveragedModel(m)
    assert avg.module is not m and avg.n_averaged.dtype == nt.int64
    assert "n_averaged" in dict(avg.named_buffers())
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        nt.optim.swa_utils.AveragedModel(m, avg_fn=lambda *a: a[0], multi_avg_fn=lambda *a: 0)


def test_avg_fn_validation_like_torch():
    for mod in (nt, torch):
        with pytest.raises(ValueError, match="Invalid decay value 1.5 provided"):
            mod.optim.swa_utils.get_ema_avg_fn(1.5)
        with pytest.raises(ValueError, match=r"Invalid decay value -0.1 provided"):
            mod.optim.swa_utils.get_ema_multi_avg_fn(-0.1)


def test_update_bn_matches_torch():
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((8, 3)).astype(np.float32) for _ in range(4)]
    out = []
    for mod in (nt, torch):
        m = _model(mod)
        m.eval()
        loader = [(mod.from_numpy(b), 0) for b in batches]
        mod.optim.swa_utils.update_bn(loader, m)
        bn = m[1]
        assert not m.training and bn.momentum == 0.1
        out.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(),
                    int(bn.num_batches_tracked)))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-5)
    assert out[0][2] == out[1][2]


@pytest.mark.parametrize("kw", [dict(swa_lr=0.05), dict(swa_lr=[0.05, 0.2], anneal_epochs=3,
                                                        anneal_strategy="linear"),
                                dict(swa_lr=0.5, anneal_epochs=0)])
def test_swalr_matches_torch(kw):
    out = []
    for mod in (nt, torch):
        ps = [mod.zeros(2, requires_grad=True), mod.zeros(1, requires_grad=True)]
        opt = mod.optim.SGD([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.3}], lr=1.0)
        sched = mod.optim.swa_utils.SWALR(opt, **kw)
        lrs = [sched.get_last_lr()]
        for i in range(20):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
            if i == 7:
                sd = copy.deepcopy(sched.state_dict())
        sched2 = mod.optim.swa_utils.SWALR(opt, **kw)
        sched2.load_state_dict(sd)
        out.append((lrs, sorted(sd), sched2.anneal_func(0.25)))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    assert out[0][1:] == out[1][1:]


def test_swalr_errors_like_torch():
    msgs = []
    for mod in (nt, torch):
        opt = mod.optim.SGD([mod.zeros(2, requires_grad=True)], lr=1.0)
        row = []
        for kw in (dict(anneal_strategy="step"), dict(anneal_epochs=-1),
                   dict(anneal_epochs=1.5)):
            with pytest.raises(ValueError) as e:
                mod.optim.swa_utils.SWALR(opt, swa_lr=0.1, **kw)
            row.append(str(e.value))
        msgs.append(row)
    assert msgs[0] == msgs[1]


def test_swa_training_loop_matches_torch():
    """The documented SWA recipe: train, then average from some epoch on with SWALR."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 3)).astype(np.float32)
    y = rng.standard_normal((16, 2)).astype(np.float32)
    out = []
    for mod in (nt, torch):
        model = _model(mod)
        swa_model = mod.optim.swa_utils.AveragedModel(model)
        opt = mod.optim.SGD(model.parameters(), lr=0.05)
        sched = mod.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        swa_sched = mod.optim.swa_utils.SWALR(opt, swa_lr=0.02, anneal_epochs=2)
        xt, yt = mod.from_numpy(x), mod.from_numpy(y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in range(10):
                opt.zero_grad()
                loss = ((model(xt) - yt) ** 2).mean()
                loss.backward()
                opt.step()
                if epoch >= 5:
                    swa_model.update_parameters(model)
                    swa_sched.step()
                else:
                    sched.step()
        mod.optim.swa_utils.update_bn([xt], swa_model)
        swa_model.eval()
        out.append(swa_model(xt).detach().numpy().copy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-4, atol=1e-5)
