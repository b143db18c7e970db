"""nn.functional: float64 gradcheck of every differentiable function on tiny shapes, values and
gradients against torch.nn.functional, and torch's exception types for bad arguments."""
import numpy as np
import pytest

import numtorch as nt
from numtorch.autograd import gradcheck

from ..conftest import torch, assert_close
from ._common import make_inputs, flat_tensors, backward_both


def _idx(mod, a):
    return mod.tensor(a)


# (id, fn(F, torch_or_numtorch_module, *inputs), input specs)
FUNCS = [
    ("linear", lambda F, m, x, w, b: F.linear(x, w, b), [(2, 3), (4, 3), (4,)]),
    ("bilinear", lambda F, m, a, b, w: F.bilinear(a, b, w), [(2, 2), (2, 3), (2, 2, 3)]),
    ("conv1d", lambda F, m, x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2),
     [(1, 2, 7), (3, 2, 2), (3,)]),
    ("conv2d", lambda F, m, x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1),
     [(1, 2, 4, 3), (2, 2, 2, 2), (2,)]),
    ("conv2d_groups_same", lambda F, m, x, w: F.conv2d(x, w, padding="same", groups=2),
     [(1, 4, 3, 3), (2, 2, 2, 2)]),
    ("conv_transpose1d", lambda F, m, x, w, b: F.conv_transpose1d(x, w, b, stride=2,
                                                                  output_padding=1),
     [(1, 2, 3), (2, 2, 2), (2,)]),
    ("conv_transpose2d", lambda F, m, x, w: F.conv_transpose2d(x, w, stride=2, padding=1,
                                                               dilation=(1, 2), groups=2),
     [(1, 2, 2, 3), (2, 1, 2, 2)]),
    ("unfold", lambda F, m, x: F.unfold(x, 2, dilation=(1, 2), padding=1, stride=2),
     [(1, 2, 3, 4)]),
    ("fold", lambda F, m, x: F.fold(x, (3, 4), 2, padding=1, stride=2), [(1, 8, 6)]),
    ("max_pool1d", lambda F, m, x: F.max_pool1d(x, 3, 2, 1, ceil_mode=True), [(1, 2, 6)]),
    ("max_pool2d", lambda F, m, x: F.max_pool2d(x, 2, 1, 1, dilation=2), [(1, 2, 4, 4)]),
    ("avg_pool1d", lambda F, m, x: F.avg_pool1d(x, 2, 2, 1, count_include_pad=False),
     [(1, 2, 5)]),
    ("avg_pool2d", lambda F, m, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), [(1, 2, 4, 4)]),
    ("adaptive_avg_pool2d", lambda F, m, x: F.adaptive_avg_pool2d(x, (2, 3)), [(1, 2, 5, 4)]),
    ("adaptive_max_pool2d", lambda F, m, x: F.adaptive_max_pool2d(x, 2), [(1, 2, 5, 3)]),
    ("adaptive_max_pool1d", lambda F, m, x: F.adaptive_max_pool1d(x, 3), [(2, 5)]),
    ("max_unpool2d", lambda F, m, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True),
                                                    2, output_size=(5, 5)), [(1, 2, 5, 5)]),
    ("max_unpool1d", lambda F, m, x: F.max_unpool1d(*F.max_pool1d(x, 2, return_indices=True),
                                                    2), [(1, 2, 6)]),
    ("lp_pool2d", lambda F, m, x: F.lp_pool2d(x.abs() + 0.5, 2, 2), [(1, 1, 4, 4)]),
    ("batch_norm_train", lambda F, m, x, w, b: F.batch_norm(x, None, None, w, b, True),
     [(3, 2, 2), (2,), (2,)]),
    ("batch_norm_eval", lambda F, m, x, w, b: F.batch_norm(
        x, m.tensor([0.1, -0.2], dtype=x.dtype), m.tensor([1.5, 0.5], dtype=x.dtype), w, b,
        False), [(3, 2, 2), (2,), (2,)]),
    ("layer_norm", lambda F, m, x, w, b: F.layer_norm(x, (3,), w, b), [(2, 3), (3,), (3,)]),
    ("group_norm", lambda F, m, x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 2), (4,), (4,)]),
    ("instance_norm", lambda F, m, x: F.instance_norm(x), [(2, 2, 3)]),
    ("local_response_norm", lambda F, m, x: F.local_response_norm(x, 3), [(1, 4, 2, 2)]),
    ("embedding", lambda F, m, w: F.embedding(_idx(m, [[0, 2], [2, 3]]), w), [(4, 3)]),
    ("embedding_bag_sum_psw", lambda F, m, w, p: F.embedding_bag(
        _idx(m, [0, 2, 2, 3]), w, _idx(m, [0, 1]), mode="sum", per_sample_weights=p),
     [(4, 3), (4,)]),
    ("embedding_bag_max", lambda F, m, w: F.embedding_bag(_idx(m, [[0, 2, 1], [3, 3, 1]]), w,
                                                          mode="max"), [(4, 3)]),
    ("pad_constant", lambda F, m, x: F.pad(x, (1, 2, -1, 1), value=0.5), [(1, 2, 3)]),
    ("pad_reflect", lambda F, m, x: F.pad(x, (2, 1, 1, 2), mode="reflect"), [(1, 1, 3, 3)]),
    ("pad_replicate", lambda F, m, x: F.pad(x, (2, 1), mode="replicate"), [(1, 2, 3)]),
    ("pad_circular", lambda F, m, x: F.pad(x, (1, 2, 2, 0), mode="circular"), [(1, 1, 2, 3)]),
    ("interpolate_nearest", lambda F, m, x: F.interpolate(x, size=(3, 5)), [(1, 1, 2, 3)]),
    ("interpolate_nearest_exact", lambda F, m, x: F.interpolate(x, scale_factor=1.7,
                                                                mode="nearest-exact"),
     [(1, 1, 2, 3)]),
    ("interpolate_bilinear", lambda F, m, x: F.interpolate(x, scale_factor=(1.5, 2.0),
                                                           mode="bilinear"), [(1, 1, 2, 3)]),
    ("interpolate_bilinear_ac", lambda F, m, x: F.interpolate(x, size=(3, 2), mode="bilinear",
                                                              align_corners=True),
     [(1, 2, 2, 3)]),
    ("interpolate_bicubic", lambda F, m, x: F.interpolate(x, size=(4, 5), mode="bicubic"),
     [(1, 1, 3, 3)]),
    ("interpolate_linear_recompute", lambda F, m, x: F.interpolate(
        x, scale_factor=1.3, mode="linear", recompute_scale_factor=True), [(1, 2, 4)]),
    ("interpolate_area", lambda F, m, x: F.interpolate(x, size=(2, 2), mode="area"),
     [(1, 1, 3, 4)]),
    ("pixel_shuffle", lambda F, m, x: F.pixel_shuffle(x, 2), [(1, 4, 2, 1)]),
    ("pixel_unshuffle", lambda F, m, x: F.pixel_unshuffle(x, 2), [(1, 1, 2, 4)]),
    ("softmax_dtype", lambda F, m, x: F.softmax(x, 0, dtype=m.float64), [(3, 2)]),
    ("log_softmax", lambda F, m, x: F.log_softmax(x, dim=1), [(2, 3)]),
    ("softmin", lambda F, m, x: F.softmin(x, dim=1), [(2, 3)]),
    ("gelu", lambda F, m, x: F.gelu(x * 3), [(2, 4)]),
    ("gelu_tanh", lambda F, m, x: F.gelu(x, approximate="tanh"), [(2, 4)]),
    ("elu", lambda F, m, x: F.elu(x, 0.7), [(2, 4)]),
    ("selu", lambda F, m, x: F.selu(x), [(2, 4)]),
    ("celu", lambda F, m, x: F.celu(x, 2.0), [(2, 4)]),
    ("leaky_relu", lambda F, m, x: F.leaky_relu(x, 0.3), [(2, 4)]),
    ("silu", lambda F, m, x: F.silu(x), [(2, 4)]),
    ("mish", lambda F, m, x: F.mish(x), [(2, 4)]),
    ("softplus", lambda F, m, x: F.softplus(x * 10, 0.5, 3.0), [(2, 4)]),
    ("logsigmoid", lambda F, m, x: F.logsigmoid(x * 10), [(2, 4)]),
    ("hardswish", lambda F, m, x: F.hardswish(x * 4), [(2, 4)]),
    ("hardsigmoid", lambda F, m, x: F.hardsigmoid(x * 4), [(2, 4)]),
    ("hardtanh", lambda F, m, x: F.hardtanh(x, -0.5, 0.5), [(2, 4)]),
    ("relu6", lambda F, m, x: F.relu6(x * 8), [(2, 4)]),
    ("softsign", lambda F, m, x: F.softsign(x), [(2, 4)]),
    ("softshrink", lambda F, m, x: F.softshrink(x, 0.4), [(2, 4)]),
    ("hardshrink", lambda F, m, x: F.hardshrink(x, 0.4), [(2, 4)]),
    ("tanhshrink", lambda F, m, x: F.tanhshrink(x), [(2, 4)]),
    ("threshold", lambda F, m, x: F.threshold(x, 0.2, -1.0), [(2, 4)]),
    ("glu", lambda F, m, x: F.glu(x, 0), [(4, 2)]),
    ("prelu", lambda F, m, x, w: F.prelu(x, w), [(2, 3, 2), (3,)]),
    ("rrelu_eval", lambda F, m, x: F.rrelu(x), [(2, 4)]),
    ("normalize", lambda F, m, x: F.normalize(x, p=3, dim=0), [(3, 2)]),
    ("cosine_similarity", lambda F, m, a, b: F.cosine_similarity(a, b, dim=-1),
     [(2, 3), (1, 3)]),
    ("pairwise_distance", lambda F, m, a, b: F.pairwise_distance(a, b, p=1.5), [(2, 3), (2, 3)]),
    ("pdist", lambda F, m, x: F.pdist(x), [(3, 2)]),
    ("dropout_eval", lambda F, m, x: F.dropout(x, 0.5, training=False), [(2, 3)]),
]


@pytest.mark.parametrize("case", FUNCS, ids=[c[0] for c in FUNCS])
def test_matches_torch(case):
    name, fn, specs = case
    rng = np.random.default_rng(1)
    ts, ns = make_inputs(specs, rng)
    t_out = flat_tensors(fn(torch.nn.functional, torch, *ts))
    n_out = flat_tensors(fn(nt.nn.functional, nt, *ns))
    for a, b in zip(n_out, t_out):
        assert_close(a, b, rtol=1e-5, atol=1e-6)
    backward_both(t_out, n_out, rng)
    for t, n in zip(ts, ns):
        if t.requires_grad:
            assert_close(n.grad, t.grad, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", FUNCS, ids=[c[0] for c in FUNCS])
def test_gradcheck_float64(case):
    name, fn, specs = case
    rng = np.random.default_rng(2)
    _, ns = make_inputs(specs, rng, np.float64)
    F = nt.nn.functional
    assert gradcheck(lambda *xs: fn(F, nt, *xs), tuple(ns), eps=1e-6, atol=1e-5, rtol=1e-4)


def test_one_hot():
    a = np.array([[0, 3], [2, 1]])
    for k in (-1, 5):
        assert_close(nt.nn.functional.one_hot(nt.tensor(a), k),
                     torch.nn.functional.one_hot(torch.tensor(a), k))


def test_dropout_functional_modes():
    x = nt.ones(50, 40)
    F = nt.nn.functional
    y = F.dropout(x, 0.25, training=True)
    assert set(np.unique(y._data).tolist()) <= {0.0, np.float32(1 / 0.75)}
    assert F.dropout(x, 0.25, training=False) is x
    assert float(F.dropout(x, 1.0).sum()) == 0.0
    z = x.clone()
    assert F.dropout(z, 0.5, inplace=True) is z
    y2 = F.dropout2d(nt.ones(8, 6, 3, 3), 0.5)
    per_channel = y2._data.reshape(8, 6, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))


def test_gumbel_softmax():
    logits = nt.randn(4, 5, requires_grad=True)
    y = nt.nn.functional.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(y._data.sum(-1), 1, rtol=1e-5)
    h = nt.nn.functional.gumbel_softmax(logits, hard=True)
    assert set(np.unique(h._data).tolist()) <= {0.0, 1.0}
    np.testing.assert_array_equal(h._data.sum(-1), 1)
    h.sum().backward()
    assert logits.grad is not None


def test_embedding_max_norm_renormalises_weight():
    w = np.array([[3.0, 4.0], [0.3, 0.4], [1.0, 1.0]], dtype=np.float32)
    tw, nw = torch.tensor(w), nt.tensor(w)
    idx = [[0, 1], [2, 0]]
    to = torch.nn.functional.embedding(torch.tensor(idx), tw, max_norm=1.0)
    no = nt.nn.functional.embedding(nt.tensor(idx), nw, max_norm=1.0)
    assert_close(no, to)
    assert_close(nw, tw)


# (fn(F, module), ...): the same exception type as torch
BAD_CALLS = [
    lambda F, m: F.conv2d(m.zeros(1, 3, 4, 4), m.zeros(2, 2, 3, 3)),
    lambda F, m: F.conv2d(m.zeros(1, 2, 4, 4), m.zeros(2, 2, 3, 3), stride=2, padding="same"),
    lambda F, m: F.conv2d(m.zeros(1, 2, 4, 4), m.zeros(2, 2, 3, 3, dtype=m.float64)),
    lambda F, m: F.conv1d(m.zeros(1, 2, 4), m.zeros(2, 2, 3), m.zeros(3)),
    lambda F, m: F.max_pool2d(m.zeros(1, 1, 4, 4), 2, padding=2),
    lambda F, m: F.avg_pool2d(m.zeros(1, 1, 4, 4), 2, padding=2),
    lambda F, m: F.pad(m.zeros(1, 2, 3), (1,)),
    lambda F, m: F.pad(m.zeros(1, 2, 3), (3, 3), mode="reflect"),
    lambda F, m: F.pad(m.zeros(1, 2, 3), (1, 1), mode="bogus"),
    lambda F, m: F.interpolate(m.zeros(1, 1, 2, 2)),
    lambda F, m: F.interpolate(m.zeros(1, 1, 2, 2), size=3, scale_factor=2),
    lambda F, m: F.interpolate(m.zeros(1, 1, 2, 2), size=3, align_corners=True),
    lambda F, m: F.one_hot(m.tensor([1, 5]), 3),
    lambda F, m: F.one_hot(m.tensor([-1, 0])),
    lambda F, m: F.embedding(m.tensor([0, 5]), m.zeros(4, 2)),
    lambda F, m: F.embedding(m.tensor([0.0, 1.0]), m.zeros(4, 2)),
    lambda F, m: F.dropout(m.zeros(2), 1.5),
    lambda F, m: F.layer_norm(m.zeros(2, 3), (4,)),
    lambda F, m: F.group_norm(m.zeros(2, 3, 2), 2),
    lambda F, m: F.batch_norm(m.zeros(1, 3), None, None, training=True),
    lambda F, m: F.glu(m.zeros(3)),
    lambda F, m: F.softmax(m.zeros(2, 3), 2),
    lambda F, m: F.linear(m.zeros(2, 3), m.zeros(4, 5)),
    lambda F, m: F.fold(m.zeros(1, 5, 4), (3, 3), 2),
    lambda F, m: F.embedding_bag(m.tensor([0, 1]), m.zeros(4, 2), m.tensor([0]), mode="x"),
    lambda F, m: F.prelu(m.zeros(2, 3), m.zeros(2)),
    lambda F, m: F.pixel_shuffle(m.zeros(1, 3, 2, 2), 2),
    lambda F, m: F.max_unpool2d(m.zeros(1, 1, 2, 2), m.zeros(1, 1, 2, 2, dtype=m.int64), 2,
                                output_size=(9, 9)),
]


def _exc(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 (the type is what is compared)
        return type(e).__name__
    return None


@pytest.mark.parametrize("i", range(len(BAD_CALLS)))
def test_bad_arguments_raise_like_torch(i):
    te = _exc(lambda: BAD_CALLS[i](torch.nn.functional, torch))
    ne = _exc(lambda: BAD_CALLS[i](nt.nn.functional, nt))
    assert te is not None
    assert ne == te


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True)])
def test_max_pool_ties_and_nan_route_like_torch(kw):
    a = np.random.default_rng(0).integers(0, 3, size=(2, 2, 7, 7)).astype(np.float32)
    a[0, 0, 1, 1] = np.nan
    t = torch.tensor(a, requires_grad=True)
    n = nt.tensor(a, requires_grad=True)
    to, ti = torch.nn.functional.max_pool2d(t, return_indices=True, **kw)
    no, ni = nt.nn.functional.max_pool2d(n, return_indices=True, **kw)
    assert_close(no, to)
    assert_close(ni, ti)
    w = np.random.default_rng(1).standard_normal(tuple(to.shape)).astype(np.float32)
    (to * torch.tensor(w)).sum().backward()
    (no * nt.tensor(w)).sum().backward()
    assert_close(n.grad, t.grad)
