"""numtorch.save / numtorch.load against real torch, both directions.

torch.save -> numtorch.load and numtorch.save -> torch.load(weights_only=True) for every dtype,
views and shared storage, containers, parameters, module and optimizer state dicts, torch's
legacy format, mmap and map_location.
"""
import collections
import io
import mmap
import pickle
import zipfile

import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch, assert_close

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool",
          "complex64", "complex128"]


def _array(dtype, shape=(3, 4)):
    rng = np.random.default_rng(0)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.startswith("float"):
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -1000), min(info.max, 1000), shape).astype(dtype)


def _torch_roundtrip_via_nt(obj_nt, **save_kw):
    buf = io.BytesIO()
    nt.save(obj_nt, buf, **save_kw)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def _nt_roundtrip_via_torch(obj_torch, **load_kw):
    buf = io.BytesIO()
    torch.save(obj_torch, buf)
    buf.seek(0)
    return nt.load(buf, **load_kw)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_both_ways(dtype, tmp_path):
    a = _array(dtype)
    # numtorch -> torch (through a real path: atomic save)
    nt.save({"x": nt.from_numpy(a.copy())}, tmp_path / "n.pt")
    got = torch.load(tmp_path / "n.pt", weights_only=True)["x"]
    assert got.dtype == getattr(torch, dtype)
    np.testing.assert_array_equal(got.numpy(), a)
    # torch -> numtorch
    torch.save({"x": torch.from_numpy(a.copy())}, tmp_path / "t.pt")
    back = nt.load(tmp_path / "t.pt")["x"]
    assert back.dtype == getattr(nt, dtype)
    assert_close(back, torch.from_numpy(a), rtol=0, atol=0)


def test_bfloat16_from_torch_loads_as_float32():
    t = torch.randn(3, 5).to(torch.bfloat16)
    out = _nt_roundtrip_via_torch({"h": t, "view": t[1:]})
    assert out["h"].dtype == nt.float32
    assert_close(out["h"], t.float(), rtol=0, atol=0)
    assert_close(out["view"], t[1:].float(), rtol=0, atol=0)
    # the conversion keeps storage sharing among bfloat16 tensors
    assert out["h"].untyped_storage().data_ptr() == out["view"].untyped_storage().data_ptr()


def test_pickle_bytes_identical_to_torch():
    """For tensors, views, parameters, numbers and containers data.pkl equals torch's byte for
    byte (only serialization_id differs in the archive)."""
    a = _array("float32")
    ta = torch.from_numpy(a.copy())
    x = nt.from_numpy(a.copy())

    def make(lib, base):
        return {"a": base, "row": base[1], "t": base.t(), "strided": base[::2, 1::2],
                "p": lib.nn.Parameter(base[0]), "i": lib.arange(5), "n": [1, 2.5, None, "s"],
                "od": collections.OrderedDict(k=(1, 2)), "size": lib.Size([2, 3]),
                "dt": lib.float16}

    bt, bn = io.BytesIO(), io.BytesIO()
    torch.save(make(torch, ta), bt)
    nt.save(make(nt, x), bn)
    zt, zn = zipfile.ZipFile(bt), zipfile.ZipFile(bn)
    assert zt.namelist() == zn.namelist()
    for name in zt.namelist():
        if not name.endswith("serialization_id"):
            assert zt.read(name) == zn.read(name), name


def test_archive_layout_matches_torch(tmp_path):
    nt.save({"w": nt.ones(3), "b": nt.zeros(2)}, tmp_path / "model.pth")
    torch.save({"w": torch.ones(3), "b": torch.zeros(2)}, tmp_path / "ref.pth")
    zn = zipfile.ZipFile(tmp_path / "model.pth")
    zt = zipfile.ZipFile(tmp_path / "ref.pth")
    assert [n.replace("model/", "") for n in zn.namelist()] == \
        [n.replace("ref/", "") for n in zt.namelist()]
    assert len(zn.read("model/.data/serialization_id")) == 40
    raw = (tmp_path / "model.pth").read_bytes()
    for info in zn.infolist():  # every record's data starts on a 64-byte boundary
        name_len, extra_len = np.frombuffer(raw[info.header_offset + 26:][:4], "<u2")
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0
    assert zn.testzip() is None  # CRCs are right


VIEWS = [  # (name, view of a (4, 6) base) -- each must share the base's storage after load
    ("row", lambda b: b[2]),
    ("transpose", lambda b: b.t()),
    ("strided", lambda b: b[1::2, ::3]),
    ("narrow", lambda b: b.narrow(1, 2, 3)),
    ("flat_view", lambda b: b.view(-1)[5:]),
    ("expand", lambda b: b[:1].expand(3, 6)),
]


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_share_storage_nt_to_torch(name, fn):
    base = nt.arange(24.).reshape(4, 6)
    got = _torch_roundtrip_via_nt({"base": base, "view": fn(base)})
    ref = fn(torch.arange(24.).reshape(4, 6))
    assert_close(got["view"], ref, rtol=0, atol=0)
    assert got["view"].stride() == ref.stride()
    assert got["view"].storage_offset() == ref.storage_offset()
    assert got["base"].untyped_storage().data_ptr() == got["view"].untyped_storage().data_ptr()
    got["base"].add_(100)  # still one memory block
    assert_close(got["view"], ref + 100, rtol=0, atol=0)


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_share_storage_torch_to_nt(name, fn):
    base = torch.arange(24.).reshape(4, 6)
    got = _nt_roundtrip_via_torch({"base": base, "view": fn(base)})
    assert_close(got["view"], fn(base), rtol=0, atol=0)
    assert got["view"].stride() == fn(base).stride()
    assert got["view"].storage_offset() == fn(base).storage_offset()
    assert got["base"].untyped_storage().data_ptr() == got["view"].untyped_storage().data_ptr()
    got["base"].add_(100)
    assert_close(got["view"], fn(base) + 100, rtol=0, atol=0)
    # and saving again keeps one storage record
    buf = io.BytesIO()
    nt.save(got, buf)
    assert sum(n.startswith("archive/data/") for n in zipfile.ZipFile(buf).namelist()) == 1


def test_negative_strides_and_foreign_memory_are_saved_as_copies():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    flipped = nt.from_numpy(a[::-1])  # NumPy view with a negative stride: torch has none
    got = _torch_roundtrip_via_nt({"f": flipped})
    np.testing.assert_array_equal(got["f"].numpy(), a[::-1])


def test_different_dtype_views_of_one_memory_raise_like_torch():
    x = nt.from_numpy(np.zeros(4, np.float32))
    y = nt.from_numpy(x.numpy().view(np.int32))
    with pytest.raises(RuntimeError, match="different types"):
        nt.save([x, y], io.BytesIO())
    with pytest.raises(RuntimeError, match="different types"):
        tx = torch.zeros(4)
        torch.save([tx, tx.view(torch.int32)], io.BytesIO())


def _containers(lib):
    return {
        "list": [lib.tensor([1.0, 2.0]), 3, 4.5, "five", None, True],
        "tuple": (lib.tensor([1, 2]), (lib.tensor(3.0),)),
        "nested": {"a": {"b": [lib.zeros(2, 2)]}},
        "od": collections.OrderedDict([("z", lib.ones(1)), ("a", 2)]),
        "scalar": lib.tensor(7),
        "empty": lib.zeros(0, 3),
        "big_int": 2 ** 70, "neg": -5, "float": float("inf"), "bytes": b"\x00\xff",
        "set": {1, 2}, "complex": 1 + 2j, "unicode": "h\u00e9llo \u4e16\u754c",
        "dtype": lib.int16, "size": lib.Size([4, 5]), "device": lib.device("cpu"),
    }


def _assert_same_structure(a, b):
    if isinstance(a, (nt.Tensor, torch.Tensor)):
        x = a if isinstance(a, torch.Tensor) else torch.from_numpy(a.numpy())
        y = b if isinstance(b, torch.Tensor) else torch.from_numpy(b.numpy())
        assert x.dtype == y.dtype and x.shape == y.shape and torch.equal(x, y)
        return
    if isinstance(a, dict):
        assert type(a) is type(b) and list(a) == list(b)
        for k in a:
            _assert_same_structure(a[k], b[k])
    elif isinstance(a, (list, tuple)) and not isinstance(a, (nt.Size, torch.Size)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same_structure(x, y)
    else:
        assert repr(a).replace("numtorch", "torch") == repr(b).replace("numtorch", "torch")


def test_containers_both_ways():
    got = _torch_roundtrip_via_nt(_containers(nt))
    _assert_same_structure(_containers(torch), got)
    back = _nt_roundtrip_via_torch(_containers(torch))
    _assert_same_structure(_containers(nt), back)
    _assert_same_structure(_containers(nt), nt.load(io.BytesIO(_saved(_containers(nt)))))


def _saved(obj, **kw):
    buf = io.BytesIO()
    nt.save(obj, buf, **kw)
    return buf.getvalue()


def test_parameters_and_requires_grad():
    p = nt.nn.Parameter(nt.ones(2, 3))
    frozen = nt.nn.Parameter(nt.zeros(2), requires_grad=False)
    leaf = nt.ones(2).requires_grad_()
    got = _torch_roundtrip_via_nt({"p": p, "frozen": frozen, "leaf": leaf})
    assert type(got["p"]) is torch.nn.Parameter and got["p"].requires_grad
    assert type(got["frozen"]) is torch.nn.Parameter and not got["frozen"].requires_grad
    assert type(got["leaf"]) is torch.Tensor and got["leaf"].requires_grad
    back = _nt_roundtrip_via_torch(got)
    assert type(back["p"]) is nt.nn.Parameter and back["p"].requires_grad
    assert type(back["frozen"]) is nt.nn.Parameter and not back["frozen"].requires_grad
    assert type(back["leaf"]) is nt.Tensor and back["leaf"].requires_grad


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_pickle_protocols(protocol):
    x = nt.arange(6.).reshape(2, 3)
    buf = io.BytesIO(_saved({"x": x, "v": x[1], "d": nt.float64}, pickle_protocol=protocol))
    # torch's own weights-only unpickler stops at protocol 4's FRAME opcode, even for files
    # torch.save wrote with pickle_protocol=4; numtorch's reads them (checked below)
    got = torch.load(buf, weights_only=protocol < 4)
    assert torch.equal(got["x"], torch.arange(6.).reshape(2, 3))
    assert got["x"].untyped_storage().data_ptr() == got["v"].untyped_storage().data_ptr()
    assert got["d"] is torch.float64
    back = nt.load(io.BytesIO(_saved({"x": x}, pickle_protocol=protocol)))
    assert_close(back["x"], torch.arange(6.).reshape(2, 3))


def _make_modules():
    class NetT(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.randn(4, 3))
            self.b = torch.nn.Parameter(torch.randn(4))
            self.register_buffer("running", torch.arange(4.))
            self.register_buffer("steps", torch.tensor(3))

    class NetN(nt.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nt.nn.Parameter(nt.zeros(4, 3))
            self.b = nt.nn.Parameter(nt.zeros(4))
            self.register_buffer("running", nt.zeros(4))
            self.register_buffer("steps", nt.tensor(0))

    return NetT(), NetN()


def test_module_state_dict_both_ways(tmp_path):
    mt, mn = _make_modules()
    torch.save(mt.state_dict(), tmp_path / "t.pt")
    sd = nt.load(tmp_path / "t.pt")
    assert list(sd) == list(mt.state_dict())
    mn.load_state_dict(sd)
    for (k, v), (k2, v2) in zip(mn.state_dict().items(), mt.state_dict().items()):
        assert k == k2
        assert_close(v, v2, rtol=0, atol=0)
    # and back: numtorch's state dict loads into the torch module
    mn.w.data.mul_(2)
    nt.save(mn.state_dict(), tmp_path / "n.pt")
    sd_t = torch.load(tmp_path / "n.pt", weights_only=True)
    mt2, _ = _make_modules()
    mt2.load_state_dict(sd_t)
    assert_close(mn.w, mt2.w)
    assert hasattr(sd_t, "_metadata")


def test_load_state_dict_of_another_shape_reports_every_key(tmp_path):
    _, mn = _make_modules()
    nt.save({"w": nt.zeros(2, 3), "b": nt.zeros(5), "running": nt.zeros(4),
             "steps": nt.tensor(1)}, tmp_path / "bad.pt")
    with pytest.raises(RuntimeError) as e:
        mn.load_state_dict(nt.load(tmp_path / "bad.pt"))
    assert "size mismatch for w" in str(e.value) and "size mismatch for b" in str(e.value)


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_optimizer_state_dict_both_ways(opt):
    kwargs = {"SGD": dict(lr=0.1, momentum=0.9), "Adam": dict(lr=0.01)}[opt]
    wt = torch.nn.Parameter(torch.tensor([[1.0, -2.0], [0.5, 3.0]]))
    wn = nt.nn.Parameter(nt.tensor([[1.0, -2.0], [0.5, 3.0]]))
    ot = getattr(torch.optim, opt)([wt], **kwargs)
    on = getattr(nt.optim, opt)([wn], **kwargs)
    for _ in range(3):
        ot.zero_grad()
        (wt ** 2).sum().backward()
        ot.step()
        on.zero_grad()
        (wn ** 2).sum().backward()
        on.step()
    sd_from_nt = _torch_roundtrip_via_nt(on.state_dict())
    ot2 = getattr(torch.optim, opt)([torch.nn.Parameter(wt.detach().clone())], **kwargs)
    ot2.load_state_dict(sd_from_nt)
    ref = ot.state_dict()
    for k, v in ref["state"][0].items():
        assert_close(ot2.state_dict()["state"][0][k], v, rtol=1e-6, atol=1e-7)
    sd_from_t = _nt_roundtrip_via_torch(ot.state_dict())
    on2 = getattr(nt.optim, opt)([nt.nn.Parameter(nt.zeros(2, 2))], **kwargs)
    on2.load_state_dict(sd_from_t)
    for k, v in ref["state"][0].items():
        assert_close(on2.state_dict()["state"][0][k], v, rtol=1e-6, atol=1e-7)
    assert on2.state_dict()["param_groups"][0]["lr"] == ref["param_groups"][0]["lr"]


def test_legacy_format_from_torch(tmp_path):
    base = torch.arange(12.).reshape(3, 4)
    obj = {"base": base, "view": base[1], "p": torch.nn.Parameter(torch.ones(2)),
           "i": torch.tensor([1, 2], dtype=torch.int16), "h": torch.ones(2).bfloat16(),
           "meta": {"epoch": 3}}
    torch.save(obj, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(tmp_path / "legacy.pt")
    got = nt.load(tmp_path / "legacy.pt")
    assert_close(got["base"], base, rtol=0, atol=0)
    assert_close(got["view"], base[1], rtol=0, atol=0)
    assert got["view"].untyped_storage().data_ptr() == got["base"].untyped_storage().data_ptr()
    assert type(got["p"]) is nt.nn.Parameter and got["p"].requires_grad
    assert_close(got["i"], obj["i"], rtol=0, atol=0)
    assert got["h"].dtype == nt.float32 and got["h"].tolist() == [1.0, 1.0]
    assert got["meta"] == {"epoch": 3}


def test_legacy_format_written_by_numtorch(tmp_path):
    x = nt.arange(6.).reshape(2, 3)
    nt.save({"x": x, "v": x[1]}, tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    got = torch.load(tmp_path / "l.pt", weights_only=True)
    assert torch.equal(got["v"], torch.tensor([3.0, 4.0, 5.0]))
    assert got["x"].untyped_storage().data_ptr() == got["v"].untyped_storage().data_ptr()
    assert_close(nt.load(tmp_path / "l.pt")["v"], got["v"])


def test_mmap_maps_storages_copy_on_write(tmp_path):
    base = torch.arange(10.)
    torch.save({"w": base, "v": base[2:]}, tmp_path / "m.pt")
    got = nt.load(tmp_path / "m.pt", mmap=True)
    root = got["w"].numpy()
    while isinstance(root.base, np.ndarray):
        root = root.base
    assert isinstance(getattr(root.base, "obj", root.base), mmap.mmap)
    got["w"].add_(1)  # writable, private: the file is unchanged
    assert_close(got["v"], torch.arange(10.)[2:] + 1, rtol=0, atol=0)
    assert torch.equal(torch.load(tmp_path / "m.pt")["w"], torch.arange(10.))
    with open(tmp_path / "m.pt", "rb") as fh:  # file objects with fileno() work too
        assert_close(nt.load(fh, mmap=True)["w"], torch.arange(10.))


MAP_LOCATIONS = ["cpu", "cuda:0", nt.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s,
                 lambda s, loc: None]


@pytest.mark.parametrize("where", MAP_LOCATIONS, ids=range(len(MAP_LOCATIONS)))
def test_map_location_everything_on_cpu(where):
    got = _nt_roundtrip_via_torch({"x": torch.arange(3.)}, map_location=where)
    assert got["x"].device == nt.device("cpu")
    assert_close(got["x"], torch.arange(3.))


def test_map_location_callable_sees_storage_and_location():
    seen = []
    _nt_roundtrip_via_torch({"x": torch.arange(3.)},
                            map_location=lambda s, loc: seen.append((s.nbytes(), loc)))
    assert seen == [(12, "cpu")]


def test_map_location_errors_like_torch():
    with pytest.raises(RuntimeError):
        _nt_roundtrip_via_torch({"x": torch.ones(1)}, map_location="nowhere")
    with pytest.raises(RuntimeError):
        torch.load(io.BytesIO(_saved(nt.ones(1))), map_location="nowhere")


def test_file_objects_and_non_seekable_streams():
    data = _saved({"x": nt.arange(4)})

    class Stream(io.RawIOBase):
        def __init__(self, b):
            self.b = io.BytesIO(b)

        def readable(self):
            return True

        def readinto(self, mv):
            return self.b.readinto(mv)

    got = nt.load(Stream(data))
    assert got["x"].tolist() == [0, 1, 2, 3]


@pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")
def test_untyped_storage_round_trip():
    s = nt.arange(3, dtype=nt.int16).untyped_storage()
    got = _torch_roundtrip_via_nt(s)  # torch itself loads an UntypedStorage as uint8 storage
    assert got.tolist() == [0, 0, 1, 0, 2, 0]
    bt = io.BytesIO()
    torch.save(torch.arange(3, dtype=torch.int16).untyped_storage(), bt)
    assert zipfile.ZipFile(bt).read("archive/data.pkl") == \
        zipfile.ZipFile(io.BytesIO(_saved(s))).read("archive/data.pkl")
    back = _nt_roundtrip_via_torch(torch.arange(3, dtype=torch.int16).untyped_storage())
    assert back.tolist() == [0, 0, 1, 0, 2, 0]


def test_torch_only_dtypes_raise_clearly():
    for dt in (torch.uint16, torch.float8_e4m3fn):
        with pytest.raises(RuntimeError, match=str(dt).replace("torch.", "")):
            _nt_roundtrip_via_torch({"x": torch.zeros(2, dtype=dt)})


def test_weights_only_false_maps_torch_globals():
    from numtorch.serialization import _torch_global
    assert _torch_global("torch._utils", "_rebuild_tensor_v2") is \
        nt.serialization._rebuild_tensor_v2
    assert _torch_global("torch.nn.parameter", "Parameter") is nt.nn.Parameter
    got = _nt_roundtrip_via_torch({"x": torch.ones(2), "size": torch.Size([1])},
                                  weights_only=False)
    assert_close(got["x"], torch.ones(2))
    assert got["size"] == nt.Size([1])


def test_extension_does_not_change_format(tmp_path):
    nt.save({"x": nt.ones(2)}, tmp_path / "w.safetensors")
    assert zipfile.is_zipfile(tmp_path / "w.safetensors")
    assert nt.load(tmp_path / "w.safetensors")["x"].tolist() == [1.0, 1.0]
    # (torch.load itself switches to safetensors on that extension; a file object avoids it)
    data = io.BytesIO((tmp_path / "w.safetensors").read_bytes())
    assert torch.equal(torch.load(data)["x"], torch.ones(2))


def test_user_data_that_looks_like_a_placeholder_global_is_kept():
    """numtorch pickles its own globals, then renames them to torch's; user bytes/strings that
    happen to contain the same text must come through untouched."""
    fake = b"cnumtorch.serialization\n_rebuild_tensor_v2\n"
    obj = {"x": nt.ones(2), "raw": fake, "text": fake.decode(), "d": nt.float32,
           "dtext": "cnumtorch._dtype\nfloat32\n"}
    got = _torch_roundtrip_via_nt(obj)
    assert got["raw"] == fake and got["text"] == fake.decode()
    assert got["dtext"] == obj["dtext"] and got["d"] is torch.float32
    assert torch.equal(got["x"], torch.ones(2))


def test_user_attributes_on_tensors_and_parameters_both_ways():
    p, t = nt.nn.Parameter(nt.ones(2)), nt.ones(2)
    p.note, t.tag = "hi", 7
    got = _torch_roundtrip_via_nt({"p": p, "t": t})
    assert got["p"].note == "hi" and got["t"].tag == 7
    tp, tt = torch.nn.Parameter(torch.ones(2)), torch.ones(2)
    tp.note, tt.tag = "hello", 5
    back = _nt_roundtrip_via_torch({"p": tp, "t": tt})
    assert back["p"].note == "hello" and back["t"].tag == 5
    assert type(back["p"]) is nt.nn.Parameter and type(back["t"]) is nt.Tensor


def test_whole_torch_model_loads_as_numtorch_modules_when_trusted():
    """torch.save(model) pickles the module classes: weights_only=False (trusted files only)
    maps torch.nn.* onto numtorch.nn.*, and the model computes the same outputs."""
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    buf = io.BytesIO()
    torch.save(model, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.container.Sequential"):
        nt.load(buf)
    buf.seek(0)
    mine = nt.load(buf, weights_only=False)
    assert isinstance(mine, nt.nn.Sequential) and isinstance(mine[0], nt.nn.Linear)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    assert_close(mine(nt.from_numpy(x)), model(torch.from_numpy(x)))
