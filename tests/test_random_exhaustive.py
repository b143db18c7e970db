"""Exhaustive proof that the fast float32 normal kernel needs no per-lane rounding checks.

torch's AVX2 Box-Muller lane computes the radius from one 24-bit draw and (sin, cos) from
another, so each half has only 2**24 possible inputs. For every one of them this runs the
kernel in ``checked`` mode (each emulated float32 FMA evaluated with its exact TwoSum error and
corrected on float32 halfway points) and asserts (a) that no step can double-round, and (b)
that the fast path is bit-identical. Takes about a minute: set NUMTORCH_EXHAUSTIVE=1 to run.
"""
import os

import numpy as np
import pytest

from numtorch import random as R

pytestmark = pytest.mark.skipif(not os.environ.get("NUMTORCH_EXHAUSTIVE"),
                                reason="exhaustive 2**24 check; set NUMTORCH_EXHAUSTIVE=1")
_STEP = 1 << 20


@pytest.mark.parametrize("half", ["radius", "sincos"])
def test_fast_path_equals_checked_for_all_inputs(half):
    stats = {}
    for start in range(0, 1 << 24, _STEP):
        if half == "radius":
            w = np.arange(start + 1, start + _STEP + 1, dtype=np.uint32)   # u1 = w * 2**-24
            fast = R._Lanes(_STEP).radius(w, np.empty(_STEP, np.float32))
            lanes = R._Lanes(_STEP, checked=True)
            slow = lanes.radius(w, np.empty(_STEP, np.float32))
            np.testing.assert_array_equal(fast.view(np.uint32), slow.view(np.uint32))
        else:
            k = np.arange(start, start + _STEP, dtype=np.uint32)             # u2 = k * 2**-24
            fs, fc = np.empty(_STEP, np.float32), np.empty(_STEP, np.float32)
            R._Lanes(_STEP).sincos(k, fs, fc)
            lanes = R._Lanes(_STEP, checked=True)
            ss, sc = np.empty(_STEP, np.float32), np.empty(_STEP, np.float32)
            lanes.sincos(k, ss, sc)
            np.testing.assert_array_equal(fs.view(np.uint32), ss.view(np.uint32))
            np.testing.assert_array_equal(fc.view(np.uint32), sc.view(np.uint32))
        for tag, (inexact, risky) in lanes.stats.items():
            acc = stats.setdefault(tag, [0, 0])
            acc[0] += inexact
            acc[1] += risky
    print(half, stats)
    assert all(risky == 0 for _, risky in stats.values()), stats
