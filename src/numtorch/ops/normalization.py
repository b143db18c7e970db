"""Normalization ops: batch_norm, layer_norm, group_norm (fused forward and backward)."""
from ..backends import xp

from ..autograd.graph import Node


def _bcast(v, ndim):
    """A per-channel vector shaped to broadcast against (N, C, *spatial)."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _affine(xhat, weight, bias, nd):
    """``xhat * weight + bias`` per channel (either may be None), as a new array."""
    if weight is not None:
        out = xhat * _bcast(weight, nd)
        if bias is not None:
            out += _bcast(bias, nd)
        return out
    if bias is not None:
        return xhat + _bcast(bias, nd)
    return xhat.copy()


class NativeBatchNorm(Node):
    """Batch normalisation over (N, *spatial) per channel; updates running stats in place."""

    def forward(self, x, weight, bias, running_mean, running_var, training, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        nd = x.ndim
        t = x.dtype.type
        if training:
            mean = x.mean(axis=axes)
            xc = x - _bcast(mean, nd)
            var = (xc * xc).mean(axis=axes)
            count = x.size // x.shape[1]
            if running_mean is not None:
                running_mean *= (1 - momentum)
                running_mean += t(momentum) * mean.astype(running_mean.dtype, copy=False)
            if running_var is not None:
                unbiased = var * (count / max(count - 1, 1))
                running_var *= (1 - momentum)
                running_var += t(momentum) * unbiased.astype(running_var.dtype, copy=False)
        else:
            mean = running_mean.astype(x.dtype, copy=False)
            var = running_var.astype(x.dtype, copy=False)
            xc = x - _bcast(mean, nd)
        invstd = 1 / xp.sqrt(var + t(eps))
        xhat = xc
        xhat *= _bcast(invstd, nd)
        out = _affine(xhat, weight, bias, nd)
        self.training = training
        self.axes = axes
        self.save_for_backward(xhat, invstd, weight)
        return out

    def backward(self, g):
        xhat, invstd, weight = self.saved_tensors
        need = self.needs_input_grad
        nd = g.ndim
        axes = self.axes
        gx = gw = gb = None
        gsum = g.sum(axis=axes)
        gxhat_sum = (g * xhat).sum(axis=axes) if (need[1] or self.training) else None
        if need[0]:
            scale = invstd if weight is None else invstd * weight
            if self.training:
                m = g.size // g.shape[1]
                gx = g - _bcast(gsum / m, nd)
                gx -= xhat * _bcast(gxhat_sum / m, nd)
                gx *= _bcast(scale, nd)
            else:
                gx = g * _bcast(scale, nd)
        if len(need) > 1 and need[1]:
            gw = gxhat_sum
        if len(need) > 2 and need[2]:
            gb = gsum
        return (gx, gw, gb) + (None,) * 2


class NativeLayerNorm(Node):
    """Normalisation over the last ``k`` dims, with optional elementwise affine."""

    def forward(self, x, weight, bias, k, eps):
        axes = tuple(range(x.ndim - k, x.ndim))
        t = x.dtype.type
        mean = x.mean(axis=axes, keepdims=True)
        xhat = x - mean
        var = (xhat * xhat).mean(axis=axes, keepdims=True)
        invstd = 1 / xp.sqrt(var + t(eps))
        xhat *= invstd
        if weight is not None:
            out = xhat * weight
            if bias is not None:
                out += bias
        elif bias is not None:
            out = xhat + bias
        else:
            out = xhat.copy()
        self.axes = axes
        self.save_for_backward(xhat, invstd, weight)
        return out

    def backward(self, g):
        xhat, invstd, weight = self.saved_tensors
        need = self.needs_input_grad
        axes = self.axes
        lead = tuple(range(g.ndim - len(axes)))
        gx = gw = gb = None
        if need[0]:
            gh = g if weight is None else g * weight
            m = 1
            for a in axes:
                m *= g.shape[a]
            gx = gh - gh.mean(axis=axes, keepdims=True)
            gx -= xhat * (gh * xhat).mean(axis=axes, keepdims=True)
            gx *= invstd
        if len(need) > 1 and need[1]:
            gw = (g * xhat).sum(axis=lead)
        if len(need) > 2 and need[2]:
            gb = g.sum(axis=lead)
        return gx, gw, gb


class NativeGroupNorm(Node):
    """Normalisation over groups of channels (and all spatial positions) per sample."""

    def forward(self, x, weight, bias, groups, eps):
        n, c = x.shape[:2]
        t = x.dtype.type
        xg = x.reshape(n, groups, -1)
        mean = xg.mean(axis=2, keepdims=True)
        xhat = xg - mean
        var = (xhat * xhat).mean(axis=2, keepdims=True)
        invstd = 1 / xp.sqrt(var + t(eps))
        xhat *= invstd
        xhat = xhat.reshape(x.shape)
        nd = x.ndim
        out = _affine(xhat, weight, bias, nd)
        self.groups = groups
        self.save_for_backward(xhat, invstd, weight)
        return out

    def backward(self, g):
        xhat, invstd, weight = self.saved_tensors
        need = self.needs_input_grad
        n, c = g.shape[:2]
        nd = g.ndim
        sp = tuple(range(2, nd))
        gx = gw = gb = None
        if need[0]:
            gh = g if weight is None else g * _bcast(weight, nd)
            gh = gh.reshape(n, self.groups, -1)
            xh = xhat.reshape(n, self.groups, -1)
            gx = gh - gh.mean(axis=2, keepdims=True)
            gx -= xh * (gh * xh).mean(axis=2, keepdims=True)
            gx *= invstd
            gx = gx.reshape(g.shape)
        if len(need) > 1 and need[1]:
            gw = (g * xhat).sum(axis=(0,) + sp)
        if len(need) > 2 and need[2]:
            gb = g.sum(axis=(0,) + sp)
        return gx, gw, gb
