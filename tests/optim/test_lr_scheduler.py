"""Every learning-rate scheduler against torch: 120 steps of lrs (and momenta), a state-dict round
trip in the middle, errors and warnings."""
import copy
import warnings

import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch

STEPS = 120
SAVE_AT = 50


class _Halver:
    """A callable object (its ``__dict__`` goes into the state dict, unlike a function's)."""

    def __init__(self):
        self.k = 0.97

    def __call__(self, epoch):
        return self.k ** epoch


def _sgd(mod, ps, **kw):
    return mod.optim.SGD([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.05}], lr=0.1,
                         momentum=0.9, **kw)


def _adam(mod, ps, **kw):
    return mod.optim.Adam([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.05}], lr=0.1, **kw)


def _sched(mod):
    return mod.optim.lr_scheduler


# name -> (optimizer factory, scheduler factory(mod, opt))
CASES = {
    "LambdaLR": (_sgd, lambda m, o: _sched(m).LambdaLR(o, lambda e: 0.95 ** e)),
    "LambdaLR-list": (_sgd, lambda m, o: _sched(m).LambdaLR(
        o, [lambda e: 1 / (1 + e), _Halver()])),
    "MultiplicativeLR": (_sgd, lambda m, o: _sched(m).MultiplicativeLR(o, lambda e: 0.98)),
    "StepLR": (_sgd, lambda m, o: _sched(m).StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": (_sgd, lambda m, o: _sched(m).MultiStepLR(o, [10, 30, 30, 80], gamma=0.3)),
    "ConstantLR": (_sgd, lambda m, o: _sched(m).ConstantLR(o, factor=0.25, total_iters=13)),
    "LinearLR": (_sgd, lambda m, o: _sched(m).LinearLR(o, 0.1, 0.9, total_iters=40)),
    "ExponentialLR": (_sgd, lambda m, o: _sched(m).ExponentialLR(o, gamma=0.97)),
    "PolynomialLR": (_sgd, lambda m, o: _sched(m).PolynomialLR(o, total_iters=90, power=2.0)),
    "CosineAnnealingLR": (_sgd, lambda m, o: _sched(m).CosineAnnealingLR(o, T_max=30,
                                                                         eta_min=1e-3)),
    "CosineAnnealingWarmRestarts": (_sgd, lambda m, o: _sched(m).CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=1e-4)),
    "CyclicLR": (_sgd, lambda m, o: _sched(m).CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=9,
                                                       step_size_down=5)),
    "CyclicLR-tri2-adam": (_adam, lambda m, o: _sched(m).CyclicLR(
        o, 0.01, 0.1, step_size_up=6, mode="triangular2")),
    "CyclicLR-exp": (_sgd, lambda m, o: _sched(m).CyclicLR(
        o, [0.01, 0.02], 0.1, step_size_up=8, mode="exp_range", gamma=0.98)),
    "CyclicLR-custom": (_sgd, lambda m, o: _sched(m).CyclicLR(
        o, 0.01, 0.1, step_size_up=5, scale_fn=_Halver(), scale_mode="iterations",
        cycle_momentum=False)),
    "OneCycleLR": (_sgd, lambda m, o: _sched(m).OneCycleLR(o, max_lr=[1.0, 0.5],
                                                           total_steps=STEPS + 1)),
    "OneCycleLR-3phase-linear-adam": (_adam, lambda m, o: _sched(m).OneCycleLR(
        o, max_lr=0.3, epochs=11, steps_per_epoch=11, pct_start=0.25, anneal_strategy="linear",
        three_phase=True, div_factor=10.0)),
    "SequentialLR": (_sgd, lambda m, o: _sched(m).SequentialLR(o, [
        _sched(m).LinearLR(o, 0.1, total_iters=10), _sched(m).ExponentialLR(o, 0.95),
        _sched(m).StepLR(o, 5, 0.5)], milestones=[10, 60])),
    "ChainedScheduler": (_sgd, lambda m, o: _sched(m).ChainedScheduler([
        _sched(m).ConstantLR(o, 0.5, total_iters=20), _sched(m).ExponentialLR(o, 0.98)])),
}


def _params(mod):
    return [mod.zeros(2, requires_grad=True), mod.zeros(3, requires_grad=True)]


def _snapshot(opt, sched):
    row = list(sched.get_last_lr())
    for g in opt.param_groups:
        row.append(g["lr"])
        if "momentum" in g:
            row.append(g["momentum"])
        if "betas" in g:
            row.extend(g["betas"])
    return row


def _build(mod, key):
    make_opt, make_sched = CASES[key]
    ps = _params(mod)
    opt = make_opt(mod, ps)
    return opt, make_sched(mod, opt)


def _run(mod, key):
    opt, sched = _build(mod, key)
    rows = [_snapshot(opt, sched)]
    saved = None
    for i in range(STEPS):
        opt.step()
        sched.step()
        rows.append(_snapshot(opt, sched))
        if i + 1 == SAVE_AT:
            saved = (copy.deepcopy(opt.state_dict()), sched.state_dict())
    resumed = []
    opt2, sched2 = _build(mod, key)
    opt2.load_state_dict(saved[0])
    sched2.load_state_dict(copy.deepcopy(saved[1]))
    resumed.append(_snapshot(opt2, sched2))
    for _ in range(SAVE_AT, STEPS):
        opt2.step()
        sched2.step()
        resumed.append(_snapshot(opt2, sched2))
    return np.array(rows, dtype=float), np.array(resumed, dtype=float), saved[1]


@pytest.mark.parametrize("key", list(CASES))
def test_lr_sequence_and_state_dict_roundtrip_match_torch(key):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows_nt, res_nt, sd_nt = _run(nt, key)
        rows_th, res_th, sd_th = _run(torch, key)
    np.testing.assert_allclose(rows_nt, rows_th, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res_nt, res_th, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res_nt, rows_nt[SAVE_AT:], rtol=1e-12, atol=1e-15)
    assert list(_flat_keys(sd_nt)) == list(_flat_keys(sd_th))


def _flat_keys(sd):
    for k, v in sd.items():
        yield k
        if k == "_schedulers":
            for s in v:
                yield from _flat_keys(s)


def test_state_dict_contents_match_torch():
    for key in ("StepLR", "OneCycleLR", "CyclicLR", "LambdaLR-list"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = _build(nt, key)[1].state_dict()
            b = _build(torch, key)[1].state_dict()
        assert str(a) == str(b)


def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91] * 8
    out = []
    for mod in (nt, torch):
        ps = _params(mod)
        opt = _sgd(mod, ps)
        rows = []
        for kw in (dict(patience=2, factor=0.5, min_lr=[1e-3, 1e-2]),
                   dict(mode="max", threshold_mode="abs", patience=1, cooldown=2,
                        threshold=0.01, min_lr=1e-4)):
            sched = mod.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
            for i, m in enumerate(metrics):
                opt.step()
                sched.step(m)
                rows.append(list(sched.get_last_lr()) + [sched.num_bad_epochs,
                                                         sched.cooldown_counter])
                if i == 40:
                    sd = sched.state_dict()
                    sched2 = mod.optim.lr_scheduler.ReduceLROnPlateau(opt)
                    sched2.load_state_dict(sd)
                    assert sched2.state_dict() == sd
            rows.append([str(sched.state_dict())])
        out.append(rows)
    assert out[0] == out[1]


def test_step_with_epoch_uses_closed_form_and_warns_like_torch():
    out = []
    for mod in (nt, torch):
        msgs = []
        for key in ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                    "PolynomialLR", "ConstantLR", "CosineAnnealingWarmRestarts"):
            opt, sched = _build(mod, key)
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                for e in (3, 17, 17, 40, 8, 95):
                    opt.step()
                    sched.step(e)
                    msgs.append(sched.get_last_lr())
            msgs.append(sorted({str(x.message) for x in w}))
        out.append(msgs)
    assert str(out[0]) == str(out[1])


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category, str(x.message)) for x in w]


def test_scheduler_before_optimizer_step_warns_like_torch():
    def fn(mod):
        def go():
            opt = _sgd(mod, _params(mod))
            sched = mod.optim.lr_scheduler.StepLR(opt, 3)
            sched.step()
        return go

    a, b = _warnings_of(fn(nt)), _warnings_of(fn(torch))
    assert a == b and len(a) == 1 and a[0][0] is UserWarning


def test_overridden_step_and_get_lr_outside_step_warn_like_torch():
    def fn(mod):
        def go():
            opt = _sgd(mod, _params(mod))
            sched = mod.optim.lr_scheduler.ExponentialLR(opt, 0.9)
            opt.step = lambda closure=None: None
            opt.step()
            sched.step()
            sched.get_lr()
        return go

    a, b = _warnings_of(fn(nt)), _warnings_of(fn(torch))
    assert a == b and len(a) == 2


def test_no_warning_in_the_right_order():
    opt = _sgd(nt, _params(nt))
    sched = nt.optim.lr_scheduler.StepLR(opt, 3)

    def go():
        opt.step()
        sched.step()

    assert _warnings_of(go) == []


def _step_n(sched, n):
    for _ in range(n):
        sched.step()


BAD = [
    ("not an optimizer", lambda m, o: _sched(m).StepLR(object(), 3)),
    ("resume without initial_lr", lambda m, o: _sched(m).StepLR(o, 3, last_epoch=5)),
    ("lambdas count", lambda m, o: _sched(m).LambdaLR(o, [lambda e: 1.0])),
    ("multiplicative not callable", lambda m, o: _sched(m).MultiplicativeLR(o, [1.0, 2.0])),
    ("constant factor", lambda m, o: _sched(m).ConstantLR(o, factor=2.0)),
    ("linear start", lambda m, o: _sched(m).LinearLR(o, start_factor=0)),
    ("linear end", lambda m, o: _sched(m).LinearLR(o, end_factor=1.5)),
    ("warm T_0", lambda m, o: _sched(m).CosineAnnealingWarmRestarts(o, T_0=0)),
    ("warm T_mult", lambda m, o: _sched(m).CosineAnnealingWarmRestarts(o, T_0=3, T_mult=0)),
    ("warm eta_min", lambda m, o: _sched(m).CosineAnnealingWarmRestarts(o, 3, eta_min="a")),
    ("cyclic mode", lambda m, o: _sched(m).CyclicLR(o, 0.1, 1.0, mode="sine")),
    ("cyclic base_lr len", lambda m, o: _sched(m).CyclicLR(o, [0.1], 1.0)),
    ("cyclic momentum", lambda m, o: _sched(m).CyclicLR(
        m.optim.Adagrad(_params(m)), 0.1, 1.0)),
    ("onecycle steps", lambda m, o: _sched(m).OneCycleLR(o, 1.0)),
    ("onecycle total", lambda m, o: _sched(m).OneCycleLR(o, 1.0, total_steps=0)),
    ("onecycle epochs", lambda m, o: _sched(m).OneCycleLR(o, 1.0, epochs=0,
                                                           steps_per_epoch=3)),
    ("onecycle pct", lambda m, o: _sched(m).OneCycleLR(o, 1.0, 10, pct_start=1.5)),
    ("onecycle anneal", lambda m, o: _sched(m).OneCycleLR(o, 1.0, 10, anneal_strategy="x")),
    ("onecycle too many", lambda m, o: _step_n(_sched(m).OneCycleLR(o, 1.0, 2), 3)),
    ("plateau factor", lambda m, o: _sched(m).ReduceLROnPlateau(o, factor=1.0)),
    ("plateau mode", lambda m, o: _sched(m).ReduceLROnPlateau(o, mode="median")),
    ("plateau threshold", lambda m, o: _sched(m).ReduceLROnPlateau(o, threshold_mode="x")),
    ("plateau min_lrs", lambda m, o: _sched(m).ReduceLROnPlateau(o, min_lr=[0.1])),
    ("sequential empty", lambda m, o: _sched(m).SequentialLR(o, [], [])),
    ("sequential milestones", lambda m, o: _sched(m).SequentialLR(
        o, [_sched(m).StepLR(o, 2)], [3])),
    ("sequential plateau", lambda m, o: _sched(m).SequentialLR(
        o, [_sched(m).ReduceLROnPlateau(o)], [])),
    ("chained empty", lambda m, o: _sched(m).ChainedScheduler([])),
    ("chained no optimizer", lambda m, o: _sched(m).ChainedScheduler([3], o)),
    ("warm negative epoch", lambda m, o: _sched(m).CosineAnnealingWarmRestarts(o, 3).step(-1)),
]


@pytest.mark.parametrize("fn", [f for _, f in BAD], ids=[n for n, _ in BAD])
def test_invalid_arguments_raise_like_torch(fn):
    res = []
    for mod in (nt, torch):
        opt = _sgd(mod, _params(mod))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as e:
                fn(mod, opt)
        res.append(e.value)
    assert type(res[0]) is type(res[1])
    assert str(res[0]).replace("numtorch", "torch") == str(res[1])


def test_tensor_lr_is_updated_in_place():
    for mod in (nt, torch):
        lr = mod.tensor(0.1)
        opt = mod.optim.SGD(_params(mod), lr=lr)
        sched = mod.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        opt.step()
        sched.step()
        assert opt.param_groups[0]["lr"] is lr
        assert abs(float(lr) - 0.05) < 1e-8
        assert isinstance(sched.get_last_lr()[0], mod.Tensor)


def test_private_alias_and_exports():
    assert issubclass(nt.optim.lr_scheduler._LRScheduler, nt.optim.lr_scheduler.LRScheduler)
    assert set(torch.optim.lr_scheduler.__all__) <= set(nt.optim.lr_scheduler.__all__)


def test_warm_restarts_with_fractional_epochs_matches_torch():
    out = []
    for mod in (nt, torch):
        opt = _sgd(mod, _params(mod))
        sched = mod.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2,
                                                                  eta_min=0.001)
        lrs = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                sched.step(epoch + i / 4)
                lrs.append(sched.get_last_lr() + [sched.T_cur, sched.T_i, sched.last_epoch])
        out.append(lrs)
    np.testing.assert_allclose(np.array(out[0], float), np.array(out[1], float), rtol=1e-12)
