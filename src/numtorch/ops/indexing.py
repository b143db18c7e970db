"""Indexing ops: gather/scatter, index_select, masked_fill/masked_select, sort/topk,
tril/triu, nonzero ..."""
from ..backends import xp

from ..autograd.graph import Node, apply
from .._tensor import Tensor, _wrap
from .. import _dtype
from ._utils import wrap_dim, shape_str, promote
from .reduction import return_sort, return_topk

_ndarray = xp.ndarray


def _check_index_dtype(idx, fn):
    if idx.dtype != xp.int64:
        raise RuntimeError(f"{fn}(): Expected dtype int64 for index")


def _check_gather_shapes(a, idx, dim, fn):
    if a.ndim != idx.ndim and not (a.ndim == 0 and idx.ndim <= 1) \
            and not (idx.ndim == 0 and a.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(idx.ndim):
        if d != dim and idx.shape[d] > (a.shape[d] if a.ndim else 1):
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {shape_str(idx.shape)} to "
                f"be no larger than self {shape_str(a.shape)} apart from dimension {dim}")
    size = a.shape[dim] if a.ndim else 1
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx[(idx < -size) | (idx >= size)].reshape(-1)[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _gather_np(a, idx, dim):
    """a.gather(dim, idx) where idx may be smaller than a in the other dims."""
    if a.ndim == 0:
        return a.reshape(()).copy() if idx.ndim == 0 else xp.full(idx.shape, a)
    sl = tuple(slice(0, s) for s in idx.shape)
    sl = sl[:dim] + (slice(None),) + sl[dim + 1:]
    return xp.take_along_axis(a[sl], idx, dim)


class Gather(Node):
    def forward(self, a, idx, dim):
        _check_index_dtype(idx, "gather")
        _check_gather_shapes(a, idx, dim, "gather")
        self.shape, self.dim, self.idx = a.shape, dim, idx
        return _gather_np(a, idx, dim)

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        _scatter_add_np(gx, self.idx, g, self.dim)
        return gx, None


def _full_index(idx, dim):
    """Open-mesh index arrays that address ``idx``'s positions along every dim but ``dim``."""
    grids = list(xp.ogrid[tuple(slice(0, s) for s in idx.shape)])
    grids[dim] = idx
    return tuple(grids)


def _scatter_add_np(out, idx, src, dim):
    if out.ndim == 0:
        out[...] += src.sum()
        return
    src = src[tuple(slice(0, s) for s in idx.shape)]
    xp.add.at(out, _full_index(idx, dim), src)


class Scatter(Node):
    def forward(self, a, idx, src, dim, reduce=None):
        _check_index_dtype(idx, "scatter")
        self.dim, self.idx = dim, idx
        out = a.copy()
        if out.ndim == 0:
            out[...] = src.reshape(-1)[0] if xp.ndim(src) else src
            return out
        s = src[tuple(slice(0, n) for n in idx.shape)] if type(src) is _ndarray and src.ndim \
            else src
        full = _full_index(idx, dim)
        if reduce is None:
            out[full] = s
        elif reduce == "add":
            xp.add.at(out, full, s)
        elif reduce == "multiply":
            xp.multiply.at(out, full, s)
        else:
            raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
        self.reduce = reduce
        return out

    def backward(self, g):
        n = self.needs_input_grad
        ga = gs = None
        full = _full_index(self.idx, self.dim) if g.ndim else ()
        if n[0]:
            ga = g.copy()
            if self.reduce is None:
                ga[full] = 0
        if len(n) > 2 and n[2]:
            gs = g[full] if g.ndim else g
        return ga, None, gs


class ScatterValue(Scatter):
    _name = "ScatterBackward1"


class ScatterAdd(Node):
    def forward(self, a, idx, src, dim):
        _check_index_dtype(idx, "scatter_add")
        out = a.copy()
        self.dim, self.idx = dim, idx
        _scatter_add_np(out, idx, src, dim)
        return out

    def backward(self, g):
        n = self.needs_input_grad
        gs = None
        if len(n) > 2 and n[2]:
            gs = _gather_np(g, self.idx, self.dim)
        return (g if n[0] else None), None, gs


class IndexSelect(Node):
    def forward(self, a, idx, dim):
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        if idx.dtype.kind not in "iu":
            raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
        size = a.shape[dim] if a.ndim else 1
        if idx.size and (idx.min() < -size or idx.max() >= size):
            raise IndexError("index out of range in self")
        self.shape, self.dim, self.idx = a.shape, dim, idx.reshape(-1)
        if a.ndim == 0:
            return a.copy()
        return xp.take(a, self.idx, axis=dim)

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        if not self.shape:
            return g, None
        idx = [slice(None)] * len(self.shape)
        idx[self.dim] = self.idx
        xp.add.at(gx, tuple(idx), g)
        return gx, None


class IndexAdd(Node):
    def forward(self, a, idx, src, dim, alpha=1):
        out = a.copy()
        self.dim, self.idx, self.alpha = dim, idx.reshape(-1), alpha
        ix = [slice(None)] * a.ndim
        ix[dim] = self.idx
        xp.add.at(out, tuple(ix), src * alpha if alpha != 1 else src)
        return out

    def backward(self, g):
        n = self.needs_input_grad
        gs = None
        if n[2]:
            gs = xp.take(g, self.idx, axis=self.dim)
            if self.alpha != 1:
                gs = gs * self.alpha
        return (g if n[0] else None), None, gs


class IndexCopy(Node):
    def forward(self, a, idx, src, dim):
        out = a.copy()
        self.dim, self.idx = dim, idx.reshape(-1)
        ix = [slice(None)] * a.ndim
        ix[dim] = self.idx
        self.ix = tuple(ix)
        out[self.ix] = src
        return out

    def backward(self, g):
        n = self.needs_input_grad
        ga = gs = None
        if n[0]:
            ga = g.copy()
            ga[self.ix] = 0
        if n[2]:
            gs = g[self.ix]
        return ga, None, gs


class IndexFill(Node):
    def forward(self, a, idx, value, dim):
        out = a.copy()
        ix = [slice(None)] * a.ndim
        ix[dim] = idx.reshape(-1)
        self.ix = tuple(ix)
        out[self.ix] = value
        return out

    def backward(self, g):
        ga = g.copy()
        ga[self.ix] = 0
        gv = None
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gv = g[self.ix].sum()
        return ga, None, gv


class MaskedFill(Node):
    def forward(self, a, mask, value):
        if type(mask) is not _ndarray or mask.dtype != xp.bool_:
            raise RuntimeError(
                "masked_fill_ only supports boolean masks, but got mask with dtype "
                + (_dtype._FROM_NP[mask.dtype].name if type(mask) is _ndarray else
                   type(mask).__name__))
        if type(value) is _ndarray and value.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s).")
        try:
            m = xp.broadcast_to(mask, xp.broadcast_shapes(a.shape, mask.shape))
        except ValueError:
            from ._utils import check_broadcast
            check_broadcast(a.shape, mask.shape)
            raise
        self.save_for_backward(m)
        out = xp.where(m, xp.asarray(value, dtype=a.dtype), a)
        return out

    def backward(self, g):
        m, = self.saved_tensors
        n = self.needs_input_grad
        gv = None
        if len(n) > 2 and n[2]:
            gv = xp.where(m, g, 0).sum()
        return (xp.where(m, 0, g) if n[0] else None), None, gv


class MaskedSelect(Node):
    def forward(self, a, mask):
        if mask.dtype != xp.bool_:
            raise RuntimeError(
                "masked_select: expected BoolTensor for mask")
        shape = xp.broadcast_shapes(a.shape, mask.shape)
        self.shape = a.shape
        self.bshape = shape
        self.m = xp.broadcast_to(mask, shape)
        return xp.broadcast_to(a, shape)[self.m]

    def backward(self, g):
        gx = xp.zeros(self.bshape, dtype=g.dtype)
        gx[self.m] = g
        return gx, None


class MaskedScatter(Node):
    def forward(self, a, mask, src):
        m = xp.broadcast_to(mask, a.shape)
        out = a.copy()
        k = int(m.sum())
        out[m] = src.reshape(-1)[:k]
        self.m, self.k, self.src_shape = m, k, src.shape
        return out

    def backward(self, g):
        n = self.needs_input_grad
        gs = None
        if n[2]:
            flat = xp.zeros(int(xp.prod(self.src_shape)), dtype=g.dtype)
            flat[:self.k] = g[self.m]
            gs = flat.reshape(self.src_shape)
        return (xp.where(self.m, 0, g) if n[0] else None), None, gs


class Sort(Node):
    def forward(self, a, dim, descending=False, stable=False):
        self.dim = dim
        if a.ndim == 0:
            self.idx = xp.zeros((), xp.int64)
            return a.copy(), self.idx
        key = -a if descending and a.dtype.kind in "fiu" and a.dtype.kind != "u" else a
        if descending and a.dtype.kind in "ub":
            idx = xp.flip(xp.argsort(xp.flip(a, dim), axis=dim, kind="stable"), dim)
            idx = a.shape[dim] - 1 - idx
        else:
            idx = xp.argsort(key, axis=dim, kind="stable")
        if descending and a.dtype.kind == "f":
            # NaN sorts first when descending, last when ascending (as torch)
            pass
        self.idx = idx
        self.shape = a.shape
        return xp.take_along_axis(a, idx, dim), idx.astype(xp.int64)

    def backward(self, g, gi=None):
        if g is None:
            return None
        if not self.idx.ndim:
            return g
        gx = xp.zeros(self.shape, dtype=g.dtype)
        xp.put_along_axis(gx, self.idx, g, self.dim)
        return gx


class TopK(Node):
    def forward(self, a, k, dim, largest=True, sorted=True):
        size = a.shape[dim] if a.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError("selected index k out of range")
        self.dim, self.shape = dim, a.shape
        if a.ndim == 0:
            self.idx = xp.zeros((), xp.int64)
            return a.copy(), self.idx
        key = -a if largest else a
        if a.dtype.kind in "ub" and largest:
            key = -(a.astype(xp.int64))
        idx = xp.argsort(key, axis=dim, kind="stable")
        idx = xp.take(idx, xp.arange(k), axis=dim)
        self.idx = idx
        return xp.take_along_axis(a, idx, dim), idx.astype(xp.int64)

    def backward(self, g, gi=None):
        if g is None:
            return None
        if not self.idx.ndim:
            return g
        gx = xp.zeros(self.shape, dtype=g.dtype)
        xp.put_along_axis(gx, self.idx, g, self.dim)
        return gx


class Tril(Node):
    def forward(self, a, diagonal=0):
        if a.ndim < 2:
            raise RuntimeError("tril: input tensor must have at least 2 dimensions")
        self.k = diagonal
        return xp.tril(a, diagonal)

    def backward(self, g):
        return xp.tril(g, self.k)


class Triu(Node):
    def forward(self, a, diagonal=0):
        if a.ndim < 2:
            raise RuntimeError("triu: input tensor must have at least 2 dimensions")
        self.k = diagonal
        return xp.triu(a, diagonal)

    def backward(self, g):
        return xp.triu(g, self.k)


class Diag(Node):
    def forward(self, a, diagonal=0):
        if a.ndim not in (1, 2):
            raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + str(a.ndim) + "D")
        self.k, self.shape = diagonal, a.shape
        return xp.diag(a, diagonal).copy()

    def backward(self, g):
        if len(self.shape) == 1:
            return xp.diag(g, self.k).copy()
        gx = xp.zeros(self.shape, dtype=g.dtype)
        n = g.shape[0]
        r = xp.arange(n)
        if self.k >= 0:
            gx[r, r + self.k] = g
        else:
            gx[r - self.k, r] = g
        return gx


class Nonzero(Node):
    differentiable = False

    def forward(self, a):
        return xp.stack(xp.nonzero(a), axis=1).astype(xp.int64) if a.ndim else \
            xp.zeros((1 if a else 0, 0), xp.int64)


# ---- public functions -------------------------------------------------------------------
def gather(input, dim, index, *, sparse_grad=False):
    return apply(Gather, input, index, wrap_dim(dim, input.ndim))


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = wrap_dim(dim, input.ndim)
    shp = xp.broadcast_shapes(
        tuple(s for i, s in enumerate(input.shape) if i != d),
        tuple(s for i, s in enumerate(indices.shape) if i != d))
    ishape = list(shp)
    ishape.insert(d, input.shape[d])
    xshape = list(shp)
    xshape.insert(d, indices.shape[d])
    return gather(input.expand(*ishape), d, indices.expand(*xshape))


def take(input, index):
    return gather(input.reshape(-1), 0, index.reshape(-1)).reshape(index.shape)


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    s = src if src is not None else value
    d = wrap_dim(dim, input.ndim)
    if isinstance(s, (int, float, bool)):
        return apply(ScatterValue, input, index, s, dim=d, reduce=reduce)
    return apply(Scatter, input, index, s, dim=d, reduce=reduce)


def scatter_add(input, dim, index, src):
    return apply(ScatterAdd, input, index, src, dim=wrap_dim(dim, input.ndim))


def index_select(input, dim, index):
    return apply(IndexSelect, input, index, wrap_dim(dim, input.ndim))


def index_add(input, dim, index, source, *, alpha=1):
    return apply(IndexAdd, input, index, source, dim=wrap_dim(dim, input.ndim), alpha=alpha)


def index_copy(input, dim, index, source):
    return apply(IndexCopy, input, index, source, dim=wrap_dim(dim, input.ndim))


def index_fill(input, dim, index, value):
    return apply(IndexFill, input, index, value, dim=wrap_dim(dim, input.ndim))


def masked_fill(input, mask, value):
    return apply(MaskedFill, input, mask, value)


def masked_select(input, mask):
    return apply(MaskedSelect, input, mask)


def masked_scatter(input, mask, source):
    return apply(MaskedScatter, input, mask, source)


def sort(input, dim=-1, descending=False, stable=False):
    d = wrap_dim(dim, input.ndim)
    return return_sort(*apply(Sort, input, d, descending, stable))


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable)[1]


def msort(input):
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True):
    d = wrap_dim(dim, input.ndim)
    return return_topk(*apply(TopK, input, k, d, largest, sorted))


def tril(input, diagonal=0):
    return apply(Tril, input, diagonal)


def triu(input, diagonal=0):
    return apply(Triu, input, diagonal)


def diag(input, diagonal=0):
    return apply(Diag, input, diagonal)


def nonzero(input, *, as_tuple=False):
    r = apply(Nonzero, input)
    if as_tuple:
        if input.ndim == 0:
            return (r.reshape(-1),)
        return tuple(r[:, i] for i in range(r.shape[1]))
    return r


def argwhere(input):
    return nonzero(input)
