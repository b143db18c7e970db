"""Other nn ops: embedding, embedding_bag, padding modes, interpolation, pixel shuffle.

Gathers (reflect/replicate/circular padding, nearest interpolation) read with index arrays
and send gradients back with a one-hot matrix product per padded/resized dim (no scatter
loops); linear/cubic interpolation is a product with per-dim interpolation matrices.
"""
from ..backends import xp

from ..autograd.graph import Node


# ---- embedding ------------------------------------------------------------------------------
class Embedding(Node):
    """Rows of ``weight`` at integer ``indices``; gradient summed per row."""

    def forward(self, weight, indices, padding_idx, scale_grad_by_freq):
        self.num = weight.shape[0]
        self.padding_idx = padding_idx
        self.scale = scale_grad_by_freq
        if indices.size and (indices.min() < -self.num or indices.max() >= self.num):
            raise IndexError("index out of range in self")
        self.save_for_backward(indices)
        return xp.take(weight, indices, axis=0)

    def backward(self, g):
        indices, = self.saved_tensors
        d = g.shape[-1]
        flat = indices.ravel() % self.num if indices.size else indices.ravel()
        g2 = g.reshape(-1, d)
        if self.scale:
            counts = xp.bincount(flat, minlength=self.num)
            g2 = g2 / counts[flat][:, None].astype(g.dtype)
        gw = xp.zeros((self.num, d), dtype=g.dtype)
        xp.add.at(gw, flat, g2)
        if self.padding_idx is not None and self.padding_idx >= 0:
            gw[self.padding_idx] = 0
        return gw, None


class EmbeddingBag(Node):
    """Sums / means / maxes of bags of embedding rows; bags start at ``offsets``."""

    def forward(self, weight, indices, offsets, mode, per_sample_weights, padding_idx):
        num, d = weight.shape
        n = indices.shape[0]
        nbags = offsets.shape[0]
        if n and (indices.min() < 0 or indices.max() >= num):
            raise IndexError("index out of range in self")
        bag = xp.searchsorted(offsets, xp.arange(n), side="right") - 1
        valid = bag >= 0
        if padding_idx is not None:
            valid &= indices != padding_idx
        bag_v = bag[valid]
        idx_v = indices[valid]
        rows = weight[idx_v]
        if per_sample_weights is not None:
            rows = rows * per_sample_weights[valid][:, None]
        counts = xp.bincount(bag_v, minlength=nbags)
        self.geom = (num, d, nbags, mode)
        if mode == "max":
            out = xp.full((nbags, d), -xp.inf, dtype=weight.dtype)
            xp.maximum.at(out, bag_v, rows)
            is_max = rows == out[bag_v]
            # first element of each bag reaching the max, per column
            elem = xp.where(is_max, xp.arange(len(bag_v))[:, None], len(bag_v))
            first = xp.full((nbags, d), len(bag_v), dtype=xp.int64)
            xp.minimum.at(first, bag_v, elem)
            out[counts == 0] = 0
            self.save_for_backward(idx_v, first)
            return out
        out = xp.zeros((nbags, d), dtype=weight.dtype)
        xp.add.at(out, bag_v, rows)
        if mode == "mean":
            out /= xp.maximum(counts, 1)[:, None].astype(out.dtype)
        self.save_for_backward(idx_v, bag_v, counts, weight, per_sample_weights, valid)
        return out

    def backward(self, g):
        num, d, nbags, mode = self.geom
        gw = xp.zeros((num, d), dtype=g.dtype)
        need = self.needs_input_grad
        if mode == "max":
            idx_v, first = self.saved_tensors
            ok = first < len(idx_v)
            b, col = xp.nonzero(ok)
            xp.add.at(gw, (idx_v[first[ok]], col), g[b, col])
            return gw, None, None
        idx_v, bag_v, counts, weight, psw, valid = self.saved_tensors
        gb = g
        if mode == "mean":
            gb = g / xp.maximum(counts, 1)[:, None].astype(g.dtype)
        rows_g = gb[bag_v]
        gpsw = None
        if psw is not None and len(need) > 4 and need[4]:
            gpsw = xp.zeros(valid.shape, dtype=g.dtype)
            gpsw[valid] = (rows_g * weight[idx_v]).sum(axis=1)
        if need[0]:
            if psw is not None:
                rows_g = rows_g * psw[valid][:, None]
            xp.add.at(gw, idx_v, rows_g)
        return gw if need[0] else None, None, None, None, gpsw


# ---- padding --------------------------------------------------------------------------------
class ConstantPadNd(Node):
    """Pad (or crop, for negative amounts) the last dims with a constant."""

    def forward(self, x, pad, value):
        nd = len(pad) // 2
        shape = list(x.shape)
        src = [slice(None)] * x.ndim
        dst = [slice(None)] * x.ndim
        for k in range(nd):
            dim = x.ndim - 1 - k
            lo, hi = pad[2 * k], pad[2 * k + 1]
            n = x.shape[dim]
            new = n + lo + hi
            if new < 0:
                raise RuntimeError(
                    f"The input size {n}, plus negative padding {lo} and {hi} resulted in a "
                    f"negative output size, which is invalid. Check dimension {dim} of your "
                    "input.")
            s0 = max(-lo, 0)
            s1 = n - max(-hi, 0)
            d0 = max(lo, 0)
            length = max(s1 - s0, 0)
            src[dim] = slice(s0, s0 + length)
            dst[dim] = slice(d0, d0 + length)
            shape[dim] = new
        out = xp.full(shape, value, dtype=x.dtype)
        out[tuple(dst)] = x[tuple(src)]
        self.slices = (tuple(src), tuple(dst), x.shape)
        return out

    def backward(self, g):
        src, dst, shape = self.slices
        gx = xp.zeros(shape, dtype=g.dtype)
        gx[src] = g[dst]
        return gx


def pad_index(n, lo, hi, mode):
    """Source index of each padded position along one dim (reflect/replicate/circular)."""
    pos = xp.arange(-lo, n + hi)
    if mode == "reflect":
        if n == 1:
            return xp.zeros_like(pos)
        period = 2 * (n - 1)
        r = xp.abs(pos) % period
        return xp.where(r >= n, period - r, r)
    if mode == "replicate":
        return xp.clip(pos, 0, n - 1)
    return pos % n


def _sum_matrix(idx, n, dtype):
    """One-hot (len(idx), n) matrix M with M[i, idx[i]] = 1 (g @ M sums gathered grads)."""
    m = xp.zeros((len(idx), n), dtype=dtype)
    m[xp.arange(len(idx)), idx] = 1
    return m


class _GatherPad(Node):
    """Padding by index gathering along the last ``len(pad)//2`` dims."""

    def forward(self, x, pad, mode):
        nd = len(pad) // 2
        self.idx = []
        out = x
        for k in range(nd):
            dim = x.ndim - 1 - k
            idx = pad_index(x.shape[dim], pad[2 * k], pad[2 * k + 1], mode)
            self.idx.append((dim, idx, x.shape[dim]))
            out = xp.take(out, idx, axis=dim)
        return out

    def backward(self, g):
        for dim, idx, n in reversed(self.idx):
            m = _sum_matrix(idx, n, g.dtype)
            g = xp.moveaxis(xp.matmul(xp.moveaxis(g, dim, -1), m), -1, dim)
        return xp.ascontiguousarray(g)


class ReflectionPad1D(_GatherPad):
    pass


class ReflectionPad2D(_GatherPad):
    pass


class ReflectionPad3D(_GatherPad):
    pass


class ReplicationPad1D(_GatherPad):
    pass


class ReplicationPad2D(_GatherPad):
    pass


class ReplicationPad3D(_GatherPad):
    pass


class CircularPad(_GatherPad):
    _name = "torch::autograd::CopySlices"


# ---- interpolation --------------------------------------------------------------------------
def _src_scale(n_in, n_out, align_corners, scale):
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    if scale is not None and scale > 0:
        return 1.0 / scale
    return n_in / n_out


def nearest_index(n_in, n_out, scale, exact=False):
    s = xp.float32(_src_scale(n_in, n_out, False, scale))
    dst = xp.arange(n_out, dtype=xp.float32)
    if exact:
        src = xp.floor((dst + xp.float32(0.5)) * s)
    else:
        src = xp.floor(dst * s)
    return xp.minimum(src.astype(xp.int64), n_in - 1)


def linear_matrix(n_in, n_out, align_corners, scale, dtype):
    """(n_out, n_in) matrix of torch's (bi)linear interpolation weights along one dim."""
    s = _src_scale(n_in, n_out, align_corners, scale)
    dst = xp.arange(n_out, dtype=dtype)
    t = xp.dtype(dtype).type
    if align_corners:
        src = dst * t(s)
    else:
        src = xp.maximum(t(s) * (dst + t(0.5)) - t(0.5), t(0))
    i0 = xp.minimum(xp.floor(src).astype(xp.int64), n_in - 1)
    i1 = xp.minimum(i0 + 1, n_in - 1)
    l1 = (src - i0).astype(dtype)
    l0 = (1 - l1).astype(dtype)
    m = xp.zeros((n_out, n_in), dtype=dtype)
    rows = xp.arange(n_out)
    xp.add.at(m, (rows, i0), l0)
    xp.add.at(m, (rows, i1), l1)
    return m


def cubic_matrix(n_in, n_out, align_corners, scale, dtype):
    """(n_out, n_in) matrix of torch's bicubic weights (A = -0.75, border-clamped taps)."""
    a = -0.75
    s = _src_scale(n_in, n_out, align_corners, scale)
    dst = xp.arange(n_out, dtype=xp.float64)
    src = dst * s if align_corners else s * (dst + 0.5) - 0.5
    i0 = xp.floor(src).astype(xp.int64)
    t = src - i0

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    w = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    m = xp.zeros((n_out, n_in), dtype=xp.float64)
    rows = xp.arange(n_out)
    for k in range(4):
        xp.add.at(m, (rows, xp.clip(i0 - 1 + k, 0, n_in - 1)), w[k])
    return m.astype(dtype)


class Upsample(Node):
    """Resize the spatial dims; ``mats`` are per-dim (n_out, n_in) matrices, or index arrays
    for nearest modes. The grad_fn name is set per mode (UpsampleBilinear2DBackward0 ...)."""

    def forward(self, x, name, plan):
        self._name = name
        self.plan = plan
        out = x
        nsp = len(plan)
        self.in_sizes = x.shape[x.ndim - nsp:]
        for k, (kind, arr) in enumerate(plan):
            dim = x.ndim - nsp + k
            if kind == "index":
                out = xp.take(out, arr, axis=dim)
            else:
                out = xp.moveaxis(xp.matmul(arr, xp.moveaxis(out, dim, -2)), -2, dim)
        return xp.ascontiguousarray(out)

    def backward(self, g):
        nsp = len(self.plan)
        for k in reversed(range(nsp)):
            kind, arr = self.plan[k]
            dim = g.ndim - nsp + k
            if kind == "index":
                n_in = self.in_sizes[k]
                m = _sum_matrix(arr, n_in, g.dtype)
                g = xp.moveaxis(xp.matmul(xp.moveaxis(g, dim, -1), m), -1, dim)
            else:
                g = xp.moveaxis(xp.matmul(arr.T, xp.moveaxis(g, dim, -2)), -2, dim)
        return xp.ascontiguousarray(g)


# ---- pixel shuffle --------------------------------------------------------------------------
class PixelShuffle(Node):
    def forward(self, x, r):
        *lead, c, h, w = x.shape
        self.r = r
        oc = c // (r * r)
        y = x.reshape(*lead, oc, r, r, h, w)
        nl = len(lead)
        perm = tuple(range(nl)) + tuple(nl + i for i in (0, 3, 1, 4, 2))
        return xp.ascontiguousarray(y.transpose(perm)).reshape(*lead, oc, h * r, w * r)

    def backward(self, g):
        return pixel_unshuffle_np(g, self.r)


class PixelUnshuffle(Node):
    def forward(self, x, r):
        self.r = r
        return pixel_unshuffle_np(x, r)

    def backward(self, g):
        r = self.r
        *lead, c, h, w = g.shape
        oc = c // (r * r)
        y = g.reshape(*lead, oc, r, r, h, w)
        nl = len(lead)
        perm = tuple(range(nl)) + tuple(nl + i for i in (0, 3, 1, 4, 2))
        return xp.ascontiguousarray(y.transpose(perm)).reshape(*lead, oc, h * r, w * r)


def pixel_unshuffle_np(x, r):
    *lead, c, h, w = x.shape
    oh, ow = h // r, w // r
    y = x.reshape(*lead, c, oh, r, ow, r)
    nl = len(lead)
    perm = tuple(range(nl)) + tuple(nl + i for i in (0, 2, 4, 1, 3))
    return xp.ascontiguousarray(y.transpose(perm)).reshape(*lead, c * r * r, oh, ow)


class UnsafeView(Node):
    """Reshape of a fresh (contiguous) result, as torch's matmul folds batch dims."""

    def forward(self, a, shape):
        self.in_shape = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape)
