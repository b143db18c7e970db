"""Every first-order algorithm and option combination against torch.optim.

For each case: 60 steps with two parameter groups (and, in some cases, a parameter whose
gradient is None on some steps); the parameters and the state dict must match torch's, and a
state dict saved at step 25 and loaded into a fresh optimizer must continue to the same end
point.
"""
import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch
from ._common import (assert_params_close, assert_state_close, deepcopy_state, groups,
                      make_params, set_grads, skip_at)

STEPS = 60
SAVE_AT = 25

# (name, constructor options, options of the second group, skip a gradient sometimes)
CASES = [
    ("SGD", dict(lr=0.05), dict(lr=0.01), False),
    ("SGD", dict(lr=0.05, momentum=0.9), dict(lr=0.02, dampening=0.3), True),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1), dict(momentum=0.5),
     False),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.1, weight_decay=0.01, maximize=True),
     dict(lr=0.01), False),
    ("Adam", dict(lr=0.01), dict(lr=0.03, betas=(0.8, 0.99)), True),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1), dict(eps=1e-3), False),
    ("Adam", dict(lr=0.01, maximize=True, decoupled_weight_decay=True, weight_decay=0.1),
     dict(amsgrad=True), False),
    ("Adam", dict(lr=0.01, foreach=True), None, False),
    ("Adam", dict(lr=0.01, fused=True, amsgrad=True), dict(weight_decay=0.1), False),
    ("AdamW", dict(lr=0.01, fused=True), None, False),
    ("SGD", dict(lr=0.05, momentum=0.9, fused=True), None, False),
    ("Adagrad", dict(lr=0.1, fused=True), None, False),
    ("SGD", dict(lr=0.05, momentum=0.9, foreach=True), dict(nesterov=True), False),
    ("RMSprop", dict(lr=0.01, foreach=True, centered=True), None, False),
    ("AdamW", dict(lr=0.01), dict(weight_decay=0.5), True),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True), dict(lr=0.002), False),
    ("Adamax", dict(lr=0.01), dict(lr=0.05, betas=(0.5, 0.9)), True),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True), dict(eps=1e-2), False),
    ("NAdam", dict(lr=0.01), dict(momentum_decay=0.01), True),
    ("NAdam", dict(lr=0.01, weight_decay=0.1), dict(lr=0.03), False),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
     dict(betas=(0.8, 0.9)), False),
    ("RAdam", dict(lr=0.01), dict(lr=0.05), True),
    ("RAdam", dict(lr=0.01, weight_decay=0.1), dict(betas=(0.9, 0.9)), False),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
     dict(eps=1e-4), False),
    ("RMSprop", dict(lr=0.01), dict(alpha=0.9), True),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9), dict(lr=0.001), False),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1, momentum=0.5, maximize=True),
     dict(centered=True), False),
    ("Adagrad", dict(lr=0.1), dict(lr=0.05), True),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5),
     dict(eps=1e-3), False),
    ("Adagrad", dict(lr=0.1, maximize=True), None, False),
    ("Adadelta", dict(), dict(rho=0.5), True),
    ("Adadelta", dict(lr=0.5, rho=0.95, eps=1e-4, weight_decay=0.1, maximize=True),
     dict(lr=2.0), False),
    ("ASGD", dict(lr=0.05), dict(lr=0.01), True),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=10, weight_decay=0.1), dict(t0=30),
     False),
    ("ASGD", dict(lr=0.05, t0=5, maximize=True), None, False),
    ("Rprop", dict(lr=0.01), dict(lr=0.05), True),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2)), dict(etas=(0.6, 1.1)),
     False),
    ("Rprop", dict(lr=0.01, maximize=True), None, False),
    ("Adafactor", dict(), dict(lr=0.05), True),
    ("Adafactor", dict(lr=0.02, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=1.5, weight_decay=0.1,
                       maximize=True), dict(d=1.0), False),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _opt(mod, name, params, opts, group_opts):
    return getattr(mod.optim, name)(groups(params, group_opts), **opts)


def _run(opt_nt, opt_th, ps_nt, ps_th, start, stop, skip_none):
    for step in range(start, stop):
        set_grads(ps_nt, ps_th, step, skip_at(step, skip_none))
        opt_nt.step()
        opt_th.step()


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 1e-5)],
                         ids=["f64", "f32"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_torch_and_resumes_from_state_dict(case, dtype, rtol):
    name, opts, group_opts, skip_none = case
    ps_nt, ps_th = make_params(dtype)
    opt_nt = _opt(nt, name, ps_nt, opts, group_opts)
    opt_th = _opt(torch, name, ps_th, opts, group_opts)
    _run(opt_nt, opt_th, ps_nt, ps_th, 0, SAVE_AT, skip_none)
    assert_params_close(ps_nt, ps_th, rtol)
    saved_nt = deepcopy_state(opt_nt.state_dict())
    saved_th = deepcopy_state(opt_th.state_dict())
    assert_state_close(saved_nt, saved_th, rtol)
    saved = [p.detach().numpy().copy() for p in ps_nt]

    _run(opt_nt, opt_th, ps_nt, ps_th, SAVE_AT, STEPS, skip_none)
    assert_params_close(ps_nt, ps_th, rtol)
    assert_state_close(opt_nt.state_dict(), opt_th.state_dict(), rtol)

    # resume in both: fresh parameters at their step-25 values, fresh optimizer, loaded state
    # (torch casts some loaded state to the parameters' dtype, so its resumed run is the oracle)
    fresh_nt = [nt.from_numpy(a.copy()).requires_grad_() for a in saved]
    fresh_th = [torch.from_numpy(a.copy()).requires_grad_() for a in saved]
    opt2_nt = _opt(nt, name, fresh_nt, opts, group_opts)
    opt2_th = _opt(torch, name, fresh_th, opts, group_opts)
    opt2_nt.load_state_dict(saved_nt)
    opt2_th.load_state_dict(saved_th)
    assert_state_close(opt2_nt.state_dict(), opt2_th.state_dict(), rtol)
    _run(opt2_nt, opt2_th, fresh_nt, fresh_th, SAVE_AT, STEPS, skip_none)
    assert_params_close(fresh_nt, fresh_th, rtol)
    if name != "ASGD":  # ASGD's float32 eta/mu are loaded as the parameters' dtype (as torch)
        assert_params_close(fresh_nt, ps_th, rtol)


@pytest.mark.parametrize("case", [c for c in CASES if c[2] is not None][::3],
                         ids=lambda c: c[0])
def test_state_dict_and_repr_print_like_torch(case):
    name, opts, group_opts, skip_none = case
    ps_nt, ps_th = make_params(np.float32, shapes=[(2,), (3,), (2,), (1,)])
    opt_nt = _opt(nt, name, ps_nt, opts, group_opts)
    opt_th = _opt(torch, name, ps_th, opts, group_opts)
    _run(opt_nt, opt_th, ps_nt, ps_th, 0, 1, False)
    nt.set_printoptions(precision=2)
    torch.set_printoptions(precision=2)
    try:
        assert str(opt_nt.state_dict()) == str(opt_th.state_dict())
    finally:
        nt.set_printoptions(precision=4)
        torch.set_printoptions(precision=4)
    assert repr(opt_nt) == repr(opt_th)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop",
                                  "Adagrad", "Adadelta", "ASGD", "Rprop"])
def test_defaults_and_group_keys_match_torch(name):
    ps_nt, ps_th = make_params(np.float32)
    opt_nt = getattr(nt.optim, name)(ps_nt)
    opt_th = getattr(torch.optim, name)(ps_th)
    assert opt_nt.defaults == opt_th.defaults
    assert list(opt_nt.defaults) == list(opt_th.defaults)
    assert list(opt_nt.param_groups[0]) == list(opt_th.param_groups[0])


def test_float64_default_dtype_gives_float64_step():
    prev = nt.get_default_dtype()
    prev_th = torch.get_default_dtype()
    nt.set_default_dtype(nt.float64)
    torch.set_default_dtype(torch.float64)
    try:
        ps_nt, ps_th = make_params(np.float64)
        opt_nt, opt_th = nt.optim.Adam(ps_nt), torch.optim.Adam(ps_th)
        set_grads(ps_nt, ps_th, 0)
        opt_nt.step()
        opt_th.step()
        assert_state_close(opt_nt.state_dict(), opt_th.state_dict(), 1e-12)
    finally:
        nt.set_default_dtype(prev)
        torch.set_default_dtype(prev_th)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Rprop", "ASGD"])
def test_tensor_lr(name):
    ps_nt, ps_th = make_params(np.float64)
    opt_nt = getattr(nt.optim, name)(ps_nt, lr=nt.tensor(0.01, dtype=nt.float64))
    opt_th = getattr(torch.optim, name)(ps_th, lr=torch.tensor(0.01, dtype=torch.float64))
    _run(opt_nt, opt_th, ps_nt, ps_th, 0, 10, False)
    assert_params_close(ps_nt, ps_th, 1e-10)


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Rprop",
                                  "SGD", "NAdam", "RAdam", "ASGD"])
def test_complex_parameters(name):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))).astype(np.complex128)
    p = nt.from_numpy(a.copy()).requires_grad_()
    q = torch.from_numpy(a.copy()).requires_grad_()
    kw = {} if name in ("Adadelta",) else {"lr": 0.01}
    opt_nt = getattr(nt.optim, name)([p], **kw)
    opt_th = getattr(torch.optim, name)([q], **kw)
    for step in range(20):
        g = (np.sin(p.detach().numpy()) + 0.1 * step).astype(np.complex128)
        p.grad = nt.from_numpy(g)
        q.grad = torch.from_numpy(np.sin(q.detach().numpy()) + 0.1 * step)
        opt_nt.step()
        opt_th.step()
    np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-10)


def test_adam_tensor_betas():
    ps_nt, ps_th = make_params(np.float64)
    opt_nt = nt.optim.Adam(ps_nt, lr=0.01, betas=(nt.tensor([0.8]), nt.tensor(0.95)))
    opt_th = torch.optim.Adam(ps_th, lr=0.01, betas=(torch.tensor([0.8]), torch.tensor(0.95)))
    _run(opt_nt, opt_th, ps_nt, ps_th, 0, 20, False)
    assert_params_close(ps_nt, ps_th, 1e-10)
    assert opt_nt.param_groups[0]["betas"][0].shape == opt_th.param_groups[0]["betas"][0].shape
    for bad in ((0.9, "t"), ("t2", "t")):  # mixed float/tensor; a 2-element tensor
        errs = []
        for mod, ps in ((nt, ps_nt), (torch, ps_th)):
            betas = tuple(mod.tensor(0.9) if b == "t" else mod.tensor([0.9, 0.8]) if b == "t2"
                          else b for b in bad)
            with pytest.raises(Exception) as e:
                mod.optim.Adam(ps, betas=betas)
            errs.append((type(e.value), str(e.value)))
        assert errs[0] == errs[1]


# algorithms without a square root: torch's float32 sqrt (MKL VML) is faithfully, not correctly,
# rounded (about 0.6% of results one ulp below NumPy's), so Adam & co. match to rtol only
BIT_EXACT = [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
             ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.1, maximize=True)),
             ("Adamax", dict(lr=0.01, weight_decay=0.1)), ("ASGD", dict(lr=0.05, t0=5)),
             ("Rprop", dict(lr=0.01))]


@pytest.mark.skipif(torch.backends.cpu.get_cpu_capability() not in ("AVX2", "AVX512"),
                    reason="torch's kernels use FMA only with AVX2/AVX512")
@pytest.mark.parametrize("name,opts", BIT_EXACT, ids=[n for n, _ in BIT_EXACT])
def test_float32_updates_are_bit_identical_to_torch(name, opts):
    """Kernels that torch fuses (add with alpha, addcmul, lerp) are rounded like torch's FMA, so
    these float32 updates match torch's bit for bit."""
    ps_nt, ps_th = make_params(np.float32, shapes=[(40,), (7, 3)])
    opt_nt = getattr(nt.optim, name)(ps_nt, **opts)
    opt_th = getattr(torch.optim, name)(ps_th, **opts)
    _run(opt_nt, opt_th, ps_nt, ps_th, 0, 40, False)
    for p, q in zip(ps_nt, ps_th):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


@pytest.mark.parametrize("name,opts", [("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.1)),
                                       ("Adam", dict(lr=0.01)), ("RMSprop", dict(centered=True))])
def test_large_float32_arrays_use_plain_arithmetic_within_tolerance(name, opts):
    from numtorch.optim._fused import EXACT_MAX_NUMEL
    ps_nt, ps_th = make_params(np.float32, shapes=[(EXACT_MAX_NUMEL + 7,), (5,)])
    opt_nt = getattr(nt.optim, name)(ps_nt, **opts)
    opt_th = getattr(torch.optim, name)(ps_th, **opts)
    _run(opt_nt, opt_th, ps_nt, ps_th, 0, 10, False)
    # 16k parameters of order 1: a few land near zero, where float32's absolute resolution
    # (~1e-7 at 1) matters more than a relative tolerance
    assert_params_close(ps_nt, ps_th, 1e-5, atol=1e-6)
