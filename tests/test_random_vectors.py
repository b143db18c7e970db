"""Fixed vectors recorded from torch 2.13.0+cpu (/work/shared/docs/rng/vectors.json, copied to
tests/rng_vectors.json). This file does NOT import torch: the stream stays checked where
torch is not installed."""
import json
import os

import numpy as np
import pytest

import numtorch

_HERE = os.path.dirname(os.path.abspath(__file__))
_PATH = os.path.join(_HERE, "rng_vectors.json")
with open(_PATH) as _f:
    _VECTORS = json.load(_f)["vectors"]


def _module_call(call):
    """Module vectors: 'nn.Linear(3, 2): weight, bias' -> weight.ravel()[:k] then bias."""
    expr, _, parts = call.partition(":")
    m = eval(expr, {"nn": numtorch.nn})
    out = []
    for part in parts.split(","):
        part = part.strip()
        name, _, sl = part.partition("[")
        arr = getattr(m, name)._data.ravel()
        out.append(eval(f"arr[{sl[:-1]}]", {"arr": arr}) if sl else arr)
    return np.concatenate(out)


def _evaluate(call):
    if call.startswith("nn."):
        return _module_call(call)
    expr = call.split("  (")[0]
    env = {"torch": numtorch}
    if expr.startswith("F."):
        env["F"] = numtorch.nn.functional
    return eval(expr, env)._data.ravel()


@pytest.mark.parametrize("vec", _VECTORS, ids=[f"{v['seed']}:{v['call']}" for v in _VECTORS])
def test_vector(vec):
    if vec["call"].startswith(("nn.", "F.")) and not hasattr(numtorch, "nn"):
        pytest.skip("numtorch.nn not available")
    numtorch.manual_seed(vec["seed"])
    got = _evaluate(vec["call"])
    assert str(got.dtype) == vec["dtype"]
    if got.dtype.kind == "f":
        bits = [format(int(b), "x").zfill(got.dtype.itemsize * 2)
                for b in got.view(f"u{got.dtype.itemsize}")]
        assert bits == vec["bits"], (vec["call"], got)
    else:
        assert [str(v) for v in got.tolist()] == vec["values"], (vec["call"], got)


def test_raw_engine_outputs_seed0():
    """The first six 32-bit MT19937 outputs after manual_seed(0) (SPEC section 15)."""
    g = numtorch.Generator().manual_seed(0)
    assert g._raw32(6).tolist() == [2357136044, 2546248239, 3071714933, 3626093760,
                                     2588848963, 3684848379]


def test_state_layout_after_seeding():
    g = numtorch.Generator().manual_seed(0)
    st = g.get_state()._data
    assert st.dtype == np.uint8 and st.shape == (5056,)
    assert int(st[:8].view(np.uint64)[0]) == 0                  # initial seed
    assert int(st[8:12].view(np.int32)[0]) == 1                 # left
    assert int(st[12:16].view(np.int32)[0]) == 1                # seeded
    assert int(st[16:24].view(np.uint64)[0]) == 0               # next
    assert st[24:32].view(np.uint64)[0] == 0                    # word 0 = seed & 0xffffffff
    assert st[32:40].view(np.uint64)[0] == 1                    # 1812433253 * 0 + 1


def test_normal_fill_signed_zero_lanes():
    """A lane with u1 = 1 has radius -0; torch's fma(r*cos, 1, 0) turns the -0 outputs into +0
    (probability 2**-24 per lane, so crafted draws)."""
    from numtorch import random as R
    r = np.arange(1, 33, dtype=np.uint32) * 0x01010101
    r[3] = 0x7F000000                   # low 24 bits 0: u = 0, u1 = 1, radius = -0
    r[16 + 8 + 2] = 0x12000000          # u2 = 0: theta = 0
    out = R._normal_fill_f32(r.copy(), 0.0, 1.0)
    assert out[3].view(np.uint32) == 0 and out[11].view(np.uint32) == 0
    assert out[16 + 8 + 2].view(np.uint32) == 0     # sin(0) * radius
    ref = R._normal_fill_f32(r.copy(), 0.0, 1.0, checked=True)[0]
    np.testing.assert_array_equal(out.view(np.uint32), ref.view(np.uint32))
