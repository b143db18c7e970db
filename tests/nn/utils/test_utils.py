"""nn.utils against torch: gradient clipping, parameter <-> vector, sequence packing and RNNs
on packed sequences."""
import math

import numpy as np
import pytest

import numtorch as nt
from numtorch.nn.utils import rnn as nrnn

from ...conftest import torch, assert_close
from .._common import copy_state

trnn = torch.nn.utils.rnn


def _params_with_grads(T, rng):
    ps = []
    for shape in [(3, 2), (4,), (2, 2, 2)]:
        a = rng.standard_normal(shape).astype(np.float32)
        g = rng.standard_normal(shape).astype(np.float32) * 3
        p = (torch.nn.Parameter(torch.tensor(a)) if T is torch
             else nt.nn.Parameter(nt.tensor(a)))
        p.grad = T.tensor(g)
        ps.append(p)
    ps.append(T.nn.Parameter(T.ones(2)))  # no grad: skipped
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    tp = _params_with_grads(torch, np.random.default_rng(0))
    np_ = _params_with_grads(nt, np.random.default_rng(0))
    tn = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    nn_ = nt.nn.utils.clip_grad_norm_(np_, max_norm, norm_type)
    assert_close(nn_, tn)
    for a, b in zip(np_[:3], tp[:3]):
        assert_close(a.grad, b.grad)


def test_clip_grad_norm_nonfinite_and_single_tensor():
    p = nt.nn.Parameter(nt.ones(2))
    p.grad = nt.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nt.nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    q = nt.nn.Parameter(nt.ones(2))
    q.grad = nt.tensor([3.0, 4.0])
    total = nt.nn.utils.clip_grad_norm_(q, 1.0)
    assert float(total) == 5.0
    np.testing.assert_allclose(q.grad._data, [0.6, 0.8], rtol=1e-5)
    assert float(nt.nn.utils.clip_grad_norm_([nt.nn.Parameter(nt.ones(1))], 1.0)) == 0.0


def test_clip_grad_value():
    tp = _params_with_grads(torch, np.random.default_rng(1))
    np_ = _params_with_grads(nt, np.random.default_rng(1))
    torch.nn.utils.clip_grad_value_(tp, 1.5)
    nt.nn.utils.clip_grad_value_(np_, 1.5)
    for a, b in zip(np_[:3], tp[:3]):
        assert_close(a.grad, b.grad)


def test_parameters_to_vector_and_back():
    lin = nt.nn.Linear(3, 2)
    v = nt.nn.utils.parameters_to_vector(lin.parameters())
    assert v.shape == (8,) and v.grad_fn is not None
    np.testing.assert_array_equal(v._data[:6], lin.weight._data.ravel())
    nt.nn.utils.vector_to_parameters(nt.arange(8.0), lin.parameters())
    np.testing.assert_array_equal(lin.bias._data, [6.0, 7.0])
    assert isinstance(lin.weight, nt.nn.Parameter)
    with pytest.raises(TypeError):
        nt.nn.utils.vector_to_parameters([1.0], lin.parameters())


def _seqs(rng, lengths, feat=3):
    arrs = [rng.standard_normal((n, feat)).astype(np.float32) for n in lengths]
    return ([torch.tensor(a, requires_grad=True) for a in arrs],
            [nt.tensor(a, requires_grad=True) for a in arrs])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    ts, ns = _seqs(np.random.default_rng(0), [2, 4, 1])
    tp = trnn.pad_sequence(ts, batch_first, -1.0, side)
    np_ = nrnn.pad_sequence(ns, batch_first, -1.0, side)
    assert_close(np_, tp)


@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [4, 2, 1]), (False, [2, 4, 1])])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_unpack_round_trip(enforce_sorted, lengths, batch_first):
    ts, ns = _seqs(np.random.default_rng(1), lengths)
    tpad = trnn.pad_sequence(ts, batch_first)
    npad = nrnn.pad_sequence(ns, batch_first)
    tpk = trnn.pack_padded_sequence(tpad, lengths, batch_first, enforce_sorted)
    npk = nrnn.pack_padded_sequence(npad, lengths, batch_first, enforce_sorted)
    assert_close(npk.data, tpk.data)
    assert_close(npk.batch_sizes, tpk.batch_sizes)
    if enforce_sorted:
        assert npk.sorted_indices is None
    else:
        assert_close(npk.sorted_indices, tpk.sorted_indices)
        assert_close(npk.unsorted_indices, tpk.unsorted_indices)
    tout, tl = trnn.pad_packed_sequence(tpk, batch_first, padding_value=0.5, total_length=5)
    nout, nl = nrnn.pad_packed_sequence(npk, batch_first, padding_value=0.5, total_length=5)
    assert_close(nout, tout)
    assert_close(nl, tl)
    w = np.random.default_rng(2).standard_normal(tuple(tout.shape)).astype(np.float32)
    (tout * torch.tensor(w)).sum().backward()
    (nout * nt.tensor(w)).sum().backward()
    for a, b in zip(ns, ts):
        assert_close(a.grad, b.grad)


def test_pack_sequence_and_unpack():
    ts, ns = _seqs(np.random.default_rng(3), [3, 1, 2])
    tpk = trnn.pack_sequence(ts, enforce_sorted=False)
    npk = nrnn.pack_sequence(ns, enforce_sorted=False)
    assert_close(npk.data, tpk.data)
    for a, b in zip(nrnn.unpack_sequence(npk), trnn.unpack_sequence(tpk)):
        assert_close(a, b)


def test_packing_errors_like_torch():
    def exc(R, T, fn):
        try:
            fn(R, T)
        except Exception as e:  # noqa: BLE001 (the type is what is compared)
            return type(e).__name__
    for fn in [lambda R, T: R.pack_padded_sequence(T.zeros(3, 2, 1), [1, 2]),
               lambda R, T: R.pack_padded_sequence(T.zeros(3, 2, 1), [2, 0]),
               lambda R, T: R.pad_packed_sequence(
                   R.pack_padded_sequence(T.zeros(3, 2, 1), [3, 2]), total_length=2)]:
        assert exc(nrnn, nt, fn) == exc(trnn, torch, fn) is not None


@pytest.mark.parametrize("kind,kw", [("LSTM", dict(num_layers=2, bidirectional=True)),
                                     ("GRU", dict(bidirectional=True)),
                                     ("RNN", dict(num_layers=2)),
                                     ("LSTM", dict(proj_size=2, batch_first=True))])
def test_rnn_on_packed_sequence(kind, kw):
    torch.manual_seed(0)
    tm = getattr(torch.nn, kind)(3, 4, **kw)
    nm = getattr(nt.nn, kind)(3, 4, **kw)
    copy_state(tm, nm)
    lengths = [2, 5, 3]
    ts, ns = _seqs(np.random.default_rng(4), lengths)
    bf = kw.get("batch_first", False)
    tpk = trnn.pack_padded_sequence(trnn.pad_sequence(ts, bf), lengths, bf, False)
    npk = nrnn.pack_padded_sequence(nrnn.pad_sequence(ns, bf), lengths, bf, False)
    d = 2 if kw.get("bidirectional") else 1
    h_size = kw.get("proj_size", 4) or 4
    h0 = np.random.default_rng(5).standard_normal(
        (kw.get("num_layers", 1) * d, 3, h_size)).astype(np.float32)
    c0 = np.random.default_rng(6).standard_normal(
        (kw.get("num_layers", 1) * d, 3, 4)).astype(np.float32)
    if kind == "LSTM":
        th, nh = (torch.tensor(h0), torch.tensor(c0)), (nt.tensor(h0), nt.tensor(c0))
    else:
        th, nh = torch.tensor(h0), nt.tensor(h0)
    tout, thn = tm(tpk, th)
    nout, nhn = nm(npk, nh)
    assert_close(nout.data, tout.data, atol=1e-5)
    thn = thn if kind != "LSTM" else torch.cat(thn, -1) if h_size == 4 else thn[0]
    nhn = nhn if kind != "LSTM" else nt.cat(nhn, -1) if h_size == 4 else nhn[0]
    assert_close(nhn, thn, atol=1e-5)
    tpad, _ = trnn.pad_packed_sequence(tout, bf)
    npad, _ = nrnn.pad_packed_sequence(nout, bf)
    w = np.random.default_rng(7).standard_normal(tuple(tpad.shape)).astype(np.float32)
    ((tpad * torch.tensor(w)).sum() + thn.sum()).backward()
    ((npad * nt.tensor(w)).sum() + nhn.sum()).backward()
    for a, b in zip(ns, ts):
        assert_close(a.grad, b.grad, atol=1e-5)
    for (k, a), (_, b) in zip(nm.named_parameters(), tm.named_parameters()):
        assert_close(a.grad, b.grad, atol=1e-5)


def test_rnn_errors_like_torch():
    def exc(nn, T, fn):
        try:
            fn(nn, T)
        except Exception as e:  # noqa: BLE001 (the type is what is compared)
            return type(e).__name__
    for fn in [lambda nn, T: nn.LSTM(3, 4)(T.zeros(2, 1, 3), (T.zeros(1, 2, 4),) * 2),
               lambda nn, T: nn.GRU(3, 4)(T.zeros(2, 1, 3), T.zeros(1, 4)),
               lambda nn, T: nn.RNN(3, 4)(T.zeros(2, 1, 3, dtype=T.float64)),
               lambda nn, T: nn.LSTM(3, 4, proj_size=4),
               lambda nn, T: nn.GRU(3, 4, proj_size=2),
               lambda nn, T: nn.RNN(3, 4, nonlinearity="gelu"),
               lambda nn, T: nn.LSTM(3, 0),
               lambda nn, T: nn.LSTM(3, 4, dropout=2.0),
               lambda nn, T: nn.GRUCell(3, 4)(T.zeros(2, 3), T.zeros(2, 2, 4))]:
        assert exc(nt.nn, nt, fn) == exc(torch.nn, torch, fn) is not None, fn
