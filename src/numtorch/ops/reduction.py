"""Reductions: sum, mean, prod, var/std, max/min, logsumexp, norm, all/any, cumsum/cumprod."""
import collections

from ..backends import xp

from ..autograd.graph import Node, apply
from .._tensor import Tensor, _wrap
from .. import _dtype
from ._utils import wrap_dim, wrap_dims, default_float

_ndarray = xp.ndarray


def _axes(dim, ndim):
    """None -> all axes; int/tuple -> normalised tuple."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    return wrap_dims(dim, ndim)


def _expand_grad(g, shape, axes, keepdim):
    """Re-insert reduced axes into ``g`` so that it broadcasts against ``shape``."""
    if not keepdim and axes is not None and len(shape):
        g = g.reshape([1 if i in axes else s for i, s in enumerate(shape)])
    elif axes is None and not keepdim:
        g = g.reshape((1,) * len(shape))
    return g


def _np_dtype(dtype):
    return None if dtype is None else _dtype.as_dtype(dtype).np


class Sum(Node):
    def forward(self, a, axes=None, keepdim=False, dtype=None):
        if axes is not None:
            self._name = "SumBackward1"
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind in "biu":
            dt = xp.int64
        return xp.sum(a, axis=axes, keepdims=keepdim, dtype=dt)

    def backward(self, g):
        return xp.broadcast_to(_expand_grad(g, self.shape, self.axes, self.keepdim), self.shape)


class Mean(Node):
    def forward(self, a, axes=None, keepdim=False, dtype=None):
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_type_name(a.dtype)}")
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        n = a.size if axes is None else int(xp.prod([a.shape[i] for i in axes]))
        self.n = n
        if a.size == 0 or n == 0:
            with xp.errstate(invalid="ignore", divide="ignore"):
                return xp.mean(a, axis=axes, keepdims=keepdim, dtype=dt)
        out = xp.sum(a, axis=axes, keepdims=keepdim, dtype=dt)
        return out / xp.asarray(n, dtype=out.dtype) if out.dtype.kind in "fc" else out / n

    def backward(self, g):
        g = _expand_grad(g, self.shape, self.axes, self.keepdim)
        return xp.broadcast_to(g / xp.asarray(self.n, g.dtype), self.shape)


def _type_name(npdt):
    from ._inplace import _type_name as tn
    return tn(_dtype._FROM_NP[xp.dtype(npdt)])


class Prod(Node):
    def forward(self, a, axis=None, keepdim=False, dtype=None):
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind in "biu":
            dt = xp.int64
        out = xp.prod(a, axis=axis, keepdims=keepdim, dtype=dt)
        if axis is not None:
            self._name = "ProdBackward1"
        self.save_for_backward(a, out)
        self.axis, self.keepdim = axis, keepdim
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        axis = self.axis
        axes = None if axis is None else (axis,)
        g = _expand_grad(g, a.shape, axes, self.keepdim)
        o = _expand_grad(out, a.shape, axes, self.keepdim)
        # Exact for zeros: product of all other elements via exclusive cumprods.
        if axis is None:
            flat = a.reshape(-1)
            left = xp.concatenate([[1], xp.cumprod(flat[:-1])]).astype(a.dtype)
            right = xp.concatenate([xp.cumprod(flat[::-1][:-1])[::-1], [1]]).astype(a.dtype)
            return (g.reshape(-1) * left * right).reshape(a.shape)
        ones_shape = list(a.shape)
        ones_shape[axis] = 1
        one = xp.ones(ones_shape, dtype=a.dtype)
        left = xp.concatenate([one, xp.cumprod(xp.take(a, range(a.shape[axis] - 1), axis), axis)],
                              axis) if a.shape[axis] else a
        ar = xp.flip(a, axis)
        right = xp.flip(xp.concatenate(
            [one, xp.cumprod(xp.take(ar, range(a.shape[axis] - 1), axis), axis)], axis), axis) \
            if a.shape[axis] else a
        return g * left * right


class Var(Node):
    def forward(self, a, axes=None, correction=1, keepdim=False):
        self.axes, self.keepdim, self.correction = axes, keepdim, correction
        n = a.size if axes is None else int(xp.prod([a.shape[i] for i in axes]))
        self.n = n
        mean = xp.mean(a, axis=axes, keepdims=True)
        d = a - mean
        self.save_for_backward(d)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.sum(d * d, axis=axes, keepdims=keepdim) / max(n - correction, 0)

    def backward(self, g):
        d, = self.saved_tensors
        g = _expand_grad(g, d.shape, self.axes, self.keepdim)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return g * d * (2.0 / max(self.n - self.correction, 0))


class _MaxMin(Node):
    """max/min over all elements: gradient split evenly among ties (as torch)."""

    fn = None

    _name = None

    def forward(self, a):
        self._name = self._op.capitalize() + "Backward1"
        if a.size == 0:
            raise RuntimeError(
                f"{self._op}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument.")
        out = self.fn(a)
        self.save_for_backward(a, out)
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        mask = a == out
        return mask * (g / mask.sum())


class Max(_MaxMin):
    fn = staticmethod(xp.max)
    _op = "max"


class Min(_MaxMin):
    fn = staticmethod(xp.min)
    _op = "min"


class AMaxMin(Node):
    """amax/amin over dims: gradient split evenly among ties."""

    def forward(self, a, axes=None, keepdim=False, is_max=True):
        if a.size == 0 and axes is None:
            raise RuntimeError(
                f"{'amax' if is_max else 'amin'}(): Expected reduction dim to be specified for "
                "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        out = (xp.max if is_max else xp.min)(a, axis=axes, keepdims=keepdim)
        self.save_for_backward(a, out)
        self.axes, self.keepdim = axes, keepdim
        self._name = "AmaxBackward0" if is_max else "AminBackward0"
        return out

    def name(self):
        return self._name

    def backward(self, g):
        a, out = self.saved_tensors
        o = _expand_grad(out, a.shape, self.axes, self.keepdim)
        g = _expand_grad(g, a.shape, self.axes, self.keepdim)
        mask = a == o
        return mask * (g / mask.sum(axis=self.axes, keepdims=True))


class MaxMinDim(Node):
    """max/min along one dim returning (values, indices); gradient goes to the index."""

    def forward(self, a, dim, keepdim=False, is_max=True):
        if a.shape and a.shape[dim] == 0:
            raise IndexError(
                f"{'max' if is_max else 'min'}(): Expected reduction dim {dim} to have non-zero "
                "size.")
        idx = (xp.argmax if is_max else xp.argmin)(a, axis=dim, keepdims=True) if a.ndim else \
            xp.zeros((), dtype=xp.int64)
        if a.ndim:
            vals = xp.take_along_axis(a, idx, dim)
            if a.dtype.kind == "f":
                # torch propagates NaN: argmax/argmin already pick the first NaN
                pass
        else:
            vals = a.copy()
        if not keepdim and a.ndim:
            vals = xp.squeeze(vals, dim)
            idx_out = xp.squeeze(idx, dim)
        else:
            idx_out = idx
        self.shape, self.dim, self.keepdim, self.idx = a.shape, dim, keepdim, idx
        self._name = "MaxBackward0" if is_max else "MinBackward0"
        return vals, idx_out.astype(xp.int64)

    def name(self):
        return self._name

    def backward(self, g, gi=None):
        if g is None:
            return None
        gx = xp.zeros(self.shape, dtype=g.dtype)
        if not self.shape:
            return g
        if not self.keepdim:
            g = xp.expand_dims(g, self.dim)
        xp.put_along_axis(gx, self.idx, g, self.dim)
        return gx


class ArgMaxMin(Node):
    differentiable = False

    def forward(self, a, dim=None, keepdim=False, is_max=True):
        f = xp.argmax if is_max else xp.argmin
        if a.size == 0:
            raise RuntimeError(f"{'argmax' if is_max else 'argmin'}(): Expected reduction dim to "
                               "be specified for input.numel() == 0.")
        if dim is None:
            r = f(a)
            return xp.full((1,) * a.ndim, r, dtype=xp.int64) if keepdim else xp.int64(r)
        return f(a, axis=dim, keepdims=keepdim).astype(xp.int64)


class LogSumExp(Node):
    def forward(self, a, axes, keepdim=False):
        a = default_float(a)
        m = xp.max(a, axis=axes, keepdims=True) if a.size else xp.zeros((1,) * a.ndim, a.dtype)
        m = xp.where(xp.isfinite(m), m, 0)
        with xp.errstate(divide="ignore"):
            s = xp.log(xp.sum(xp.exp(a - m), axis=axes, keepdims=True)) + m
        self.save_for_backward(a, s)
        self.axes, self.keepdim = axes, keepdim
        return s if keepdim else xp.squeeze(s, axis=axes)

    def backward(self, g):
        a, s = self.saved_tensors
        g = _expand_grad(g, a.shape, self.axes, self.keepdim)
        return g * xp.exp(a - s)


class Norm(Node):
    """Vector p-norm over ``axes`` (p may be inf, -inf, 0)."""

    _name = "LinalgVectorNormBackward0"

    def forward(self, a, p=2, axes=None, keepdim=False):
        self.p, self.axes, self.keepdim = p, axes, keepdim
        x = xp.abs(a)
        if p == 2:
            out = xp.sqrt(xp.sum(x * x, axis=axes, keepdims=keepdim))
        elif p == float("inf"):
            out = xp.max(x, axis=axes, keepdims=keepdim)
        elif p == -float("inf"):
            out = xp.min(x, axis=axes, keepdims=keepdim)
        elif p == 0:
            out = xp.sum(x != 0, axis=axes, keepdims=keepdim).astype(a.dtype)
        elif p == 1:
            out = xp.sum(x, axis=axes, keepdims=keepdim)
        else:
            out = xp.sum(x ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
        self.save_for_backward(a, out)
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        p = self.p
        g = _expand_grad(g, a.shape, self.axes, self.keepdim)
        o = _expand_grad(out, a.shape, self.axes, self.keepdim)
        with xp.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                r = g * a / o
                return xp.where(o == 0, 0, r)
            if p == 1:
                return g * xp.sign(a)
            if p == 0:
                return xp.zeros_like(a)
            if p in (float("inf"), -float("inf")):
                mask = xp.abs(a) == o
                return g * xp.sign(a) * mask / mask.sum(axis=self.axes, keepdims=True)
            r = g * xp.sign(a) * xp.abs(a) ** (p - 1) / o ** (p - 1)
            return xp.where(o == 0, 0, r)


class AllAny(Node):
    differentiable = False

    def forward(self, a, axes=None, keepdim=False, is_all=True):
        f = xp.all if is_all else xp.any
        out = f(a, axis=axes, keepdims=keepdim)
        return out if a.dtype != xp.uint8 else out.astype(xp.uint8)


class CumSum(Node):
    def forward(self, a, dim, dtype=None):
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind in "biu":
            dt = xp.int64
        self.dim = dim
        return xp.cumsum(a, axis=dim, dtype=dt)

    def backward(self, g):
        d = self.dim
        return xp.flip(xp.cumsum(xp.flip(g, d), axis=d), d)


class CumProd(Node):
    def forward(self, a, dim, dtype=None):
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind in "biu":
            dt = xp.int64
        out = xp.cumprod(a, axis=dim, dtype=dt)
        self.save_for_backward(a, out)
        self.dim = dim
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        d = self.dim
        if xp.all(a != 0):
            return xp.flip(xp.cumsum(xp.flip(g * out, d), axis=d), d) / a
        # Slow exact path with zeros: d out_j / d a_i = prod_{k<=j, k!=i} a_k
        n = a.shape[d]
        am = xp.moveaxis(a, d, -1)
        gm = xp.moveaxis(g, d, -1)
        res = xp.zeros_like(am)
        for i in range(n):
            b = am.copy()
            b[..., i] = 1
            cp = xp.cumprod(b, axis=-1)
            res[..., i] = xp.sum((gm * cp)[..., i:], axis=-1)
        return xp.moveaxis(res, -1, d)


# ---- return types ------------------------------------------------------------------
def _return_type(name, fields):
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})".replace("torch.", "numtorch.", 1)

    return type(name, (base,), {"__repr__": __repr__, "__slots__": ()})


return_max = _return_type("max", ["values", "indices"])
return_min = _return_type("min", ["values", "indices"])
return_sort = _return_type("sort", ["values", "indices"])
return_topk = _return_type("topk", ["values", "indices"])
return_mode = _return_type("mode", ["values", "indices"])
return_median = _return_type("median", ["values", "indices"])
return_kthvalue = _return_type("kthvalue", ["values", "indices"])
return_var_mean = None


# ---- public functions ---------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None):
    return apply(Sum, input, axes=_axes(dim, input.ndim), keepdim=keepdim, dtype=dtype)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    from .elementwise import where, isnan
    return sum(where(isnan(input), 0.0, input), dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    return apply(Mean, input, axes=_axes(dim, input.ndim), keepdim=keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    from .elementwise import isnan, logical_not
    notnan = logical_not(isnan(input))
    return nansum(input, dim, keepdim, dtype=dtype) / sum(notnan, dim, keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    axis = None if dim is None else wrap_dim(dim, input.ndim)
    return apply(Prod, input, axis=axis, keepdim=keepdim, dtype=dtype)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return apply(Var, input, axes=_axes(dim, input.ndim),
                 correction=_correction(unbiased, correction), keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    from .elementwise import sqrt
    return sqrt(var(input, dim, unbiased, keepdim, correction=correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def max(input, dim=None, keepdim=False, *, out=None):
    if isinstance(dim, Tensor):
        from .elementwise import maximum
        return maximum(input, dim)
    if dim is None:
        return apply(Max, input)
    return return_max(*apply(MaxMinDim, input, wrap_dim(dim, input.ndim), keepdim, True))


def min(input, dim=None, keepdim=False, *, out=None):
    if isinstance(dim, Tensor):
        from .elementwise import minimum
        return minimum(input, dim)
    if dim is None:
        return apply(Min, input)
    return return_min(*apply(MaxMinDim, input, wrap_dim(dim, input.ndim), keepdim, False))


def amax(input, dim=(), keepdim=False):
    return apply(AMaxMin, input, axes=_axes(dim, input.ndim), keepdim=keepdim, is_max=True)


def amin(input, dim=(), keepdim=False):
    return apply(AMaxMin, input, axes=_axes(dim, input.ndim), keepdim=keepdim, is_max=False)


def aminmax(input, *, dim=None, keepdim=False):
    return amin(input, () if dim is None else dim, keepdim), \
        amax(input, () if dim is None else dim, keepdim)


def argmax(input, dim=None, keepdim=False):
    d = None if dim is None else wrap_dim(dim, input.ndim)
    return apply(ArgMaxMin, input, d, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    d = None if dim is None else wrap_dim(dim, input.ndim)
    return apply(ArgMaxMin, input, d, keepdim, False)


def logsumexp(input, dim, keepdim=False):
    axes = _axes(dim, input.ndim)
    if axes is None:
        axes = tuple(range(input.ndim))
    return apply(LogSumExp, input, axes, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        raise NotImplementedError("nuclear norm is not supported")
    x = input if dtype is None else input.to(dtype)
    if x.dtype.is_floating_point is False and not x.is_complex():
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_type_name(x._data.dtype)}")
    return apply(Norm, x, p=p, axes=_axes(dim, x.ndim), keepdim=keepdim)


def all(input, dim=None, keepdim=False):
    return apply(AllAny, input, axes=_axes(dim, input.ndim), keepdim=keepdim, is_all=True)


def any(input, dim=None, keepdim=False):
    return apply(AllAny, input, axes=_axes(dim, input.ndim), keepdim=keepdim, is_all=False)


def cumsum(input, dim, *, dtype=None):
    return apply(CumSum, input, wrap_dim(dim, input.ndim), dtype=dtype)


def cumprod(input, dim, *, dtype=None):
    return apply(CumProd, input, wrap_dim(dim, input.ndim), dtype=dtype)


def count_nonzero(input, dim=None):
    from .elementwise import ne
    return sum(ne(input, 0), dim)
