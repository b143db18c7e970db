"""Every op of the table in opdb.py against torch: forward values/dtypes, grad_fn names,
gradients, method and in-place variants, float64 gradcheck and exception parity."""
import zlib

import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch
from .opdb import OPS, T

CASES = [(op, i, s) for op in OPS for i, s in enumerate(op.samples)]
ERRORS = [(op, i, s) for op in OPS for i, s in enumerate(op.errors)]


def _id(case):
    op, i, s = case
    return f"{op.name}-{i}-{s!r}"[:90]


def _rng(key):
    return np.random.default_rng(zlib.crc32(key.encode()))


def _materialise(args, rng, float64=False, contiguous=False):
    """Two parallel argument lists (numtorch, torch) and the leaves needing a gradient."""
    nt_leaves, th_leaves = [], []

    def conv(a):
        if isinstance(a, T):
            if float64 or contiguous:
                b = T(a.shape, "float64" if float64 and a.dtype == "float32" else a.dtype,
                      a.low, a.high, a.grad, a.nc and not contiguous, a.values)
                a = b
            arr = a.array(rng)
            arr2 = np.array(arr, copy=True) if arr.flags.c_contiguous else a_copy(arr)
            x = nt.from_numpy(arr)
            y = torch.from_numpy(arr2)
            if a.grad:
                x.requires_grad_()
                y.requires_grad_()
                nt_leaves.append(x)
                th_leaves.append(y)
            return x, y
        if isinstance(a, (list, tuple)):
            pairs = [conv(v) for v in a]
            return type(a)(p[0] for p in pairs), type(a)(p[1] for p in pairs)
        return a, a

    pairs = [conv(a) for a in args]
    return [p[0] for p in pairs], [p[1] for p in pairs], nt_leaves, th_leaves


def a_copy(arr):
    """A copy of a non-contiguous array with the same strides pattern (same layout)."""
    if arr.ndim >= 2:
        return np.swapaxes(np.ascontiguousarray(np.swapaxes(arr, -1, -2)), -1, -2)
    base = np.empty((arr.shape[0] * 2,), arr.dtype)
    base[::2] = arr
    return base[::2]


def _tol(op, dtype):
    if op.atol is None:
        return {}
    return {"atol": op.atol, "rtol": op.rtol if op.rtol is not None else 1.3e-6}


def _compare(a, b, op, where="output"):
    if isinstance(b, torch.Tensor):
        assert isinstance(a, nt.Tensor), f"{where}: expected a Tensor, got {type(a).__name__}"
        got = torch.from_numpy(np.array(a._data))
        assert tuple(a.shape) == tuple(b.shape), f"{where}: shape {tuple(a.shape)} != " \
                                                 f"{tuple(b.shape)}"
        torch.testing.assert_close(got, b.detach(), equal_nan=True, check_dtype=op.check_dtype,
                                   msg=lambda m: f"{where}: {m}", **_tol(op, b.dtype))
        assert a.requires_grad == b.requires_grad, f"{where}: requires_grad differs"
        if op.grad_fn:
            bn = b.grad_fn.name() if b.grad_fn is not None else None
            an = a.grad_fn.name() if a.grad_fn is not None else None
            assert an == bn, f"{where}: grad_fn {an} != {bn}"
    elif isinstance(b, (tuple, list)):
        assert isinstance(a, (tuple, list)), f"{where}: expected a sequence, got {type(a)}"
        assert len(a) == len(b), f"{where}: length {len(a)} != {len(b)}"
        if hasattr(b, "_fields"):
            assert getattr(a, "_fields", None) == b._fields
        for i, (x, y) in enumerate(zip(a, b)):
            _compare(x, y, op, f"{where}[{i}]")
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


def _flat_tensors(out, lib):
    if isinstance(out, lib.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat_tensors(o, lib)]
    return []


def _backward_and_compare(nt_out, th_out, nt_leaves, th_leaves, rng, op):
    th_outs = [t for t in _flat_tensors(th_out, torch) if t.requires_grad]
    nt_outs = [t for t in _flat_tensors(nt_out, nt) if t.requires_grad]
    assert len(th_outs) == len(nt_outs)
    if not th_outs:
        return
    ws = [rng.standard_normal(t.shape).astype(t.detach().numpy().dtype) for t in th_outs]
    try:
        torch.autograd.backward(th_outs, [torch.from_numpy(w) for w in ws])
    except Exception as e:  # noqa: BLE001  no derivative in torch: numtorch must refuse too
        with pytest.raises(type(e)):
            nt.autograd.backward(nt_outs, [nt.from_numpy(w.copy()) for w in ws])
        return
    nt.autograd.backward(nt_outs, [nt.from_numpy(w.copy()) for w in ws])
    for i, (x, y) in enumerate(zip(nt_leaves, th_leaves)):
        if y.grad is None:
            assert x.grad is None, f"grad of input {i}: expected None"
            continue
        assert x.grad is not None, f"grad of input {i} is missing"
        _compare(x.grad, y.grad, op, f"grad of input {i}")


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_op_matches_torch(case):
    op, i, sample = case
    key = _id(case)
    nt_args, th_args, nt_leaves, th_leaves = _materialise(sample.args, _rng(key))
    try:
        th_out = op.fn(torch, *th_args, **sample.kwargs)
    except Exception as e:  # noqa: BLE001  torch refuses: numtorch must refuse the same way
        with pytest.raises(type(e)):
            op.fn(nt, *nt_args, **sample.kwargs)
        return
    nt_out = op.fn(nt, *nt_args, **sample.kwargs)
    _compare(nt_out, th_out, op)
    if op.grad and th_leaves:
        _backward_and_compare(nt_out, th_out, nt_leaves, th_leaves, _rng(key + "w"), op)


@pytest.mark.parametrize("case", [c for c in CASES if c[0].method and
                                  isinstance(c[2].args[0] if c[2].args else None, T)], ids=_id)
def test_method_matches_torch(case):
    op, i, sample = case
    nt_args, th_args, _, _ = _materialise(sample.args, _rng(_id(case)))
    try:
        th_out = getattr(th_args[0], op.method)(*th_args[1:], **sample.kwargs)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            getattr(nt_args[0], op.method)(*nt_args[1:], **sample.kwargs)
        return
    nt_out = getattr(nt_args[0], op.method)(*nt_args[1:], **sample.kwargs)
    _compare(nt_out, th_out, op)


@pytest.mark.parametrize("case", [c for c in CASES if c[0].inplace], ids=_id)
def test_inplace_matches_torch(case):
    """x.clone().op_(...) : values, grad_fn, gradient through the in-place op, version bump."""
    op, i, sample = case
    key = _id(case) + "inplace"
    nt_args, th_args, nt_leaves, th_leaves = _materialise(sample.args, _rng(key))

    def run(lib, args):
        y = args[0].clone()
        version = (lambda: y._version) if lib is torch else (lambda: y._version_value)
        v0 = version()
        r = getattr(y, op.inplace)(*args[1:], **sample.kwargs)
        assert r is y
        return y, version() - v0

    try:
        th_out, th_bump = run(torch, th_args)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            run(nt, nt_args)
        return
    nt_out, nt_bump = run(nt, nt_args)
    assert (nt_bump > 0) == (th_bump > 0), "version counter bump differs from torch's"
    _compare(nt_out, th_out, op)
    if op.grad and th_leaves:
        _backward_and_compare(nt_out, th_out, nt_leaves, th_leaves, _rng(key + "w"), op)


@pytest.mark.parametrize("case", [c for c in CASES if c[0].grad and c[0].gradcheck and
                                  c[2].gradcheck and c[1] == 0], ids=_id)
def test_gradcheck_float64(case):
    op, i, sample = case
    nt_args, _, nt_leaves, _ = _materialise(sample.args, _rng(_id(case)), float64=True,
                                            contiguous=True)
    if not nt_leaves:
        pytest.skip("no differentiable input")
    pos = []

    def fn(*leaves):
        it = iter(leaves)

        def sub(a):
            if isinstance(a, nt.Tensor) and any(a is x for x in nt_leaves):
                return next(it)
            if isinstance(a, (list, tuple)):
                return type(a)(sub(v) for v in a)
            return a
        return op.fn(nt, *[sub(a) for a in nt_args], **sample.kwargs)

    assert nt.autograd.gradcheck(fn, tuple(nt_leaves))


@pytest.mark.parametrize("case", ERRORS, ids=_id)
def test_error_parity(case):
    op, i, sample = case
    nt_args, th_args, _, _ = _materialise(sample.args, _rng(_id(case)))
    with pytest.raises(Exception) as th_err:
        op.fn(torch, *th_args, **sample.kwargs)
    with pytest.raises(Exception) as nt_err:
        op.fn(nt, *nt_args, **sample.kwargs)
    assert nt_err.type is th_err.type, f"numtorch raised {nt_err.type.__name__}: " \
                                       f"{nt_err.value}; torch raised {th_err.type.__name__}: " \
                                       f"{th_err.value}"
    if sample.match:
        assert sample.match in str(th_err.value), f"torch says: {th_err.value}"
        assert sample.match in str(nt_err.value), f"numtorch says: {nt_err.value}; torch " \
                                                  f"says: {th_err.value}"
