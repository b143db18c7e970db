"""Tensor attributes, creation functions, conversions, views and version counters vs torch."""
import copy
import pickle

import numpy as np
import pytest

import numtorch as nt
from .conftest import torch, assert_close


def _both(fn):
    """Run ``fn(lib)`` for numtorch and torch; return both results."""
    return fn(nt), fn(torch)


def _same(a, b):
    if isinstance(b, torch.Tensor):
        assert isinstance(a, nt.Tensor)
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype).replace("numtorch", "torch") == str(b.dtype)
        np.testing.assert_allclose(np.asarray(a._data, dtype=np.float64) if a._data.dtype.kind
                                   != "c" else a._data, b.detach().numpy(), rtol=1.3e-6,
                                   atol=1e-5)
        assert a.requires_grad == b.requires_grad
    elif isinstance(b, (torch.dtype, torch.Size, torch.device)):
        assert repr(a).replace("numtorch", "torch") == repr(b)
    elif isinstance(b, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert type(a) is type(b) and a == b, (a, b)


CREATION = {
    "tensor_float": lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "tensor_int": lambda m: m.tensor([1, 2, 3]),
    "tensor_bool": lambda m: m.tensor([True, False]),
    "tensor_mixed": lambda m: m.tensor([1, 2.5]),
    "tensor_scalar": lambda m: m.tensor(3),
    "tensor_dtype": lambda m: m.tensor([1, 2], dtype=m.float64),
    "tensor_rg": lambda m: m.tensor([1.0], requires_grad=True),
    "tensor_complex": lambda m: m.tensor([1 + 2j]),
    "tensor_np_f64": lambda m: m.tensor(np.array([1.5, 2.0])),
    "tensor_of_tensors": lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
    "as_tensor": lambda m: m.as_tensor([1, 2], dtype=m.float32),
    "zeros": lambda m: m.zeros(2, 3),
    "zeros_tuple": lambda m: m.zeros((2, 3), dtype=m.int64),
    "ones": lambda m: m.ones([3]),
    "full": lambda m: m.full((2, 2), 7),
    "full_float": lambda m: m.full((2,), 1.5),
    "full_bool": lambda m: m.full((2,), True),
    "zeros_like": lambda m: m.zeros_like(m.ones(2, dtype=m.int32)),
    "ones_like": lambda m: m.ones_like(m.ones(2), dtype=m.float64),
    "full_like": lambda m: m.full_like(m.ones(2), 3),
    "empty_shape": lambda m: m.empty(2, 3).shape,
    "arange": lambda m: m.arange(5),
    "arange_float": lambda m: m.arange(0, 1, 0.1),
    "arange_neg": lambda m: m.arange(5, 0, -1.5),
    "arange_dtype": lambda m: m.arange(3, dtype=m.float32),
    "linspace": lambda m: m.linspace(0, 1, 7),
    "linspace_1": lambda m: m.linspace(2, 3, 1),
    "linspace_int": lambda m: m.linspace(0, 10, 4, dtype=m.int64),
    "logspace": lambda m: m.logspace(0, 2, 5),
    "eye": lambda m: m.eye(3),
    "eye_rect": lambda m: m.eye(2, 3, dtype=m.int64),
    "scalar_tensor": lambda m: m.scalar_tensor(2),
    "legacy_float": lambda m: m.FloatTensor([1, 2]),
    "legacy_long": lambda m: m.LongTensor([1, 2]),
    "legacy_size": lambda m: m.FloatTensor(2, 3).shape,
    "Tensor_ctor": lambda m: m.Tensor([1, 2]),
    "new_zeros": lambda m: m.ones(2, dtype=m.float64).new_zeros(3),
    "new_tensor": lambda m: m.ones(2, dtype=m.int32).new_tensor([1, 2]),
    "new_full": lambda m: m.ones(2).new_full((2,), 4.0),
}


@pytest.mark.parametrize("name", list(CREATION))
def test_creation_matches_torch(name):
    _same(*_both(CREATION[name]))


ATTRS = {
    "shape": lambda m, x: x.shape,
    "size": lambda m, x: x.size(),
    "size_dim": lambda m, x: x.size(-1),
    "dim": lambda m, x: x.dim(),
    "ndim": lambda m, x: x.ndim,
    "numel": lambda m, x: x.numel(),
    "dtype": lambda m, x: x.dtype,
    "device": lambda m, x: x.device,
    "is_leaf": lambda m, x: x.is_leaf,
    "requires_grad": lambda m, x: x.requires_grad,
    "T": lambda m, x: x.T,
    "mT": lambda m, x: x.mT,
    "tolist": lambda m, x: x.tolist(),
    "len": lambda m, x: len(x),
    "iter": lambda m, x: [t.tolist() for t in x],
    "stride": lambda m, x: x.stride(),
    "is_contiguous": lambda m, x: x.t().is_contiguous(),
    "element_size": lambda m, x: x.element_size(),
    "is_floating_point": lambda m, x: x.is_floating_point(),
    "item": lambda m, x: x[0, 0].item(),
    "float()": lambda m, x: float(x[1, 1]),
    "int()": lambda m, x: int(x[1, 1]),
    "bool()": lambda m, x: bool(x[0, 1]),
    "index()": lambda m, x: [10, 20, 30][x.long()[0, 1]],
    "format": lambda m, x: f"{x[0, 1]:.3f}",
    "type()": lambda m, x: x.type().replace("numtorch", "torch") if m is nt else x.type(),
    "long_type": lambda m, x: x.long().dtype,
    "type(dtype)": lambda m, x: x.type(m.float64).dtype,
    "grad_none": lambda m, x: x.grad,
    "Size_numel": lambda m, x: x.shape.numel(),
    "Size_slice": lambda m, x: x.shape[1:],
    "Size_add": lambda m, x: x.shape + (4,),
}


@pytest.mark.parametrize("name", list(ATTRS))
def test_attributes_match_torch(name):
    arr = np.array([[1.5, 2.0, -3.0], [4.0, 5.0, 6.0]], np.float32)
    _same(ATTRS[name](nt, nt.from_numpy(arr.copy())), ATTRS[name](torch, torch.from_numpy(arr)))


ERRORS = {
    "item_many": lambda m: m.ones(2).item(),
    "bool_many": lambda m: bool(m.ones(2)),
    "len_0d": lambda m: len(m.tensor(1.0)),
    "iter_0d": lambda m: iter(m.tensor(1.0)),
    "index_float": lambda m: [1, 2][m.tensor(1.0)],
    "requires_grad_int": lambda m: m.tensor([1]).requires_grad_(),
    "numpy_with_grad": lambda m: m.ones(2, requires_grad=True).numpy(),
    "nonleaf_rg_false": lambda m: setattr(m.ones(2, requires_grad=True) * 2, "requires_grad",
                                          False),
    "grad_wrong_shape": lambda m: setattr(m.ones(2, requires_grad=True), "grad", m.ones(3)),
    "zeros_negative": lambda m: m.zeros(-1),
    "arange_step0": lambda m: m.arange(0, 1, 0),
    "device_bad": lambda m: m.device("tpu"),
    "tensor_ragged": lambda m: m.tensor([[1, 2], [3]]),
    "view_bad": lambda m: m.ones(2, 3).view(4),
    "size_out_of_range": lambda m: m.ones(2).size(3),
    "getitem_out_of_range": lambda m: m.ones(2, 3)[2],
    "getitem_too_many": lambda m: m.ones(2)[0, 0],
    "getitem_float": lambda m: m.ones(2)[1.0],
    "cuda": lambda m: m.ones(2).cuda(),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch_type(name):
    with pytest.raises(Exception) as te:
        ERRORS[name](torch)
    with pytest.raises(Exception) as ne:
        ERRORS[name](nt)
    assert issubclass(ne.type, te.type) or ne.type is te.type, (ne.value, te.value)


INDEX = [0, -1, (0, 1), slice(1, None), (slice(None), 0), (Ellipsis, 1), (None, 0),
         (0, None, slice(None, 2)), [0, 2], ([0, 2], [1, 0]), (slice(None), [1, 0]),
         "mask", "int_tensor", (1, Ellipsis, None), slice(None, None, 2), (slice(1, 3), 1)]


def _idx(lib, i, x):
    if i == "mask":
        return x > 0
    if i == "int_tensor":
        return lib.tensor([[0, 1], [2, 0]])
    return i


@pytest.mark.parametrize("i", range(len(INDEX)))
def test_getitem_and_setitem_match_torch(i):
    arr = np.random.default_rng(i).standard_normal((3, 4)).astype(np.float32)
    for lib in (nt, torch):
        x = lib.from_numpy(arr.copy()).requires_grad_()
        y = x * 1
        r = y[_idx(lib, INDEX[i], y)]
        w = lib.from_numpy(np.random.default_rng(9).standard_normal(tuple(r.shape))
                           .astype(np.float32))
        (r * w).sum().backward()
        if lib is nt:
            nr, ng, nname = r, x.grad, r.grad_fn.name()
        else:
            _same(nr.detach(), r.detach())
            _same(ng, x.grad)
            assert nname == r.grad_fn.name()
    # setitem on a non-leaf, with a tensor value that requires grad
    for lib in (nt, torch):
        x = lib.from_numpy(arr.copy()).requires_grad_()
        v = lib.tensor(2.5, requires_grad=True)
        y = x * 1
        y[_idx(lib, INDEX[i], y)] = v
        (y * y).sum().backward()
        if lib is nt:
            res = (y.detach(), x.grad, v.grad)
        else:
            _same(res[0], y.detach())
            _same(res[1], x.grad)
            _same(res[2], v.grad)


def test_views_share_memory_and_version():
    x = nt.zeros(3, 4)
    v = x[1]
    v[0] = 5.0
    assert x[1, 0].item() == 5.0
    t = x.t()
    t[0, 2] = 7.0
    assert x[2, 0].item() == 7.0
    assert x._version_value == v._version_value == t._version_value > 0
    r = x.view(12)
    r.add_(1)
    assert x[0, 0].item() == 1.0
    d = x.detach()
    d.mul_(2)
    assert x[0, 0].item() == 2.0
    n = x.numpy()
    n[0, 0] = -1
    assert x[0, 0].item() == -1.0
    a = np.ones(3, np.float32)
    f = nt.from_numpy(a)
    f.add_(1)
    assert a[0] == 2.0


def test_data_and_grad_setters():
    x = nt.ones(2, requires_grad=True)
    x.data = nt.zeros(2)
    assert x.requires_grad and x.sum().item() == 0.0
    x.grad = nt.ones(2)
    (x * 3).sum().backward()
    assert_close(x.grad, torch.full((2,), 4.0))
    x.grad = None
    assert x.grad is None
    d = x.data
    assert not d.requires_grad and d.is_leaf


def test_hash_is_identity_and_eq_is_elementwise():
    a, b = nt.ones(2), nt.ones(2)
    assert hash(a) != hash(b)
    assert len({a, b}) == 2
    assert (a == b).tolist() == [True, True]


def test_pickle_deepcopy_and_copy():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == [1.0, 2.0] and y.requires_grad
    z = copy.deepcopy(x)
    assert z.tolist() == [1.0, 2.0] and z.requires_grad and z._data is not x._data
    with pytest.raises(RuntimeError):
        copy.deepcopy(x * 2)


def test_default_dtype():
    try:
        nt.set_default_dtype(nt.float64)
        assert nt.tensor([1.0]).dtype == nt.float64
        assert nt.zeros(1).dtype == nt.float64
        assert (nt.tensor([1]) * 1.5).dtype == nt.float64
    finally:
        nt.set_default_dtype(nt.float32)
    assert nt.get_default_dtype() == nt.float32


def test_dtype_aliases_and_promote_types():
    assert nt.float is nt.float32 and nt.double is nt.float64 and nt.long is nt.int64
    assert nt.half is nt.float16 and nt.int is nt.int32 and nt.cfloat is nt.complex64
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
             "float64", "complex64", "complex128"]
    for a in names:
        for b in names:
            r = nt.promote_types(getattr(nt, a), getattr(nt, b))
            assert repr(r).replace("numtorch", "torch") == repr(
                torch.promote_types(getattr(torch, a), getattr(torch, b)))


def test_to_and_conversions():
    x = nt.ones(2, requires_grad=True)
    assert x.to(nt.float32) is x
    assert x.to("cpu") is x
    y = x.to(nt.float64)
    assert y.dtype == nt.float64 and y.grad_fn.name() == "ToCopyBackward0"
    assert x.float() is x
    assert x.to(nt.float32, copy=True) is not x
    assert x.double().grad_fn.name() == "ToCopyBackward0"
    assert x.int().dtype == nt.int32 and not x.int().requires_grad
    assert x.cpu() is x
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0" and c._data is not x._data
    nc = nt.ones(3, 4).t()
    assert not nc.is_contiguous() and nc.contiguous().is_contiguous()
    xd = x.detach_() if False else x.detach()
    assert not xd.requires_grad


def test_requires_grad_and_leaves():
    x = nt.ones(2)
    assert x.is_leaf and not x.requires_grad
    x.requires_grad_()
    y = x * 2
    assert not y.is_leaf and y.requires_grad
    y.detach_()
    assert y.is_leaf and not y.requires_grad
    with nt.no_grad():
        z = x * 2
    assert z.is_leaf and not z.requires_grad
