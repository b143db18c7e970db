"""torch.* functions and Tensor methods that ordinary user code calls, found missing by the
compatibility corpus (tests/compat).  Nearly all are composites of existing ops, so autograd
comes from those; ``attach()`` adds the Tensor methods that are not defined elsewhere.
"""
import builtins
import math

from ._tensor import Tensor, _wrap
from .backends import xp
from . import _creation
from .ops import elementwise as E
from .ops import reduction as R
from .ops import shape as S
from .ops import indexing as I
from .ops import linalg as LA
from .ops.reduction import _return_type
from . import linalg as _linalg
from . import special as _special


def _F():
    from .nn import functional
    return functional


# ---- torch.* aliases of nn.functional (torch's own argument orders) -------------------------
def softmax(input, dim, dtype=None):
    return _F().softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    return _F().log_softmax(input, dim, dtype=dtype)


def dropout(input, p, train):
    return _F().dropout(input, p, train)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv2d(input, weight, bias, stride, padding, dilation, groups)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled=True):
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                           eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return _F().embedding(indices, weight, None if padding_idx < 0 else padding_idx)


# ---- shape / construction ------------------------------------------------------------------
def dstack(tensors):
    ts = [S.atleast_2d(t) for t in tensors]
    ts = [S.unsqueeze(t, -1) if t.ndim == 2 else t for t in ts]
    return S.cat(ts, 2)


def ravel(input):
    return S.reshape(input.contiguous(), (-1,))


def rot90(input, k=1, dims=(0, 1)):
    d0, d1 = dims
    k %= 4
    if k == 1:
        return S.transpose(S.flip(input, (d1,)), d0, d1)
    if k == 2:
        return S.flip(input, (d0, d1))
    if k == 3:
        return S.flip(S.transpose(input, d0, d1), (d1,))
    return input.clone()


def diff(input, n=1, dim=-1, prepend=None, append=None):
    parts = [p for p in (prepend, input, append) if p is not None]
    x = S.cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        m = x.shape[dim]
        a, b = S.narrow(x, dim, 1, m - 1), S.narrow(x, dim, 0, m - 1)
        x = E.logical_xor(a, b) if x._data.dtype == bool else a - b
    return x


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = list(tensors)
    xy = indexing == "xy" and len(ts) >= 2
    if xy:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t.numel() for t in ts]
    out = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        out.append(S.broadcast_to(S.reshape(t, view), shape))
    if xy:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = xp.tril_indices(row, offset, col)
    return _wrap(xp.stack([r, c]).astype(xp.int64))


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = xp.triu_indices(row, offset, col)
    return _wrap(xp.stack([r, c]).astype(xp.int64))


def cartesian_prod(*tensors):
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return S.stack([S.reshape(g, (-1,)) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    import itertools
    n = input.numel()
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = xp.asarray(list(pick(range(n), r)), dtype=xp.int64).reshape(-1, r)
    return I.index_select(input, 0, _wrap(idx.reshape(-1))).reshape(-1, r)


def block_diag(*tensors):
    ts = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    ts = [t.reshape(1, 1) if t.ndim == 2 and t.numel() == 1 and t.shape == (1, 1) else t
          for t in ts]
    from ._dtype import _promote_all
    dt = _promote_all([t.dtype for t in ts]) if len(ts) > 1 else ts[0].dtype
    cols = builtins.sum(t.shape[1] for t in ts)
    rows = []
    c = 0
    for t in ts:
        t = t.to(dt)
        left = _creation.zeros(t.shape[0], c, dtype=dt)
        right = _creation.zeros(t.shape[0], cols - c - t.shape[1], dtype=dt)
        rows.append(S.cat([left, t, right], 1))
        c += t.shape[1]
    return S.cat(rows, 0)


def kron(input, other):
    a, b = input, other
    nd = builtins.max(a.ndim, b.ndim)
    a = a.reshape((1,) * (nd - a.ndim) + tuple(a.shape))
    b = b.reshape((1,) * (nd - b.ndim) + tuple(b.shape))
    ai = []
    bi = []
    for d in range(nd):
        ai += [a.shape[d], 1]
        bi += [1, b.shape[d]]
    out = a.reshape(ai) * b.reshape(bi)
    return out.reshape([a.shape[d] * b.shape[d] for d in range(nd)])


def cross(input, other, dim=None):
    if dim is None:
        dim = next(i for i, s in enumerate(input.shape) if s == 3)
    return _linalg.cross(input, other, dim=dim)


# ---- math ------------------------------------------------------------------------------------
def cdist(x1, x2, p=2.0, compute_mode=None):
    d = S.unsqueeze(x1, -2) - S.unsqueeze(x2, -3)
    if p == 2.0:
        return E.sqrt(R.sum(d * d, -1))
    return _linalg.vector_norm(d, p, -1)


def dist(input, other, p=2):
    return _linalg.vector_norm(input - other, p)


def histc(input, bins=100, min=0, max=0):
    a = input._data
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = xp.histogram(a, bins=bins, range=(lo, hi))
    return _wrap(counts.astype(a.dtype))


def trapezoid(y, x=None, *, dx=None, dim=-1):
    n = y.shape[dim]
    mid = (S.narrow(y, dim, 1, n - 1) + S.narrow(y, dim, 0, n - 1)) * 0.5
    if x is None:
        return R.sum(mid, dim) * (1 if dx is None else dx)
    return R.sum(mid * diff(x, dim=dim), dim)


trapz = trapezoid


def bucketize(input, boundaries, *, out_int32=False, right=False):
    return I.searchsorted(boundaries, input, out_int32=out_int32, right=right)


def heaviside(input, values):
    zero = input == 0
    return E.where(zero, values.to(input.dtype), (input > 0).to(input.dtype))


def hypot(input, other):
    return E.sqrt(input * input + other * other)


def deg2rad(input):
    return input * (math.pi / 180)


def rad2deg(input):
    return input * (180 / math.pi)


def addcmul(input, tensor1, tensor2, *, value=1):
    return input + value * (tensor1 * tensor2)


def addcdiv(input, tensor1, tensor2, *, value=1):
    return input + value * (tensor1 / tensor2)


def logit(input, eps=None):
    return _special.logit(input, eps)


def xlogy(input, other):
    return _special.xlogy(input, other)


def sinc(input):
    return _special.sinc(input)


def i0(input):
    return _special.i0(input)


def lgamma(input):
    return _special.gammaln(input)


def digamma(input):
    return _special.digamma(input)


def polygamma(n, input):
    return _special.polygamma(n, input)


def det(input):
    return _linalg.det(input)


def logdet(input):
    return E.log(_linalg.det(input))


def slogdet(input):
    sign, logabsdet = _linalg.slogdet(input)
    return _return_type("slogdet", ["sign", "logabsdet"])(sign, logabsdet)


def inverse(input):
    return _linalg.inv(input)


def matrix_exp(input):
    return _linalg.matrix_exp(input)


def matrix_power(input, n):
    return _linalg.matrix_power(input, n)


def cholesky_solve(B, L, upper=False):
    Lm = S.transpose(L, -2, -1) if upper else L
    return _linalg.solve(LA.matmul(Lm, S.transpose(Lm, -2, -1)), B)


def svd(input, some=True, compute_uv=True):
    u, s, vh = _linalg.svd(input, full_matrices=not some)
    return _return_type("svd", ["U", "S", "V"])(u, s, S.transpose(vh, -2, -1))


def qr(input, some=True):
    q, r = _linalg.qr(input, "reduced" if some else "complete")
    return _return_type("qr", ["Q", "R"])(q, r)


def cummax(input, dim):
    return _cum(input, dim, xp.maximum, "cummax")


def cummin(input, dim):
    return _cum(input, dim, xp.minimum, "cummin")


def _cum(input, dim, ufunc, name):
    """Running max/min: values by accumulate; indices = last position where the value was met."""
    a = input._data
    d = dim % builtins.max(a.ndim, 1)
    vals = ufunc.accumulate(a, axis=d) if a.ndim else a.copy()
    pos = xp.arange(a.shape[d] if a.ndim else 1).reshape(
        [-1 if i == d else 1 for i in range(a.ndim)])
    hit = xp.where(a == vals, pos, 0) if a.ndim else xp.zeros((), xp.int64)
    idx = xp.maximum.accumulate(hit, axis=d).astype(xp.int64) if a.ndim else hit
    idx_t = _wrap(idx)
    values = I.gather(input, d, idx_t) if a.ndim else input.clone()
    return _return_type(name, ["values", "indices"])(values, idx_t)


# ---- dtype info -------------------------------------------------------------------------------
class finfo:
    """Machine limits of a floating dtype (torch.finfo)."""

    def __init__(self, type=None):
        from ._dtype import get_default_dtype
        d = type if type is not None else get_default_dtype()
        fi = xp.finfo(d.np)
        self.bits = int(fi.bits)
        self.eps = float(fi.eps)
        self.max = float(fi.max)
        self.min = float(fi.min)
        self.tiny = float(fi.tiny)
        self.smallest_normal = float(fi.smallest_normal)
        self.resolution = float(fi.resolution)
        self.dtype = str(d).replace("torch.", "")

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (torch.iinfo)."""

    def __init__(self, type):
        ii = xp.iinfo(type.np)
        self.bits = int(ii.bits)
        self.max = int(ii.max)
        self.min = int(ii.min)
        self.dtype = str(type).replace("torch.", "")

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


# ---- Tensor methods --------------------------------------------------------------------------
def index_put_(self, indices, values, accumulate=False):
    if not isinstance(values, Tensor):
        values = _creation.tensor(values, dtype=self.dtype)
    if not accumulate:
        S.setitem(self, tuple(indices), values)
        return self
    idx = [i._data for i in indices]
    flat = xp.ravel_multi_index(xp.broadcast_arrays(*idx), self.shape[:len(idx)])
    inner = int(xp.prod(self.shape[len(idx):])) if len(idx) < self.ndim else 1
    if inner == 1:
        vals = S.broadcast_to(values.to(self.dtype), flat.shape).reshape(-1)
        target = self.view(-1)
        target.index_add_(0, _wrap(flat.reshape(-1).astype(xp.int64)), vals)
    else:
        rows = self.view(-1, *self.shape[len(idx):])
        vals = S.broadcast_to(values.to(self.dtype), flat.shape + tuple(self.shape[len(idx):]))
        rows.index_add_(0, _wrap(flat.reshape(-1).astype(xp.int64)),
                        vals.reshape(-1, *self.shape[len(idx):]))
    return self


def index_put(self, indices, values, accumulate=False):
    return index_put_(self.clone(), indices, values, accumulate)


def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
    d = dim % self.ndim
    a = self._data.copy()
    ix = index._data
    grids = list(xp.indices(ix.shape, sparse=True))
    grids[d] = ix
    tgt = tuple(grids)
    s = src._data[tuple(slice(0, n) for n in ix.shape)]
    if reduce == "sum":
        if not include_self:
            a[tgt] = 0
        xp.add.at(a, tgt, s)
    elif reduce == "prod":
        if not include_self:
            a[tgt] = 1
        xp.multiply.at(a, tgt, s)
    elif reduce in ("amax", "amin"):
        uf = xp.maximum if reduce == "amax" else xp.minimum
        if not include_self:
            a[tgt] = s.min() if reduce == "amax" and False else (
                -xp.inf if reduce == "amax" else xp.inf) if a.dtype.kind == "f" else s[0]
        uf.at(a, tgt, s)
    elif reduce == "mean":
        cnt = xp.ones_like(a) if include_self else xp.zeros_like(a)
        if not include_self:
            a[tgt] = 0
        xp.add.at(a, tgt, s)
        xp.add.at(cnt, tgt, 1)
        a = a / xp.maximum(cnt, 1) if a.dtype.kind == "f" else a // xp.maximum(cnt, 1)
        a = a.astype(self._data.dtype)
    else:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    return _wrap(a)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    out = scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    self._data[...] = out._data
    self._version[0] += 1
    return self


def fill_diagonal_(self, fill_value, wrap=False):
    a = self._data
    n = builtins.min(a.shape)
    if a.ndim == 2 and wrap and a.shape[0] > a.shape[1] + 1:
        flat = a.reshape(-1)
        flat[::a.shape[1] + 1] = fill_value
    elif a.ndim == 2:
        a[xp.arange(n), xp.arange(n)] = fill_value
    else:
        a[(xp.arange(n),) * a.ndim] = fill_value
    self._version[0] += 1
    return self


def unfold(self, dimension, size, step):
    """View of all length-``size`` slices along ``dimension`` taken every ``step`` elements."""
    d = dimension % builtins.max(self.ndim, 1)
    n = (self.shape[d] - size) // step + 1
    idx = (xp.arange(n)[:, None] * step + xp.arange(size)[None, :]).reshape(-1)
    picked = I.index_select(self, d, _wrap(idx.astype(xp.int64)))
    shp = list(self.shape)
    shp[d:d + 1] = [n, size]
    return S.movedim(picked.reshape(shp), d + 1, -1)


def map_(self, tensor, callable):
    a = self._data
    b = xp.broadcast_to(tensor._data, a.shape)
    flat_a = a.reshape(-1)
    flat_b = b.reshape(-1)
    for i in range(flat_a.size):
        flat_a[i] = callable(flat_a[i].item(), flat_b[i].item())
    if not xp.shares_memory(flat_a, a):
        a[...] = flat_a.reshape(a.shape)
    self._version[0] += 1
    return self


def as_strided(self, size, stride, storage_offset=None):
    """A view of this tensor's memory block with the given sizes and strides (in elements),
    addressed from the block's start as torch addresses its storage (no autograd)."""
    block = self._data
    while isinstance(block.base, xp.ndarray):
        block = block.base
    if not block.flags.c_contiguous:
        raise RuntimeError("as_strided: the tensor's memory block is not contiguous")
    off = self.storage_offset() if storage_offset is None else storage_offset
    item = self._data.itemsize
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    last = off + sum((n - 1) * st for n, st in zip(size, stride) if n > 0)
    if off < 0 or any(st < 0 for st in stride) or last * item >= block.nbytes:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {off} "
            f"require a storage of {(last + 1) * item} bytes, but the storage has "
            f"{block.nbytes} bytes")
    arr = xp.ndarray(size, dtype=self._data.dtype, buffer=block, offset=off * item,
                     strides=tuple(st * item for st in stride))
    out = _wrap(arr)
    out._base = self if self._base is None else self._base
    out._version = self._version
    return out


_METHODS = {
    "addcmul": addcmul, "addcdiv": addcdiv, "as_strided": as_strided,
    "cholesky_solve": cholesky_solve, "cross": cross, "cummax": cummax, "cummin": cummin,
    "deg2rad": deg2rad, "rad2deg": rad2deg, "det": det, "diff": diff, "digamma": digamma,
    "dist": dist, "fill_diagonal_": fill_diagonal_, "heaviside": heaviside, "histc": histc,
    "hypot": hypot, "i0": i0, "index_put_": index_put_, "index_put": index_put,
    "inverse": inverse, "kron": kron, "lgamma": lgamma, "logdet": logdet, "logit": logit,
    "map_": map_, "matrix_exp": matrix_exp, "matrix_power": matrix_power,
    "polygamma": lambda self, n: polygamma(n, self), "qr": qr, "ravel": ravel, "rot90": rot90,
    "scatter_reduce": scatter_reduce, "scatter_reduce_": scatter_reduce_, "sinc": sinc,
    "slogdet": slogdet, "svd": svd, "unfold": unfold, "xlogy": xlogy,
}


def attach():
    for name, fn in _METHODS.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)


attach()

__all__ = ["softmax", "log_softmax", "dropout", "conv1d", "conv2d", "max_pool2d", "batch_norm",
           "layer_norm", "embedding", "dstack", "ravel", "rot90", "diff", "meshgrid",
           "tril_indices", "triu_indices", "cartesian_prod", "combinations", "block_diag", "kron",
           "cross", "cdist", "dist", "histc", "trapezoid", "trapz", "bucketize", "heaviside",
           "hypot", "deg2rad", "rad2deg", "addcmul", "addcdiv", "logit", "xlogy", "sinc", "i0",
           "lgamma", "digamma", "polygamma", "det", "logdet", "slogdet", "inverse",
           "matrix_exp", "matrix_power", "cholesky_solve", "svd", "qr", "cummax", "cummin",
           "finfo", "iinfo"]
