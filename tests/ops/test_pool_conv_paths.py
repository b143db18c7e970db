"""The fast paths of ops/pool.py and ops/conv.py, next to torch: max-pool under no_grad (no
argmax), max-pool gradients routed to the first max of tied windows (ReLU zeros) and with
non-finite upstream gradients, convolutions whose input does not require grad."""
import numpy as np
import pytest

import numtorch as nt

from ..conftest import torch, assert_close

POOLS = [  # (input shape, kernel, stride, padding, dilation, ceil_mode)
    ((2, 3, 11, 11), 3, 2, 0, 1, False),
    ((2, 3, 10, 9), 2, 2, 0, 1, False),
    ((1, 2, 9, 10), 3, 2, 1, 1, True),
    ((1, 2, 12, 12), (3, 2), (1, 2), (1, 0), (2, 1), False),
    ((2, 4, 8, 8), (1, 3), (1, 3), 0, 1, False),
]


def _input(shape, kind):
    x = np.random.standard_normal(shape).astype(np.float32)
    if kind == "relu":  # many tied zeros: torch routes each window's gradient to the first one
        x = np.maximum(x, 0)
        x[:, :, ::3] = 0
    elif kind == "nan":
        x.reshape(-1)[::7] = np.nan
    return x


@pytest.mark.parametrize("kind", ["plain", "relu", "nan"])
@pytest.mark.parametrize("shape,k,s,p,d,ceil", POOLS)
def test_max_pool_no_grad(shape, k, s, p, d, ceil, kind):
    x = _input(shape, kind)
    with nt.no_grad():
        a = nt.nn.functional.max_pool2d(nt.from_numpy(x), k, s, p, d, ceil)
    b = torch.nn.functional.max_pool2d(torch.from_numpy(x), k, s, p, d, ceil)
    assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("gkind", ["finite", "inf"])
@pytest.mark.parametrize("kind", ["plain", "relu"])
@pytest.mark.parametrize("shape,k,s,p,d,ceil", POOLS)
def test_max_pool_grad(shape, k, s, p, d, ceil, kind, gkind):
    x = _input(shape, kind)
    xa = nt.from_numpy(x.copy()).requires_grad_()
    xb = torch.from_numpy(x.copy()).requires_grad_()
    a = nt.nn.functional.max_pool2d(xa, k, s, p, d, ceil)
    b = torch.nn.functional.max_pool2d(xb, k, s, p, d, ceil)
    assert_close(a, b, rtol=0, atol=0)
    g = np.random.standard_normal(tuple(b.shape)).astype(np.float32)
    if gkind == "inf":
        g.reshape(-1)[::5] = np.inf
        g.reshape(-1)[1::5] = np.nan
    a.backward(nt.from_numpy(g.copy()))
    b.backward(torch.from_numpy(g.copy()))
    assert_close(xa.grad, xb.grad)


CONVS = [  # (input shape, weight shape, stride, padding, groups)
    ((2, 1, 23, 23), (4, 1, 5, 5), 4, 0, 1),
    ((2, 3, 9, 9), (5, 3, 3, 3), 1, 1, 1),
    ((2, 4, 8, 7), (6, 2, 3, 2), 2, (1, 0), 2),
    ((2, 2, 26, 25), (3, 2, 3, 3), 1, 1, 1),  # >= 512 outputs per map: sample-first GEMMs
    ((1, 192, 4, 3), (2, 192, 2, 2), 2, 1, 1),  # >= 192 input channels: channel-last col2im
]


@pytest.mark.parametrize("x_grad", [False, True])
@pytest.mark.parametrize("shape,wshape,s,p,groups", CONVS)
def test_conv_grads(shape, wshape, s, p, groups, x_grad):
    x = np.random.standard_normal(shape).astype(np.float32)
    w = np.random.standard_normal(wshape).astype(np.float32)
    bias = np.random.standard_normal(wshape[0]).astype(np.float32)
    res = []
    for T in (nt, torch):
        xt = T.from_numpy(x.copy()).requires_grad_(x_grad)
        wt = T.from_numpy(w.copy()).requires_grad_()
        bt = T.from_numpy(bias.copy()).requires_grad_()
        y = T.nn.functional.relu(T.nn.functional.conv2d(xt, wt, bt, s, p, 1, groups))
        (y * y).sum().backward()
        res.append((y, xt.grad, wt.grad, bt.grad))
    for a, b in zip(*res):
        if b is None:
            assert a is None
        else:
            assert_close(a, b, rtol=1e-4, atol=1e-4)
