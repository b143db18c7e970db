"""Element-wise update kernels that round like torch's CPU kernels.

torch's vectorized CPU kernels for ``add(alpha=)``, ``addcmul`` and ``lerp`` use a fused
multiply-add (one rounding for ``a + x * y``). NumPy has no FMA, but for float32 (and float16)
arrays the product of two float32 numbers is exact in float64, so computing ``a + x * y`` in
float64 and rounding once to float32 gives the fused result (bar a double rounding about once
in 2**29 elements). Scalars are first rounded to float32, as torch casts them to the kernel's
math type.

The float64 round trip costs about three times a plain NumPy update, so it is used for arrays
of up to ``EXACT_MAX_NUMEL`` elements (biases, small layers, the examples people print), where
it is cheap next to the per-call overhead; larger arrays, and float64 ones, use plain NumPy
arithmetic (at most one ulp from torch per operation).
"""
import numpy as np

_f64 = np.float64
_f32 = np.float32

EXACT_MAX_NUMEL = 1 << 14


def _narrow(a):
    """True when ``a``'s update is rounded like torch's fused float32 kernel."""
    return (a.dtype == _f32 or a.dtype == np.float16) and a.size <= EXACT_MAX_NUMEL


def _round_into(out, wide):
    if out.dtype == np.float16:
        wide = wide.astype(_f32)
    np.copyto(out, wide, casting="unsafe")


def add_scaled(a, b, alpha):
    """``a + alpha * b`` as a new array (torch's ``a.add(b, alpha=alpha)``)."""
    if alpha == 1:  # a fused a + 1*b rounds like a plain sum
        return a + b
    if not _narrow(a) or b.dtype != a.dtype:
        return a + alpha * b
    t = b * _f64(_f32(alpha))  # exact: a float32 product fits in float64
    t += a
    out = np.empty_like(a)
    _round_into(out, t)
    return out


def add_scaled_(a, b, alpha):
    """In place ``a += alpha * b`` (torch's ``a.add_(b, alpha=alpha)``)."""
    if alpha == 1:
        a += b
        return
    if alpha == -1:
        a -= b
        return
    if not _narrow(a) or b.dtype != a.dtype:
        a += alpha * b
        return
    t = b * _f64(_f32(alpha))  # exact: a float32 product fits in float64
    t += a
    _round_into(a, t)


def addcmul_(a, t1, t2, value):
    """In place ``a += value * t1 * t2`` (torch's ``a.addcmul_(t1, t2, value=value)``)."""
    if not _narrow(a) or t1.dtype != a.dtype:
        a += value * t1 * t2
        return
    s = t1 * _f32(value)
    t = np.multiply(s, t2, dtype=_f64)
    t += a
    _round_into(a, t)


def addcmul(a, t1, t2, value):
    """``a + value * t1 * t2`` as a new array."""
    out = np.array(a, copy=True)
    addcmul_(out, t1, t2, value)
    return out


def lerp_(a, b, w):
    """In place ``a.lerp_(b, w)`` for a scalar weight, with torch's two-branch formula."""
    d = b - a
    if not _narrow(a) or b.dtype != a.dtype:
        if abs(w) < 0.5:
            d *= w
            a += d
        else:
            d *= 1.0 - w
            np.subtract(b, d, out=a)
        return
    w = _f32(w)
    if abs(w) < 0.5:
        t = d * _f64(w)
        t += a
    else:
        t = d * _f64(w - _f32(1))
        t += b
    _round_into(a, t)
