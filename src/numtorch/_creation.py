"""Tensor creation: tensor/as_tensor/from_numpy, zeros/ones/full/empty (+_like), ranges, eye,
and the random constructors (rand, randn, randint, randperm, normal, bernoulli, multinomial)."""
import math

import numpy as np

from . import _dtype
from ._tensor import Tensor, _wrap
from ._size import device as _device

_ndarray = np.ndarray


def _finish(arr, requires_grad=False, device=None):
    if device is not None:
        d = _device(device)
        if d.type != "cpu":
            from .ops._devices import check_device
            check_device(d)
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _infer_np_dtype(data):
    """dtype torch.tensor infers from nested Python data."""
    kinds = set()

    def walk(x):
        if isinstance(x, Tensor):
            kinds.add(x._data.dtype.kind if x._data.dtype.kind != "f" else
                      ("F" + x._data.dtype.str))
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
        elif isinstance(x, np.floating):
            kinds.add("F" + x.dtype.str)  # a NumPy float scalar keeps its dtype, as in torch
        elif isinstance(x, np.integer):
            kinds.add("I" + x.dtype.str)
        elif isinstance(x, (bool, np.bool_)):
            kinds.add("b")
        elif isinstance(x, (int, np.integer)):
            kinds.add("i")
        elif isinstance(x, (float, np.floating)):
            kinds.add("f")
        elif isinstance(x, complex):
            kinds.add("c")
        elif isinstance(x, _ndarray):
            kinds.add(x.dtype.kind if x.dtype.kind != "f" else "F" + x.dtype.str)
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
    walk(data)
    if "c" in kinds:
        return _dtype.get_default_dtype().to_complex().np
    if "f" in kinds or any(k.startswith("F") for k in kinds):
        floats = [k[1:] for k in kinds if k.startswith("F")]
        if "f" in kinds:
            floats.append(_dtype.get_default_dtype().np.str)
        return np.result_type(*floats)
    ints = [k[1:] for k in kinds if k.startswith("I")]
    if "i" in kinds or "u" in kinds or ints:
        if "i" in kinds or "u" in kinds:
            ints.append("<i8")
        return np.result_type(*ints)
    if "b" in kinds:
        return np.dtype(np.bool_)
    return _dtype.get_default_dtype().np


def _nested_to_array(data, np_dtype):
    def conv(x):
        if isinstance(x, Tensor):
            return x._data
        if isinstance(x, (list, tuple)):
            return [conv(y) for y in x]
        return x
    try:
        arr = np.array(conv(data), dtype=np_dtype)
    except ValueError as e:
        raise ValueError(f"expected sequence of equal length lists ({e})") from None
    return arr


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Copy ``data`` (nested lists, numbers, arrays, tensors) into a new leaf tensor."""
    if isinstance(data, Tensor):
        arr = data._data.copy() if dtype is None else data._data.astype(_dtype.as_dtype(dtype).np)
    elif isinstance(data, _ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        arr = np.array(data, dtype=None if dtype is None else _dtype.as_dtype(dtype).np)
    else:
        if isinstance(data, str) or data is None:
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        np_dtype = _infer_np_dtype(data) if dtype is None else _dtype.as_dtype(dtype).np
        arr = _nested_to_array(data, np_dtype)
    return _finish(arr, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a tensor or array when no conversion is needed."""
    if isinstance(data, Tensor):
        if dtype is None or _dtype.as_dtype(dtype).np == data._data.dtype:
            return data
        return data.to(dtype)
    if isinstance(data, _ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        if dtype is None or _dtype.as_dtype(dtype).np == data.dtype:
            return _wrap(data)
        return _wrap(data.astype(_dtype.as_dtype(dtype).np))
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    if not isinstance(ndarray, _ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return _wrap(ndarray)


def _size_arg(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"zeros(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def _np_dtype(dtype, default=None):
    if dtype is None:
        return (default or _dtype.get_default_dtype()).np
    return _dtype.as_dtype(dtype).np


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    return _finish(np.zeros(_size_arg(size), dtype=_np_dtype(dtype)), requires_grad, device)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    return _finish(np.ones(_size_arg(size), dtype=_np_dtype(dtype)), requires_grad, device)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    return _finish(np.zeros(_size_arg(size), dtype=_np_dtype(dtype)), requires_grad, device)


def _fill_dtype(fill_value):
    if isinstance(fill_value, Tensor):
        return fill_value.dtype
    if isinstance(fill_value, bool):
        return _dtype.bool_
    if isinstance(fill_value, int):
        return _dtype.int64
    if isinstance(fill_value, complex):
        return _dtype.get_default_dtype().to_complex()
    return _dtype.get_default_dtype()


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = _dtype.as_dtype(dtype) if dtype is not None else _fill_dtype(fill_value)
    return _finish(np.full(_size_arg((size,) if isinstance(size, int) else tuple(size)),
                           fill_value, dtype=dt.np), requires_grad, device)


def _like(input, dtype):
    return input._data.dtype if dtype is None else _dtype.as_dtype(dtype).np


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _finish(np.zeros(input._data.shape, dtype=_like(input, dtype)), requires_grad, device)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _finish(np.ones(input._data.shape, dtype=_like(input, dtype)), requires_grad, device)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    # torch's preserve_format: keep the input's memory order (order='K'), so that in-place
    # random fills (dropout's bernoulli_) visit elements in the same order as torch
    return _finish(np.zeros_like(input._data, dtype=_like(input, dtype)), requires_grad, device)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _finish(np.full(input._data.shape, fill_value, dtype=_like(input, dtype)),
                   requires_grad, device)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.array(s, dtype=_np_dtype(dtype)), requires_grad, device)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        isint = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dt = np.int64 if isint else _dtype.get_default_dtype().np
    else:
        dt = _dtype.as_dtype(dtype).np
    n = max(0, math.ceil((end - start) / step))
    # compute in double like torch (start + i*step), then cast
    arr = (start + np.arange(n, dtype=np.float64 if np.dtype(dt).kind == "f" else np.int64)
           * step).astype(dt)
    return _finish(arr, requires_grad, device)


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = _np_dtype(dtype)
    return _finish((start + np.arange(n) * step).astype(dt), requires_grad, device)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _np_dtype(dtype)
    # torch computes the two halves from each end (symmetric rounding)
    if steps == 1:
        arr = np.array([start], dtype=np.float64)
    else:
        step = (end - start) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        arr = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if np.dtype(dt).kind in "iu":
        arr = np.trunc(arr)
    if np.dtype(dt) == np.float32:
        # torch does the arithmetic in float32
        st = np.float32(start)
        step32 = np.float32((np.float32(end) - st) / np.float32(max(steps - 1, 1)))
        i = np.arange(steps, dtype=np.float32)
        half = steps // 2
        arr = np.where(i < half, st + step32 * i,
                       np.float32(end) - step32 * (np.float32(steps - 1) - i)) if steps > 1 \
            else np.array([st], np.float32)
    return _finish(arr.astype(dt), requires_grad, device)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    lin = linspace(start, end, steps, dtype=_dtype.float64)._data
    return _finish(np.power(base, lin).astype(_np_dtype(dtype)), requires_grad, device)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    return _finish(np.eye(n, n if m is None else m, dtype=_np_dtype(dtype)), requires_grad,
                   device)


def fill_(t, value):
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.ndim} dimensions.")
        value = value._data
    from .autograd import grad_mode
    if grad_mode._enabled[0] and t._rg and t.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    t._data[...] = value
    t._version[0] += 1
    if grad_mode._enabled[0] and t._rg:
        from .ops._inplace import _rebase
        from .autograd.graph import apply
        from .ops.elementwise import Mul
        res = apply(Mul, t, 0.0)  # gradient to the old value is zero
        t._version[0] -= 1
        _rebase(t, res.grad_fn)
    return t


def zero_(t):
    return fill_(t, 0)
