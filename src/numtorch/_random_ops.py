"""Random tensor constructors and in-place random fills.

Every draw goes through a ``Generator`` primitive (``numtorch/random.py``). This file decides
what torch's kernels decide: which path a call takes (``normal_`` is vectorised only for 16+
elements of a contiguous tensor), the order elements are filled in (memory order, as torch's
TensorIterator walks: the smallest stride varies fastest), argument checks and dtypes.
Constructors are ``empty(...)`` plus the in-place fill, as in torch.
"""
import math
import warnings

import numpy as np

from . import _dtype
from ._tensor import Tensor, _wrap
from ._creation import _size_arg, _np_dtype, _num
from ._size import device as _device
from .autograd.graph import Node
from .random import _gen

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
# How torch's messages name a dtype (C++ type names from numeric_limits, or ScalarType names).
_CPP_NAME = {"int8": "signed char", "uint8": "unsigned char", "int16": "short int",
             "int32": "int", "int64": "long int", "bool": "bool", "float16": "c10::Half",
             "float32": "float", "float64": "double"}


def _scalar_name(np_dt):
    from .ops._inplace import _type_name
    return _type_name(np.dtype(np_dt))


def _g(x):
    """A double as C++'s ostream prints it (``%g``)."""
    return f"{float(x):g}"


# ---- memory order ----------------------------------------------------------------------------
def _iter_view(arr):
    """``arr`` with its axes ordered by decreasing stride: C order over it is memory order."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return arr
    perm = sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d]))
    return arr.transpose(perm)


def _store(t, values):
    """Write ``values`` (flat, in fill order) into tensor ``t`` through its view, as an in-place
    op: leaf check, version bump, and a zero gradient to the overwritten value."""
    from .autograd import grad_mode
    from .ops._inplace import _check_view_leaf, _LEAF_MSG
    recording = grad_mode._enabled[0] and t._rg
    if recording:
        if t.grad_fn is None:
            raise RuntimeError(_LEAF_MSG)
        _check_view_leaf(t)
    view = _iter_view(t._data)
    view[...] = values.reshape(view.shape)
    t._version[0] += 1
    if recording:
        from .ops._inplace import _rebase
        from .autograd.graph import apply
        from .ops.elementwise import Mul
        res = apply(Mul, t, 0.0)
        t._version[0] -= 1
        _rebase(t, res.grad_fn)
    return t


def _check_float(t, kernel):
    dt = t._data.dtype
    if dt.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(dt)}\'')
    return dt


def _real_dtype(dt):
    return np.dtype(np.float32 if dt == np.complex64 else np.float64) if dt.kind == "c" else dt


def _new(size, dtype, default=None, out=None):
    """The tensor a constructor fills: ``out`` if given, else a new contiguous one."""
    if out is not None:
        if tuple(out._data.shape) != tuple(size):
            out._data = np.empty(size, dtype=out._data.dtype)
        return out
    return _wrap(np.empty(size, dtype=_np_dtype(dtype, default)))


def _like(input, dtype):
    """``empty_like(input)`` with preserved strides (numpy's order='K')."""
    dt = input._data.dtype if dtype is None else _dtype.as_dtype(dtype).np
    return _wrap(np.empty_like(input._data, dtype=dt))


def _done(t, requires_grad, device):
    if device is not None and _device(device).type != "cpu":
        from .ops._devices import check_device
        check_device(_device(device))
    if requires_grad:
        t.requires_grad = True
    return t


# ---- in-place random fills (Tensor methods) --------------------------------------------------
def _uniform_values(dt, size, a, b, generator, out=None):
    """Checks of ``uniform_`` and its values (flat, fill order) for ``size`` elements."""
    a, b = float(_num(a)), float(_num(b))
    if dt.kind not in "fc":
        raise NotImplementedError(f'"check_uniform_bounds" not implemented for '
                                  f"'{_scalar_name(dt)}'")
    if not a <= b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_g(a)}"
                           f" > to={_g(b)}")
    rdt = _real_dtype(dt)
    if b - a > float(np.finfo(rdt).max):
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{_scalar_name(rdt)}>::max(), but found to={_g(b)} and from={_g(a)} "
                           "which result in to-from to exceed the limit")
    n = size * (2 if dt.kind == "c" else 1)
    vals = _gen(generator)._uniform((n,), rdt, a, b, out=out)
    return vals.view(dt) if dt.kind == "c" else vals


def uniform_(t, a=0.0, b=1.0, *, generator=None, **kwargs):
    a, b = kwargs.pop("from", a), kwargs.pop("to", b)
    arr = t._data
    from .autograd import grad_mode
    direct = (arr.dtype == np.float32 and arr.flags.c_contiguous and arr.flags.writeable
              and not (grad_mode._enabled[0] and t._rg))
    if direct:   # write straight into the tensor's memory (the nn.init hot path)
        _uniform_values(arr.dtype, arr.size, a, b, generator, out=arr.reshape(-1))
        t._version[0] += 1
        return t
    return _store(t, _uniform_values(arr.dtype, arr.size, a, b, generator))


def _normal_values(dt, size, mean, std, generator, contiguous=True):
    """Checks of ``normal_`` and its values (flat, fill order); the vectorised path needs 16+
    elements of a contiguous tensor."""
    mean, std = float(_num(mean)), float(_num(std))
    if dt.kind not in "fc":
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for '
                                  f"'{_scalar_name(dt)}'")
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")
    if dt.kind == "c":   # torch fills view_as_real(self) with std / sqrt(2)
        vals = _gen(generator)._normal((size * 2,), _real_dtype(dt), mean,
                                       std / math.sqrt(2.0), contiguous=contiguous)
        return vals.view(dt)
    return _gen(generator)._normal((size,), dt, mean, std, contiguous=contiguous)


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    arr = t._data
    return _store(t, _normal_values(arr.dtype, arr.size, mean, std, generator,
                                    arr.flags.c_contiguous))


def _update_from(frm, digits):
    """torch's ``update_from``: the smallest from >= ``frm`` that survives the float cast."""
    cast = int(_to_float(frm + 1, digits))
    if cast < frm:
        n = abs(frm + 1).bit_length() - 1
        frm = cast + (1 << (n - digits + 1))
    return frm


def _update_to(to, digits):
    cast = int(_to_float(to - 1, digits))
    if cast >= to:
        n = abs(to - 1).bit_length() - 1
        to = cast - (1 << (n - digits + 1))
    return to


def _to_float(v, digits):
    return float({11: np.float16, 24: np.float32, 53: np.float64}[digits](v))


_INT_RANGE = {np.dtype(t): (int(np.iinfo(t).min), int(np.iinfo(t).max))
              for t in (np.int8, np.uint8, np.int16, np.int32, np.int64)}
_INT_RANGE[np.dtype(np.bool_)] = (0, 1)


def _check_in_range(frm, to_inc, dt):
    if dt.kind == "f":
        digits = {2: 11, 4: 24, 8: 53}[dt.itemsize]
        lo, hi = float(np.finfo(dt).min), float(np.finfo(dt).max)
        for v, name in ((frm, "from"), (to_inc, "to - 1")):
            if not lo <= v <= hi:
                raise RuntimeError(f"{name} is out of bounds for {_CPP_NAME[dt.name]}")
        for v, name in ((frm, "from"), (to_inc, "to - 1")):
            if not -(1 << digits) <= v <= (1 << digits):
                warnings.warn(f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                              f"precision limitations {_CPP_NAME[dt.name]} can support discrete "
                              "uniform distribution only within this range. This warning will "
                              "become an error in version 1.7 release, please fix the code in "
                              "advance", UserWarning, stacklevel=4)
    else:
        lo, hi = _INT_RANGE.get(dt) or (int(np.iinfo(dt).min), int(np.iinfo(dt).max))
        for v, name in ((frm, "from"), (to_inc, "to - 1")):
            if not lo <= v <= hi:
                raise RuntimeError(f"{name} is out of bounds for {_CPP_NAME[dt.name]}")


_NO_TO = object()


def random_(t, *args, generator=None, **kwargs):
    """``random_()``, ``random_(to)``, ``random_(from, to)``; ``random_(from, None)`` is
    [from, max of the dtype]."""
    if "from" in kwargs or "to" in kwargs:
        frm, to = kwargs.pop("from", 0), kwargs.pop("to", _NO_TO)
        args = (frm,) if to is _NO_TO else (frm, to)
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return _store(t, _random_values(t._data.dtype, t._data.size, args, generator))


def _random_values(dt, size, args, generator):
    """Checks of ``random_(*args)`` and its values (flat, fill order)."""
    g = _gen(generator)
    if dt.kind == "c":
        raise NotImplementedError(f'"random_kernel_cpu" not implemented for '
                                  f"'{_scalar_name(dt)}'")
    shape = (size,)
    if not args:
        return g._random_full(shape, dt)
    if len(args) == 1:
        frm, to = 0, args[0]
    elif len(args) == 2:
        frm, to = args
    else:
        raise TypeError("random_() takes at most 2 positional arguments")
    frm = int(_num(frm))
    if to is not None:
        to = int(_num(to))
        if frm >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={frm} "
                               f">= to={to}")
        if dt.kind == "f":
            digits = {2: 11, 4: 24, 8: 53}[dt.itemsize]
            frm, to = _update_from(frm, digits), _update_to(to, digits)
            if frm >= to:
                raise RuntimeError("random_ expects 'from' casted to dtype to be less than 'to' "
                                   f"casted to dtype, but got from={frm} >= to={to}")
        _check_in_range(frm, to - 1, dt)
        return g._randint(frm, to, shape, dt)
    if frm == _INT64_MIN:
        return g._random_int64_full(shape, dt)
    if dt.kind == "f":
        digits = {2: 11, 4: 24, 8: 53}[dt.itemsize]
        to_inc = min(1 << digits, _INT64_MAX)
        frm = _update_from(frm, digits)
        if frm >= to_inc:
            raise RuntimeError("random_ expects 'from' casted to dtype to be less than or equal "
                               f"to 'to_inc' casted to dtype, but got from={frm} > "
                               f"to_inc={to_inc}")
    else:
        to_inc = _INT_RANGE[dt][1] if dt in _INT_RANGE else int(np.iinfo(dt).max)
    _check_in_range(frm, to_inc, dt)
    return g._randint(frm, to_inc + 1, shape, dt)


def bernoulli_(t, p=0.5, *, generator=None):
    g = _gen(generator)
    dt = t._data.dtype
    if isinstance(p, Tensor):
        if p._data.dtype.kind != "f":
            raise NotImplementedError('"bernoulli_tensor_cpu_p_" not implemented for '
                                      f"'{_scalar_name(p._data.dtype)}'")
        pa = p._data
        if np.any((pa < 0) | (pa > 1)) or np.isnan(pa).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        try:
            pb = np.broadcast_to(pa, t._data.shape)
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({pa.shape}) must match the size of "
                               f"tensor b ({t._data.shape})") from None
        order = _iter_axes(t._data)
        pv = pb.transpose(order) if order is not None else pb
        return _store(t, g._bernoulli(np.ascontiguousarray(pv).reshape(-1), dt))
    p = float(_num(p))
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
    return _store(t, g._bernoulli_scalar((t._data.size,), p, dt))


def _iter_axes(arr):
    if arr.flags.c_contiguous or arr.ndim < 2:
        return None
    return sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d]))


def exponential_(t, lambd=1.0, *, generator=None):
    lambd = float(_num(lambd))
    dt = t._data.dtype
    if dt.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{_scalar_name(dt)}")
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_g(lambd)}")
    return _store(t, _gen(generator)._exponential((t._data.size,), dt, lambd))


def geometric_(t, p, *, generator=None):
    p = float(_num(p))
    if not 0.0 < p < 1.0:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_g(p)}")
    return _store(t, _gen(generator)._geometric((t._data.size,), t._data.dtype, p))


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    median, sigma = float(_num(median)), float(_num(sigma))
    _check_float(t, "cauchy_cpu")
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_g(sigma)}")
    return _store(t, _gen(generator)._cauchy((t._data.size,), t._data.dtype, median, sigma))


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    mean, std = float(_num(mean)), float(_num(std))
    _check_float(t, "log_normal_cpu")
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_g(std)}")
    return _store(t, _gen(generator)._log_normal((t._data.size,), t._data.dtype, mean, std))


# ---- constructors ----------------------------------------------------------------------------
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    size = _size_arg(size)
    if out is not None:
        return _done(uniform_(_new(size, dtype, out=out), generator=generator), requires_grad,
                     device)
    dt = np.dtype(_np_dtype(dtype))
    vals = _uniform_values(dt, math.prod(size), 0.0, 1.0, generator)
    return _done(_wrap(vals.reshape(size)), requires_grad, device)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    size = _size_arg(size)
    if out is not None:
        return _done(normal_(_new(size, dtype, out=out), generator=generator), requires_grad,
                     device)
    dt = np.dtype(_np_dtype(dtype))
    vals = _normal_values(dt, math.prod(size), 0.0, 1.0, generator)
    return _done(_wrap(vals.reshape(size)), requires_grad, device)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    t = _like(input, dtype)
    return _done(uniform_(t, 0.0, 1.0, generator=generator), requires_grad, device)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    t = _like(input, dtype)
    return _done(normal_(t, 0.0, 1.0, generator=generator), requires_grad, device)


def _size_tuple(size):
    if isinstance(size, (int, np.integer)):
        size = (size,)
    return _size_arg(tuple(size))


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False, low=None, high=None):
    """randint(high, size) or randint(low, high, size)."""
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint() missing required argument 'size'")
        size = args.pop()
    if high is not None:
        args = [low if low is not None else (args[0] if args else 0), high]
    elif low is not None:
        args = [low] + args
    if len(args) == 1:
        lo, hi = 0, args[0]
    elif len(args) == 2:
        lo, hi = args
    else:
        raise TypeError("randint() received an invalid combination of arguments")
    size = _size_tuple(size)
    if out is not None:
        t = _new(size, dtype, _dtype.int64, out=out)
        return _done(random_(t, int(_num(lo)), int(_num(hi)), generator=generator),
                     requires_grad, device)
    dt = np.dtype(_np_dtype(dtype, _dtype.int64))
    vals = _random_values(dt, math.prod(size), (int(_num(lo)), int(_num(hi))), generator)
    return _done(_wrap(vals.reshape(size)), requires_grad, device)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    t = _like(input, dtype)
    return _done(random_(t, int(_num(low)), int(_num(high)), generator=generator),
                 requires_grad, device)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    n = int(_num(n))
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = _np_dtype(dtype, _dtype.int64)
    perm = _gen(generator)._randperm(n)
    if out is not None:
        out._data = perm.astype(out._data.dtype)
        return _done(out, requires_grad, device)
    return _done(_wrap(perm.astype(dt, copy=False)), requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """normal(mean, std) with tensor mean and/or std, or normal(mean, std, size) with floats.
    Tensor forms draw standard normals (or N(0, std) for a float std) for the broadcast shape,
    then scale and shift them as torch does (``mul_(std).add_(mean)``)."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mt or st):
        if size is None:
            raise TypeError(f"normal() received an invalid combination of arguments - got "
                            f"({type(mean).__name__}, {type(std).__name__}), but expected a "
                            "size when mean and std are numbers")
        if not float(std) >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")
        t = _new(_size_tuple(size), dtype, out=out)
        return _done(normal_(t, mean, std, generator=generator), requires_grad, device)
    if st:
        sd = std._data
        if sd.size and not sd.min() >= 0:
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not float(std) >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")
    ref = mean if mt else std
    shape = np.broadcast_shapes(np.shape(mean._data) if mt else (),
                                np.shape(std._data) if st else ())
    out_t = _new(shape, None, out=out) if out is not None else _wrap(
        np.empty(shape, dtype=ref._data.dtype))
    dt = out_t._data.dtype
    if mt and not st:
        normal_(out_t, 0.0, std, generator=generator)
        res = out_t._data + mean._data
    else:
        normal_(out_t, 0.0, 1.0, generator=generator)
        res = out_t._data * std._data
        res = res.astype(dt, copy=False) + (mean._data if mt else dt.type(mean))
    out_t._data[...] = res.astype(dt, copy=False)
    if out is None and (mt and mean.requires_grad or st and std.requires_grad):
        from .autograd.graph import apply
        return apply(_NormalDraw, mean, std, out_t._data)
    return out_t


class _NormalDraw(Node):
    """``torch.normal`` with tensor mean/std: the sample, with zero gradient to mean and std
    (torch's NormalBackward1/2/3)."""

    def forward(self, mean, std, value):
        self._name = {(True, False): "NormalBackward1", (False, True): "NormalBackward2"}.get(
            (isinstance(mean, np.ndarray), isinstance(std, np.ndarray)), "NormalBackward3")
        return value

    def backward(self, grad):
        need = self.needs_input_grad
        return (np.zeros_like(grad) if need[0] else None,
                np.zeros_like(grad) if need[1] else None, None)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draw 0/1 with probabilities ``input`` (or a float ``p``) into a new contiguous tensor."""
    t = _wrap(np.empty(input._data.shape, dtype=input._data.dtype))
    bernoulli_(t, input if p is None else p, generator=generator)
    if out is not None:
        out._data = t._data
        return out
    return t


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    p = input._data
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if p.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_scalar_name(p.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if not replacement or num_samples == 1:
        if not (np.all(p < np.inf) and np.all(p >= 0)):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if np.any(p.sum(-1) == 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    else:
        if np.any(p < 0):
            raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                               "< 0)")
        if not np.all(np.isfinite(p)):
            raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                               "= infinity or NaN)")
        if np.any(p.sum(-1) <= 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    res = _gen(generator)._multinomial(np.ascontiguousarray(p), int(num_samples), replacement)
    if out is not None:
        out._data = res
        return out
    return _wrap(res)


def poisson(input, generator=None):
    """Poisson draws with rates ``input`` (torch's CPU sampler, element by element)."""
    lam = input._data
    if lam.dtype.kind != "f":
        raise NotImplementedError(f'"poisson_cpu" not implemented for '
                                  f"'{_scalar_name(lam.dtype)}'")
    if lam.size and not np.all(lam >= 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    vals = _gen(generator)._poisson(np.ascontiguousarray(lam, dtype=np.float64).reshape(-1))
    if lam.dtype == np.float16:
        return _wrap(vals.astype(np.float32).astype(lam.dtype).reshape(lam.shape))
    return _wrap(vals.astype(lam.dtype).reshape(lam.shape))
