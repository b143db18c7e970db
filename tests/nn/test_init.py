"""nn.init: gains and fans equal torch's; each initialiser gives the distribution, bounds and
structure torch's does (bit-parity of the random streams is the RNG's job, tested there);
errors raise the same exception types."""
import math
import warnings

import numpy as np
import pytest

import numtorch as nt
from numtorch.nn import init

from ..conftest import torch


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("selu",),
                                  ("conv_transpose1d",)])
def test_calculate_gain(args):
    assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (4, 3, 2, 2)])
def test_fans(shape):
    assert init._calculate_fan_in_and_fan_out(nt.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def _bound_check(t, bound):
    a = t._data
    assert a.dtype == np.float32
    assert np.abs(a).max() <= bound + 1e-7
    assert np.abs(a).max() > 0.8 * bound  # fills the range


def test_uniform_family_bounds():
    t = nt.empty(64, 32, 3)
    fan_in, fan_out = 32 * 3, 64 * 3
    init.kaiming_uniform_(t, a=math.sqrt(5))
    _bound_check(t, math.sqrt(6 / ((1 + 5) * fan_in)))
    init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu")
    _bound_check(t, math.sqrt(6 / fan_out))
    init.xavier_uniform_(t, gain=2.0)
    _bound_check(t, 2.0 * math.sqrt(6 / (fan_in + fan_out)))
    init.uniform_(t, -0.3, 0.1)
    assert t._data.min() >= -0.3 and t._data.max() <= 0.1


def test_normal_family_std():
    t = nt.empty(200, 100)
    init.kaiming_normal_(t, nonlinearity="relu")
    assert abs(t._data.std() - math.sqrt(2 / 100)) < 0.01
    init.xavier_normal_(t)
    assert abs(t._data.std() - math.sqrt(2 / 300)) < 0.005
    init.normal_(t, 3.0, 0.5)
    assert abs(t._data.mean() - 3.0) < 0.02 and abs(t._data.std() - 0.5) < 0.02
    init.trunc_normal_(t, 0.0, 1.0, -0.5, 1.5)
    assert t._data.min() >= -0.5 and t._data.max() <= 1.5


@pytest.mark.parametrize("name,args,shape", [
    ("ones_", (), (2, 3)), ("zeros_", (), (2, 3)), ("eye_", (), (3, 5)),
    ("constant_", (0.3,), (4,)), ("dirac_", (2,), (4, 3, 3, 3)), ("dirac_", (), (3, 2, 3))])
def test_deterministic_fills_match_torch(name, args, shape):
    a, b = nt.empty(*shape), torch.empty(*shape)
    getattr(init, name)(a, *args)
    getattr(torch.nn.init, name)(b, *args)
    np.testing.assert_array_equal(a._data, b.numpy())


def test_orthogonal_and_sparse():
    for shape in [(4, 6), (6, 4), (3, 2, 2)]:
        t = nt.empty(*shape)
        init.orthogonal_(t, gain=2.0)
        m = t._data.reshape(shape[0], -1)
        small = m @ m.T if shape[0] <= m.shape[1] else m.T @ m
        np.testing.assert_allclose(small, 4 * np.eye(small.shape[0]), atol=1e-5)
    s = nt.empty(10, 6)
    init.sparse_(s, 0.3, std=0.1)
    zeros_per_col = (s._data == 0).sum(0)
    np.testing.assert_array_equal(zeros_per_col, math.ceil(0.3 * 10))


def test_init_does_not_record_graph():
    p = nt.nn.Parameter(nt.empty(3, 3))
    init.kaiming_uniform_(p)
    assert p.grad_fn is None and p.requires_grad


def test_zero_element_warns():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        init.kaiming_uniform_(nt.empty(0, 3))
    assert any("zero-element" in str(x.message) for x in w)


@pytest.mark.parametrize("fn", [
    lambda I, T: I.xavier_uniform_(T.empty(3)),
    lambda I, T: I.kaiming_normal_(T.empty(3, 3), mode="fan_avg"),
    lambda I, T: I.calculate_gain("bogus"),
    lambda I, T: I.calculate_gain("leaky_relu", "x"),
    lambda I, T: I.eye_(T.empty(2, 2, 2)),
    lambda I, T: I.dirac_(T.empty(2, 2)),
    lambda I, T: I.dirac_(T.empty(3, 2, 3), groups=2),
    lambda I, T: I.orthogonal_(T.empty(3)),
    lambda I, T: I.sparse_(T.empty(3, 3, 3), 0.1),
])
def test_errors_like_torch(fn):
    def exc(I, T):
        try:
            fn(I, T)
        except Exception as e:  # noqa: BLE001 (the type is what is compared)
            return type(e).__name__
    assert exc(init, nt) == exc(torch.nn.init, torch) is not None


def test_default_layer_init_ranges():
    lin = nt.nn.Linear(10, 4)
    bound = 1 / math.sqrt(10)
    assert np.abs(lin.weight._data).max() <= bound and np.abs(lin.bias._data).max() <= bound
    conv = nt.nn.Conv2d(3, 8, 3)
    bound = 1 / math.sqrt(27)
    assert np.abs(conv.weight._data).max() <= bound
    emb = nt.nn.Embedding(50, 20, padding_idx=3)
    assert np.all(emb.weight._data[3] == 0) and abs(emb.weight._data.std() - 1) < 0.15
    lstm = nt.nn.LSTM(4, 5)
    assert max(np.abs(p._data).max() for p in lstm.parameters()) <= 1 / math.sqrt(5)
