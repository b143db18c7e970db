"""The RNG's arithmetic building blocks against exact rational arithmetic (no torch needed):
emulated FMAs, the vectorised randperm against torch's serial swap loop."""
from fractions import Fraction

import numpy as np
import pytest

from numtorch import random as R


def _exact_fma(a, b, c):
    return Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))


def _hard_operands(rng, n):
    """Random doubles plus products sitting near rounding boundaries of the sum."""
    x = rng.uniform(-1, 1, n) * 2.0 ** rng.integers(-30, 30, n)
    x[: n // 4] = rng.integers(1, 2 ** 53, n // 4) * 2.0 ** -53   # 53-bit uniforms
    return x


@pytest.mark.parametrize("b,c", [(0.1, 0.2), (-3.7, 1e-3), (2.0 ** 27 + 1, -5.0),
                                 (1.0000000000000002, -1.0), (0.6, -0.3), (1e300, 1e-300),
                                 (3.0, 0.0), (1.0, 0.5)])
def test_fma64_is_correctly_rounded(b, c):
    rng = np.random.default_rng(0)
    x = _hard_operands(rng, 1500)
    if abs(b) > 2.0 ** 900:   # the product split needs |x * b| < 2**996: x is a uniform here
        x = np.abs(x) % 1.0
    got = R._fma64(x, b, c)
    want = np.array([float(_exact_fma(v, b, c)) for v in x])
    np.testing.assert_array_equal(got.view(np.uint64), want.view(np.uint64))


@pytest.mark.parametrize("b,c", [(0.3, -0.15), (1e-3, 7.0), (-2.5, 1e-6), (6.0, -3.0)])
def test_fma32_is_one_rounding(b, c):
    rng = np.random.default_rng(1)
    a = rng.uniform(-4, 4, 2000).astype(np.float32)
    a[:100] = (rng.integers(0, 2 ** 24, 100) * 2.0 ** -24).astype(np.float32)
    b32, c32 = np.float32(b), np.float32(c)
    got = R._fma32(a, b32, c32)
    want = np.array([_round_f32_exact(_exact_fma(v, b32, c32)) for v in a], dtype=np.float32)
    np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


def _round_f32_exact(q):
    """Round a Fraction to the nearest float32 (ties to even), without double rounding."""
    f = float(q)                      # nearest double
    lo = np.float32(f)
    if Fraction(float(lo)) == q:
        return lo
    # neighbours of lo in float32; choose by exact distance
    cand = [lo, np.nextafter(lo, np.float32(np.inf)), np.nextafter(lo, np.float32(-np.inf))]
    dist = [abs(Fraction(float(v)) - q) for v in cand]
    best = min(dist)
    ties = [v for v, d in zip(cand, dist) if d == best]
    if len(ties) == 1:
        return ties[0]
    return next(v for v in ties if int(v.view(np.uint32)) % 2 == 0)


def _randperm_loop(r, n):
    a = list(range(n))
    for i in range(n - 1):
        z = i + int(r[i]) % (n - i)
        a[i], a[z] = a[z], a[i]
    return np.array(a, dtype=np.int64)


def test_randperm_vectorised_equals_serial_swaps():
    rng = np.random.default_rng(2)
    for n in list(range(0, 34)) + [100, 257, 4096, 65536, 65537, 100003]:
        for _ in range(3 if n < 100 else 1):
            r = rng.integers(0, 2 ** 32, max(n - 1, 0), dtype=np.uint32)
            want = _randperm_loop(r, n)
            np.testing.assert_array_equal(R._randperm_swaps(r.copy(), n), want)


def test_fma32_halfway_after_float64_rounding():
    """p + c rounds (in float64) onto a float32 halfway point although the exact value lies
    below it: the emulated FMA must round down where a plain float64 sum + cast would round up.
    """
    v = np.array([2.0 ** -24 * (1 + 2.0 ** -23)] * 3, dtype=np.float32)
    std, mean = np.float32(1 - 2.0 ** -23), np.float32(1 + 2.0 ** -23)
    want = np.float32(1 + 2.0 ** -23)
    naive = np.float32(float(v[0]) * float(std) + float(mean))
    assert naive != want                      # the case really is a double-rounding trap
    assert (R._fma32(v, std, mean) == want).all()
    lanes = R._Lanes(3)
    w = v.copy()
    lanes.affine(w, std, mean)
    assert (w == want).all()
