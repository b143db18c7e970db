"""Fused loss ops: forward and backward side by side, one Node per torch ATen loss kernel.

These are the losses torch computes with a dedicated kernel (and whose ``grad_fn`` carries the
kernel's name: ``MseLossBackward0``, ``NllLossBackward0``, ``CtcLossBackward0`` ...). Losses that
torch writes as a composite of ordinary ops (L1, KL divergence, triplet margin, ...) live in
``numtorch/nn/_functional_loss.py`` and get their gradients from the ops they are made of.

Argument checking (shapes, dtypes, reduction strings) happens in ``nn/_functional_loss.py``;
the ops here only check what needs the data (class indices out of range, probabilities outside
[0, 1]). ``reduction`` is one of ``"none"``, ``"mean"``, ``"sum"``.
"""
import math

from ..backends import xp

from ..autograd.graph import Node
from ._utils import promote, check_broadcast

__all__ = []  # internal: used through numtorch.nn.functional

_ndarray = xp.ndarray


# ---- helpers ------------------------------------------------------------------------
def _reduce(loss, reduction):
    """Apply ``reduction`` to the elementwise ``loss`` array (keeps its dtype)."""
    if reduction == "none":
        return loss
    s = loss.sum(dtype=loss.dtype)
    if reduction == "sum":
        return xp.asarray(s)
    if loss.size == 0:
        return xp.asarray(xp.nan, dtype=loss.dtype)
    return xp.asarray(s / loss.dtype.type(loss.size))


def _grad_scale(g, reduction, n):
    """The incoming gradient of a reduced loss as the per-element factor ``g / n``."""
    if reduction == "mean":
        return g / g.dtype.type(n) if n else g
    return g


def _pair(x, t):
    """Promote ``x``/``t`` to the common dtype and broadcast them (torch's message on failure)."""
    x, t = promote(x, t)
    if x.shape != t.shape:
        try:
            x, t = xp.broadcast_arrays(x, t)
        except ValueError:
            check_broadcast(x.shape, t.shape)
            raise
    return x, t


# ---- elementwise regression losses --------------------------------------------------
class MseLoss(Node):
    """mean/sum/none of ``(input - target) ** 2``."""

    def forward(self, x, t, reduction="mean"):
        x, t = _pair(x, t)
        d = x - t
        self.save_for_backward(d)
        self.reduction = reduction
        return _reduce(d * d, reduction)

    def backward(self, g):
        d, = self.saved_tensors
        gx = d * (2 * _grad_scale(g, self.reduction, d.size))
        n = self.needs_input_grad
        return (gx if n[0] else None), (-gx if n[1] else None)


def _quadratic_then_linear(x, t, k):
    """Huber's ``0.5 d^2`` where ``|d| < k``, else ``k (|d| - 0.5 k)``, with ``d = x - t``.

    Branch-free: with ``c = clip(d, -k, k)`` (which is also the gradient) the loss is
    ``c (d - 0.5 c)``. Returns (loss, c).
    """
    d = x - t
    k = d.dtype.type(k)
    c = xp.minimum(d, k)
    xp.maximum(c, -k, out=c)
    h = c * d.dtype.type(0.5)
    d -= h
    d *= c
    return d, c


class SmoothL1Loss(Node):
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``d = input - target``)."""

    def forward(self, x, t, reduction="mean", beta=1.0):
        x, t = _pair(x, t)
        loss, c = _quadratic_then_linear(x, t, beta)
        beta = loss.dtype.type(beta)
        loss /= beta
        c /= beta                                   # the gradient: clip(d / beta, -1, 1)
        self.save_for_backward(c)
        self.reduction = reduction
        return _reduce(loss, reduction)

    def backward(self, g):
        c, = self.saved_tensors
        gx = c * _grad_scale(g, self.reduction, c.size)
        n = self.needs_input_grad
        return (gx if n[0] else None), (-gx if n[1] else None)


class HuberLoss(SmoothL1Loss):
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``.

    The result has the input's dtype (torch's kernel writes into ``empty_like(input)``).
    """

    _name = "HuberLossBackward0"

    def forward(self, x, t, reduction="mean", delta=1.0):
        if x.dtype.kind == "f" and t.dtype != x.dtype:
            t = t.astype(x.dtype)
        x, t = _pair(x, t)
        loss, c = _quadratic_then_linear(x, t, delta)   # c = clip(d, -delta, delta): gradient
        self.save_for_backward(c)
        self.reduction = reduction
        return _reduce(loss, reduction)


class SoftMarginLoss(Node):
    """``log(1 + exp(-target * input))``, as torch's kernel computes it."""

    def forward(self, x, t, reduction="mean"):
        x, t = _pair(x, t)
        with xp.errstate(over="ignore"):
            z = xp.exp(-t * x)
        self.save_for_backward(x, t, z)
        self.reduction = reduction
        return _reduce(xp.log1p(z), reduction)

    def backward(self, g):
        x, t, z = self.saved_tensors
        with xp.errstate(invalid="ignore"):
            s = (z / (1 + z)) * _grad_scale(g, self.reduction, x.size)
        n = self.needs_input_grad
        return (-t * s if n[0] else None), (-x * s if n[1] else None)


# ---- pieces of composite losses ----------------------------------------------------
class Xlogy(Node):
    """``x * log(y)``, 0 where ``x == 0`` (torch.xlogy; KL divergence's ``t log t``)."""

    def forward(self, x, y):
        x, y = promote(x, y)
        with xp.errstate(divide="ignore", invalid="ignore"):
            out = xp.where(x == 0, 0, x * xp.log(y)).astype(x.dtype, copy=False)
        out = xp.where(xp.isnan(y), y, out)
        self.save_for_backward(x, y)
        return out

    def backward(self, g):
        x, y = self.saved_tensors
        n = self.needs_input_grad
        gx = gy = None
        with xp.errstate(divide="ignore", invalid="ignore"):
            if n[0]:
                gx = g * xp.where(x == 0, 0, xp.log(y))
            if n[1]:
                gy = g * x / y
        return gx, gy


# ---- binary cross entropy -----------------------------------------------------------
class BinaryCrossEntropy(Node):
    """``-w (t log x + (1 - t) log(1 - x))`` with each log clamped at -100, as torch does."""

    def forward(self, x, t, w=None, reduction="mean"):
        if x.size and ((x < 0) | (x > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        with xp.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        loss = (t - 1) * log_1mx - t * log_x
        if w is not None:
            loss = loss * w
        self.save_for_backward(x, t, w, log_x, log_1mx)
        self.reduction = reduction
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        x, t, w, log_x, log_1mx = self.saved_tensors
        s = _grad_scale(g, self.reduction, x.size)
        if w is not None:
            s = s * w
        n = self.needs_input_grad
        gx = gt = None
        if n[0]:
            gx = (x - t) / xp.maximum((1 - x) * x, 1e-12) * s
        if n[1]:
            gt = (log_1mx - log_x) * s
        return gx, gt, None


def _exp_neg_abs(x):
    """``exp(-|x|)``, in (0, 1]: the one exponential a stable sigmoid / log-sigmoid needs."""
    e = xp.abs(x)
    xp.negative(e, out=e)
    xp.exp(e, out=e)
    return e


def _log_sigmoid(x, e):
    """Stable ``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))`` (``e = exp(-|x|)``)."""
    out = xp.minimum(x, 0)
    out -= xp.log1p(e)
    return out


def _sigmoid(x):
    """``1 / (1 + exp(-x))``: exp may overflow to inf for x < -88 (float32), which gives the
    correct limit 0; no masks (np.where on a random mask is ~10x slower than exp)."""
    out = xp.negative(x)
    with xp.errstate(over="ignore"):
        xp.exp(out, out=out)
    out += 1
    xp.reciprocal(out, out=out)
    return out


class BinaryCrossEntropyWithLogits(Node):
    """``(1 - t) x - (1 + (pw - 1) t) log_sigmoid(x)``, times ``w`` (no overflow for any x)."""

    def forward(self, x, t, w=None, pw=None, reduction="mean"):
        x, t = promote(x, t)
        e = _exp_neg_abs(x)
        if pw is not None:
            try:
                lw = (pw - 1) * t + 1
            except ValueError:
                check_broadcast(xp.shape(pw), xp.shape(t))
                raise
            loss = (1 - t) * x - lw * _log_sigmoid(x, e)
        else:
            # (1 - t) x - log_sigmoid(x) = max(x, 0) - t x + log1p(exp(-|x|))
            loss = xp.log1p(e)
            tmp = xp.maximum(x, 0)
            loss += tmp
            loss -= xp.multiply(t, x, out=tmp) if tmp.shape == loss.shape else t * x
        if w is not None:
            loss = loss * w
        self.save_for_backward(x, t, w, pw)
        self.reduction = reduction
        self.shape = loss.shape
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, g):
        x, t, w, pw = self.saved_tensors
        s = _grad_scale(g, self.reduction, math.prod(self.shape))
        if w is not None:
            s = s * w
        n = self.needs_input_grad
        gx = gt = None
        if n[0]:
            gx = _sigmoid(x)
            if pw is not None:
                pt = pw * t
                gx = (pt + 1 - t) * gx - pt
            else:
                gx -= t
            gx = gx * s
        if n[1]:
            if pw is not None:
                ls = _log_sigmoid(x, _exp_neg_abs(x))
                gt = (ls - x - pw * ls) * s
            else:
                gt = -x * s
        return gx, gt, None, None


# ---- classification -----------------------------------------------------------------
def _class_targets(target, ignore_index, n_classes):
    """Validate class indices; return (indices safe to gather with, mask of kept targets).

    The mask is None when every target is kept. The common case (no negative target, a
    negative ignore_index) costs one reduction: an index >= n_classes then makes the gather
    that follows raise IndexError, and ``_class_targets_full`` gives torch's message.
    """
    if ignore_index < 0 and target.size and target.min() >= 0:
        return target, None
    return _class_targets_full(target, ignore_index, n_classes)


def _class_targets_full(target, ignore_index, n_classes):
    valid = target != ignore_index
    bad = valid & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(target[bad].flat[0])} is out of bounds.")
    if valid.all():
        return target, None
    return xp.where(valid, target, 0), valid


def _pick(x, t, rows=None):
    """``x`` at class ``t`` along the class dimension (0 for 1-D input, else 1)."""
    if x.ndim == 2:
        return x[xp.arange(x.shape[0]) if rows is None else rows, t]
    if x.ndim == 1:
        return x[t]
    return xp.take_along_axis(x, xp.expand_dims(t, 1), axis=1).squeeze(1)


def _targets_and_weights(x, target, w, ignore_index, cdim, rows=None):
    """(safe indices, per-target weights or None, x at the targets)."""
    n_classes = x.shape[cdim]
    tsafe, valid = _class_targets(target, ignore_index, n_classes)
    try:
        picked = _pick(x, tsafe, rows)
        wt = _target_weights(w, tsafe, valid, x.dtype)
    except IndexError:
        _class_targets_full(target, ignore_index, n_classes)   # raises torch's message
        raise
    return tsafe, wt, picked


def _target_weights(w, tsafe, valid, dtype):
    """Per-target weight ``w[t]`` (0 where ignored), or None when all are 1."""
    if w is not None:
        wt = w[tsafe].astype(dtype, copy=False)
        return wt if valid is None else wt * valid
    return None if valid is None else valid.astype(dtype)


def _nll_reduce(node, loss, wt, reduction, dtype):
    node.reduction = reduction
    if reduction == "none":
        return loss
    s = loss.sum(dtype=dtype)
    if reduction == "sum":
        return s
    total = dtype.type(loss.size) if wt is None else wt.sum(dtype=dtype)
    node.total = total
    if total == 0:
        with xp.errstate(invalid="ignore", divide="ignore"):
            return s / total
    return s / total


def _nll_coef(node, g, wt):
    """d loss / d (-x[t]) per target: ``g w[t]`` (divided by the total weight for 'mean');
    None when every target is ignored under 'mean' (torch's gradient is then zero)."""
    if node.reduction == "mean":
        if node.total == 0:
            return None
        g = g / node.total
    return g if wt is None else g * wt


class NllLoss(Node):
    """Negative log likelihood of class indices: input (C,), (N, C) or (N, C, d1, ...).

    ``-w[t] x[t]`` per element (0 where ``target == ignore_index``); 'mean' divides by the sum
    of the weights of the non-ignored targets.
    """

    def forward(self, x, target, w=None, reduction="mean", ignore_index=-100):
        if x.ndim > 2:
            self._name = "NllLoss2DBackward0"
        cdim = 0 if x.ndim == 1 else 1
        tsafe, wt, picked = _targets_and_weights(x, target, w, ignore_index, cdim)
        loss = -picked if wt is None else -(picked * wt)
        self.shape = x.shape
        self.save_for_backward(tsafe, wt)
        return _nll_reduce(self, loss, wt, reduction, x.dtype)

    def backward(self, g):
        tsafe, wt = self.saved_tensors
        gx = xp.zeros(self.shape, dtype=g.dtype)
        coef = _nll_coef(self, g, wt)
        if coef is None or not self.needs_input_grad[0]:
            return (gx if coef is None else None), None, None
        if gx.ndim == 2:
            gx[xp.arange(gx.shape[0]), tsafe] = -coef
        elif gx.ndim == 1:
            gx[tsafe] = -coef
        else:
            coef = xp.broadcast_to(-coef, tsafe.shape)
            xp.put_along_axis(gx, xp.expand_dims(tsafe, 1), xp.expand_dims(coef, 1), axis=1)
        return gx, None, None


class CrossEntropy(NllLoss):
    """``nll_loss(log_softmax(x, class_dim), target)`` fused into one node.

    Forward keeps the softmax; backward is ``coef * (softmax - onehot(target))`` in two passes
    over the input instead of the five of a separate log_softmax and nll_loss. Labelled like
    torch's outer node (``NllLossBackward0``).
    """

    _name = "NllLossBackward0"

    def forward(self, x, target, w=None, reduction="mean", ignore_index=-100):
        if x.dtype.kind != "f":
            raise NotImplementedError(
                "\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'")
        if x.ndim > 2:
            self._name = "NllLoss2DBackward0"
        cdim = 0 if x.ndim == 1 else 1
        rows = xp.arange(x.shape[0]) if x.ndim == 2 else None
        p = x - x.max(axis=cdim, keepdims=True)
        tsafe, wt, picked = _targets_and_weights(p, target, w, ignore_index, cdim, rows)
        xp.exp(p, out=p)
        s = p.sum(axis=cdim, keepdims=True)
        p /= s
        loss = xp.log(xp.squeeze(s, cdim))          # -log_softmax at the targets
        loss -= picked
        if wt is not None:
            loss *= wt
        self.cdim, self.rows = cdim, rows
        self.save_for_backward(tsafe, wt, p)
        return _nll_reduce(self, loss, wt, reduction, x.dtype)

    def backward(self, g):
        tsafe, wt, p = self.saved_tensors
        coef = _nll_coef(self, g, wt)
        if coef is None:
            return xp.zeros(p.shape, dtype=p.dtype), None, None
        if coef.dtype != p.dtype:
            coef = coef.astype(p.dtype)
        cdim = self.cdim
        if p.ndim == 2:
            gx = p * (coef[:, None] if coef.ndim else coef)
            gx[self.rows, tsafe] -= coef
        elif p.ndim == 1:
            gx = p * coef
            gx[tsafe] -= coef
        else:
            coef = xp.broadcast_to(coef, tsafe.shape)
            gx = p * xp.expand_dims(coef, cdim)
            idx = xp.expand_dims(tsafe, cdim)
            xp.put_along_axis(gx, idx, xp.take_along_axis(gx, idx, axis=cdim)
                              - xp.expand_dims(coef, cdim), axis=cdim)
        return gx, None, None


class MultiMarginLoss(Node):
    """Multi-class hinge loss: sum over j != y of ``max(0, margin - x[y] + x[j]) ** p * w[y] / C``.

    Input (C,) or (N, C), target () or (N,) class indices.
    """

    def forward(self, x, target, w=None, p=1, margin=1.0, reduction="mean"):
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
        t = target.reshape(-1)
        N, C = x2.shape
        if t.size and ((t < 0) | (t >= C)).any():
            raise RuntimeError("target out of range")
        rows = xp.arange(N)
        z = (margin - x2[rows, t])[:, None] + x2
        z[rows, t] = 0                            # the target class is not a margin term
        h = xp.maximum(z, 0)
        pos = h > 0
        if p == 2:
            h *= h
        h = h.astype(x.dtype, copy=False)
        wt = None
        if w is not None:
            wt = w[t].astype(x.dtype, copy=False)[:, None]
            h = h * wt
        loss = h.sum(axis=1) / x.dtype.type(C)
        if x.ndim <= 1 and target.ndim == 0:
            loss = loss.reshape(())
        self.save_for_backward(x2, t, z, pos, wt)
        self.p, self.reduction, self.shape = p, reduction, x.shape
        return _reduce(loss, reduction)

    def backward(self, g):
        x2, t, z, pos, wt = self.saved_tensors
        N, C = x2.shape
        s = _grad_scale(g, self.reduction, N if len(self.shape) > 1 else 1)
        s = xp.reshape(s, (-1, 1)) / x2.dtype.type(C)
        a = pos * (s if self.p == 1 else (2 * z) * s)
        if wt is not None:
            a = a * wt
        a = a.astype(x2.dtype, copy=False)
        rows = xp.arange(N)
        a[rows, t] -= a.sum(axis=1)
        return a.reshape(self.shape), None, None


class MultilabelMarginLoss(Node):
    """Multi-label hinge loss; each target row lists class indices and ends at the first -1.

    Per sample: sum over listed targets y and over non-target classes j of
    ``max(0, 1 - (x[y] - x[j])) / C``. The (targets x classes) hinge terms are formed for
    blocks of rows at a time (bounded memory), in forward and again in backward.
    """

    _BLOCK = 1 << 21            # hinge terms per block

    def forward(self, x, target, reduction="mean"):
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
        t2 = target.reshape(x2.shape)
        N, C = x2.shape
        if t2.size and ((t2 < -1) | (t2 >= C)).any():
            raise RuntimeError("argument #2 'target' is out of range")
        valid = xp.cumprod(t2 >= 0, axis=1).astype(bool)
        K = int(valid.sum(axis=1).max()) if N else 0       # targets are a prefix of each row
        valid = valid[:, :K]
        tsafe = xp.where(valid, t2[:, :K], 0)
        is_target = xp.zeros((N, C), dtype=bool)
        is_target[xp.nonzero(valid)[0], tsafe[valid]] = True
        loss = xp.zeros(N, dtype=x.dtype)
        for rows, z, act in self._blocks(x2, tsafe, valid, is_target):
            loss[rows] = xp.where(act, z, 0).sum(axis=(1, 2))
        loss /= x.dtype.type(C)
        if x.ndim <= 1:
            loss = loss.reshape(())
        self.save_for_backward(x2, tsafe, valid, is_target)
        self.reduction, self.shape = reduction, x.shape
        return _reduce(loss, reduction)

    def _blocks(self, x2, tsafe, valid, is_target):
        N, C = x2.shape
        K = tsafe.shape[1]
        step = max(1, self._BLOCK // max(K * C, 1))
        for i in range(0, N, step):
            rows = slice(i, min(i + step, N))
            xb = x2[rows]
            z = (1 - xp.take_along_axis(xb, tsafe[rows], axis=1))[:, :, None] + xb[:, None, :]
            act = (z > 0) & valid[rows][:, :, None] & ~is_target[rows][:, None, :]
            yield rows, z, act

    def backward(self, g):
        x2, tsafe, valid, is_target = self.saved_tensors
        N, C = x2.shape
        K = tsafe.shape[1]
        s = _grad_scale(g, self.reduction, N if len(self.shape) > 1 else 1)
        s = xp.broadcast_to(xp.reshape(s, (-1, 1, 1)) / g.dtype.type(C), (N, 1, 1))
        gx = xp.zeros((N, C), dtype=g.dtype)
        for rows, z, act in self._blocks(x2, tsafe, valid, is_target):
            a = act * s[rows]
            n = a.shape[0]
            gb = a.sum(axis=1)
            flat = (xp.arange(n)[:, None] * C + tsafe[rows]).reshape(-1)
            gb -= xp.bincount(flat, weights=a.sum(axis=2).reshape(-1),
                              minlength=n * C).reshape(n, C)
            gx[rows] = gb
        return gx.reshape(self.shape), None


# ---- sequence: CTC ------------------------------------------------------------------
class _Lse3:
    """``out = log(exp(a) + exp(b) + exp(c))`` elementwise, -inf safe, into preallocated
    buffers (the CTC recursions call it once per time step on (N, L) arrays)."""

    def __init__(self, shape, dtype):
        self.m = xp.empty(shape, dtype)
        self.tmp = xp.empty(shape, dtype)
        self.c = xp.empty(shape, dtype)
        self.lowest = xp.finfo(dtype).min

    def __call__(self, out, a, b, c, c_add):
        m, tmp = self.m, self.tmp
        c = xp.add(c, c_add, out=self.c)
        xp.maximum(a, b, out=m)
        xp.maximum(m, c, out=m)
        xp.maximum(m, self.lowest, out=m)       # all -inf: keep exp() finite (gives -inf)
        xp.subtract(a, m, out=tmp)
        xp.exp(tmp, out=out)
        xp.subtract(b, m, out=tmp)
        xp.exp(tmp, out=tmp)
        out += tmp
        xp.subtract(c, m, out=tmp)
        xp.exp(tmp, out=tmp)
        out += tmp
        xp.log(out, out=out)
        out += m


class CtcLoss(Node):
    """Connectionist Temporal Classification: per-sample negative log likelihood, in log space.

    ``lp``: (T, N, C) log-probabilities; ``targets``: padded (N, S) or concatenated 1-D;
    ``il``/``tl``: int64 (N,). The recursions run over time steps, vectorised over the batch
    and the extended label sequence. Backward returns torch's gradient
    ``exp(lp) - occupancy`` (the gradient with respect to the logits of a log_softmax).
    """

    def forward(self, lp, targets, il, tl, blank=0, zero_infinity=False):
        T, N, C = lp.shape
        dt = lp.dtype
        S = int(tl.max()) if N else 0
        ar = xp.arange(S)
        mask = ar[None, :] < tl[:, None]
        if targets.ndim == 1:
            offs = xp.concatenate([xp.zeros(1, xp.int64), xp.cumsum(tl)[:-1]])
            idx = offs[:, None] + ar[None, :]
            tg = targets[xp.clip(idx, 0, max(targets.shape[0] - 1, 0))] if targets.size else \
                xp.zeros((N, S), xp.int64)
        else:
            tg = targets[:, :S]
        tg = xp.where(mask, tg, blank).astype(xp.int64, copy=False)
        if tg.size and ((tg < 0) | (tg >= C)).any():
            bad = int(tg[(tg < 0) | (tg >= C)][0])
            raise RuntimeError(f"ctc_loss: target index {bad} is out of range for {C} classes")
        L = 2 * S + 1
        ext = xp.full((N, L), blank, dtype=xp.int64)
        ext[:, 1::2] = tg
        ninf = dt.type(-xp.inf)
        skip = xp.full((N, L), ninf, dtype=dt)
        if S > 1:
            skip[:, 3::2] = xp.where(tg[:, 1:] != tg[:, :-1], 0, ninf)
        lpe = lp[:, xp.arange(N)[:, None], ext]                  # (T, N, L)
        alpha = xp.full((T, N, L + 2), ninf, dtype=dt)          # two -inf columns in front
        if T:
            alpha[0, :, 2] = lpe[0, :, 0]
            if S:
                alpha[0, :, 3] = xp.where(tl > 0, lpe[0, :, 1], ninf)
        lse3 = _Lse3((N, L), dt)
        with xp.errstate(divide="ignore", invalid="ignore"):
            for t in range(1, T):
                prev = alpha[t - 1]
                cur = alpha[t, :, 2:]
                lse3(cur, prev[:, 2:], prev[:, 1:-1], prev[:, :-2], skip)
                cur += lpe[t]
            rows = xp.arange(N)
            tlast = xp.maximum(il - 1, 0)
            end = 2 * tl + 2                                     # column of s = 2 * tl
            a_end = alpha[tlast, rows, end]
            a_end2 = xp.where(tl > 0, alpha[tlast, rows, end - 1], ninf)
            nll = -xp.logaddexp(a_end, a_end2)
            nll = xp.where(il == 0, xp.where(tl == 0, -0.0, xp.inf), nll).astype(dt, copy=False)
        self.save_for_backward(lp, lpe, alpha, ext, skip, il, tl, nll)
        self.blank, self.zero_infinity = blank, zero_infinity
        return nll

    def backward(self, g):
        lp, lpe, alpha, ext, skip, il, tl, nll = self.saved_tensors
        T, N, C = lp.shape
        L = ext.shape[1]
        dt = lp.dtype
        ninf = dt.type(-xp.inf)
        # beta(t, s): log probability of emitting the rest of the sequence from (t, s), with
        # two -inf columns at the back; each sample starts at its own last frame il - 1.
        beta = xp.full((T, N, L + 2), ninf, dtype=dt)
        skip_next = xp.full((N, L), ninf, dtype=dt)
        skip_next[:, :-2] = skip[:, 2:]
        end = 2 * tl                                             # s of the final blank
        rows = xp.arange(N)
        # samples grouped by their last frame: {t: rows whose beta starts at t}
        order = xp.argsort(il, kind="stable")
        times, first = xp.unique(il[order] - 1, return_index=True)
        bounds = list(first[1:]) + [N]
        starts = {int(t): order[a:b] for t, a, b in zip(times, first, bounds)}
        lse3 = _Lse3((N, L), dt)
        with xp.errstate(divide="ignore", invalid="ignore"):
            for t in range(T - 1, -1, -1):
                cur = beta[t, :, :L]
                if t < T - 1:
                    nxt = beta[t + 1]
                    lse3(cur, nxt[:, :-2], nxt[:, 1:-1], nxt[:, 2:], skip_next)
                    cur += lpe[t]
                sr = starts.get(t)
                if sr is not None:
                    cur[sr] = ninf
                    cur[sr, end[sr]] = lpe[t, sr, end[sr]]
                    has = sr[tl[sr] > 0]
                    cur[has, end[has] - 1] = lpe[t, has, end[has] - 1]
            # occupancy of each extended label: exp(alpha + beta - lp + nll), summed per class
            q = alpha[:, :, 2:] + beta[:, :, :L]
            q -= lpe
            q += nll[None, :, None]
            occ_l = xp.exp(q)
        onehot = xp.zeros((N, L, C), dtype=dt)
        onehot[rows[:, None], xp.arange(L)[None, :], ext] = 1
        occ = xp.matmul(occ_l.transpose(1, 0, 2), onehot).transpose(1, 0, 2)   # (T, N, C)
        grad = xp.exp(lp) - occ
        grad *= g.astype(dt, copy=False)[None, :, None]
        keep = xp.arange(T)[:, None] < il[None, :]                           # (T, N)
        if self.zero_infinity:
            keep = keep & ~xp.isinf(nll)[None, :]
        grad = xp.where(keep[:, :, None], grad, dt.type(0))
        return grad, None, None, None
