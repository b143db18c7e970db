"""Pooling ops: max/avg pooling (2-d; 1-d goes through them), adaptive pooling, max_unpool.

Windows are read as strided sub-grids of the (padded) input, one per kernel offset, so
a k x k pooling is k*k vectorised passes; backward adds into the same strided sub-grids.
Adaptive average pooling is two small matmuls with averaging matrices.
"""
import math

from ..backends import xp

from ..autograd.grad_mode import _enabled
from ..autograd.graph import Node


def pool_out_size(n, k, s, p, d, ceil_mode):
    """torch's pooling output length (ceil_mode windows must start inside input + left pad)."""
    num = n + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        o = -(-num // s) + 1
        if (o - 1) * s >= n + p:
            o -= 1
    else:
        o = num // s + 1
    return o


def _padded(x, p_h, p_w, hp, wp, fill):
    n, c, h, w = x.shape
    if p_h == 0 and p_w == 0 and hp == h and wp == w:
        return x
    out = xp.full((n, c, hp, wp), fill, dtype=x.dtype)
    out[:, :, p_h:p_h + h, p_w:p_w + w] = x[:, :, :hp - p_h, :wp - p_w]
    return out


def _sub(a, i, j, oh, ow, sh, sw):
    return a[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]


def _max_over_offsets(xpd, kh, kw, sh, sw, dh, dw, oh, ow):
    """Window max and the row-major offset (0..kh*kw-1) of its first occurrence, one
    vectorised pass per kernel offset. NaN wins, as in torch."""
    kk = kh * kw
    small = kk < 128
    arg = xp.zeros(xpd.shape[:2] + (oh, ow), dtype=xp.int8 if small else xp.int64)
    out = _sub(xpd, 0, 0, oh, ow, sh, sw).copy()
    better = xp.empty(out.shape, dtype=bool)
    step = xp.empty(arg.shape, dtype=arg.dtype)
    k = 0
    for i in range(kh):
        for j in range(kw):
            if k:
                v = _sub(xpd, i * dh, j * dw, oh, ow, sh, sw)
                xp.greater(v, out, out=better)
                xp.maximum(out, v, out=out)  # NaN propagates into ``out``
                # arg = where(better, k, arg) as integer arithmetic: SIMD passes, several
                # times faster than a masked copy
                xp.subtract(k, arg, out=step)
                xp.multiply(step, better, out=step)
                arg += step
            k += 1
    if xpd.dtype.kind == "f" and kk > 1 and xp.isnan(out).any():
        # redo the positions whose window holds a NaN: the first NaN is the max
        seen = xp.zeros(out.shape, dtype=bool)
        k = 0
        for i in range(kh):
            for j in range(kw):
                isn = xp.isnan(_sub(xpd, i * dh, j * dw, oh, ow, sh, sw)) & ~seen
                arg[isn] = k
                seen |= isn
                k += 1
    return out, arg


def _max_only(xpd, kh, kw, sh, sw, dh, dw, oh, ow):
    """Window max without its position (no gradient to route): separable, a max over the
    kernel's columns for every row, then over its rows (kh + kw passes instead of kh * kw).
    ``maximum`` propagates NaN, as torch does."""
    if kh < 3 or kw < 3:
        out = _sub(xpd, 0, 0, oh, ow, sh, sw).copy()
        for k in range(1, kh * kw):
            xp.maximum(out, _sub(xpd, (k // kw) * dh, (k % kw) * dw, oh, ow, sh, sw), out=out)
        return out
    we = sw * (ow - 1) + 1
    rows = xp.maximum(xpd[..., 0:we:sw], xpd[..., dw:dw + we:sw])
    for j in range(2, kw):
        xp.maximum(rows, xpd[..., j * dw:j * dw + we:sw], out=rows)
    he = sh * (oh - 1) + 1
    out = xp.maximum(rows[:, :, 0:he:sh], rows[:, :, dh:dh + he:sh])
    for i in range(2, kh):
        xp.maximum(out, rows[:, :, i * dh:i * dh + he:sh], out=out)
    return out


class MaxPool2DWithIndices(Node):
    """Max pooling; also returns torch's flat (h * W + w) indices into the input."""

    _name = "MaxPool2DWithIndicesBackward0"

    def forward(self, x, kernel, stride, padding, dilation, ceil_mode, indices=True):
        n, c, h, w = x.shape
        kh, kw = kernel
        sh, sw = stride
        ph, pw = padding
        dh, dw = dilation
        oh = pool_out_size(h, kh, sh, ph, dh, ceil_mode)
        ow = pool_out_size(w, kw, sw, pw, dw, ceil_mode)
        if oh <= 0 or ow <= 0:
            raise RuntimeError(
                f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). "
                "Output size is too small")
        hp = max(h + 2 * ph, (oh - 1) * sh + dh * (kh - 1) + 1)
        wp = max(w + 2 * pw, (ow - 1) * sw + dw * (kw - 1) + 1)
        fill = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
        xpd = _padded(x, ph, pw, hp, wp, fill)
        if not indices and not _enabled[0]:
            # grad mode off: no backward can follow, the argmax is not needed
            return _max_only(xpd, kh, kw, sh, sw, dh, dw, oh, ow)
        out, arg = _max_over_offsets(xpd, kh, kw, sh, sw, dh, dw, oh, ow)
        self.geom = (n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, hp, wp)
        self.save_for_backward(arg)
        if not indices:
            return out
        # flat indices into the unpadded input, as torch returns them
        ki, kj = xp.divmod(arg.astype(xp.int64), kw)
        rows = xp.arange(oh, dtype=xp.int64)[:, None] * sh - ph + ki * dh
        cols = xp.arange(ow, dtype=xp.int64)[None, :] * sw - pw + kj * dw
        return out, rows * w + cols

    def backward(self, g, g_idx=None):
        arg, = self.saved_tensors
        n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, hp, wp = self.geom
        overlap = sh < (kh - 1) * dh + 1 or sw < (kw - 1) * dw + 1
        if overlap:
            return self._backward_scatter(g, arg)
        gpad = xp.zeros((n, c, hp, wp), dtype=g.dtype)
        # route g to each kernel offset's strided sub-grid: g * (arg == k) is a SIMD multiply
        # (a masked copy is several times slower); where g holds inf/NaN, 0 * inf would leak
        # NaN into non-max cells, so that case takes the exact masked select
        finite = g.dtype.kind != "f" or bool(xp.isfinite(g).all())
        mask = xp.empty(g.shape, dtype=bool)
        tmp = xp.empty(g.shape, dtype=g.dtype) if overlap else None
        k = 0
        for i in range(kh):
            for j in range(kw):
                xp.equal(arg, k, out=mask)
                dst = _sub(gpad, i * dh, j * dw, oh, ow, sh, sw)
                if not overlap:
                    # disjoint windows: each input cell belongs to one offset at most
                    if finite:
                        xp.multiply(g, mask, out=dst)
                    else:
                        xp.copyto(dst, g, where=mask)
                else:
                    if finite:
                        xp.multiply(g, mask, out=tmp)
                    else:
                        tmp.fill(0)
                        xp.copyto(tmp, g, where=mask)
                    dst += tmp
                k += 1
        return gpad[:, :, ph:ph + h, pw:pw + w]

    def _backward_scatter(self, g, arg):
        """Overlapping windows: windows P = ceil(extent / stride) outputs apart are disjoint,
        so the outputs split into P_h * P_w interleaved sub-grids whose argmax cells are all
        distinct; each sub-grid is one indexed add (no duplicate targets, so no add.at)."""
        n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, hp, wp = self.geom
        nc = n * c
        gpad = xp.zeros(nc * hp * wp, dtype=g.dtype)
        table = ((xp.arange(kh) * (dh * wp))[:, None] + xp.arange(kw) * dw).ravel()
        base = (xp.arange(nc) * (hp * wp))[:, None, None]
        qh = -(-((kh - 1) * dh + 1) // sh)
        qw = -(-((kw - 1) * dw + 1) // sw)
        g3 = g.reshape(nc, oh, ow)
        a3 = arg.reshape(nc, oh, ow)
        for a in range(min(qh, oh)):
            rows = (xp.arange(a, oh, qh) * (sh * wp))[:, None]
            for b in range(min(qw, ow)):
                idx = table[a3[:, a::qh, b::qw]]
                idx += base
                idx += rows
                idx += xp.arange(b, ow, qw) * sw
                gpad[idx] += g3[:, a::qh, b::qw]
        return gpad.reshape(n, c, hp, wp)[:, :, ph:ph + h, pw:pw + w]


def _divisors(n, k, s, p, o, count_include_pad):
    start = xp.arange(o) * s - p
    end = xp.minimum(start + k, n + p)
    size = end - start
    if count_include_pad:
        return size
    return xp.minimum(end, n) - xp.maximum(start, 0)


class AvgPool2D(Node):
    def forward(self, x, kernel, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
        n, c, h, w = x.shape
        kh, kw = kernel
        sh, sw = stride
        ph, pw = padding
        oh = pool_out_size(h, kh, sh, ph, 1, ceil_mode)
        ow = pool_out_size(w, kw, sw, pw, 1, ceil_mode)
        if oh <= 0 or ow <= 0:
            raise RuntimeError(
                f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). "
                "Output size is too small")
        hp = max(h + 2 * ph, (oh - 1) * sh + kh)
        wp = max(w + 2 * pw, (ow - 1) * sw + kw)
        xpd = _padded(x, ph, pw, hp, wp, 0)
        out = None
        for i in range(kh):
            for j in range(kw):
                v = _sub(xpd, i, j, oh, ow, sh, sw)
                if out is None:
                    out = v.copy()
                else:
                    out += v
        if divisor_override:
            div = x.dtype.type(divisor_override)
        else:
            dvh = _divisors(h, kh, sh, ph, oh, count_include_pad)
            dvw = _divisors(w, kw, sw, pw, ow, count_include_pad)
            div = (dvh[:, None] * dvw[None, :]).astype(x.dtype)
        out /= div
        self.div = div
        self.geom = (n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, hp, wp)
        return out

    def backward(self, g):
        n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, hp, wp = self.geom
        gd = g / self.div
        gpad = xp.zeros((n, c, hp, wp), dtype=g.dtype)
        for i in range(kh):
            for j in range(kw):
                _sub(gpad, i, j, oh, ow, sh, sw)[...] += gd
        return gpad[:, :, ph:ph + h, pw:pw + w]


def _adaptive_bounds(n, o):
    i = xp.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    return start, end


def _avg_matrix(n, o, dtype):
    start, end = _adaptive_bounds(n, o)
    pos = xp.arange(n)
    m = ((pos[None, :] >= start[:, None]) & (pos[None, :] < end[:, None])).astype(dtype)
    m /= (end - start)[:, None].astype(dtype)
    return m


class AdaptiveAvgPool2D(Node):
    def forward(self, x, output_size):
        h, w = x.shape[-2:]
        oh, ow = output_size
        self.ah = _avg_matrix(h, oh, x.dtype)
        self.aw = _avg_matrix(w, ow, x.dtype)
        return xp.matmul(self.ah, xp.matmul(x, self.aw.T))

    def backward(self, g):
        return xp.matmul(self.ah.T, xp.matmul(g, self.aw))


def _adaptive_index(n, o):
    start, end = _adaptive_bounds(n, o)
    kmax = int((end - start).max())
    idx = xp.minimum(start[:, None] + xp.arange(kmax)[None, :], (end - 1)[:, None])
    return idx, kmax


class AdaptiveMaxPool2D(Node):
    _name = "AdaptiveMaxPool2DBackward0"

    def forward(self, x, output_size):
        n, c, h, w = x.shape
        oh, ow = output_size
        ih, kh = _adaptive_index(h, oh)
        iw, kw = _adaptive_index(w, ow)
        # gather (N, C, OH, kh, OW, kw) -> (N, C, OH, OW, kh*kw)
        win = x[:, :, ih[:, :, None, None], iw[None, None, :, :]]
        win = win.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, kh * kw)
        arg = win.argmax(axis=-1)
        if x.dtype.kind == "f":
            nanpos = xp.isnan(win)
            if nanpos.any():
                has = nanpos.any(axis=-1)
                arg = xp.where(has, nanpos.argmax(axis=-1), arg)
        out = xp.take_along_axis(win, arg[..., None], axis=-1)[..., 0]
        ki, kj = xp.divmod(arg, kw)
        rows = ih[xp.arange(oh)[:, None], ki]
        cols = iw[xp.arange(ow)[None, :], kj]
        idx = rows.astype(xp.int64) * w + cols
        self.shape = x.shape
        self.save_for_backward(idx)
        return out, idx

    def backward(self, g, g_idx=None):
        idx, = self.saved_tensors
        return scatter_add_flat(g, idx, self.shape)


def scatter_add_flat(g, idx, shape):
    """Sum ``g`` (N, C, ...) into a zero array of ``shape`` at flat spatial indices ``idx``."""
    n, c = shape[:2]
    hw = math.prod(shape[2:])
    base = (xp.arange(n * c, dtype=xp.int64) * hw).reshape(n, c, *([1] * (idx.ndim - 2)))
    flat = (idx + base).ravel()
    out = xp.bincount(flat, weights=g.ravel(), minlength=n * c * hw)
    return out.astype(g.dtype, copy=False).reshape(shape)


class MaxUnpool2D(Node):
    def forward(self, x, idx, output_size):
        n, c = x.shape[:2]
        oh, ow = output_size
        out = xp.zeros((n, c, oh * ow), dtype=x.dtype)
        flat_idx = idx.reshape(n, c, -1)
        if flat_idx.size and (flat_idx.min() < 0 or flat_idx.max() >= oh * ow):
            bad = int(flat_idx.max() if flat_idx.max() >= oh * ow else flat_idx.min())
            raise RuntimeError(
                f"Found an invalid max index: {bad} (output volumes are of size {oh}x{ow}")
        xp.put_along_axis(out, flat_idx, x.reshape(n, c, -1), axis=2)
        self.save_for_backward(idx)
        self.in_shape = x.shape
        return out.reshape(n, c, oh, ow)

    def backward(self, g, *_):
        idx, = self.saved_tensors
        n, c = g.shape[:2]
        gx = xp.take_along_axis(g.reshape(n, c, -1), idx.reshape(n, c, -1), axis=2)
        return gx.reshape(self.in_shape), None
