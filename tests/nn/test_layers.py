"""Every layer against torch: same weights (via state_dict), same inputs, in train and eval
mode, float32 and float64: outputs, input gradients, parameter gradients, buffers, repr and
state_dict keys; bad input shapes raise the same exception type."""
import zlib

import numpy as np
import pytest

import numtorch as nt

from ..conftest import torch, assert_close
from ._common import (copy_state, make_inputs, flat_tensors, backward_both, tol, compare_grads,
                      assert_close_scaled)

# (id, constructor taking the nn namespace, input specs, flags)
# flags: "random" = stochastic in train mode (compared in eval only)
CASES = [
    ("Identity", lambda nn: nn.Identity(3, k=1), [(2, 3)], ""),
    ("Linear", lambda nn: nn.Linear(4, 3), [(2, 4)], ""),
    ("Linear_b1_3d", lambda nn: nn.Linear(4, 3, bias=False), [(1, 5, 4)], ""),
    ("Linear_1d", lambda nn: nn.Linear(4, 3), [(4,)], ""),
    ("Bilinear", lambda nn: nn.Bilinear(3, 2, 4), [(5, 3), (5, 2)], ""),
    ("Flatten", lambda nn: nn.Flatten(), [(2, 3, 2, 2)], ""),
    ("Unflatten", lambda nn: nn.Unflatten(1, (2, 3)), [(2, 6)], ""),
    ("Conv1d", lambda nn: nn.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 9)], ""),
    ("Conv1d_same_dil", lambda nn: nn.Conv1d(2, 4, 4, padding="same", dilation=2, bias=False),
     [(1, 2, 7)], ""),
    ("Conv1d_circular", lambda nn: nn.Conv1d(2, 2, 3, padding=2, padding_mode="circular"),
     [(2, 2, 6)], ""),
    ("Conv2d", lambda nn: nn.Conv2d(3, 4, 3), [(2, 3, 6, 5)], ""),
    ("Conv2d_b1_stride_pad", lambda nn: nn.Conv2d(2, 3, (3, 2), stride=(2, 1),
                                                  padding=(1, 2)), [(1, 2, 7, 6)], ""),
    ("Conv2d_groups_dil", lambda nn: nn.Conv2d(4, 6, 3, dilation=2, groups=2, padding=2),
     [(2, 4, 7, 7)], ""),
    ("Conv2d_valid_nobias", lambda nn: nn.Conv2d(2, 2, 2, padding="valid", bias=False),
     [(2, 2, 4, 4)], ""),
    ("Conv2d_reflect", lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"),
     [(2, 2, 5, 5)], ""),
    ("Conv2d_replicate", lambda nn: nn.Conv2d(2, 3, 3, padding=(1, 2),
                                              padding_mode="replicate"), [(1, 2, 4, 5)], ""),
    ("Conv2d_unbatched", lambda nn: nn.Conv2d(2, 3, 3), [(2, 5, 5)], ""),
    ("ConvTranspose1d", lambda nn: nn.ConvTranspose1d(3, 2, 3, stride=2, output_padding=1),
     [(2, 3, 5)], ""),
    ("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1,
                                                      output_padding=1), [(2, 3, 4, 5)], ""),
    ("ConvTranspose2d_groups", lambda nn: nn.ConvTranspose2d(4, 2, (2, 3), groups=2,
                                                             dilation=(2, 1), bias=False),
     [(1, 4, 3, 3)], ""),
    ("MaxPool1d", lambda nn: nn.MaxPool1d(3, 2, 1, ceil_mode=True), [(2, 3, 8)], ""),
    ("MaxPool2d", lambda nn: nn.MaxPool2d(2), [(2, 3, 6, 6)], ""),
    ("MaxPool2d_all", lambda nn: nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True,
                                              return_indices=True), [(1, 2, 9, 8)], ""),
    ("AvgPool1d", lambda nn: nn.AvgPool1d(3, 2, 1, count_include_pad=False), [(2, 3, 8)], ""),
    ("AvgPool2d", lambda nn: nn.AvgPool2d(3, 2, 1, ceil_mode=True), [(2, 2, 7, 6)], ""),
    ("AvgPool2d_div", lambda nn: nn.AvgPool2d(2, divisor_override=3), [(1, 2, 4, 4)], ""),
    ("AdaptiveAvgPool1d", lambda nn: nn.AdaptiveAvgPool1d(3), [(2, 3, 7)], ""),
    ("AdaptiveAvgPool2d", lambda nn: nn.AdaptiveAvgPool2d((3, None)), [(2, 3, 7, 5)], ""),
    ("AdaptiveAvgPool2d_1", lambda nn: nn.AdaptiveAvgPool2d(1), [(2, 3, 4, 5)], ""),
    ("AdaptiveMaxPool1d", lambda nn: nn.AdaptiveMaxPool1d(4), [(2, 3, 9)], ""),
    ("AdaptiveMaxPool2d", lambda nn: nn.AdaptiveMaxPool2d((2, 3), return_indices=True),
     [(1, 2, 5, 7)], ""),
    ("ReLU", lambda nn: nn.ReLU(), [(3, 4)], ""),
    ("ReLU6", lambda nn: nn.ReLU6(), [(3, 4)], ""),
    ("LeakyReLU", lambda nn: nn.LeakyReLU(0.2), [(3, 4)], ""),
    ("PReLU", lambda nn: nn.PReLU(), [(3, 4)], ""),
    ("PReLU_channels", lambda nn: nn.PReLU(3, init=0.1), [(2, 3, 4)], ""),
    ("RReLU", lambda nn: nn.RReLU(), [(3, 4)], "random"),
    ("ELU", lambda nn: nn.ELU(0.5), [(3, 4)], ""),
    ("SELU", lambda nn: nn.SELU(), [(3, 4)], ""),
    ("CELU", lambda nn: nn.CELU(1.5), [(3, 4)], ""),
    ("GELU", lambda nn: nn.GELU(), [(3, 4)], ""),
    ("GELU_tanh", lambda nn: nn.GELU("tanh"), [(3, 4)], ""),
    ("SiLU", lambda nn: nn.SiLU(), [(3, 4)], ""),
    ("Mish", lambda nn: nn.Mish(), [(3, 4)], ""),
    ("Sigmoid", lambda nn: nn.Sigmoid(), [(3, 4)], ""),
    ("Tanh", lambda nn: nn.Tanh(), [(3, 4)], ""),
    ("Hardtanh", lambda nn: nn.Hardtanh(-0.5, 0.7), [(3, 4)], ""),
    ("Hardsigmoid", lambda nn: nn.Hardsigmoid(), [(3, 4)], ""),
    ("Hardswish", lambda nn: nn.Hardswish(), [(3, 4)], ""),
    ("Softplus", lambda nn: nn.Softplus(2.0, 1.0), [(3, 4)], ""),
    ("Softsign", lambda nn: nn.Softsign(), [(3, 4)], ""),
    ("Softmax", lambda nn: nn.Softmax(dim=1), [(2, 3, 4)], ""),
    ("Softmax2d", lambda nn: nn.Softmax2d(), [(2, 3, 2, 2)], ""),
    ("LogSoftmax", lambda nn: nn.LogSoftmax(dim=-1), [(2, 3, 4)], ""),
    ("Softmin", lambda nn: nn.Softmin(dim=0), [(3, 4)], ""),
    ("Threshold", lambda nn: nn.Threshold(0.1, 20.0), [(3, 4)], ""),
    ("LogSigmoid", lambda nn: nn.LogSigmoid(), [(3, 4)], ""),
    ("Tanhshrink", lambda nn: nn.Tanhshrink(), [(3, 4)], ""),
    ("Softshrink", lambda nn: nn.Softshrink(0.3), [(3, 4)], ""),
    ("Hardshrink", lambda nn: nn.Hardshrink(0.3), [(3, 4)], ""),
    ("GLU", lambda nn: nn.GLU(1), [(3, 4)], ""),
    ("Dropout", lambda nn: nn.Dropout(0.3), [(3, 4)], "random"),
    ("Dropout1d", lambda nn: nn.Dropout1d(0.3), [(2, 3, 4)], "random"),
    ("Dropout2d", lambda nn: nn.Dropout2d(0.3), [(2, 3, 2, 2)], "random"),
    ("AlphaDropout", lambda nn: nn.AlphaDropout(0.3), [(3, 4)], "random"),
    ("BatchNorm1d", lambda nn: nn.BatchNorm1d(3), [(4, 3)], ""),
    ("BatchNorm1d_3d", lambda nn: nn.BatchNorm1d(3, momentum=None), [(2, 3, 4)], ""),
    ("BatchNorm2d", lambda nn: nn.BatchNorm2d(3, eps=1e-3, momentum=0.3), [(2, 3, 3, 2)], ""),
    ("BatchNorm2d_noaffine", lambda nn: nn.BatchNorm2d(2, affine=False), [(1, 2, 3, 3)], ""),
    ("BatchNorm2d_notrack", lambda nn: nn.BatchNorm2d(2, track_running_stats=False),
     [(2, 2, 2, 3)], ""),
    ("LayerNorm", lambda nn: nn.LayerNorm(4), [(2, 3, 4)], ""),
    ("LayerNorm_2d_nobias", lambda nn: nn.LayerNorm((3, 4), bias=False), [(2, 3, 4)], ""),
    ("LayerNorm_noaffine", lambda nn: nn.LayerNorm(4, elementwise_affine=False), [(1, 4)], ""),
    ("GroupNorm", lambda nn: nn.GroupNorm(2, 4), [(2, 4, 3)], ""),
    ("GroupNorm_2d", lambda nn: nn.GroupNorm(3, 6, affine=False), [(1, 6, 2, 2)], ""),
    ("InstanceNorm1d", lambda nn: nn.InstanceNorm1d(3, affine=True), [(2, 3, 5)], ""),
    ("InstanceNorm2d_track", lambda nn: nn.InstanceNorm2d(2, track_running_stats=True),
     [(2, 2, 3, 3)], ""),
    ("InstanceNorm2d_unbatched", lambda nn: nn.InstanceNorm2d(2), [(2, 3, 3)], ""),
    ("LocalResponseNorm", lambda nn: nn.LocalResponseNorm(3, 1e-2, 0.7, 2.0),
     [(2, 5, 3, 3)], ""),
    ("Embedding", lambda nn: nn.Embedding(6, 3), [("int", (2, 4), 6)], ""),
    ("Embedding_pad_freq", lambda nn: nn.Embedding(6, 3, padding_idx=1,
                                                   scale_grad_by_freq=True),
     [("const", [[1, 2, 2], [0, 1, 5]])], ""),
    ("EmbeddingBag_mean", lambda nn: nn.EmbeddingBag(6, 3), [("int", (3, 4), 6)], ""),
    ("EmbeddingBag_sum_offsets", lambda nn: nn.EmbeddingBag(6, 3, mode="sum"),
     [("const", [1, 2, 4, 5, 4, 3, 2, 0]), ("const", [0, 3, 3, 6])], ""),
    ("EmbeddingBag_max", lambda nn: nn.EmbeddingBag(6, 3, mode="max", padding_idx=0),
     [("const", [1, 2, 4, 0, 4, 3, 2, 0]), ("const", [0, 2, 5])], ""),
    ("ZeroPad2d", lambda nn: nn.ZeroPad2d((1, 0, 2, 1)), [(2, 2, 3, 3)], ""),
    ("ConstantPad1d", lambda nn: nn.ConstantPad1d(2, 3.5), [(2, 2, 3)], ""),
    ("ConstantPad2d_neg", lambda nn: nn.ConstantPad2d((-1, 2, 0, 1), 1.0), [(1, 2, 3, 4)], ""),
    ("ReflectionPad1d", lambda nn: nn.ReflectionPad1d((2, 1)), [(2, 2, 4)], ""),
    ("ReflectionPad2d", lambda nn: nn.ReflectionPad2d(2), [(1, 2, 3, 4)], ""),
    ("ReplicationPad1d", lambda nn: nn.ReplicationPad1d((3, 1)), [(2, 2, 4)], ""),
    ("ReplicationPad2d", lambda nn: nn.ReplicationPad2d((1, 2, 3, 0)), [(1, 2, 3, 4)], ""),
    ("CircularPad2d", lambda nn: nn.CircularPad2d(1), [(1, 2, 3, 4)], ""),
    ("Upsample_nearest", lambda nn: nn.Upsample(scale_factor=2), [(2, 2, 3, 3)], ""),
    ("Upsample_nearest_size", lambda nn: nn.Upsample(size=(5, 7)), [(1, 2, 3, 4)], ""),
    ("Upsample_bilinear", lambda nn: nn.Upsample(scale_factor=1.5, mode="bilinear"),
     [(2, 2, 3, 4)], ""),
    ("Upsample_bilinear_ac", lambda nn: nn.Upsample(size=(5, 6), mode="bilinear",
                                                    align_corners=True), [(1, 2, 3, 4)], ""),
    ("Upsample_linear", lambda nn: nn.Upsample(scale_factor=2, mode="linear"), [(2, 2, 3)], ""),
    ("UpsamplingNearest2d", lambda nn: nn.UpsamplingNearest2d(scale_factor=3),
     [(1, 1, 2, 2)], ""),
    ("UpsamplingBilinear2d", lambda nn: nn.UpsamplingBilinear2d(size=4), [(1, 2, 2, 3)], ""),
    ("PixelShuffle", lambda nn: nn.PixelShuffle(2), [(2, 8, 2, 3)], ""),
    ("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2), [(2, 2, 4, 6)], ""),
    ("RNNCell", lambda nn: nn.RNNCell(3, 4), [(2, 3), (2, 4)], "rnn"),
    ("RNNCell_relu_nobias", lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
     [(2, 3)], "rnn"),
    ("LSTMCell", lambda nn: nn.LSTMCell(3, 4), [(2, 3)], "rnn"),
    ("GRUCell", lambda nn: nn.GRUCell(3, 4), [(1, 3), (1, 4)], "rnn"),
    ("GRUCell_unbatched", lambda nn: nn.GRUCell(3, 4), [(3,)], "rnn"),
    ("RNN", lambda nn: nn.RNN(3, 4), [(5, 2, 3)], "rnn"),
    ("RNN_relu_2l_bi", lambda nn: nn.RNN(3, 4, 2, nonlinearity="relu", bidirectional=True),
     [(4, 2, 3), (4, 2, 4)], "rnn"),
    ("LSTM", lambda nn: nn.LSTM(3, 4), [(5, 2, 3)], "rnn"),
    ("LSTM_2l_bi_bf", lambda nn: nn.LSTM(3, 4, num_layers=2, bidirectional=True,
                                         batch_first=True), [(2, 5, 3)], "rnn"),
    ("LSTM_proj_nobias", lambda nn: nn.LSTM(3, 5, proj_size=2, bias=False), [(4, 1, 3)], "rnn"),
    ("LSTM_unbatched", lambda nn: nn.LSTM(3, 4), [(5, 3)], "rnn"),
    ("GRU", lambda nn: nn.GRU(3, 4, num_layers=2), [(4, 2, 3), (2, 2, 4)], "rnn"),
    ("GRU_bi_bf", lambda nn: nn.GRU(3, 4, bidirectional=True, batch_first=True),
     [(1, 4, 3)], "rnn"),
]

IDS = [c[0] for c in CASES]


def _run(case, dtype, train):
    name, ctor, specs, flags = case
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # stable across runs
    torch.manual_seed(0)
    tm = ctor(torch.nn)
    nm = ctor(nt.nn)
    assert repr(nm).replace("numtorch", "torch") == repr(tm)
    copy_state(tm, nm)
    if dtype == np.float64:
        tm.double()
        nm.double()
    tm.train(train)
    nm.train(train)
    ts, ns = make_inputs(specs, rng, dtype)
    t_out = flat_tensors(tm(*ts))
    n_out = flat_tensors(nm(*ns))
    rtol, atol = tol(dtype)
    assert len(t_out) == len(n_out)
    for a, b in zip(n_out, t_out):
        assert_close(a, b, rtol=rtol, atol=atol)
    for a, b in zip(n_out, t_out):
        tname = b.grad_fn.name() if b.grad_fn is not None else None
        nname = a.grad_fn.name() if a.grad_fn is not None else None
        if tname is not None and "rnn" not in case[3]:
            assert nname == tname.replace("torch::autograd::", ""
                                          ) or nname == tname, (nname, tname)
    if backward_both(t_out, n_out, rng):
        for t, n in zip(ts, ns):
            if t.requires_grad:
                assert_close_scaled(n.grad, t.grad, rtol, atol)
        compare_grads(list(tm.named_parameters()), list(nm.named_parameters()), rtol, atol)
    for (tn, tb), (nn_, nb) in zip(tm.named_buffers(), nm.named_buffers()):
        assert tn == nn_
        assert_close(nb, tb, rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_layer_matches_torch(case, dtype):
    if "random" not in case[3]:
        _run(case, dtype, train=True)
    _run(case, dtype, train=False)


def _dropout_stats(module_fn, shape, p, feature):
    x = nt.ones(*shape, requires_grad=True)
    m = module_fn(p)
    y = m(x)
    scale = np.float32(1) / np.float32(1 - p)
    assert np.all((y._data == 0) | np.isclose(y._data, scale, rtol=1e-6))
    frac = (y._data == 0).mean()
    assert abs(frac - p) < 0.1
    if feature:
        flat = y._data.reshape(shape[0], shape[1], -1)
        assert np.all(flat.min(-1) == flat.max(-1))  # whole channels
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, y._data)
    m.eval()
    assert m(x) is x


@pytest.mark.parametrize("name,shape,feature", [("Dropout", (40, 50), False),
                                                 ("Dropout1d", (20, 30, 4), True),
                                                 ("Dropout2d", (20, 30, 2, 2), True)])
def test_dropout_train_mask(name, shape, feature):
    _dropout_stats(getattr(nt.nn, name), shape, 0.3, feature)


def test_alpha_dropout_keeps_moments():
    x = nt.randn(200, 200)
    y = nt.nn.AlphaDropout(0.2)(x)
    assert abs(float(y.mean())) < 0.05 and abs(float(y.std()) - 1) < 0.05


# (constructor, bad input shape): the same exception type as torch
BAD = [
    (lambda nn: nn.Linear(4, 3), (2, 5)),
    (lambda nn: nn.Conv2d(3, 4, 3), (2, 2, 5, 5)),
    (lambda nn: nn.Conv2d(3, 4, 3), (3, 5)),
    (lambda nn: nn.Conv2d(3, 4, 5), (1, 3, 3, 3)),
    (lambda nn: nn.Conv1d(3, 4, 3), (2, 3, 4, 4)),
    (lambda nn: nn.ConvTranspose2d(3, 4, 3), (2, 2, 5, 5)),
    (lambda nn: nn.MaxPool2d(2), (3, 5)),
    (lambda nn: nn.MaxPool2d(4), (1, 1, 2, 2)),
    (lambda nn: nn.AvgPool2d(2), (3,)),
    (lambda nn: nn.BatchNorm1d(3), (2, 4)),
    (lambda nn: nn.BatchNorm1d(3), (1, 3)),
    (lambda nn: nn.BatchNorm2d(3), (2, 3, 4)),
    (lambda nn: nn.LayerNorm(4), (2, 3)),
    (lambda nn: nn.GroupNorm(2, 4), (2, 3, 5)),
    (lambda nn: nn.InstanceNorm1d(3, affine=True), (2, 4, 5)),
    (lambda nn: nn.GLU(), (2, 3)),
    (lambda nn: nn.PixelShuffle(2), (1, 3, 2, 2)),
    (lambda nn: nn.PixelUnshuffle(2), (1, 1, 3, 2)),
    (lambda nn: nn.ReflectionPad1d(3), (1, 2, 3)),
    (lambda nn: nn.Upsample(scale_factor=2, mode="bilinear"), (1, 2, 3)),
    (lambda nn: nn.LSTM(3, 4), (2, 5, 4)),
    (lambda nn: nn.GRU(3, 4), (2, 2, 2, 3)),
    (lambda nn: nn.RNNCell(3, 4), (2, 2, 3)),
    (lambda nn: nn.Bilinear(3, 2, 4), (5, 2)),
    (lambda nn: nn.Unflatten(1, (2, 2)), (2, 5)),
    (lambda nn: nn.Flatten(3), (2, 2)),
]


def _exc_type(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 (the type is what is compared)
        return type(e)
    return None


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_input_raises_like_torch(i):
    ctor, shape = BAD[i]
    tm, nm = ctor(torch.nn), ctor(nt.nn)
    a = np.zeros(shape, dtype=np.float32)
    n_args = 2 if isinstance(tm, torch.nn.Bilinear) else 1
    te = _exc_type(lambda: tm(*[torch.from_numpy(a)] * n_args))
    ne = _exc_type(lambda: nm(*[nt.from_numpy(a)] * n_args))
    assert te is not None
    assert ne is not None and ne.__name__ == te.__name__, (ne, te)


def test_batchnorm_running_stats_over_steps():
    for momentum in (0.1, None):
        torch.manual_seed(0)
        tm, nm = torch.nn.BatchNorm2d(3, momentum=momentum), nt.nn.BatchNorm2d(3,
                                                                              momentum=momentum)
        rng = np.random.default_rng(0)
        for _ in range(3):
            ts, ns = make_inputs([(4, 3, 2, 2)], rng)
            tm(ts[0])
            nm(ns[0])
        for (k, a), (_, b) in zip(nm.state_dict().items(), tm.state_dict().items()):
            assert_close(a, b)
        tm.eval()
        nm.eval()
        ts, ns = make_inputs([(2, 3, 2, 2)], rng)
        assert_close(nm(ns[0]), tm(ts[0]))


def test_conv_transpose_output_size():
    torch.manual_seed(0)
    tm = torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    nm = nt.nn.ConvTranspose2d(2, 3, 3, stride=2)
    copy_state(tm, nm)
    ts, ns = make_inputs([(1, 2, 4, 4)], np.random.default_rng(0))
    assert_close(nm(ns[0], output_size=[10, 10]), tm(ts[0], output_size=[10, 10]))
    with pytest.raises(ValueError):
        nm(ns[0], output_size=[13, 13])


def test_from_pretrained():
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    for freeze in (True, False):
        te = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=freeze, padding_idx=1)
        ne = nt.nn.Embedding.from_pretrained(nt.tensor(w), freeze=freeze, padding_idx=1)
        assert ne.weight.requires_grad == te.weight.requires_grad
        assert repr(ne) == repr(te)
        idx = [[0, 1], [3, 3]]
        assert_close(ne(nt.tensor(idx)), te(torch.tensor(idx)))
        tb = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), freeze=freeze, mode="sum")
        nb = nt.nn.EmbeddingBag.from_pretrained(nt.tensor(w), freeze=freeze, mode="sum")
        assert_close(nb(nt.tensor(idx)), tb(torch.tensor(idx)))
        assert nb.weight.requires_grad == tb.weight.requires_grad


def test_torch_state_dict_loads_for_every_layer():
    # every layer of the table accepts a torch-made state dict with identical keys
    for name, ctor, specs, flags in CASES:
        torch.manual_seed(0)
        tm, nm = ctor(torch.nn), ctor(nt.nn)
        res = copy_state(tm, nm)
        assert res.missing_keys == [] and res.unexpected_keys == []
        for (k, a), (_, b) in zip(nm.state_dict().items(), tm.state_dict().items()):
            assert_close(a, b, rtol=0, atol=0)


def test_rnn_inter_layer_dropout_only_in_training():
    torch.manual_seed(0)
    tm = torch.nn.GRU(3, 4, num_layers=2, dropout=0.5)
    nm = nt.nn.GRU(3, 4, num_layers=2, dropout=0.5)
    assert repr(nm) == repr(tm)
    copy_state(tm, nm)
    ts, ns = make_inputs([(5, 2, 3)], np.random.default_rng(0))
    tm.eval()
    nm.eval()
    assert_close(nm(ns[0])[0], tm(ts[0])[0])
    nm.train()
    outs = [nm(ns[0])[0]._data for _ in range(2)]
    assert not np.allclose(outs[0], outs[1])
