"""Crashes, full disks, truncated and corrupted files: the previous checkpoint survives, and a
damaged file raises a RuntimeError naming the file (never a partial state dict, never a hang).
"""
import errno
import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import numtorch as nt
from numtorch import serialization
from ..conftest import torch, assert_close


def _state(seed, n=64):
    rng = np.random.default_rng(seed)
    return {"w": nt.from_numpy(rng.standard_normal((n, n)).astype(np.float32)),
            "step": nt.tensor(seed)}


def _write_good(path, seed=1):
    nt.save(_state(seed), path)
    return _state(seed)


def _assert_state(got, ref):
    assert list(got) == list(ref)
    for k in ref:
        np.testing.assert_array_equal(got[k].numpy(), ref[k].numpy())


def test_sigkill_during_save_keeps_previous_checkpoint(tmp_path):
    """A child starts overwriting the checkpoint with a big tensor and is SIGKILLed in the
    middle of writing it; the previous checkpoint must still load intact."""
    path = tmp_path / "ckpt.pt"
    ref = _write_good(path)
    child = textwrap.dedent(f"""
        import sys, time
        import numpy as np
        import numtorch as nt
        from numtorch import serialization as S
        real = S._ZipWriter._write
        def slow(self, b):
            if len(b) > 1 << 20:  # half of the big record, then stall until killed
                mv = memoryview(b)
                real(self, mv[:len(mv) // 2])
                self.f.flush()
                print("WRITING", flush=True)
                time.sleep(60)
            real(self, b)
        S._ZipWriter._write = slow
        nt.save({{"w": nt.from_numpy(np.ones((1024, 1024), np.float32))}}, {str(path)!r})
        print("DONE", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "WRITING", line
        tmp = [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
        assert tmp and os.path.getsize(tmp_path / tmp[0]) > 1 << 20  # it was mid-write
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    _assert_state(nt.load(path), ref)
    _assert_state(nt.load(path), {k: nt.from_numpy(v.numpy()) for k, v in
                                  torch.load(path, weights_only=True).items()})


def test_disk_full_keeps_previous_checkpoint_and_cleans_up(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    ref = _write_good(path)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        nt.save(_state(2), path)
    monkeypatch.undo()
    _assert_state(nt.load(path), ref)
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_unpicklable_object_keeps_previous_checkpoint(tmp_path):
    path = tmp_path / "ckpt.pt"
    ref = _write_good(path)
    with pytest.raises((AttributeError, pickle.PicklingError)):
        nt.save({"w": nt.ones(2), "fn": lambda: 0}, path)
    _assert_state(nt.load(path), ref)
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_save_keeps_file_mode_and_follows_symlinks(tmp_path):
    real = tmp_path / "real.pt"
    _write_good(real)
    os.chmod(real, 0o600)
    link = tmp_path / "link.pt"
    os.symlink(real, link)
    nt.save(_state(3), link)
    assert os.path.islink(link)
    assert os.stat(real).st_mode & 0o777 == 0o600
    _assert_state(nt.load(real), _state(3))


def test_missing_parent_directory_raises_like_torch(tmp_path):
    with pytest.raises(RuntimeError, match="Parent directory"):
        nt.save({}, tmp_path / "nope" / "x.pt")
    with pytest.raises(RuntimeError, match="Parent directory"):
        torch.save({}, tmp_path / "nope" / "x.pt")


def _record_offset(raw, zf, name):
    info = zf.getinfo(name)
    n, e = np.frombuffer(raw[info.header_offset + 26:][:4], "<u2")
    return info.header_offset + 30 + int(n) + int(e)


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.pt"
    nt.save({"w": nt.arange(1000.), "b": nt.ones(3)}, path)
    return path


CUTS = [0.0, 0.1, 0.5, 0.9, 0.999]


@pytest.mark.parametrize("frac", CUTS)
def test_truncated_file_raises_runtime_error(frac, good_file, tmp_path):
    raw = good_file.read_bytes()
    bad = tmp_path / "trunc.pt"
    bad.write_bytes(raw[:int(len(raw) * frac)])
    with pytest.raises(RuntimeError, match="trunc.pt"):  # (torch: EOFError/OSError/...)
        nt.load(bad)


CORRUPTIONS = {  # record to damage -> what the message says
    "good/data/0": "CRC-32 mismatch",
    "good/data.pkl": "CRC-32 mismatch",
}


@pytest.mark.parametrize("record", sorted(CORRUPTIONS))
def test_corrupted_record_raises_runtime_error(record, good_file, tmp_path):
    raw = bytearray(good_file.read_bytes())
    raw[_record_offset(raw, zipfile.ZipFile(good_file), record) + 17] ^= 0x5A
    bad = tmp_path / "bad.pt"
    bad.write_bytes(raw)
    with pytest.raises(RuntimeError, match=CORRUPTIONS[record]) as e:
        nt.load(bad)
    assert "bad.pt" in str(e.value) and record.split("/", 1)[1] in str(e.value)


def test_crc_check_is_off_with_mmap_and_zero_crc_means_unrecorded(good_file, tmp_path):
    raw = bytearray(good_file.read_bytes())
    raw[_record_offset(raw, zipfile.ZipFile(good_file), "good/data/0") + 4] ^= 0x01
    bad = tmp_path / "bad.pt"
    bad.write_bytes(raw)
    assert nt.load(bad, mmap=True)["w"].shape == (1000,)
    serialization.set_load_crc32_check(False)
    try:
        assert nt.load(bad)["w"].shape == (1000,)  # unchecked, as torch.load
    finally:
        serialization.set_load_crc32_check(True)
    with pytest.raises(RuntimeError, match="CRC"):
        nt.load(bad)
    serialization.set_crc32_options(False)
    try:
        assert not serialization.get_crc32_options()
        nt.save({"w": nt.ones(3)}, tmp_path / "nocrc.pt")
    finally:
        serialization.set_crc32_options(True)
    assert nt.load(tmp_path / "nocrc.pt")["w"].tolist() == [1.0, 1.0, 1.0]
    assert_close(torch.load(tmp_path / "nocrc.pt")["w"], torch.ones(3))


GARBAGE = {
    "empty": b"",
    "random": bytes(range(256)) * 4,
    "text": b"hello, I am not a checkpoint\n",
    "zip_without_pickle": None,
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
def test_not_a_checkpoint_raises_runtime_error(case, tmp_path):
    path = tmp_path / "junk.pt"
    if GARBAGE[case] is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("junk/readme.txt", "x")
    else:
        path.write_bytes(GARBAGE[case])
    with pytest.raises(RuntimeError, match="junk.pt"):
        nt.load(path)


def test_file_object_errors_name_the_stream():
    with pytest.raises(RuntimeError, match="BytesIO"):
        nt.load(io.BytesIO(b"PK\x03\x04 definitely not a zip"))


def _same(a, b):
    if isinstance(a, nt.Tensor):
        return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a.numpy(force=True), b.numpy(force=True)))
    if isinstance(a, dict):
        return type(a) is type(b) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_random_damage_never_loads_wrong_data():
    """Byte flips, cuts and insertions anywhere in a zip checkpoint: load either raises
    RuntimeError/UnpicklingError or returns exactly the saved object (damage to fields that
    carry no data) -- never another exception, never different values."""
    x = nt.arange(20.).reshape(4, 5)
    obj = {"a": x, "v": x[1], "p": nt.nn.Parameter(nt.ones(3)), "i": nt.arange(4),
           "m": {"k": [1, 2.5, "s", None]}, "b": nt.tensor([True])}
    good = io.BytesIO()
    nt.save(obj, good)
    good = good.getvalue()
    ref = nt.load(io.BytesIO(good))
    rng = np.random.default_rng(0)
    outcomes = set()
    for _ in range(300):
        b = bytearray(good)
        kind = rng.integers(3)
        if kind == 0:
            for i in rng.integers(0, len(b), rng.integers(1, 4)):
                b[i] = (b[i] + int(rng.integers(1, 256))) % 256
        elif kind == 1:
            b = b[:rng.integers(len(b))]
        else:
            i = int(rng.integers(len(b)))
            b[i:i] = rng.integers(0, 256, int(rng.integers(1, 8)), dtype=np.uint8).tobytes()
        try:
            out = nt.load(io.BytesIO(bytes(b)))
        except (RuntimeError, pickle.UnpicklingError) as e:
            outcomes.add(type(e).__name__)
            continue
        assert _same(ref, out)
        outcomes.add("same")
    # data.pkl is CRC-checked, so damage inside it is a RuntimeError before unpickling
    assert "RuntimeError" in outcomes and outcomes <= {"RuntimeError", "UnpicklingError", "same"}


def test_overwriting_a_file_that_is_still_mapped(tmp_path):
    """Saving over a checkpoint whose tensors are memory-mapped (mmap=True, safetensors) must
    not disturb them: the new file replaces the old one instead of truncating it in place."""
    from numtorch.utils import safetensors as st
    path, spath = tmp_path / "m.pt", tmp_path / "m.safetensors"
    nt.save({"w": nt.arange(1000.)}, path)
    st.save_file({"w": nt.arange(1000.)}, spath)
    mapped, smapped = nt.load(path, mmap=True), st.load_file(spath)
    nt.save({"w": nt.zeros(10)}, path)
    st.save_file({"w": nt.zeros(10)}, spath)
    assert mapped["w"].sum().item() == smapped["w"].sum().item() == 499500.0
    assert nt.load(path)["w"].tolist() == st.load_file(spath)["w"].tolist() == [0.0] * 10
