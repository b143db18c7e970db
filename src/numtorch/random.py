"""Random number generation: ``Generator``, the default generator and seeding.

The streams are bit-identical to PyTorch 2.13 on x86-64 CPUs (ATen capability AVX2/AVX512):
the same Mersenne Twister seeding and state layout, the same number of 32- or 64-bit draws
per element, and the same transforms with the same roundings. This file holds the engine, the
transforms (NumPy emulations of torch's kernels, FMAs included) and the per-distribution
primitives that ``_random_ops.py`` calls; the callers decide memory order and paths.

Engine (as torch drives it): MT19937 seeded with ``init_genrand(seed & 0xffffffff)``; the
full 64-bit seed is only reported back by ``initial_seed()``. NumPy's MT19937 bit generator
is the raw source, with its ``{key, pos}`` state set from torch's ``{state, left, next}``
(``pos = 625 - left``; right after seeding torch stores ``next = 0`` and NumPy ``pos = 624``).
A 64-bit draw is two 32-bit outputs, the first in the high half.

Platform note: torch's own float32 ``uniform_``/``normal_`` results depend on its CPU kernel
flavour. This reproduces the x86-64 AVX2/AVX512 build (FMAs placed as GCC places them);
torch's non-SIMD ``DEFAULT`` kernels and arm64 builds round differently and are not emulated.
Transcendentals (log, log1p, sin, cos, tan, exp, lgamma) are the C library's, as torch's are.
"""
import contextlib
import functools
import math
import os

import numpy as np


__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]

_DEFAULT_SEED = 67280421310721
_N = 624
# The 5056-byte CPUGeneratorImplState that torch.get_rng_state() returns.
_STATE_DTYPE = np.dtype([
    ("seed", "<u8"), ("left", "<i4"), ("seeded", "<i4"), ("next", "<u8"),
    ("state", "<u8", (_N,)), ("normal_x", "<f8"), ("normal_y", "<f8"), ("normal_rho", "<f8"),
    ("normal_is_valid", "<i4"), ("pad0", "<i4"), ("next_float_normal", "<f4"),
    ("float_is_valid", "u1"), ("pad1", "u1", (3,))])
_STATE_SIZE = _STATE_DTYPE.itemsize  # 5056


def _init_genrand(s):
    """The 624 untwisted MT19937 words for the 32-bit seed ``s`` (Knuth's initialiser)."""
    key = np.empty(_N, dtype=np.uint32)
    x = s & 0xFFFFFFFF
    for i in range(_N):
        key[i] = x
        x = (1812433253 * (x ^ (x >> 30)) + i + 1) & 0xFFFFFFFF
    return key


def _entropy_seed():
    return int.from_bytes(os.urandom(8), "little")


# ==== transforms (bit-exact emulations of torch's CPU kernels) ================================
_F32 = np.float32
_F64 = np.float64
_M24 = np.uint32(0xFFFFFF)
_M53 = np.uint64((1 << 53) - 1)
_M53_INT = (1 << 53) - 1
_SMALL = 64   # the serial normal path switches to plain Python floats up to this size
_FEW = 1024   # below this many draws, read the bit generator's raw outputs directly
_MIDPOINT_MASK = np.uint64((1 << 29) - 1)   # the bits a float64 has beyond float32 precision
_MIDPOINT = np.uint64(1 << 28)


def _u24(r, out=None):
    """float32 uniforms in [0, 1): (r & 0xFFFFFF) * 2**-24, exact. Consumes ``r`` (uint32):
    the result reuses its memory unless ``out`` is given."""
    np.bitwise_and(r, _M24, out=r)
    if out is None:
        out = r.view(_F32)
    # < 2**24 after the mask: int32 converts faster than uint32
    np.multiply(r.view(np.int32), _F32(2.0 ** -24), out=out, dtype=_F32, casting="unsafe")
    return out


def _u53(r):
    """float64 uniforms in [0, 1): (r & (2**53 - 1)) * 2**-53, exact. Consumes ``r`` (uint64)
    and reuses its memory."""
    np.bitwise_and(r, _M53, out=r)
    out = r.view(_F64)
    np.multiply(r, 2.0 ** -53, out=out, dtype=_F64, casting="unsafe")
    return out


def _round_f32(s, p, c, out):
    """Round the float64 sums ``s = RN64(p + c)`` to float32 into ``out`` as a single rounding of
    the exact ``p + c`` would (an emulated float32 FMA): only a sum that lands exactly on a
    float32 halfway point can be double-rounded; those lanes are nudged toward the exact value
    (TwoSum error) before the final rounding."""
    np.copyto(out, s, casting="unsafe")
    tie = (s.view(np.uint64) & _MIDPOINT_MASK) == _MIDPOINT
    if tie.any():
        # halfway points are common when the sum is exact (then the cast is right): find the
        # inexact ones with the TwoSum error of all lanes, and fix only those
        bb = s - p
        err = (p - (s - bb)) + (c - bb)
        idx = np.flatnonzero(tie & (err != 0))
        if idx.size:
            ss, ee = s.flat[idx], err.flat[idx]
            out.flat[idx] = np.nextafter(ss, np.where(ee > 0, np.inf, -np.inf)).astype(_F32)
    return out


def _fma32_exact_in_f64(b, c):
    """True if ``a * b + c`` is exact in float64 for every float32 ``a`` = k * 2**-24 (k < 2**24)
    and these float32 scalars, so that one rounding to float32 is the FMA result."""
    if b == 0 or c == 0:
        return True
    eb, ec = math.frexp(float(b))[1] - 24, math.frexp(float(c))[1] - 24
    lo, hi = min(eb - 24, ec), max(eb + 24, ec + 24) + 1
    return hi - lo <= 53


def _fma32(a, b, c, out=None):
    """float32 ``fma(a, b, c)`` (one rounding) for a float32 array ``a`` and float32 scalars."""
    p = a.astype(_F64)
    p *= float(b)
    s = p + float(c)
    if out is None:
        out = np.empty(a.shape, dtype=_F32)
    return _round_f32(s, p, float(c), out)


def _split(a):
    t = a * 134217729.0
    hi = t - (t - a)
    return hi, a - hi


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _fma64(x, b, c):
    """Correctly rounded double ``fma(x, b, c)`` for a float64 array ``x`` and scalars ``b, c``
    (TwoProduct + TwoSum + a round-to-odd sum, after Boldo and Melquiond)."""
    if b == 1.0 and c == 0.0:
        return x + 0.0
    if b == 0.0:
        return np.full(x.shape, c) + x * b
    if x.size > _BLOCK:   # cache-sized blocks: about thirty passes follow
        out = np.empty(x.shape, dtype=_F64)
        xf, of = x.reshape(-1), out.reshape(-1)
        for s in range(0, xf.size, _BLOCK):
            of[s:s + _BLOCK] = _fma64(xf[s:s + _BLOCK], b, c)
        return out
    uh = x * b
    xh, xl = _split(x)
    bh, bl = _split(np.float64(b))
    ul = ((xh * bh - uh) + xh * bl + xl * bh) + xl * bl
    th, tl = _two_sum(np.float64(c), uh)
    v, ve = _two_sum(tl, ul)
    odd_fix = (ve != 0) & ((v.view(np.int64) & 1) == 0)
    if odd_fix.any():
        v[odd_fix] = np.nextafter(v[odd_fix], np.where(ve[odd_fix] > 0, np.inf, -np.inf))
    return th + v


def _libm(fn, x):
    """Apply a C math-library function (``math.log1p`` ...) elementwise: numpy's own SIMD
    versions are not always correctly rounded the way glibc's are, and torch calls glibc.
    ``math.sin``/``math.cos`` go to numpy when it agrees with the C library (``_np_twin``)."""
    twin = _np_twin(fn)
    if twin is not None:
        return twin(x)
    return np.fromiter(map(fn, x.tolist()), dtype=_F64, count=x.size)


_TWINS = {}


def _np_twin(fn):
    """numpy's ufunc for ``math.sin``/``math.cos`` if it returns the C library's bits on a
    65536-point probe of the Box-Muller angle range (numpy builds that call libm do; SIMD
    re-implementations differ on a visible fraction of inputs), else None."""
    if fn not in (math.sin, math.cos):
        return None
    if fn not in _TWINS:
        probe = np.random.default_rng(12345).random(1 << 16) * 6.283185307179586
        probe[:4] = (0.0, 6.283185307179586, math.pi, math.pi / 2)
        ufunc = np.sin if fn is math.sin else np.cos
        exact = np.fromiter(map(fn, probe.tolist()), dtype=_F64, count=probe.size)
        _TWINS[fn] = ufunc if np.array_equal(ufunc(probe).view(np.uint64),
                                             exact.view(np.uint64)) else None
    return _TWINS[fn]


def _cast_from_double(v, dt):
    """``static_cast<scalar_t>(double)``; half goes through float, as c10::Half does."""
    if dt == np.float16:
        return v.astype(_F32).astype(dt)
    return v.astype(dt, copy=False)


def _cast_int64(v, dt):
    """``static_cast<scalar_t>(int64)``; half goes through float."""
    if dt == np.float16:
        return v.astype(_F32).astype(dt)
    return v.astype(dt, copy=False)


def _cast_bool(mask, dt):
    return mask.astype(dt)


_BLOCK = 1 << 16   # elements per pass where float64 temporaries are needed (cache-sized)


def _uniform_f32(r, low, high, dt, out=None):
    """``uniform_(low, high)`` for float32 (and float16, computed in float32): x = 24-bit
    uniform, fma(x, to - from, from) with one rounding; a value equal to ``to`` becomes
    ``from``. Consumes ``r``; writes into ``out`` (float32) if given."""
    frm, to = _F32(low), _F32(high)
    rng = _F32(to - frm)
    if dt != np.float32:
        out = None
    if frm == 0 and rng == 1:
        v = _u24(r, out)
        if dt == np.float32:
            return v          # at most 1 - 2**-24: never equals ``to``
    elif _fma32_exact_in_f64(rng, frm):
        # x * rng = k * (rng * 2**-24) is exact in float64, so is the sum: one rounding.
        np.bitwise_and(r, _M24, out=r)
        v = r.view(_F32) if out is None else out
        scale, f = float(rng) * 2.0 ** -24, float(frm)
        t = np.empty(min(_BLOCK, r.size), dtype=_F64)
        for s in range(0, r.size, _BLOCK):
            tt = t[:min(_BLOCK, r.size - s)]
            np.multiply(r[s:s + _BLOCK].view(np.int32), scale, out=tt, dtype=_F64,
                        casting="unsafe")
            np.add(tt, f, out=tt)
            np.copyto(v[s:s + _BLOCK], tt, casting="unsafe")
    else:
        v = _fma32(_u24(r), rng, frm, out)
    # values are monotone in x: clamp only if the largest x can produce ``to``
    top = _largest_uniform_f32(float(rng), float(frm))
    if dt == np.float16:
        v = v.astype(dt)
        frm, to, top = np.float16(frm), np.float16(to), np.float16(top)
    if top >= to:
        np.copyto(v, frm, where=v == to)
    return v


@functools.lru_cache(maxsize=64)
def _largest_uniform_f32(rng, frm):
    return _fma32(np.array([1 - 2.0 ** -24], dtype=_F32), _F32(rng), _F32(frm))[0]


def _uniform_f64(r, low, high):
    """``uniform_(low, high)`` for float64: 53-bit uniform, double fma, same clamp."""
    frm, to = float(low), float(high)
    x = _u53(r)
    v = _fma64(x, to - frm, frm)
    v[v == to] = frm
    return v


def _int_from_to(draws, rng, low, dt):
    """``(draw % range) + from`` with int64 wraparound, then cast to ``dt``. Consumes
    ``draws``."""
    if draws.dtype == np.uint32:
        np.remainder(draws, np.uint32(rng), out=draws)
        if dt == np.float16:
            return _cast_int64(draws.astype(np.int64) + low, dt)
        if (dt.kind in "iu" and dt.itemsize <= 4
                or dt.kind == "f" and abs(low) + rng < 1 << 53):
            # the sum is exact in the wider type, wraps like int64 -> dt would
            wide = np.float64 if dt.kind == "f" else np.int64
            out = np.empty(draws.shape, dtype=dt)
            np.add(draws, low, out=out, dtype=wide, casting="unsafe")
            return out
        v = draws.astype(np.int64)
        v += low
        return _cast_int64(v, dt)
    np.remainder(draws, np.uint64(rng), out=draws)
    draws += np.uint64(low & 0xFFFF_FFFF_FFFF_FFFF)
    return _cast_int64(draws.view(np.int64), dt)


def _stable_order(keys, n):
    """Indices that sort ``keys`` (ints in [0, n)) stably: 16-bit radix passes (numpy's stable
    sort of uint16 is a radix sort)."""
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    if n > 1 << 16:
        hi = (keys[order] >> 16).astype(np.uint16)
        order = order[np.argsort(hi, kind="stable")]
    return order


def _randperm_swaps(r, n):
    """torch's CPU shuffle, ``for i < n - 1: swap(a[i], a[i + r_i % (n - i)])``, resolved
    without a Python loop. Step i finalises position i with whatever sits at its target t_i;
    that is what the latest earlier step with the same target dropped there (or t_i itself),
    and what step j drops is what was at position j, found the same way (pointer jumping)."""
    if n <= 1:
        return np.arange(n, dtype=np.int64)
    idx = np.arange(n, dtype=np.int64)
    span = np.arange(n, 1, -1, dtype=np.uint32)            # n - i for i < n - 1
    np.remainder(r, span, out=r)
    t = idx.copy()
    t[:-1] += r
    order = _stable_order(t, n)                              # steps grouped by target
    ts = t[order]
    prev_same = np.full(n, -1, dtype=np.int64)               # latest earlier step, same target
    same = ts[1:] == ts[:-1]
    prev_same[order[1:][same]] = order[:-1][same]
    counts = np.bincount(t, minlength=n)
    hi = np.cumsum(counts)
    # latest step before p that targets position p (the last of group p, skipping p itself)
    last = np.where(counts > 0, order[np.maximum(hi - 1, 0)], -1)
    k = np.where(last == idx, prev_same[np.maximum(last, 0)], last)
    ptr = np.where(k >= 0, k, idx)
    active = np.flatnonzero(k >= 0)
    while active.size:
        p = ptr[active]
        pp = ptr[p]
        ptr[active] = pp
        active = active[pp != p]
    return np.where(prev_same >= 0, ptr[np.maximum(prev_same, 0)], t)


def _randperm_inside_out(r, n):
    """torch's variant for n >= 214748364 (64-bit draws); a plain loop (too large to matter)."""
    out = np.empty(n, dtype=np.int64)
    z = r % (np.arange(n, dtype=np.uint64) + np.uint64(1))
    for i in range(n):
        j = int(z[i])
        out[i] = out[j]
        out[j] = i
    return out


def _multinomial_search(p, u):
    """Sampling with replacement as torch's CPU kernel does it, row by row: cumulative sums in
    the input dtype, divided by the total, last bucket forced to 1, then the first bucket whose
    cumulative probability is >= the double uniform."""
    out = np.empty(u.shape, dtype=np.int64)
    for i in range(p.shape[0]):   # rows are few; each row is one vectorised search
        cum = np.cumsum(p[i])
        cum /= cum[-1]
        cum[-1] = 1
        out[i] = np.searchsorted(cum.astype(_F64), u[i], side="left")
    return out


def _topk_indices(q, k):
    """Indices of the ``k`` largest entries of each row, largest first (torch.topk)."""
    return np.argsort(-q, axis=-1, kind="stable")[:, :k].astype(np.int64)


def _box_muller_serial(u1, u2):
    """torch's scalar Box-Muller in double: r = sqrt(-2 log1p(-u2)), theta = 2 pi u1."""
    radius = np.sqrt(-2.0 * _libm(math.log1p, -u2))
    theta = 6.283185307179586 * u1
    return radius * _libm(math.cos, theta), radius * _libm(math.sin, theta)


def _normal_fill_f64(u, mean, std):
    """The vectorised float64 fill: per block of 16, lanes j < 8 use u1 = 1 - u[j] (radius,
    libm log) and u2 = u[j + 8] (angle); outputs fma(radius*cos, std, mean), fma(radius*sin)."""
    b = u.reshape(-1, 2, 8)
    radius = np.sqrt(-2.0 * _libm(math.log, (1.0 - b[:, 0]).ravel()))
    theta = 6.283185307179586 * b[:, 1].ravel()
    out = np.empty(b.shape, dtype=_F64)
    out[:, 0] = _fma64(radius * _libm(math.cos, theta), std, mean).reshape(-1, 8)
    out[:, 1] = _fma64(radius * _libm(math.sin, theta), std, mean).reshape(-1, 8)
    return out.reshape(-1)


# Cephes single-precision constants, as torch's AVX2 kernel (avx_mathfun.h) rounds them.
_SQRTHF = _F32(0.707106781186547524)
_LOG_P = [_F32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                            -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                            2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = _F32(-2.12194440e-4), _F32(0.693359375)
_TWO_PI = _F32(2.0 * math.pi)
_FOPI = _F32(1.27323954473516)
_DP = [_F32(v) for v in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)]
_SIN_P = [_F32(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COS_P = [_F32(v) for v in (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)]
_CHUNK = 16384  # lanes per pass: keeps the temporaries in cache


class _Lanes:
    """Scratch buffers and steps for torch's AVX2 float32 Box-Muller lane kernel.

    Every float32 FMA is evaluated as an exact float64 product plus one float64 add and a
    rounding to float32. For the log and sincos steps (each a function of one 24-bit draw)
    an exhaustive check over all 2**24 inputs (tests/test_random_exhaustive.py, ``checked``
    mode) shows this never double-rounds, so no per-lane check is needed there.
    """

    def __init__(self, size, checked=False):
        self.checked = checked
        self.stats = {}
        self.f32 = [np.empty(size, dtype=_F32) for _ in range(7)]
        self.f64 = [np.empty(size, dtype=_F64) for _ in range(4)]
        self.i32 = np.empty(size, dtype=np.int32)
        self.u32a = np.empty(size, dtype=np.uint32)
        self.u32b = np.empty(size, dtype=np.uint32)
        self.u64 = np.empty(size, dtype=np.uint64)
        self.mask = np.empty(size, dtype=np.bool_)
        self._views = {}

    def view(self, n):
        views = self._views.get(n)
        if views is None:
            views = self._views[n] = ([b[:n] for b in self.f32], [b[:n] for b in self.f64],
                                      self.i32[:n], self.mask[:n])
        return views

    def fma(self, a64, b, c, out32, t, tag):
        """out32 = RN32(a64 * b + c): product exact in float64, one add, one rounding."""
        np.multiply(a64, b, out=t)
        if self.checked:
            p = t.copy()
            cc = np.broadcast_to(np.asarray(c, dtype=_F64), p.shape)
            np.add(p, cc, out=t)
            _round_f32(t, p, cc, out32)
            bb = t - p
            err = (p - (t - bb)) + (cc - bb)
            tie = (t.view(np.uint64) & _MIDPOINT_MASK) == _MIDPOINT
            st = self.stats.setdefault(tag, [0, 0])
            st[0] += int(np.count_nonzero(err))          # inexact in float64
            st[1] += int(np.count_nonzero(tie & (err != 0)))  # double rounding possible
            return out32
        np.add(t, c, out=t)
        np.copyto(out32, t, casting="unsafe")
        return out32

    def affine(self, v, std, mean):
        """v = fma(v, std, mean) in float32, in place (one rounding; halfway cases fixed)."""
        _, (p, t, *_), _, _ = self.view(v.size)
        np.copyto(p, v)
        np.multiply(p, float(std), out=p)            # exact
        np.add(p, float(mean), out=t)
        np.copyto(v, t, casting="unsafe")
        bits = self.u64[:v.size]
        np.bitwise_and(t.view(np.uint64), _MIDPOINT_MASK, out=bits)
        if (bits == _MIDPOINT).any():
            _round_f32(t, p, float(mean), v)

    def radius(self, w, out):
        """sqrt(-2 * log(u1)) for u1 = w * 2**-24, w integers in [1, 2**24] (Cephes logf)."""
        (a, x, z, y, ef, tmp, _), (x64, y64, z64, t), e, _ = self.view(w.size)
        # The kernel splits u1 = m * 2**e (m in [0.5, 1)) and, where m < sqrt(1/2), uses
        # x = 2m - 1 and e - 1, else x = m - 1. Adding (bits(1.0) - bits(sqrt(1/2))) to the
        # bits of u1 carries into the exponent exactly when m >= sqrt(1/2), which yields both.
        np.copyto(a, w.view(np.int32))       # w <= 2**24: int32 converts faster than uint32
        bits = a.view(np.int32)
        np.add(bits, _LOG_SPLIT, out=bits)
        np.right_shift(bits, 23, out=e)
        np.subtract(e, 127 + 24, out=e)       # u1 = w * 2**-24
        np.copyto(ef, e)
        np.bitwise_and(bits, 0x7FFFFF, out=bits)
        np.add(bits, _SQRTHF_BITS, out=bits)  # 2m or m, in [sqrt(1/2), sqrt(2))
        np.subtract(a, _F32(1), out=x)
        np.multiply(x, x, out=z)
        np.copyto(x64, x)
        self.fma(x64, float(_LOG_P[0]), float(_LOG_P[1]), y, t, "log_p1")
        for k, pk in enumerate(_LOG_P[2:], 2):
            np.copyto(y64, y)
            self.fma(y64, x64, float(pk), y, t, f"log_p{k}")
        np.multiply(y, x, out=y)
        np.multiply(ef, _LOG_Q1, out=tmp)
        np.copyto(y64, y)
        np.copyto(z64, z)
        np.copyto(x64, tmp)
        self.fma(y64, z64, x64, y, t, "log_q1")
        np.multiply(z, _F32(0.5), out=tmp)
        np.subtract(y, tmp, out=y)
        np.add(x, y, out=x)
        np.multiply(ef, _LOG_Q2, out=tmp)
        np.add(x, tmp, out=x)
        np.multiply(x, _F32(-2), out=x)
        return np.sqrt(x, out=out)

    def sincos(self, k, sin_out, cos_out):
        """sin and cos of theta = float32(2 pi) * k * 2**-24 (Cephes sincosf)."""
        (th, x, z, c, s, tmp, _), (y64, x64, z64, t), j, _ = self.view(k.size)
        np.copyto(th, k.view(np.int32))
        np.multiply(th, _THETA_SCALE, out=th)
        np.multiply(th, _FOPI, out=tmp)
        np.copyto(j, tmp, casting="unsafe")   # truncation
        np.add(j, 1, out=j)
        np.bitwise_and(j, ~1, out=j)
        np.copyto(tmp, j)
        np.copyto(y64, tmp)
        # Cody-Waite reduction x = ((theta - y DP1) - y DP2) - y DP3, each step an FMA. The
        # first is exact in float32 (y * DP1 has at most 12 bits, the difference fits); the
        # other two give the same float32 as one rounding of x - y (DP2 + DP3) (checked).
        np.multiply(tmp, _DP[0], out=x)
        np.add(x, th, out=x)
        if self.checked:   # the reference: three emulated FMAs
            ref = np.empty_like(x)
            np.copyto(x64, th)
            self.fma(y64, float(_DP[0]), x64, ref, t, "dp1")
            self.stats["dp1"][1] += int(np.count_nonzero(ref.view(np.uint32) !=
                                                         x.view(np.uint32)))
            np.copyto(x64, ref)
            self.fma(y64, float(_DP[1]), x64, ref, t, "dp2")
            np.copyto(x64, ref)
            self.fma(y64, float(_DP[2]), x64, ref, t, "dp3")
        np.copyto(x64, x)
        np.multiply(y64, _DP23, out=t)
        np.add(t, x64, out=t)
        np.copyto(x, t, casting="unsafe")
        if self.checked:
            self.stats["dp3"][1] += int(np.count_nonzero(ref.view(np.uint32) !=
                                                         x.view(np.uint32)))
        np.multiply(x, x, out=z)
        np.copyto(z64, z)
        for out, coef, tag in ((c, _COS_P, "cos"), (s, _SIN_P, "sin")):
            self.fma(z64, float(coef[0]), float(coef[1]), out, t, tag + "1")
            np.copyto(y64, out)
            self.fma(y64, z64, float(coef[2]), out, t, tag + "2")
            np.multiply(out, z, out=out)
        # c = fma(c, z, -z/2) + 1; s = fma(s, x, x)
        np.copyto(y64, c)
        np.multiply(z64, -0.5, out=x64)
        self.fma(y64, z64, x64, c, t, "cos3")
        np.add(c, _F32(1), out=c)
        np.copyto(y64, s)
        np.copyto(x64, x)
        self.fma(y64, x64, x64, s, t, "sin3")
        # j in {0, 2, 4, 6, 8}: the polynomials swap where j & 2; sin flips sign where j & 4,
        # cos where (j + 2) & 4 (the kernel's ~(j - 2) & 4).
        ji, su, cu = j, s.view(np.int32), c.view(np.int32)
        sel, diff = self.u32a[:k.size].view(np.int32), self.u32b[:k.size].view(np.int32)
        np.left_shift(ji, 30, out=sel)
        np.right_shift(sel, 31, out=sel)      # all ones where j & 2
        np.bitwise_xor(su, cu, out=diff)
        np.bitwise_and(diff, sel, out=diff)
        np.bitwise_xor(su, diff, out=sin_out.view(np.int32))
        np.bitwise_xor(cu, diff, out=cos_out.view(np.int32))
        np.bitwise_and(ji, 4, out=sel)
        np.left_shift(sel, 29, out=sel)
        np.bitwise_xor(sin_out.view(np.int32), sel, out=sin_out.view(np.int32))
        np.add(ji, 2, out=sel)
        np.bitwise_and(sel, 4, out=sel)
        np.left_shift(sel, 29, out=sel)
        np.bitwise_xor(cos_out.view(np.int32), sel, out=cos_out.view(np.int32))


_THETA_SCALE = _F32(_TWO_PI * _F32(2.0 ** -24))
_SQRTHF_BITS = int(_SQRTHF.view(np.int32))
_LOG_SPLIT = 0x3F800000 - _SQRTHF_BITS
_DP23 = float(_DP[1]) + float(_DP[2])   # exact in float64
_V32 = np.dtype((np.void, 32))    # eight 32-bit lanes, to (de)interleave blocks in one copy
_PARALLEL_MIN = 1 << 17           # lanes from which the fill is split across threads


def _num_threads():
    from . import get_num_threads
    return max(1, min(get_num_threads(), os.cpu_count() or 1, 8))


def _normal_fill_f32(r, mean, std, checked=False):
    """torch's vectorised float32 normal fill (AVX2 kernel) over complete blocks of 16 draws:
    lane j < 8 takes u1 = 1 - u[j] for the radius and u2 = u[j + 8] for the angle; outputs
    fma(radius*cos, std, mean) at j and fma(radius*sin, std, mean) at j + 8. Large fills are
    split across threads (NumPy releases the GIL inside each step)."""
    nb = r.size // 16
    n = nb * 8
    pairs = r.view(_V32).reshape(nb, 2)
    w = np.empty(n, dtype=np.uint32)
    k = np.empty(n, dtype=np.uint32)
    w.view(_V32)[...] = pairs[:, 0]
    k.view(_V32)[...] = pairs[:, 1]
    cos = np.empty(n, dtype=_F32)
    sin = np.empty(n, dtype=_F32)
    mean32, std32 = _F32(mean), _F32(std)
    stats = []

    def work(lo, hi):
        lanes = _Lanes(min(_CHUNK, hi - lo), checked)
        rad = np.empty(min(_CHUNK, hi - lo), dtype=_F32)
        for s in range(lo, hi, _CHUNK):
            e = min(hi, s + _CHUNK)
            ws, ks, cs, ss = w[s:e], k[s:e], cos[s:e], sin[s:e]
            np.bitwise_and(ws, _M24, out=ws)
            np.subtract(np.uint32(1 << 24), ws, out=ws)     # u1 = 1 - u = w * 2**-24
            np.bitwise_and(ks, _M24, out=ks)
            radius = lanes.radius(ws, rad[:e - s])
            lanes.sincos(ks, ss, cs)
            # fma(v, 1, 0) = v + 0 only matters for -0, which needs radius = -0 (u1 = 1) or
            # sin = 0 (u2 = 0): add 0 only when such a lane is present.
            plain = std32 == 1 and mean32 == 0
            zero = plain and (ws.max() == 1 << 24 or ks.min() == 0)
            for vals in (cs, ss):
                np.multiply(vals, radius, out=vals)
                if zero:
                    np.add(vals, _F32(0), out=vals)
                elif not plain:
                    lanes.affine(vals, std32, mean32)
        stats.append(lanes.stats)

    parts = 1 if checked or n < _PARALLEL_MIN else _num_threads()
    if parts > 1:
        import threading
        errors = []

        def guarded(lo, hi):
            try:
                work(lo, hi)
            except BaseException as exc:   # re-raised in the calling thread
                errors.append(exc)
        step = -(-n // parts // _CHUNK) * _CHUNK
        threads = [threading.Thread(target=guarded, args=(lo, min(n, lo + step)))
                   for lo in range(step, n, step)]
        for th in threads:
            th.start()
        work(0, min(n, step))
        for th in threads:
            th.join()
        if errors:
            raise errors[0]
    else:
        work(0, n)
    out = np.empty(nb * 16, dtype=_F32)
    ov = out.view(_V32).reshape(nb, 2)
    ov[:, 0] = cos.view(_V32)
    ov[:, 1] = sin.view(_V32)
    if checked:
        return out, stats[0]
    return out


class Generator:
    """A pseudo-random stream (MT19937), bit-compatible with ``torch.Generator`` on CPU.

    Args:
        device: only ``'cpu'`` is supported.

    Example::

        >>> g = numtorch.Generator().manual_seed(0)
        >>> numtorch.rand(2, generator=g)
        tensor([0.4963, 0.7682])
    """

    def __init__(self, device="cpu"):
        from ._size import device as _device
        d = _device(device)
        if d.type != "cpu":
            raise RuntimeError(f"Device type {d.type.upper()} is not supported for "
                               "numtorch.Generator() api.")
        self.device = d
        self._bitgen = np.random.MT19937(0)
        self._ints = np.random.Generator(self._bitgen)
        self._seed_engine(_DEFAULT_SEED)

    # ---- engine state ------------------------------------------------------------------------
    def _seed_engine(self, s):
        self._initial_seed = s
        self._bitgen.state = {"bit_generator": "MT19937",
                              "state": {"key": _init_genrand(s), "pos": _N}}
        self._fresh = True           # torch's "next = 0" right after seeding
        self._normal_cache = None    # cached second Box-Muller sample (double)
        self._float_cache = None     # torch's float-normal cache (raw 4 bytes); never set here

    def manual_seed(self, seed):
        """Seed the stream with an int (its 64-bit pattern; only the low 32 bits matter)."""
        seed = int(seed)
        if not -(1 << 63) <= seed < (1 << 64):
            raise ValueError("Overflow when unpacking long long")
        self._seed_engine(seed & 0xFFFF_FFFF_FFFF_FFFF)
        return self

    def seed(self):
        """Seed from OS entropy; returns the 64-bit seed used."""
        s = _entropy_seed()
        self._seed_engine(s)
        return s

    def initial_seed(self):
        return self._initial_seed

    def get_state(self):
        """The generator state as a 5056-byte uint8 tensor, byte-identical to torch's."""
        from ._tensor import _wrap
        st = np.zeros((), dtype=_STATE_DTYPE)
        raw = self._bitgen.state["state"]
        pos = int(raw["pos"])
        st["seed"] = self._initial_seed
        st["left"] = _N + 1 - pos
        st["seeded"] = 1
        st["next"] = 0 if self._fresh else pos
        st["state"] = raw["key"].astype(np.uint64)
        if self._normal_cache is not None:
            st["normal_y"] = self._normal_cache
            st["normal_is_valid"] = 1
        if self._float_cache is not None:
            st["next_float_normal"] = self._float_cache
            st["float_is_valid"] = 1
        return _wrap(st.reshape(1).view(np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from ``get_state()`` (numtorch's or torch's)."""
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a numtorch.ByteTensor")
        raw = np.ascontiguousarray(new_state._data).reshape(-1)
        if raw.size != _STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but "
                               f"found the input RNG state size to be {raw.size}")
        st = raw.view(_STATE_DTYPE)[0]
        left, nxt, words = int(st["left"]), int(st["next"]), st["state"]
        if (int(st["seeded"]) != 1 or not 0 < left <= _N or nxt > _N
                or np.any(words > 0xFFFFFFFF)):
            raise RuntimeError("Invalid mt19937 state")
        fresh = left == 1 and nxt == 0
        if not fresh and nxt != _N + 1 - left:
            raise RuntimeError(f"Invalid mt19937 state: next={nxt} and left={left} cannot be "
                               "reached by a CPU generator")
        self._initial_seed = int(st["seed"])
        self._bitgen.state = {"bit_generator": "MT19937",
                              "state": {"key": words.astype(np.uint32), "pos": _N + 1 - left}}
        self._fresh = fresh
        self._normal_cache = float(st["normal_y"]) if int(st["normal_is_valid"]) else None
        self._float_cache = (np.float32(st["next_float_normal"]) if int(st["float_is_valid"])
                             else None)
        return self

    def clone_state(self):
        return Generator(self.device).set_state(self.get_state())

    def __reduce__(self):
        return (_rebuild_generator, (self.get_state()._data.tobytes(),))

    def __repr__(self):
        return f"<numtorch._C.Generator object at {hex(id(self))}>"

    # ---- raw draws -----------------------------------------------------------------------------
    def _raw32(self, n):
        """``n`` 32-bit engine outputs (uint32)."""
        if n:
            self._fresh = False
        if n < _FEW:   # Generator.integers has ~20 us of argument checks per call
            return self._bitgen.random_raw(n).astype(np.uint32)
        return self._ints.integers(0, 1 << 32, n, dtype=np.uint32)

    def _raw64(self, n):
        """``n`` 64-bit draws (uint64): two engine outputs each, the first in the high half."""
        if n:
            self._fresh = False
        if n < _FEW:
            r = self._bitgen.random_raw(2 * n)
            hi = r[0::2]
            hi <<= np.uint64(32)
            hi |= r[1::2]
            return hi
        return self._ints.integers(0, (1 << 64) - 1, n, dtype=np.uint64, endpoint=True)

    # ---- primitives used by every random function --------------------------------------------
    # Each returns a flat array of ``n`` values in the order torch's kernel fills memory.
    def _uniform(self, shape, np_dtype, low=0.0, high=1.0, out=None):
        """``uniform_(low, high)``: one 32-bit (float32/float16) or 64-bit (float64) draw each.
        ``out``: optional flat float32 array to write into."""
        n = _numel(shape)
        dt = np.dtype(np_dtype)
        if dt == np.float64:
            return _uniform_f64(self._raw64(n), low, high).reshape(shape)
        return _uniform_f32(self._raw32(n), low, high, dt, out).reshape(shape)

    def _normal(self, shape, np_dtype, mean=0.0, std=1.0, contiguous=True):
        """``normal_(mean, std)``: the vectorised fill for 16+ contiguous elements, else the
        serial double Box-Muller with its cached sample."""
        n = _numel(shape)
        dt = np.dtype(np_dtype)
        if n >= 16 and contiguous:
            if dt == np.float64:
                full = n - n % 16
                out = np.empty(n, dtype=dt)
                out[:full] = _normal_fill_f64(_u53(self._raw64(n))[:full], mean, std)
                if n % 16:
                    out[-16:] = _normal_fill_f64(_u53(self._raw64(16)), mean, std)
                return out.reshape(shape)
            # float32 draws all n uniforms, then 16 more for the tail block; float16 draws
            # block by block (the tail's 16 only), computing in float32.
            full = n - n % 16
            r = self._raw32(n if dt == np.float32 else full)
            out = np.empty(n, dtype=dt)
            out[:full] = _normal_fill_f32(r[:full], mean, std)
            if n % 16:
                out[-16:] = _normal_fill_f32(self._raw32(16), mean, std)
            return out.reshape(shape)
        return _cast_from_double(self._normal_serial(n, mean, std), dt).reshape(shape)

    def _normal_serial(self, n, mean, std):
        """``n`` doubles from torch's scalar ``normal_distribution<double>`` (uses the cache)."""
        if n <= _SMALL:
            return self._normal_serial_small(n, float(mean), float(std))
        samples = np.empty(n, dtype=np.float64)
        k = 0
        if n and self._normal_cache is not None:
            samples[0] = self._normal_cache
            self._normal_cache = None
            k = 1
        m = n - k
        if m:
            pairs = (m + 1) // 2
            u = _u53(self._raw64(2 * pairs))
            cos_s, sin_s = _box_muller_serial(u[0::2], u[1::2])
            samples[k::2] = cos_s[:(m + 1) // 2]
            samples[k + 1::2] = sin_s[:m // 2]
            if m % 2:
                self._normal_cache = float(sin_s[-1])
        return _fma64(samples, float(std), float(mean))

    def _normal_serial_small(self, n, mean, std):
        """``_normal_serial`` in plain Python floats (small tensors: no per-call array work)."""
        out = []
        cache = self._normal_cache
        if n and cache is not None:
            out.append(cache)
            cache = None
        pairs = (n - len(out) + 1) // 2
        if pairs:
            raw = self._bitgen.random_raw(4 * pairs).tolist()
            self._fresh = False
            log1p, sqrt, cos, sin = math.log1p, math.sqrt, math.cos, math.sin
            for i in range(0, 4 * pairs, 4):
                u1 = (((raw[i] << 32) | raw[i + 1]) & _M53_INT) * 2.0 ** -53
                u2 = (((raw[i + 2] << 32) | raw[i + 3]) & _M53_INT) * 2.0 ** -53
                radius = sqrt(-2.0 * log1p(-u2))
                theta = 6.283185307179586 * u1
                out.append(radius * cos(theta))
                if len(out) < n:
                    out.append(radius * sin(theta))
                else:
                    cache = radius * sin(theta)
        self._normal_cache = cache
        if std == 1.0 and mean == 0.0:
            return np.array([v + 0.0 for v in out], dtype=_F64)
        return _fma64(np.array(out, dtype=_F64), std, mean)

    def _randint(self, low, high, shape, np_dtype=np.int64):
        """``random_(low, high)``: (draw mod range) + low; 64-bit draws once range >= 2**28."""
        n = _numel(shape)
        rng = (int(high) - int(low)) & 0xFFFF_FFFF_FFFF_FFFF
        draws = self._raw64(n) if rng >= 1 << 28 else self._raw32(n)
        return _int_from_to(draws, rng, int(low), np.dtype(np_dtype)).reshape(shape)

    def _random_int64_full(self, shape, np_dtype):
        """``random_(-2**63, None)``: a 64-bit draw reinterpreted as int64."""
        vals = self._raw64(_numel(shape)).view(np.int64)
        return _cast_int64(vals, np.dtype(np_dtype)).reshape(shape)

    def _random_full(self, shape, np_dtype):
        """``random_()``: [0, 2**mantissa] for floats, [0, max] for integers, {0, 1} for bool."""
        n = _numel(shape)
        dt = np.dtype(np_dtype)
        if dt == np.bool_:
            return (self._raw32(n) & 1).astype(np.bool_).reshape(shape)
        if dt in (np.dtype(np.float64), np.dtype(np.int64)):
            mod = (1 << 53) + 1 if dt == np.float64 else 1 << 63
            return (self._raw64(n) % np.uint64(mod)).astype(dt).reshape(shape)
        if dt.kind == "f":
            mod = (1 << {2: 11, 4: 24}[dt.itemsize]) + 1
        else:
            mod = int(np.iinfo(dt).max) + 1
        return _cast_int64((self._raw32(n) % np.uint32(mod)).astype(np.int64),
                             dt).reshape(shape)

    def _randperm(self, n):
        """``randperm(n)`` as int64: the swap shuffle with n - 1 32-bit draws (64-bit inside-out
        variant for n >= 214748364)."""
        if n < 0xFFFFFFFF // 20:
            return _randperm_swaps(self._raw32(max(n - 1, 0)), n)
        return _randperm_inside_out(self._raw64(n), n)

    def _bernoulli(self, p, np_dtype):
        """Bernoulli draws. ``p`` a Python float (``bernoulli_(p)``): 64-bit draws, compared in
        double. ``p`` an array (already broadcast to the output, in fill order): 64-bit draws
        for float64 p, else 32-bit draws compared in float32."""
        dt = np.dtype(np_dtype)
        if p.dtype == np.float64:
            u = _u53(self._raw64(p.size)).reshape(p.shape)
            return _cast_bool(u < p, dt)
        u = _u24(self._raw32(p.size)).reshape(p.shape)
        return _cast_bool(u < p.astype(np.float32, copy=False), dt)

    def _bernoulli_scalar(self, shape, p, np_dtype):
        """``bernoulli_(p: float)``: one 64-bit draw per element, ``u < p`` in double, i.e.
        (draw & (2**53 - 1)) < p * 2**53 compared as integers."""
        r = self._raw64(_numel(shape))
        np.bitwise_and(r, _M53, out=r)
        limit = math.ceil(float(p) * 2.0 ** 53)
        keep = np.less(r, np.uint64(min(limit, 1 << 53)))
        return _cast_bool(keep, np.dtype(np_dtype)).reshape(shape)

    def _exponential(self, shape, np_dtype, lambd=1.0):
        """``exponential_(lambd)``: -1/lambd * log1p(-u) in double (libm log1p)."""
        u = _u53(self._raw64(_numel(shape)))
        v = (-1.0 / float(lambd)) * _libm(math.log1p, -u)
        return _cast_from_double(v, np.dtype(np_dtype)).reshape(shape)

    def _geometric(self, shape, np_dtype, p):
        """``geometric_(p)``: ceil(log(u) / log1p(-p)) in double."""
        u = _u53(self._raw64(_numel(shape)))
        v = np.ceil(_libm(math.log, u) / math.log1p(-float(p)))
        return _cast_from_double(v, np.dtype(np_dtype)).reshape(shape)

    def _cauchy(self, shape, np_dtype, median, sigma):
        """``cauchy_(median, sigma)``: median + sigma * tan(pi * (u - 0.5)) in double."""
        u = _u53(self._raw64(_numel(shape)))
        t = _libm(math.tan, math.pi * (u - 0.5))
        v = _fma64(t, float(sigma), float(median))
        return _cast_from_double(v, np.dtype(np_dtype)).reshape(shape)

    def _log_normal(self, shape, np_dtype, mean, std):
        """``log_normal_(mean, std)``: exp of the serial double normal."""
        v = _libm(math.exp, self._normal_serial(_numel(shape), mean, std))
        return _cast_from_double(v, np.dtype(np_dtype)).reshape(shape)

    def _poisson(self, lam):
        """torch's CPU Poisson sampler, element by element in fill order: Knuth's product of
        uniforms for rate < 10, Hoermann's transformed rejection (PTRS) otherwise; one 64-bit
        uniform per draw. The draw count depends on the data, so uniforms are read from a
        buffer and the generator is then advanced by exactly the number used."""
        saved = self._bitgen.state
        buf, pos, used = [], 0, 0

        def uniform():
            nonlocal buf, pos, used
            if pos == len(buf):
                buf = _u53(self._raw64(max(64, 2 * (lam.size - len(out))))).tolist()
                pos = 0
            pos += 1
            used += 1
            return buf[pos - 1]

        log, floor, fabs = math.log, math.floor, math.fabs
        out = []
        for lmb in lam.tolist():
            if lmb >= 10:
                slam, loglam = math.sqrt(lmb), log(lmb)
                b = 0.931 + 2.53 * slam
                a = -0.059 + 0.02483 * b
                invalpha = 1.1239 + 1.1328 / (b - 3.4)
                vr = 0.9277 - 3.6224 / (b - 2)
                while True:
                    u = uniform() - 0.5
                    v = uniform()
                    us = 0.5 - fabs(u)
                    k = int(floor((2 * a / us + b) * u + lmb + 0.43))
                    if us >= 0.07 and v <= vr:
                        break
                    if k < 0 or (us < 0.013 and v > us):
                        continue
                    if (log(v) + log(invalpha) - log(a / (us * us) + b)
                            <= -lmb + k * loglam - math.lgamma(k + 1.0)):
                        break
                out.append(k)
            elif lmb == 0:
                out.append(0)
            else:
                enlam, x, prod = math.exp(-lmb), 0, 1.0
                while True:
                    prod *= uniform()
                    if prod > enlam:
                        x += 1
                    else:
                        break
                out.append(x)
        fresh = self._fresh
        self._bitgen.state = saved
        self._fresh = fresh
        self._raw64(used)
        return np.array(out, dtype=np.int64)

    def _multinomial(self, probs, num_samples, replacement):
        """``multinomial``: with replacement, one 64-bit uniform per sample and a binary search
        of the normalised cumulative sums; otherwise (or for one sample) the exponential race
        ``argmax/topk(p / Exp(1))``."""
        p = probs if probs.ndim == 2 else probs[None]
        if not replacement or num_samples == 1:
            q = self._exponential(p.shape, p.dtype, 1.0)
            q = p / q
            if num_samples == 1:
                out = np.argmax(q, axis=-1)[:, None]
            else:
                out = _topk_indices(q, num_samples)
        else:
            u = _u53(self._raw64(p.shape[0] * num_samples)).reshape(p.shape[0], num_samples)
            out = _multinomial_search(p, u)
        return out if probs.ndim == 2 else out[0]


def _rebuild_generator(state_bytes):
    from ._tensor import _wrap
    return Generator().set_state(_wrap(np.frombuffer(state_bytes, dtype=np.uint8).copy()))


def _numel(shape):
    return math.prod(shape) if isinstance(shape, tuple) else int(shape)


default_generator = Generator()
default_generator._seed_engine(_entropy_seed())


def manual_seed(seed):
    """Seed the default generator; returns it (as torch does)."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator from OS entropy; returns the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Restore the default generator's state on exit (CPU only)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _gen(generator):
    return default_generator if generator is None else generator
