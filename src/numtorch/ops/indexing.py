"""Indexing ops: gather/scatter, index_select, masked_fill/masked_select, sort/topk,
tril/triu, nonzero ..."""
from ..backends import xp

from ..autograd.graph import Node, apply
from .._tensor import Tensor, _wrap
from .. import _dtype
from ._utils import wrap_dim, shape_str
from .reduction import return_sort, return_topk

_ndarray = xp.ndarray


def _check_index_dtype(idx, fn):
    if idx.dtype != xp.int64 and idx.dtype != xp.int32:
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index")


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
        if reduce is not None:
            self._name = "torch::autograd::NotImplemented"
        self.dim, self.idx = dim, idx
        self.src_shape = xp.shape(src)
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
        if self.reduce is not None:
            raise RuntimeError("the derivative for 'scatter' with reduce is not implemented.")
        n = self.needs_input_grad
        ga = gs = None
        full = _full_index(self.idx, self.dim) if g.ndim else ()
        if n[0]:
            ga = g.copy()
            if self.reduce is None:
                ga[full] = 0
        if len(n) > 2 and n[2]:
            gs = _pad_to(g[full] if g.ndim else g, self.src_shape)
        return ga, None, gs


def _pad_to(g, shape):
    """``g`` (the shape of an index) zero-padded up to ``shape`` (the source's)."""
    if g.shape == tuple(shape):
        return g
    out = xp.zeros(shape, g.dtype)
    out[tuple(slice(0, s) for s in g.shape)] = g
    return out


class ScatterValue(Scatter):
    _name = "ScatterBackward1"


class ScatterAdd(Node):
    def forward(self, a, idx, src, dim):
        _check_index_dtype(idx, "scatter_add")
        self.src_shape = src.shape
        out = a.copy()
        self.dim, self.idx = dim, idx
        _scatter_add_np(out, idx, src, dim)
        return out

    def backward(self, g):
        n = self.needs_input_grad
        gs = None
        if len(n) > 2 and n[2]:
            gs = _pad_to(_gather_np(g, self.idx, self.dim), self.src_shape)
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
        if type(value) is _ndarray:
            self._name = "MaskedFillBackward1"
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
    def forward(self, a, dim, descending=False, stable=None):
        if stable is not None:
            self._name = "SortBackward1"
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
    _name = "TopkBackward0"

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


class Diagonal(Node):
    """diagonal(offset, dim1, dim2): a view in torch; a copy here (NumPy's is read-only)."""

    def forward(self, a, offset=0, dim1=0, dim2=1, name="DiagonalBackward0"):
        self._name = name
        self.geom = (offset, dim1, dim2)
        self.shape = a.shape
        return xp.diagonal(a, offset, dim1, dim2).copy()

    def backward(self, g):
        offset, d1, d2 = self.geom
        gx = xp.zeros(self.shape, dtype=g.dtype)
        v = xp.diagonal(gx, offset, d1, d2)
        v.flags.writeable = True   # a view of gx: writes land on its diagonal
        v[...] = g
        return gx


class DiagEmbed(Node):
    """diag_embed(offset, dim1, dim2): last dim of ``a`` placed on a diagonal of new dims."""

    def forward(self, a, offset=0, dim1=-2, dim2=-1):
        nd = a.ndim + 1
        d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
        if d1 == d2:
            raise RuntimeError("diagonal dimensions cannot be identical " + f"{dim1}, {dim2}")
        n = a.shape[-1] + abs(offset)
        rest = list(a.shape[:-1])
        shape = []
        it = iter(rest)
        for i in range(nd + 1 - 1):
            shape.append(n if i in (d1, d2) else next(it))
        out = xp.zeros(shape, dtype=a.dtype)
        v = xp.diagonal(out, offset, d1, d2)
        v.flags.writeable = True
        v[...] = a
        self.geom = (offset, d1, d2)
        return out

    def backward(self, g):
        offset, d1, d2 = self.geom
        return xp.diagonal(g, offset, d1, d2).copy()


class Trace(Node):
    def forward(self, a):
        if a.ndim != 2:
            raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(a.ndim))
        self.shape = a.shape
        dt = xp.int64 if a.dtype.kind in "biu" else None
        return xp.asarray(xp.trace(a, dtype=dt))

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        n = min(self.shape)
        gx[xp.arange(n), xp.arange(n)] = g
        return gx


class Take(Node):
    def forward(self, a, idx):
        size = a.size
        if idx.size and (idx.min() < -size or idx.max() >= size):
            bad = idx[(idx < -size) | (idx >= size)].reshape(-1)[0]
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {size} "
                             "elements.")
        self.shape, self.idx = a.shape, idx
        return a.reshape(-1)[idx]

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        xp.add.at(gx.reshape(-1), self.idx, g)
        return gx, None


class RepeatInterleave(Node):
    """repeat_interleave with an int count: each slice along ``dim`` repeated ``r`` times."""

    _name = "ViewBackward0"

    def forward(self, a, r, dim):
        self.r, self.dim, self.shape = r, dim, a.shape
        return xp.repeat(a, r, axis=dim)

    def backward(self, g):
        d = self.dim
        shape = self.shape[:d] + (self.shape[d], self.r) + self.shape[d + 1:]
        return g.reshape(shape).sum(axis=d + 1)


class RepeatInterleaveIdx(Node):
    differentiable = False

    def forward(self, r):
        return xp.repeat(xp.arange(r.shape[0], dtype=xp.int64), r)


class Unique(Node):
    """torch.unique: recorded (Unique2Backward0 / UniqueDimBackward0) but not differentiable."""

    def forward(self, a, sorted=True, return_inverse=False, return_counts=False, dim=None):
        self._name = "Unique2Backward0" if dim is None else "UniqueDimBackward0"
        if dim is None:
            res = xp.unique(a, return_inverse=return_inverse, return_counts=return_counts)
        else:
            res = xp.unique(a, return_inverse=return_inverse, return_counts=return_counts,
                            axis=dim)
        if not isinstance(res, tuple):
            return res
        out = [res[0]]
        i = 1
        if return_inverse:
            inv = res[i].astype(xp.int64)
            out.append(inv.reshape(a.shape) if dim is None else inv.reshape(-1))
            i += 1
        if return_counts:
            out.append(res[i].astype(xp.int64))
        return tuple(out)

    def backward(self, *grads):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")


class SearchSorted(Node):
    differentiable = False

    def forward(self, seq, values, right=False, out_int32=False):
        side = "right" if right else "left"
        dt = xp.int32 if out_int32 else xp.int64
        if seq.ndim == 1:
            return xp.searchsorted(seq, values, side=side).astype(dt)
        s2 = seq.reshape(-1, seq.shape[-1])
        v2 = xp.asarray(values).reshape(s2.shape[0], -1)
        # offset each row into its own band so one searchsorted handles all rows
        lo = xp.minimum(s2.min(), v2.min())
        hi = xp.maximum(s2.max(), v2.max())
        span = (hi - lo) + 1
        off = (xp.arange(s2.shape[0]) * span)[:, None]
        flat = (s2 - lo + off).reshape(-1).astype(xp.float64)
        q = (v2 - lo + off).astype(xp.float64)
        res = xp.searchsorted(flat, q.reshape(-1), side=side).reshape(v2.shape)
        res = res - (xp.arange(s2.shape[0]) * s2.shape[1])[:, None]
        return res.reshape(xp.shape(values)).astype(dt)


class BinCount(Node):
    _name = "torch::autograd::NotImplemented"

    def backward(self, *grads):
        raise RuntimeError("derivative for aten::bincount is not implemented")

    def forward(self, a, weights=None, minlength=0):
        if a.ndim != 1 or a.dtype.kind not in "iu":
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        if a.size and a.min() < 0:
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        out = xp.bincount(a, weights=weights, minlength=minlength)
        if weights is None:
            return out.astype(xp.int64)
        return out.astype(weights.dtype if weights.dtype.kind == "f" else xp.float64)


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
    return apply(Take, input, index)


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


def sort(input, dim=-1, descending=False, stable=None):
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
    if input.ndim == 1:
        return apply(DiagEmbed, input, diagonal, 0, 1)
    if input.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    return apply(Diagonal, input, diagonal, 0, 1, "DiagonalBackward0_copy")


def diagonal(input, offset=0, dim1=0, dim2=1):
    nd = input.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return apply(Diagonal, input, offset, d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    return apply(DiagEmbed, input, offset, dim1, dim2)


def trace(input):
    return apply(Trace, input)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    r = apply(Unique, input, sorted, return_inverse, return_counts,
              None if dim is None else wrap_dim(dim, input.ndim))
    return r


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    from .shape import flatten
    if repeats is None:
        if input.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return apply(RepeatInterleaveIdx, input)
    if dim is None:
        input = flatten(input)
        dim = 0
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(repeats, Tensor):
        if repeats.ndim == 0 or repeats.numel() == 1:
            reps = xp.full(n, int(repeats.item()), dtype=xp.int64)
        else:
            reps = repeats._data
            if reps.shape[0] != n:
                raise RuntimeError("repeats must have the same size as input along dim")
    else:
        return apply(RepeatInterleave, input, int(repeats), d)
    idx = _wrap(xp.repeat(xp.arange(n, dtype=xp.int64), reps))
    return index_select(input, d, idx)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    if side is not None:
        right = side == "right"
    if not isinstance(input, Tensor):
        input = _wrap(xp.asarray(input, dtype=sorted_sequence._data.dtype))
    return apply(SearchSorted, sorted_sequence, input, right, out_int32)


def bincount(input, weights=None, minlength=0):
    return apply(BinCount, input, weights, minlength)


def nonzero(input, *, as_tuple=False):
    r = apply(Nonzero, input)
    if as_tuple:
        if input.ndim == 0:
            return (r.reshape(-1),)
        return tuple(r[:, i] for i in range(r.shape[1]))
    return r


def argwhere(input):
    return nonzero(input)
