"""Reductions: sum, mean, prod, var/std, max/min, median/mode/kthvalue, logsumexp, norm,
all/any, cumsum/cumprod."""
import builtins as _b
import collections

from ..backends import xp, quiet

from ..autograd.graph import Node, apply
from .._tensor import Tensor
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
    if keepdim or not len(shape):
        return g
    if axes is None:
        return g.reshape((1,) * len(shape))
    return g.reshape([1 if i in axes else s for i, s in enumerate(shape)])


def _broadcast(g, shape):
    """``g`` broadcast to ``shape`` as a fresh array (cheaper than np.broadcast_to for small
    arrays, and writable)."""
    if g.shape == shape:
        return g
    out = xp.empty(shape, g.dtype)
    out[...] = g
    return out


def _np_dtype(dtype):
    return None if dtype is None else _dtype.as_dtype(dtype).np


def _count(shape, axes):
    n = 1
    if axes is None:
        for s in shape:
            n *= s
    else:
        for i in axes:
            n *= shape[i]
    return n


class Sum(Node):
    def forward(self, a, axes=None, keepdim=False, dtype=None):
        if axes is not None:
            self._name = "SumBackward1"
            if a.ndim == 0:
                axes = None
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind in "biu":
            dt = xp.int64
        out = a.sum(axis=axes, keepdims=keepdim, dtype=dt)
        return out if type(out) is _ndarray else xp.asarray(out)

    def backward(self, g):
        return _broadcast(_expand_grad(g, self.shape, self.axes, self.keepdim), self.shape)


class NanSum(Sum):
    _name = "NansumBackward0"

    def forward(self, a, axes=None, keepdim=False, dtype=None):
        self._saved = (a,)
        out = Sum.forward(self, xp.where(xp.isnan(a), 0, a) if a.dtype.kind == "f" else a,
                          axes, keepdim, dtype)
        self._name = "NansumBackward0"
        return out

    def backward(self, g):
        a, = self.saved_tensors
        return xp.where(xp.isnan(a), 0, Sum.backward(self, g))


class Mean(Node):
    def forward(self, a, axes=None, keepdim=False, dtype=None):
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_type_name(a.dtype)}")
        if axes is not None:
            self._name = "MeanBackward1"
            if a.ndim == 0:
                axes = None
        self.shape, self.axes, self.keepdim = a.shape, axes, keepdim
        n = _count(a.shape, axes)
        self.n = n
        if n == 0:
            return quiet(xp.mean, a, axis=axes, keepdims=keepdim, dtype=dt)
        out = xp.asarray(a.sum(axis=axes, keepdims=keepdim, dtype=dt))
        return out / out.dtype.type(n)

    def backward(self, g):
        g = _expand_grad(g, self.shape, self.axes, self.keepdim)
        return _broadcast(g / g.dtype.type(self.n) if self.n else g * xp.nan, self.shape)


def _type_name(npdt):
    from ._inplace import _type_name as tn
    return tn(_dtype._FROM_NP[xp.dtype(npdt)])


def _exclusive_prod(a, axis):
    """Product of all other elements along ``axis`` (exact with zeros)."""
    n = a.shape[axis]
    one_shape = list(a.shape)
    one_shape[axis] = 1
    one = xp.ones(one_shape, dtype=a.dtype)
    if n == 0:
        return a.copy()
    head = xp.take(a, xp.arange(n - 1), axis)
    left = xp.concatenate([one, xp.cumprod(head, axis)], axis)
    ar = xp.flip(a, axis)
    right = xp.flip(xp.concatenate([one, xp.cumprod(xp.take(ar, xp.arange(n - 1), axis),
                                                    axis)], axis), axis)
    return left * right


class Prod(Node):
    def forward(self, a, axis=None, keepdim=False, dtype=None):
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind in "biu":
            dt = xp.int64
        out = xp.asarray(xp.prod(a, axis=axis, keepdims=keepdim, dtype=dt))
        if axis is not None:
            self._name = "ProdBackward1"
        self._saved = (a,)
        self.axis, self.keepdim = axis, keepdim
        return out

    def backward(self, g):
        a, = self.saved_tensors
        axis = self.axis
        if axis is None:
            return (g * _exclusive_prod(a.reshape(-1), 0)).reshape(a.shape)
        g = _expand_grad(g, a.shape, (axis,), self.keepdim)
        return g * _exclusive_prod(a, axis)


class Var(Node):
    """Variance (``std=True``: standard deviation) with Bessel-style ``correction``."""

    def forward(self, a, axes=None, correction=1, keepdim=False, std=False):
        if a.dtype.kind not in "fc":
            raise RuntimeError(f"std and var only support floating point and complex dtypes")
        self._name = "StdBackward0" if std else "VarBackward0"
        self.axes, self.keepdim, self.correction = axes, keepdim, correction
        n = _count(a.shape, axes)
        self.n = n
        mean = xp.mean(a, axis=axes, keepdims=True) if a.size else xp.zeros(
            (1,) * a.ndim, a.dtype)
        d = a - mean
        self.denom = _b.max(n - correction, 0)
        out = quiet(xp.true_divide, xp.sum(d * d, axis=axes, keepdims=keepdim),
                    a.dtype.type(self.denom))
        out = xp.asarray(out, dtype=a.dtype)
        if std:
            out = xp.sqrt(out)
            self._saved = (d, out)
        else:
            self._saved = (d,)
        self.std = std
        return out

    def backward(self, g):
        if self.std:
            d, out = self.saved_tensors
            g = _expand_grad(g, d.shape, self.axes, self.keepdim)
            o = _expand_grad(out, d.shape, self.axes, self.keepdim)
            return quiet(_std_grad, g, d, o, self.denom)
        d, = self.saved_tensors
        g = _expand_grad(g, d.shape, self.axes, self.keepdim)
        return quiet(_var_grad, g, d, self.denom)


def _var_grad(g, d, denom):
    return g * d * (2.0 / denom) if denom else g * d * xp.inf


def _std_grad(g, d, o, denom):
    r = g * d / (o * denom) if denom else g * d * xp.inf
    return xp.where(o == 0, 0, r) if denom else r


class VarMean(Node):
    """(var or std, mean) in one node, as torch.var_mean / std_mean."""

    n_outputs = 2

    def forward(self, a, axes=None, correction=1, keepdim=False, std=False):
        self._name = "StdMeanBackward0" if std else "VarMeanBackward0"
        self.v = Var()
        v = self.v.forward(a, axes, correction, keepdim, std)
        self._saved = self.v._saved
        self.m = Mean()
        m = self.m.forward(a, axes, keepdim)
        return v, m

    def backward(self, gv, gm):
        self.v._saved = self.saved_tensors
        out = 0
        if gv is not None:
            out = self.v.backward(gv)
        if gm is not None:
            out = out + self.m.backward(gm)
        return out


class _MaxMin(Node):
    """max/min over all elements: gradient split evenly among ties (as torch)."""

    fn = None
    _op = None

    def forward(self, a):
        self._name = self._op.capitalize() + "Backward1"
        if a.size == 0:
            raise RuntimeError(
                f"{self._op}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument.")
        out = xp.asarray(self.fn(a))
        self._saved = (a, out)
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        mask = (a == out) | (xp.isnan(a) & xp.isnan(out))
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
        out = xp.asarray((xp.max if is_max else xp.min)(a, axis=axes, keepdims=keepdim))
        self._saved = (a, out)
        self.axes, self.keepdim = axes, keepdim
        self._name = "AmaxBackward0" if is_max else "AminBackward0"
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        o = _expand_grad(out, a.shape, self.axes, self.keepdim)
        g = _expand_grad(g, a.shape, self.axes, self.keepdim)
        mask = a == o
        return mask * (g / mask.sum(axis=self.axes, keepdims=True))


class AMinMax(Node):
    """aminmax: (amin, amax) from one node."""

    _name = "AminmaxBackward0"

    def forward(self, a, axes=None, keepdim=False):
        self.lo, self.hi = AMaxMin(), AMaxMin()
        lo = self.lo.forward(a, axes, keepdim, False)
        hi = self.hi.forward(a, axes, keepdim, True)
        self._saved = (a, lo, hi)
        self._name = "AminmaxBackward0"
        return lo, hi

    def backward(self, glo, ghi):
        a, lo, hi = self.saved_tensors
        out = 0
        if glo is not None:
            self.lo._saved = (a, lo)
            out = self.lo.backward(glo)
        if ghi is not None:
            self.hi._saved = (a, hi)
            out = out + self.hi.backward(ghi)
        return out


class _IndexedReduce(Node):
    """(values, indices) reductions along one dim; gradient goes to the chosen index."""

    n_outputs = 2

    def _finish(self, a, dim, keepdim, idx):
        """``idx``: indices with the reduced dim kept (size 1)."""
        self.shape, self.dim, self.keepdim, self.idx = a.shape, dim, keepdim, idx
        if a.ndim == 0:
            return a.copy(), xp.zeros((), xp.int64)
        vals = xp.take_along_axis(a, idx, dim)
        if not keepdim:
            vals = xp.squeeze(vals, dim)
            idx = xp.squeeze(idx, dim)
        return vals, idx.astype(xp.int64, copy=False)

    def backward(self, g, gi=None):
        if g is None:
            return None
        if not self.shape:
            return g
        gx = xp.zeros(self.shape, dtype=g.dtype)
        if not self.keepdim:
            g = xp.expand_dims(g, self.dim)
        xp.put_along_axis(gx, self.idx, g, self.dim)
        return gx


def _check_dim_nonempty(a, dim, fn):
    if a.ndim and a.shape[dim] == 0:
        raise IndexError(f"{fn}(): Expected reduction dim {dim} to have non-zero size.")


class MaxMinDim(_IndexedReduce):
    """max/min along one dim returning (values, indices)."""

    def forward(self, a, dim, keepdim=False, is_max=True):
        _check_dim_nonempty(a, dim, "max" if is_max else "min")
        self._name = "MaxBackward0" if is_max else "MinBackward0"
        idx = (xp.argmax if is_max else xp.argmin)(a, axis=dim, keepdims=True) if a.ndim \
            else None
        return self._finish(a, dim, keepdim, idx)


def _sorted_idx(a, dim):
    """Stable ascending argsort along ``dim`` with NaN last (as torch)."""
    return xp.argsort(a, axis=dim, kind="stable")


class Median(_IndexedReduce):
    """Lower median along ``dim`` (torch returns the lower of the two middle values)."""

    def forward(self, a, dim, keepdim=False):
        self._name = "MedianBackward1"
        _check_dim_nonempty(a, dim, "median")
        if a.ndim == 0:
            return self._finish(a, dim, keepdim, None)
        order = _sorted_idx(a, dim)
        k = (a.shape[dim] - 1) // 2
        idx = xp.take(order, [k], axis=dim)
        if a.dtype.kind == "f":
            # a NaN anywhere in the slice makes the median NaN (first NaN's index)
            nan = xp.isnan(a)
            has = nan.any(axis=dim, keepdims=True)
            if has.any():
                first = xp.argmax(nan, axis=dim, keepdims=True)
                idx = xp.where(has, first, idx)
        return self._finish(a, dim, keepdim, idx)


class MedianAll(Node):
    """median() of all elements: the lower median; gradient to that element."""

    _name = "MedianBackward0"

    def forward(self, a):
        if a.size == 0:
            return xp.asarray(xp.nan, dtype=a.dtype)
        flat = a.reshape(-1)
        if a.dtype.kind == "f" and xp.isnan(flat).any():
            i = int(xp.argmax(xp.isnan(flat)))
        else:
            i = int(xp.argsort(flat, kind="stable")[(flat.size - 1) // 2])
        self.i, self.shape = i, a.shape
        return flat[i].copy()

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        gx.reshape(-1)[self.i] = g
        return gx


class KthValue(_IndexedReduce):
    def forward(self, a, k, dim, keepdim=False):
        self._name = "KthvalueBackward0"
        size = a.shape[dim] if a.ndim else 1
        if not 1 <= k <= size:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
        if a.ndim == 0:
            return self._finish(a, dim, keepdim, None)
        order = _sorted_idx(a, dim)
        return self._finish(a, dim, keepdim, xp.take(order, [k - 1], axis=dim))


class Mode(_IndexedReduce):
    """Most frequent value along ``dim`` (smallest on ties), index of its last occurrence."""

    def forward(self, a, dim, keepdim=False):
        self._name = "ModeBackward0"
        if a.ndim == 0:
            return self._finish(a, dim, keepdim, None)
        am = xp.moveaxis(a, dim, -1)
        n = am.shape[-1]
        rows = am.reshape(-1, n)
        order = xp.argsort(rows, axis=1, kind="stable")
        s = xp.take_along_axis(rows, order, 1)
        # run lengths of equal values in each sorted row, vectorised
        new_run = xp.ones(s.shape, dtype=bool)
        new_run[:, 1:] = s[:, 1:] != s[:, :-1]
        run_id = xp.cumsum(new_run, axis=1) - 1
        counts = xp.zeros(s.shape, dtype=xp.int64)
        r = xp.repeat(xp.arange(s.shape[0]), n)
        xp.add.at(counts, (r, run_id.reshape(-1)), 1)
        run_count = xp.take_along_axis(counts, run_id, 1)
        best = run_count.max(axis=1, keepdims=True)
        # first (smallest) value with the best count; index of its last occurrence
        is_best = run_count == best
        first_pos = xp.argmax(is_best, axis=1)
        best_run = run_id[xp.arange(s.shape[0]), first_pos]
        last_pos = n - 1 - xp.argmax(xp.flip(run_id == best_run[:, None], 1), axis=1)
        # among equal values the stable sort keeps original order: last in run = last index
        idx_rows = order[xp.arange(s.shape[0]), last_pos]
        idx = idx_rows.reshape(am.shape[:-1] + (1,))
        idx = xp.moveaxis(idx, -1, dim)
        return self._finish(a, dim, keepdim, idx)


class ArgMaxMin(Node):
    differentiable = False

    def forward(self, a, dim=None, keepdim=False, is_max=True):
        f = xp.argmax if is_max else xp.argmin
        if a.size == 0:
            raise RuntimeError(f"{'argmax' if is_max else 'argmin'}(): Expected reduction dim to "
                               "be specified for input.numel() == 0.")
        if dim is None:
            r = f(a)
            return xp.full((1,) * a.ndim, r, dtype=xp.int64) if keepdim else xp.asarray(
                r, dtype=xp.int64)
        if a.ndim == 0:
            return xp.zeros((), xp.int64)
        return f(a, axis=dim, keepdims=keepdim).astype(xp.int64)


class LogSumExp(Node):
    _name = "LogsumexpBackward0"

    def forward(self, a, axes, keepdim=False):
        a = default_float(a)
        if a.ndim == 0:
            axes = ()
        m = xp.max(a, axis=axes, keepdims=True) if a.size else xp.zeros((1,) * a.ndim, a.dtype)
        m = xp.where(xp.isfinite(m), m, 0)
        s = quiet(_lse, a, m, axes)
        self._saved = (a, s)
        self.axes, self.keepdim = axes, keepdim
        return s if keepdim else xp.squeeze(s, axis=axes)

    def backward(self, g):
        a, s = self.saved_tensors
        g = _expand_grad(g, a.shape, self.axes, self.keepdim)
        return g * quiet(_lse_grad, a, s)


def _lse(a, m, axes):
    return xp.log(xp.sum(xp.exp(a - m), axis=axes, keepdims=True)) + m


def _lse_grad(a, s):
    return xp.exp(a - s)   # NaN for all -inf slices, as in torch


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
            out = xp.sum(x != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
        elif p == 1:
            out = xp.sum(x, axis=axes, keepdims=keepdim)
        else:
            out = quiet(_pnorm, x, p, axes, keepdim)
        out = xp.asarray(out, dtype=x.dtype)
        self._saved = (a, out)
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        g = _expand_grad(g, a.shape, self.axes, self.keepdim)
        o = _expand_grad(out, a.shape, self.axes, self.keepdim)
        return quiet(_norm_grad, g, a, o, self.p, self.axes)


def _pnorm(x, p, axes, keepdim):
    return xp.sum(x ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)


def _norm_grad(g, a, o, p, axes):
    if p == 2:
        return xp.where(o == 0, 0, g * a / o)
    if p == 1:
        return g * xp.sign(a)
    if p == 0:
        return xp.zeros_like(a)
    if p in (float("inf"), -float("inf")):
        mask = xp.abs(a) == o
        return g * xp.sign(a) * mask / mask.sum(axis=axes, keepdims=True)
    r = g * xp.sign(a) * xp.abs(a) ** (p - 1) / o ** (p - 1)
    return xp.where(o == 0, 0, r)


class AllAny(Node):
    differentiable = False

    def forward(self, a, axes=None, keepdim=False, is_all=True):
        f = xp.all if is_all else xp.any
        out = xp.asarray(f(a, axis=axes, keepdims=keepdim))
        return out if a.dtype != xp.uint8 else out.astype(xp.uint8)


class CumSum(Node):
    _name = "CumsumBackward0"

    def forward(self, a, dim, dtype=None):
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind in "biu":
            dt = xp.int64
        self.dim = dim
        if a.ndim == 0:
            return a.astype(dt) if dt is not None else a.copy()
        return xp.cumsum(a, axis=dim, dtype=dt)

    def backward(self, g):
        d = self.dim
        if g.ndim == 0:
            return g
        return xp.flip(xp.cumsum(xp.flip(g, d), axis=d), d)


class CumProd(Node):
    _name = "CumprodBackward0"

    def forward(self, a, dim, dtype=None):
        dt = _np_dtype(dtype)
        if dt is None and a.dtype.kind in "biu":
            dt = xp.int64
        if a.ndim == 0:
            out = a.astype(dt) if dt is not None else a.copy()
        else:
            out = xp.cumprod(a, axis=dim, dtype=dt)
        self._saved = (a, out)
        self.dim = dim
        return out

    def backward(self, g):
        a, out = self.saved_tensors
        d = self.dim
        if a.ndim == 0:
            return g
        if xp.all(a != 0):
            return xp.flip(xp.cumsum(xp.flip(g * out, d), axis=d), d) / a
        # With zeros: d out_j / d a_i = prod_{k<=j, k!=i} a_k, summed against g_j for j >= i.
        # Built from exclusive prefix products; O(n^2) along ``dim`` but vectorised.
        n = a.shape[d]
        am = xp.moveaxis(a, d, -1)
        gm = xp.moveaxis(g, d, -1)
        eye = xp.eye(n, dtype=bool)
        # b[..., i, k] = a_k with a_i replaced by 1
        b = xp.where(eye, xp.ones((), a.dtype), am[..., None, :])
        cp = xp.cumprod(b, axis=-1)                            # [..., i, j]
        tri = xp.triu(xp.ones((n, n), dtype=bool))             # j >= i
        res = xp.sum(xp.where(tri, cp * gm[..., None, :], 0), axis=-1)
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
return_aminmax = _return_type("aminmax", ["min", "max"])


# ---- public functions ---------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None):
    return apply(Sum, input, axes=_axes(dim, input.ndim), keepdim=keepdim, dtype=dtype)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    return apply(NanSum, input, axes=_axes(dim, input.ndim), keepdim=keepdim, dtype=dtype)


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


def _var_args(input, dim, unbiased):
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return _axes(dim, input.ndim), unbiased


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    axes, unbiased = _var_args(input, dim, unbiased)
    return apply(Var, input, axes, _correction(unbiased, correction), keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    axes, unbiased = _var_args(input, dim, unbiased)
    return apply(Var, input, axes, _correction(unbiased, correction), keepdim, True)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    axes, unbiased = _var_args(input, dim, unbiased)
    return apply(VarMean, input, axes, _correction(unbiased, correction), keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    axes, unbiased = _var_args(input, dim, unbiased)
    return apply(VarMean, input, axes, _correction(unbiased, correction), keepdim, True)


def _dim_of(input, dim):
    return wrap_dim(dim, input.ndim)


def max(input, dim=None, keepdim=False, *, out=None):
    if isinstance(dim, Tensor):
        from .elementwise import maximum
        return maximum(input, dim)
    if dim is None:
        return apply(Max, input)
    return return_max(*apply(MaxMinDim, input, _dim_of(input, dim), keepdim, True))


def min(input, dim=None, keepdim=False, *, out=None):
    if isinstance(dim, Tensor):
        from .elementwise import minimum
        return minimum(input, dim)
    if dim is None:
        return apply(Min, input)
    return return_min(*apply(MaxMinDim, input, _dim_of(input, dim), keepdim, False))


def amax(input, dim=(), keepdim=False):
    return apply(AMaxMin, input, axes=_axes(dim, input.ndim), keepdim=keepdim, is_max=True)


def amin(input, dim=(), keepdim=False):
    return apply(AMaxMin, input, axes=_axes(dim, input.ndim), keepdim=keepdim, is_max=False)


def aminmax(input, *, dim=None, keepdim=False):
    return return_aminmax(*apply(AMinMax, input, _axes(dim, input.ndim), keepdim))


def median(input, dim=None, keepdim=False):
    if dim is None:
        return apply(MedianAll, input)
    return return_median(*apply(Median, input, _dim_of(input, dim), keepdim))


def kthvalue(input, k, dim=-1, keepdim=False):
    return return_kthvalue(*apply(KthValue, input, k, _dim_of(input, dim), keepdim))


def mode(input, dim=-1, keepdim=False):
    return return_mode(*apply(Mode, input, _dim_of(input, dim), keepdim))


def argmax(input, dim=None, keepdim=False, *, axis=None):
    dim = axis if dim is None else dim  # torch accepts NumPy's `axis` as an alias of dim
    d = None if dim is None else wrap_dim(dim, input.ndim)
    return apply(ArgMaxMin, input, d, keepdim, True)


def argmin(input, dim=None, keepdim=False, *, axis=None):
    dim = axis if dim is None else dim  # torch accepts NumPy's `axis` as an alias of dim
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
    if x._data.dtype.kind not in "fc":
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
