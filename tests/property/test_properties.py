"""Hypothesis: random shapes for broadcasting binary ops, reductions and shape ops, each
compared with torch (values and gradients)."""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import numtorch as nt  # noqa: E402
from ..conftest import torch  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
FLOATS = st.floats(-3, 3, width=32)


def _arr(shape, data, dtype=np.float32):
    return data.draw(hnp.arrays(dtype, shape, elements=FLOATS))


def _check(nt_fn, th_fn, arrays, rtol=1.3e-6, atol=1e-5):
    xs = [nt.from_numpy(a.copy()).requires_grad_() for a in arrays]
    ts = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    out, tout = nt_fn(*xs), th_fn(*ts)
    np.testing.assert_allclose(out._data, tout.detach().numpy(), rtol=rtol, atol=atol)
    assert out._data.dtype == tout.detach().numpy().dtype
    w = np.random.default_rng(0).standard_normal(tuple(tout.shape)).astype(np.float32)
    (out * nt.from_numpy(w)).sum().backward()
    (tout * torch.from_numpy(w)).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad._data, t.grad.numpy(), rtol=1e-5, atol=1e-5)


BINOPS = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "maximum": lambda a, b: a.maximum(b),
          "where": lambda a, b: (a > b).float() * a + b}


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                max_side=3),
       op=st.sampled_from(sorted(BINOPS)), data=st.data())
def test_broadcasting_binary_ops(shapes, op, data):
    a = _arr(shapes.input_shapes[0], data)
    b = _arr(shapes.input_shapes[1], data)
    f = BINOPS[op]
    _check(f, f, [a, b])


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), data=st.data(),
       op=st.sampled_from(["sum", "mean", "amax", "prod", "logsumexp", "var", "std"]),
       keepdim=st.booleans())
def test_reductions_over_random_dims(shape, data, op, keepdim):
    a = _arr(shape, data)
    if op in ("amax", "var", "std"):
        a = a + np.arange(a.size, dtype=np.float32).reshape(a.shape) * 1e-2  # no ties
    ndim = len(shape)
    dims = data.draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                              unique_by=lambda d: d % ndim))
    if op in ("prod",):
        dims = dims[:1]
    if op in ("var", "std") and all(shape[d] < 2 for d in dims):
        return
    arg = dims[0] if op == "prod" else tuple(dims)

    def f(x):
        return getattr(x, op)(arg, keepdim=keepdim)
    _check(f, f, [a], rtol=1e-5)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), data=st.data())
def test_permute_reshape_flatten_roundtrip(shape, data):
    a = _arr(shape, data)
    perm = data.draw(st.permutations(range(len(shape))))
    start = data.draw(st.integers(0, len(shape) - 1))

    def f(x):
        y = x.permute(*perm)
        y = y.flatten(start) if start < y.ndim else y
        return y.reshape(-1).unsqueeze(0).expand(2, -1) * 1.5
    _check(f, f, [a])


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), data=st.data())
def test_cat_split_transpose(shape, data):
    a = _arr(shape, data)
    b = _arr(shape, data)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(1, 3))

    def f(x, y):
        z = (nt if isinstance(x, nt.Tensor) else torch).cat([x, y], d)
        pieces = z.split(k, d)
        return pieces[-1].transpose(0, -1).contiguous() * pieces[0].sum()
    _check(f, f, [a, b], rtol=1e-5)


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3,
                                                max_side=3),
       da=st.sampled_from([np.float32, np.float64, np.int64, np.int32, np.bool_]),
       db=st.sampled_from([np.float32, np.float64, np.int64, np.int32, np.bool_]),
       zero_dim=st.booleans())
def test_type_promotion_matches_torch(shapes, da, db, zero_dim):
    a = np.ones(shapes.input_shapes[0], da)
    b = np.ones(() if zero_dim else shapes.input_shapes[1], db)
    for op in (lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x * 2.5,
               lambda x, y: y + 3):
        r = op(nt.from_numpy(a), nt.from_numpy(b))
        t = op(torch.from_numpy(a), torch.from_numpy(b))
        assert r._data.dtype == t.numpy().dtype, (da, db, zero_dim)
        assert tuple(r.shape) == tuple(t.shape)
