"""Convolutions on BLAS: conv{1,2}d, conv_transpose{1,2}d, unfold (im2col), fold (col2im).

Layout: im2col gathers the input through one strided view into ``cols`` of shape
(C*kh*kw, N*OH*OW) (a single copy), so each convolution is one GEMM per group; col2im is a
sum of shifted strided views, one per kernel offset (kh*kw vectorised adds, no scatter).
1-d convolutions run as 2-d ones with a height of 1. Backward recomputes ``cols`` from the
saved input (instead of keeping it), and im2col buffers are built a slice of the batch at a
time, to keep the memory of a training step close to torch's.
"""
from ..backends import xp

from ..autograd.graph import Node

_as_strided = xp.lib.stride_tricks.as_strided


def out_size(n, k, s, p_total, d):
    """Output length of a sliding window over ``n`` with total padding ``p_total``."""
    return (n + p_total - d * (k - 1) - 1) // s + 1


def pad2d(x, pt, pb, pl, pr):
    """Zero-pad the last two dims of a 4-d array (returns ``x`` when no padding)."""
    if not (pt or pb or pl or pr):
        return x
    n, c, h, w = x.shape
    out = xp.zeros((n, c, h + pt + pb, w + pl + pr), dtype=x.dtype)
    out[:, :, pt:pt + h, pl:pl + w] = x
    return out


def im2col(xpad, kh, kw, sh, sw, dh, dw, oh, ow):
    """(N, C, Hp, Wp) -> contiguous (C, kh, kw, N, OH, OW) of sliding-window values."""
    n, c = xpad.shape[:2]
    s_n, s_c, s_h, s_w = xpad.strides
    view = _as_strided(xpad, (c, kh, kw, n, oh, ow),
                       (s_c, dh * s_h, dw * s_w, s_n, sh * s_h, sw * s_w), writeable=False)
    return xp.ascontiguousarray(view)


def col2im(cols, hp, wp, sh, sw, dh, dw):
    """(C, kh, kw, N, OH, OW) -> (C, N, Hp, Wp): sum each kernel offset's values into place."""
    c, kh, kw, n, oh, ow = cols.shape
    out = xp.zeros((c, n, hp, wp), dtype=cols.dtype)
    he = sh * (oh - 1) + 1
    we = sw * (ow - 1) + 1
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + he:sh, j * dw:j * dw + we:sw] += cols[:, i, j]
    return out


def col2im_last(cols, hp, wp, sh, sw, dh, dw):
    """(N, OH, OW, kh, kw, C) -> (N, Hp, Wp, C): col2im with channels last."""
    n, oh, ow, kh, kw, c = cols.shape
    out = xp.zeros((n, hp, wp, c), dtype=cols.dtype)
    he = sh * (oh - 1) + 1
    we = sw * (ow - 1) + 1
    for i in range(kh):
        for j in range(kw):
            out[:, i * dh:i * dh + he:sh, j * dw:j * dw + we:sw] += cols[:, :, :, i, j]
    return out


def _check_dtypes(x, w, b):
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"Input type ({_tn(x.dtype)}) and weight type ({_tn(w.dtype)}) should be the same "
            "or input should be a MKLDNN tensor and weight is a dense tensor")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(
            f"Input type ({_tn(x.dtype)}) and bias type ({_tn(b.dtype)}) should be the same")


def _tn(dt):
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(str(dt),
                                                                                 str(dt))


# im2col buffers are built for a slice of the batch at a time, at most this many bytes, so
# that a large layer's (C*kh*kw, N*OH*OW) matrix never exists whole (memory stays near torch's).
COLS_BUDGET = 32 * 2 ** 20


def batch_chunk(n, k, length, itemsize):
    """Samples per im2col chunk for a (k, length)-per-sample column matrix."""
    per = max(k * length * itemsize, 1)
    return max(1, min(n, COLS_BUDGET // per))


class Convolution(Node):
    """N-d (1 or 2) convolution. ``padding`` is (top, bottom, left, right) for the 2-d view."""

    _name = "ConvolutionBackward0"

    def forward(self, x, w, b, stride, padding, dilation, groups):
        _check_dtypes(x, w, b)
        self.one_d = x.ndim == 3
        if self.one_d:
            x = x[:, :, None, :]
            w = w[:, :, None, :]
        n, c, h, wd = x.shape
        o, cg, kh, kw = w.shape
        sh, sw = stride
        pt, pb, pl, pr = padding
        dh, dw = dilation
        oh = out_size(h, kh, sh, pt + pb, dh)
        ow = out_size(wd, kw, sw, pl + pr, dw)
        length = oh * ow
        self.geom = (n, c, h, wd, o, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, oh, ow, groups)
        xpad = pad2d(x, pt, pb, pl, pr)
        w3 = w.reshape(groups, o // groups, cg * kh * kw)
        nb = batch_chunk(n, c * kh * kw, length, x.itemsize)
        if groups == 1 and length >= 512:
            # long output rows: per-sample GEMMs are as fast as one big GEMM and write NCHW
            # directly (with short rows, e.g. 12x12, the one big GEMM below wins)
            out = self._forward_nfirst(xpad, w3[0], b, nb, kh, kw, sh, sw, dh, dw, oh, ow)
            self.save_for_backward(x, w)
            self.has_bias = b is not None
            return out[:, :, 0, :] if self.one_d else out
        out = xp.empty((o, n, length), dtype=x.dtype)
        for s in range(0, n, nb):
            e = min(n, s + nb)
            cols = im2col(xpad[s:e], kh, kw, sh, sw, dh, dw, oh, ow)
            cols = cols.reshape(groups, cg * kh * kw, (e - s) * length)
            out[:, s:e] = xp.matmul(w3, cols).reshape(o, e - s, length)
            del cols
        if b is not None:
            out += b[:, None, None]
        out = xp.ascontiguousarray(out.reshape(o, n, oh, ow).transpose(1, 0, 2, 3))
        self.save_for_backward(x, w)
        self.has_bias = b is not None
        return out[:, :, 0, :] if self.one_d else out

    @staticmethod
    def _forward_nfirst(xpd, w2, b, nb, kh, kw, sh, sw, dh, dw, oh, ow):
        """groups == 1: columns gathered sample-first, (m, C*kh*kw, OH*OW), so one batched
        GEMM writes W @ cols_i straight into the NCHW output (no transposed copy of it)."""
        n, c = xpd.shape[:2]
        o, k = w2.shape
        s_n, s_c, s_h, s_w = xpd.strides
        out = xp.empty((n, o, oh * ow), dtype=xpd.dtype)
        cols = None
        for s in range(0, n, nb):
            e = min(n, s + nb)
            view = _as_strided(xpd[s:], (e - s, c, kh, kw, oh, ow),
                               (s_n, s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w),
                               writeable=False)
            if cols is None or cols.shape[0] != e - s:
                cols = xp.empty((e - s, c, kh, kw, oh, ow), dtype=xpd.dtype)
            xp.copyto(cols, view)
            xp.matmul(w2, cols.reshape(e - s, k, oh * ow), out=out[s:e])
        del cols
        if b is not None:
            out += b[:, None]
        return out.reshape(n, o, oh, ow)

    def backward(self, g):
        x, w = self.saved_tensors
        n, c, h, wd, o, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, oh, ow, groups = self.geom
        if self.one_d:
            g = g[:, :, None, :]
        need = self.needs_input_grad
        cg = c // groups
        og = o // groups
        length = oh * ow
        k = cg * kh * kw
        w3 = w.reshape(groups, og, k)
        gx = gw = gb = None
        xpad = pad2d(x, pt, pb, pl, pr) if need[1] else None
        if need[1]:
            gw = xp.zeros((groups, og, k), dtype=g.dtype)
        # many input channels: grad-input columns channel-last, (m*OH*OW, kh*kw*C) =
        # g^T @ W(O, kh, kw, C), so the col2im adds run over rows of C contiguous values
        # (the channel-first col2im iterates rows of only OW values)
        nhwc = need[0] and groups == 1 and c >= 192
        if need[0]:
            gx = xp.empty((n, c, h, wd), dtype=g.dtype)
            w3t = w3.transpose(0, 2, 1)
            if nhwc:
                wl = xp.ascontiguousarray(w.transpose(0, 2, 3, 1)).reshape(o, k)
        nb = batch_chunk(n, c * kh * kw, length, g.itemsize)
        for s in range(0, n, nb):
            e = min(n, s + nb)
            m = e - s
            g3 = xp.ascontiguousarray(g[s:e].transpose(1, 0, 2, 3)).reshape(groups, og,
                                                                             m * length)
            if need[1]:
                cols = im2col(xpad[s:e], kh, kw, sh, sw, dh, dw, oh, ow)
                cols = cols.reshape(groups, k, m * length)
                # (cols @ g3^T)^T: OpenBLAS is much faster in this orientation when the
                # shared dim (N*OH*OW) is long and the output small.
                gw += xp.matmul(cols, g3.transpose(0, 2, 1)).transpose(0, 2, 1)
                del cols
            if nhwc:
                gl = xp.matmul(g3[0].T, wl).reshape(m, oh, ow, kh, kw, c)
                gpad = col2im_last(gl, h + pt + pb, wd + pl + pr, sh, sw, dh, dw)
                del gl
                gx[s:e] = gpad[:, pt:pt + h, pl:pl + wd].transpose(0, 3, 1, 2)
            elif need[0]:
                gcols = xp.matmul(w3t, g3).reshape(c, kh, kw, m, oh, ow)
                gpad = col2im(gcols, h + pt + pb, wd + pl + pr, sh, sw, dh, dw)
                del gcols
                gx[s:e] = gpad[:, :, pt:pt + h, pl:pl + wd].transpose(1, 0, 2, 3)
        if gw is not None:
            gw = gw.reshape(w.shape)
            if self.one_d:
                gw = gw[:, :, 0, :]
        if gx is not None and self.one_d:
            gx = gx[:, :, 0, :]
        if self.has_bias and len(need) > 2 and need[2]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb


class ConvTranspose(Node):
    """Transposed convolution (the gradient of a convolution w.r.t. its input)."""

    _name = "ConvolutionBackward0"

    def forward(self, x, w, b, stride, padding, output_padding, dilation, groups):
        _check_dtypes(x, w, b)
        self.one_d = x.ndim == 3
        if self.one_d:
            x = x[:, :, None, :]
            w = w[:, :, None, :]
        n, cin, h, wd = x.shape
        _, og, kh, kw = w.shape
        sh, sw = stride
        ph, pw = padding
        oph, opw = output_padding
        dh, dw = dilation
        cout = og * groups
        hout = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
        wout = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
        if hout <= 0 or wout <= 0:
            raise RuntimeError(
                f"Given input size per channel: ({h} x {wd}). Calculated output size per "
                f"channel: ({hout} x {wout}). Output size is too small")
        cig = cin // groups
        x3 = xp.ascontiguousarray(x.transpose(1, 0, 2, 3)).reshape(groups, cig, n * h * wd)
        w3 = w.reshape(groups, cig, og * kh * kw)
        cols = xp.matmul(w3.transpose(0, 2, 1), x3).reshape(cout, kh, kw, n, h, wd)
        hc, wc = hout + 2 * ph, wout + 2 * pw
        hc = max(hc, (h - 1) * sh + dh * (kh - 1) + 1)
        wc = max(wc, (wd - 1) * sw + dw * (kw - 1) + 1)
        canvas = col2im(cols, hc, wc, sh, sw, dh, dw)
        del cols
        out = canvas[:, :, ph:ph + hout, pw:pw + wout]
        if b is not None:
            out = out + b[:, None, None, None]
        out = xp.ascontiguousarray(out.transpose(1, 0, 2, 3))
        self.geom = (n, cin, h, wd, cout, og, kh, kw, sh, sw, ph, pw, dh, dw, hout, wout,
                     hc, wc, groups)
        self.has_bias = b is not None
        self.save_for_backward(x3, w)
        return out[:, :, 0, :] if self.one_d else out

    def backward(self, g):
        x3, w = self.saved_tensors
        n, cin, h, wd, cout, og, kh, kw, sh, sw, ph, pw, dh, dw, hout, wout, hc, wc, groups = \
            self.geom
        if self.one_d:
            g = g[:, :, None, :]
        need = self.needs_input_grad
        cig = cin // groups
        gpad = xp.zeros((n, cout, hc, wc), dtype=g.dtype)
        gpad[:, :, ph:ph + hout, pw:pw + wout] = g
        gcols = im2col(gpad, kh, kw, sh, sw, dh, dw, h, wd)
        del gpad
        gcols = gcols.reshape(groups, og * kh * kw, n * h * wd)
        gx = gw = gb = None
        if need[0]:
            w3 = w.reshape(groups, cig, og * kh * kw)
            gx = xp.matmul(w3, gcols).reshape(cin, n, h, wd)
            gx = xp.ascontiguousarray(gx.transpose(1, 0, 2, 3))
            if self.one_d:
                gx = gx[:, :, 0, :]
        if need[1]:
            gw = xp.matmul(x3, gcols.transpose(0, 2, 1)).reshape(w.shape)
            if self.one_d:
                gw = gw[:, :, 0, :]
        if self.has_bias and len(need) > 2 and need[2]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb


class Im2Col(Node):
    """F.unfold: (N, C, H, W) -> (N, C*kh*kw, L)."""

    def forward(self, x, kernel_size, dilation, padding, stride):
        n, c, h, w = x.shape
        kh, kw = kernel_size
        dh, dw = dilation
        ph, pw = padding
        sh, sw = stride
        oh = out_size(h, kh, sh, 2 * ph, dh)
        ow = out_size(w, kw, sw, 2 * pw, dw)
        if oh <= 0 or ow <= 0:
            raise RuntimeError(
                f"Given input with spatial size ({h}, {w}), kernel_size=({kh}, {kw}), "
                f"dilation=({dh}, {dw}), padding=({ph}, {pw}), calculated shape of the array "
                f"of sliding blocks as ({oh}, {ow}), but its components must be at least one.")
        self.geom = (n, c, h, w, kh, kw, dh, dw, ph, pw, sh, sw, oh, ow)
        xpad = pad2d(x, ph, ph, pw, pw)
        s_n, s_c, s_h, s_w = xpad.strides
        view = _as_strided(xpad, (n, c, kh, kw, oh, ow),
                           (s_n, s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w), writeable=False)
        return xp.ascontiguousarray(view).reshape(n, c * kh * kw, oh * ow)

    def backward(self, g):
        n, c, h, w, kh, kw, dh, dw, ph, pw, sh, sw, oh, ow = self.geom
        cols = g.reshape(n, c, kh, kw, oh, ow).transpose(1, 2, 3, 0, 4, 5)
        gpad = col2im(cols, h + 2 * ph, w + 2 * pw, sh, sw, dh, dw)
        return xp.ascontiguousarray(gpad[:, :, ph:ph + h, pw:pw + w].transpose(1, 0, 2, 3))


class Col2Im(Node):
    """F.fold: (N, C*kh*kw, L) -> (N, C, H, W), summing overlapping values."""

    def forward(self, x, output_size, kernel_size, dilation, padding, stride):
        n, ck, length = x.shape
        h, w = output_size
        kh, kw = kernel_size
        dh, dw = dilation
        ph, pw = padding
        sh, sw = stride
        if ck % (kh * kw):
            raise RuntimeError(
                "Expected size of input's dimension 1 to be divisible by the product of "
                f"kernel_size, but got input.size(1)={ck} and kernel_size=({kh}, {kw}).")
        c = ck // (kh * kw)
        oh = out_size(h, kh, sh, 2 * ph, dh)
        ow = out_size(w, kw, sw, 2 * pw, dw)
        if oh * ow != length:
            raise RuntimeError(
                f"Given output_size=({h}, {w}), kernel_size=({kh}, {kw}), dilation=({dh}, "
                f"{dw}), padding=({ph}, {pw}), stride=({sh}, {sw}), expected size of input's "
                f"dimension 2 to match the calculated number of sliding blocks {oh} * {ow} = "
                f"{oh * ow}, but got input.size(2)={length}.")
        self.geom = (n, c, h, w, kh, kw, dh, dw, ph, pw, sh, sw, oh, ow)
        cols = x.reshape(n, c, kh, kw, oh, ow).transpose(1, 2, 3, 0, 4, 5)
        canvas = col2im(cols, h + 2 * ph, w + 2 * pw, sh, sw, dh, dw)
        return xp.ascontiguousarray(canvas[:, :, ph:ph + h, pw:pw + w].transpose(1, 0, 2, 3))

    def backward(self, g):
        n, c, h, w, kh, kw, dh, dw, ph, pw, sh, sw, oh, ow = self.geom
        gpad = pad2d(g, ph, ph, pw, pw)
        s_n, s_c, s_h, s_w = gpad.strides
        view = _as_strided(gpad, (n, c, kh, kw, oh, ow),
                           (s_n, s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w), writeable=False)
        return xp.ascontiguousarray(view).reshape(n, c * kh * kw, oh * ow)
