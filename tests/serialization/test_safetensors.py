"""numtorch.utils.safetensors against the safetensors package (and torch through it)."""
import mmap
import struct

import numpy as np
import pytest

import numtorch as nt
from numtorch.utils import safetensors as st
from ..conftest import torch, assert_close

safetensors = pytest.importorskip("safetensors")
from safetensors import numpy as st_np  # noqa: E402
from safetensors import torch as st_torch  # noqa: E402

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool",
          "complex64"]


def _tensors(dtype):
    rng = np.random.default_rng(1)
    if dtype == "bool":
        arrs = [rng.random((3, 4)) > 0.5, np.array(True)]
    elif dtype.startswith(("float", "complex")):
        arrs = [rng.standard_normal((3, 4)).astype(dtype), np.array(2.5, dtype)]
    else:
        arrs = [rng.integers(0, 100, (3, 4)).astype(dtype), np.array(7, dtype)]
    return {"weight": arrs[0], "scalar": arrs[1], "empty": np.zeros((0, 2), dtype)}


@pytest.mark.parametrize("dtype", DTYPES)
def test_bytes_identical_to_safetensors_package(dtype):
    arrs = _tensors(dtype)
    mine = st.save({k: nt.from_numpy(v.copy()) for k, v in arrs.items()},
                   metadata={"format": "pt"})
    assert mine == st_np.save(arrs, metadata={"format": "pt"})
    back = st_np.load(mine)
    for k, v in arrs.items():
        np.testing.assert_array_equal(back[k], v)
        assert back[k].dtype == v.dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_files_both_ways_with_torch(dtype, tmp_path):
    arrs = _tensors(dtype)
    st.save_file({k: nt.from_numpy(v.copy()) for k, v in arrs.items()}, tmp_path / "n.st")
    got = st_torch.load_file(tmp_path / "n.st")
    for k, v in arrs.items():
        assert_close(nt.from_numpy(v), got[k], rtol=0, atol=0)
    st_torch.save_file({k: torch.from_numpy(v.copy()) for k, v in arrs.items()},
                       tmp_path / "t.st")
    mine = st.load_file(tmp_path / "t.st")
    assert sorted(mine) == sorted(arrs)
    for k, v in arrs.items():
        assert_close(mine[k], torch.from_numpy(v), rtol=0, atol=0)


def test_mixed_dtypes_metadata_and_order(tmp_path):
    tensors = {"b": torch.randn(3), "a": torch.arange(4, dtype=torch.int8),
               "c": torch.ones(2, 2, dtype=torch.float64), "m": torch.tensor([True])}
    st_torch.save_file(tensors, tmp_path / "t.st", metadata={"format": "pt"})
    mine = st.load_file(tmp_path / "t.st")
    for k, v in tensors.items():
        assert_close(mine[k], v, rtol=0, atol=0)
    with st.safe_open(tmp_path / "t.st", framework="pt") as f:
        assert f.keys() == sorted(tensors) and f.metadata() == {"format": "pt"}
        assert_close(f.get_tensor("c"), tensors["c"])
    nt_tensors = {k: nt.from_numpy(v.numpy().copy()) for k, v in tensors.items()}
    st.save_file(nt_tensors, tmp_path / "n.st", metadata={"format": "pt"})
    assert (tmp_path / "n.st").read_bytes() == (tmp_path / "t.st").read_bytes()


def test_bf16_loads_as_float32():
    t = torch.randn(5).to(torch.bfloat16)
    got = st.load(st_torch.save({"h": t}))["h"]
    assert got.dtype == nt.float32
    assert_close(got, t.float(), rtol=0, atol=0)


def test_load_file_is_zero_copy_and_private(tmp_path):
    st_torch.save_file({"w": torch.arange(8.)}, tmp_path / "t.st")
    w = st.load_file(tmp_path / "t.st")["w"]
    root = w.numpy()
    while isinstance(root.base, np.ndarray):
        root = root.base
    assert isinstance(getattr(root.base, "obj", root.base), mmap.mmap)
    w.add_(1)  # copy-on-write: the file keeps its values
    assert_close(st.load_file(tmp_path / "t.st")["w"], torch.arange(8.))
    loaded = st.load(st_torch.save({"w": torch.arange(3.)}))["w"]
    loaded.add_(1)  # tensors from bytes are writable too
    assert loaded.tolist() == [1.0, 2.0, 3.0]


def test_save_checks_like_safetensors():
    x = nt.arange(6.).reshape(2, 3)
    with pytest.raises(RuntimeError, match="share memory"):
        st.save({"a": x, "b": x.view(-1)})
    with pytest.raises(ValueError, match="non contiguous"):
        st.save({"t": x.t()})
    with pytest.raises(ValueError, match="expected torch.Tensor"):
        st.save({"a": 1})
    with pytest.raises(TypeError, match="str"):
        st.save({"a": x}, metadata={"k": 1})
    st.save({"a": x[0], "b": x[1]})  # disjoint rows of one storage are fine
    t = torch.ones(4)
    with pytest.raises(RuntimeError, match="share memory"):  # the reference refuses it too
        st_torch.save({"a": t, "b": t[1:]})


def _valid():
    return st.save({"w": nt.arange(4.), "i": nt.arange(2)})


CORRUPT = {
    "too_small": lambda b: b[:4],
    "header_too_large": lambda b: struct.pack("<Q", 10 ** 12) + b[8:],
    "header_past_end": lambda b: struct.pack("<Q", len(b)) + b[8:],
    "bad_json": lambda b: b[:8] + b"[" + b[9:],
    "truncated_data": lambda b: b[:-3],
    "trailing_data": lambda b: b + b"\x00" * 8,
    "bad_offsets": lambda b: b.replace(b'"data_offsets":[0,16]', b'"data_offsets":[0,12]'),
    "unknown_dtype": lambda b: b.replace(b'"I64"', b'"X64"'),
    "negative_shape": lambda b: b.replace(b'"shape":[2]', b'"shape":[-2]'),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_malformed_files_raise(case, tmp_path):
    bad = CORRUPT[case](_valid())
    assert bad != _valid()
    with pytest.raises(st.SafetensorError):
        st.load(bad)
    (tmp_path / "bad.st").write_bytes(bad)
    with pytest.raises(st.SafetensorError, match="bad.st"):
        st.load_file(tmp_path / "bad.st")
    with pytest.raises(Exception):  # the reference library refuses it as well
        st_np.load(bad)


def test_save_model_load_model_with_tied_weights(tmp_path):
    class TiedT(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(3, 2))
            self.register_buffer("n", torch.tensor(4))
            self.b = self.a  # tied

    class TiedN(nt.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nt.nn.Parameter(nt.zeros(3, 2))
            self.register_buffer("n", nt.tensor(0))
            self.b = self.a

    mt = TiedT()
    st_torch.save_model(mt, tmp_path / "t.st")
    mn = TiedN()
    assert st.load_model(mn, tmp_path / "t.st") == (set(), [])
    assert_close(mn.a, mt.a)
    assert mn.b is mn.a and mn.n.item() == 4
    st.save_model(mn, tmp_path / "n.st")
    assert (tmp_path / "n.st").read_bytes() == (tmp_path / "t.st").read_bytes()
    mt2 = TiedT()
    assert st_torch.load_model(mt2, tmp_path / "n.st") == (set(), [])
    assert_close(mn.a, mt2.a)
    with pytest.raises(RuntimeError, match="Missing key"):
        st.load_model(TiedN(), _without(tmp_path, "n"))


def _without(tmp_path, key):
    data = st.load_file(tmp_path / "t.st")
    del data[key]
    st.save_file(data, tmp_path / "partial.st")
    return tmp_path / "partial.st"
