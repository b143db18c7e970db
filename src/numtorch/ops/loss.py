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


class SmoothL1Loss(Node):
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``d = input - target``)."""

    def forward(self, x, t, reduction="mean", beta=1.0):
        x, t = _pair(x, t)
        d = x - t
        ad = xp.abs(d)
        loss = xp.where(ad < beta, (0.5 / beta) * d * d if beta else d, ad - 0.5 * beta)
        self.save_for_backward(d)
        self.reduction, self.beta = reduction, beta
        return _reduce(loss.astype(d.dtype, copy=False), reduction)

    def backward(self, g):
        d, = self.saved_tensors
        beta = self.beta
        gd = xp.where(d < -beta, -1.0, xp.where(d > beta, 1.0, d / beta)).astype(d.dtype)
        gx = gd * _grad_scale(g, self.reduction, d.size)
        n = self.needs_input_grad
        return (gx if n[0] else None), (-gx if n[1] else None)


class HuberLoss(Node):
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``."""

    def forward(self, x, t, reduction="mean", delta=1.0):
        x, t = _pair(x, t)
        d = x - t
        ad = xp.abs(d)
        loss = xp.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
        self.save_for_backward(d)
        self.reduction, self.delta = reduction, delta
        return _reduce(loss.astype(d.dtype, copy=False), reduction)

    def backward(self, g):
        d, = self.saved_tensors
        gx = xp.clip(d, -self.delta, self.delta) * _grad_scale(g, self.reduction, d.size)
        n = self.needs_input_grad
        return (gx if n[0] else None), (-gx if n[1] else None)


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


def _log_sigmoid(x):
    """Stable ``log(sigmoid(x))`` = ``min(x, 0) - log1p(exp(-|x|))``."""
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


def _sigmoid(x):
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


class BinaryCrossEntropyWithLogits(Node):
    """``(1 - t) x - (1 + (pw - 1) t) log_sigmoid(x)``, times ``w`` (no overflow for any x)."""

    def forward(self, x, t, w=None, pw=None, reduction="mean"):
        x, t = promote(x, t)
        ls = _log_sigmoid(x)
        if pw is not None:
            try:
                lw = (pw - 1) * t + 1
            except ValueError:
                check_broadcast(xp.shape(pw), xp.shape(t))
                raise
            loss = (1 - t) * x - lw * ls
        else:
            loss = (1 - t) * x - ls
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
            sig = _sigmoid(x)
            if pw is not None:
                pt = pw * t
                gx = ((pt + 1 - t) * sig - pt) * s
            else:
                gx = (sig - t) * s
        if n[1]:
            if pw is not None:
                ls = _log_sigmoid(x)
                gt = (ls - x - pw * ls) * s
            else:
                gt = -x * s
        return gx, gt, None, None


# ---- classification -----------------------------------------------------------------
def _class_index_check(target, valid, n_classes):
    bad = valid & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(target[bad].flat[0])} is out of bounds.")


class NllLoss(Node):
    """Negative log likelihood of class indices: input (C,), (N, C) or (N, C, d1, ...).

    ``-w[t] x[t]`` per element (0 where ``target == ignore_index``); 'mean' divides by the sum
    of the weights of the non-ignored targets.
    """

    def forward(self, x, target, w=None, reduction="mean", ignore_index=-100):
        cdim = 0 if x.ndim == 1 else 1
        if x.ndim > 2:
            self._name = "NllLoss2DBackward0"
        valid = target != ignore_index
        _class_index_check(target, valid, x.shape[cdim])
        all_valid = valid.all()
        tsafe = target if all_valid else xp.where(valid, target, 0)
        if x.ndim == 2:
            picked = x[xp.arange(x.shape[0]), tsafe]
        else:
            picked = xp.take_along_axis(x, xp.expand_dims(tsafe, cdim), axis=cdim).squeeze(cdim)
        if w is not None:
            wt = w[tsafe].astype(x.dtype, copy=False)
            if not all_valid:
                wt = wt * valid
        elif all_valid:
            wt = None
        else:
            wt = valid.astype(x.dtype)
        loss = -picked if wt is None else -(picked * wt)
        self.reduction = reduction
        self.shape = x.shape
        if reduction == "none":
            out = loss
        elif reduction == "sum":
            out = xp.asarray(loss.sum(dtype=x.dtype))
        else:
            total = x.dtype.type(loss.size) if wt is None else wt.sum(dtype=x.dtype)
            with xp.errstate(invalid="ignore", divide="ignore"):
                out = xp.asarray(loss.sum(dtype=x.dtype) / total)
            self.total = total
        self.save_for_backward(tsafe, wt)
        return out

    def backward(self, g):
        tsafe, wt = self.saved_tensors
        if not self.needs_input_grad[0]:
            return None, None, None
        if self.reduction != "mean":
            coef = -g
        elif self.total == 0:           # every target ignored: torch's gradient is zero
            return xp.zeros(self.shape, dtype=g.dtype), None, None
        else:
            coef = -(g / self.total)
        if wt is not None:
            coef = coef * wt
        shape = self.shape
        dt = g.dtype
        gx = xp.zeros(shape, dtype=dt)
        if len(shape) == 2:
            gx[xp.arange(shape[0]), tsafe] = coef
        elif len(shape) == 1:
            gx[tsafe] = coef
        else:
            coef = xp.broadcast_to(coef, tsafe.shape)
            xp.put_along_axis(gx, xp.expand_dims(tsafe, 1), xp.expand_dims(coef, 1), axis=1)
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
        pos = z > 0
        pos[rows, t] = False
        h = xp.where(pos, z if p == 1 else z * z, 0).astype(x.dtype, copy=False)
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
    ``max(0, 1 - (x[y] - x[j])) / C``.
    """

    def forward(self, x, target, reduction="mean"):
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
        t2 = target.reshape(x2.shape)
        N, C = x2.shape
        if t2.size and ((t2 < -1) | (t2 >= C)).any():
            raise RuntimeError("argument #2 'target' is out of range")
        valid = xp.cumprod(t2 >= 0, axis=1).astype(bool)
        tsafe = xp.where(valid, t2, 0)
        rows = xp.repeat(xp.arange(N), C).reshape(N, C)
        is_target = xp.zeros((N, C), dtype=bool)
        is_target[rows[valid], tsafe[valid]] = True
        xt = xp.take_along_axis(x2, tsafe, axis=1)
        z = (1 - xt)[:, :, None] + x2[:, None, :]
        act = (z > 0) & valid[:, :, None] & ~is_target[:, None, :]
        loss = xp.where(act, z, 0).sum(axis=(1, 2)).astype(x.dtype, copy=False) / x.dtype.type(C)
        if x.ndim <= 1:
            loss = loss.reshape(())
        self.save_for_backward(tsafe, act)
        self.reduction, self.shape = reduction, x.shape
        return _reduce(loss, reduction)

    def backward(self, g):
        tsafe, act = self.saved_tensors
        N, C = tsafe.shape
        s = _grad_scale(g, self.reduction, N if len(self.shape) > 1 else 1)
        s = xp.reshape(s, (-1, 1, 1)) / g.dtype.type(C)
        a = act * s
        gx = a.sum(axis=1)
        flat = (xp.arange(N)[:, None] * C + tsafe).reshape(-1)
        gx -= xp.bincount(flat, weights=a.sum(axis=2).reshape(-1), minlength=N * C).reshape(N, C)
        return gx.astype(g.dtype, copy=False).reshape(self.shape), None


# ---- sequence: CTC ------------------------------------------------------------------
def _lse3(a, b, c, lowest):
    """Elementwise log(exp(a) + exp(b) + exp(c)), -inf safe."""
    m = xp.maximum(xp.maximum(a, b), c)
    xp.maximum(m, lowest, out=m)
    s = xp.exp(a - m)
    s += xp.exp(b - m)
    s += xp.exp(c - m)
    r = xp.log(s)
    r += m
    return r


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
        lowest = xp.finfo(dt).min
        alpha = xp.full((T, N, L + 2), ninf, dtype=dt)          # two -inf columns in front
        if T:
            alpha[0, :, 2] = lpe[0, :, 0]
            if S:
                alpha[0, :, 3] = xp.where(tl > 0, lpe[0, :, 1], ninf)
        with xp.errstate(divide="ignore", invalid="ignore"):
            for t in range(1, T):
                prev = alpha[t - 1]
                r = _lse3(prev[:, 2:], prev[:, 1:-1], prev[:, :-2] + skip, lowest)
                r += lpe[t]
                alpha[t, :, 2:] = r
            rows = xp.arange(N)
            tlast = xp.maximum(il - 1, 0)
            end = 2 * tl + 2                                     # column of s = 2 * tl
            a_end = alpha[tlast, rows, end]
            a_end2 = xp.where(tl > 0, alpha[tlast, rows, end - 1], ninf)
            nll = -xp.logaddexp(a_end, a_end2)
            nll = xp.where(il == 0, xp.where(tl == 0, 0, xp.inf), nll).astype(dt, copy=False)
        self.save_for_backward(lp, lpe, alpha, ext, skip, il, tl, nll)
        self.blank, self.zero_infinity = blank, zero_infinity
        return nll

    def backward(self, g):
        lp, lpe, alpha, ext, skip, il, tl, nll = self.saved_tensors
        T, N, C = lp.shape
        L = ext.shape[1]
        dt = lp.dtype
        ninf = dt.type(-xp.inf)
        lowest = xp.finfo(dt).min
        rows = xp.arange(N)
        # beta(t, s): log probability of emitting the rest of the sequence from (t, s), with
        # two -inf columns at the back; each sample starts at its own last frame il - 1.
        beta = xp.full((T, N, L + 2), ninf, dtype=dt)
        skip_next = xp.full((N, L), ninf, dtype=dt)
        skip_next[:, :-2] = skip[:, 2:]
        end = 2 * tl                                             # s of the final blank
        init = xp.full((N, L), ninf, dtype=dt)
        with xp.errstate(divide="ignore", invalid="ignore"):
            for t in range(T - 1, -1, -1):
                starts = il - 1 == t
                if t < T - 1:
                    nxt = beta[t + 1]
                    r = _lse3(nxt[:, :-2], nxt[:, 1:-1], nxt[:, 2:] + skip_next, lowest)
                    r += lpe[t]
                else:
                    r = xp.full((N, L), ninf, dtype=dt)
                if starts.any():
                    sr = rows[starts]
                    init.fill(ninf)
                    init[sr, end[sr]] = lpe[t, sr, end[sr]]
                    has = sr[tl[sr] > 0]
                    init[has, end[has] - 1] = lpe[t, has, end[has] - 1]
                    r[sr] = init[sr]
                beta[t, :, :L] = r
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
