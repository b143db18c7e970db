"""repr()/str() of tensors compared with torch's printed output (numtorch -> torch)."""
import numpy as np
import pytest

import numtorch as nt
from .conftest import torch

R = np.random.default_rng(0)

CASES = {
    "float_small": np.array([[0.1, -2.5, 3.0], [4.25, 5.5, -6.125]], np.float32),
    "float_int_valued": np.array([1.0, 2.0, -3.0], np.float32),
    "float_int_valued_big": np.array([1.0, 2.0e9], np.float32),
    "float_sci_small": np.array([1e-5, 1.0, 2.0], np.float32),
    "float_sci_ratio": np.array([0.001, 12345.0], np.float32),
    "float_nan_inf": np.array([np.nan, np.inf, -np.inf, 1.5], np.float32),
    "float_all_nan": np.array([np.nan, np.nan], np.float32),
    "float_zeros": np.zeros((2, 2), np.float32),
    "float_neg_zero": np.array([-0.0, 0.0, 1.5], np.float32),
    "float64": np.array([1.123456789, 2.0], np.float64),
    "float16": np.array([1.5, 2.25], np.float16),
    "scalar": np.array(3.5, np.float32),
    "scalar_int": np.array(7, np.int64),
    "scalar_f64": np.array(1e-8, np.float64),
    "int64": np.array([[1, -20], [300, 4]], np.int64),
    "int32": np.array([1, 2], np.int32),
    "uint8": np.array([1, 255], np.uint8),
    "int8": np.array([-1, 5], np.int8),
    "int16": np.array([-1, 5], np.int16),
    "bool": np.array([True, False]),
    "empty": np.zeros((0,), np.float32),
    "empty_2d": np.zeros((2, 0), np.float32),
    "empty_int": np.zeros((0, 3), np.int64),
    "empty_f64": np.zeros((0,), np.float64),
    "3d": R.standard_normal((2, 3, 4)).astype(np.float32),
    "4d": R.standard_normal((2, 1, 2, 3)).astype(np.float32),
    "wide_row": R.standard_normal((3, 30)).astype(np.float32),
    "wide_ints": np.arange(40, dtype=np.int64) * 1000,
    "summarised_1d": np.arange(2000, dtype=np.float32),
    "summarised_2d": R.standard_normal((40, 40)).astype(np.float32),
    "summarised_3d": np.arange(2 * 30 * 30, dtype=np.int64).reshape(2, 30, 30),
    "large_values": np.array([123456.789, 1.5], np.float32),
    "tiny_and_big": np.array([1e-10, 1e10], np.float64),
    "complex64": np.array([1 + 2j, -0.5 - 1.25j], np.complex64),
    "complex128": np.array([[1.5 + 0j, 0 - 3j]], np.complex128),
}


@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_torch(name):
    arr = CASES[name]
    a = nt.from_numpy(arr.copy())
    t = torch.from_numpy(arr.copy())
    assert repr(a).replace("numtorch", "torch") == repr(t)
    assert str(a).replace("numtorch", "torch") == str(t)


@pytest.mark.parametrize("name", ["float_small", "scalar", "empty", "float64", "summarised_2d"])
def test_repr_with_requires_grad_and_grad_fn(name):
    arr = CASES[name].astype(np.float64 if name == "float64" else np.float32)
    a = nt.from_numpy(arr.copy()).requires_grad_()
    t = torch.from_numpy(arr.copy()).requires_grad_()
    assert repr(a).replace("numtorch", "torch") == repr(t)
    assert repr(a * 2).replace("numtorch", "torch") == repr(t * 2)
    assert repr(a.sum()).replace("numtorch", "torch") == repr(t.sum())


@pytest.mark.parametrize("opts", [dict(precision=2), dict(sci_mode=True), dict(sci_mode=False),
                                  dict(threshold=5), dict(edgeitems=1, threshold=5),
                                  dict(linewidth=20), dict(profile="short"),
                                  dict(profile="full")])
def test_set_printoptions(opts):
    arr = np.array([[1e-3, 2.5, 300.0, 4.0, 5.0, 6.0, 7.0, 8.0]], np.float32)
    try:
        nt.set_printoptions(**opts)
        torch.set_printoptions(**opts)
        for x in (arr, CASES["summarised_1d"][:12], CASES["int64"]):
            assert repr(nt.from_numpy(x.copy())).replace("numtorch", "torch") == \
                repr(torch.from_numpy(x.copy()))
    finally:
        nt.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
        nt.set_printoptions(sci_mode=None)
        torch.set_printoptions(sci_mode=None)


def test_default_dtype_float64_changes_suffix():
    try:
        nt.set_default_dtype(nt.float64)
        torch.set_default_dtype(torch.float64)
        for arr in (np.array([1.5, 2.0], np.float32), np.array([1.5], np.float64)):
            assert repr(nt.from_numpy(arr)).replace("numtorch", "torch") == \
                repr(torch.from_numpy(arr))
    finally:
        nt.set_default_dtype(nt.float32)
        torch.set_default_dtype(torch.float32)


def test_parameter_repr():
    nn = pytest.importorskip("numtorch.nn")
    arr = np.array([[0.5, -1.0]], np.float32)
    p = nn.Parameter(nt.from_numpy(arr.copy()))
    tp = torch.nn.Parameter(torch.from_numpy(arr.copy()))
    assert repr(p).replace("numtorch", "torch") == repr(tp)


def test_size_and_device_repr():
    assert repr(nt.zeros(2, 3).shape).replace("numtorch", "torch") == repr(torch.zeros(2, 3).shape)
    assert repr(nt.device("cpu")) == repr(torch.device("cpu"))
    assert repr(nt.device("cuda:1")) == repr(torch.device("cuda:1"))
    assert str(nt.device("cuda", 0)) == str(torch.device("cuda", 0))
    assert repr(nt.float32).replace("numtorch", "torch") == repr(torch.float32)


def test_named_tuple_repr():
    arr = np.array([[1.0, 3.0], [4.0, 2.0]], np.float32)
    a, t = nt.from_numpy(arr.copy()), torch.from_numpy(arr.copy())
    assert repr(a.max(1)).replace("numtorch", "torch") == repr(t.max(1))
    assert repr(a.sort()).replace("numtorch", "torch") == repr(t.sort())
