"""load(weights_only=True) on hostile files: every payload is refused and nothing runs.

Each case is a checkpoint (zip, or torch's legacy stream) whose pickle tries to run code,
build forbidden objects, abuse persistent ids, escape the archive or make us allocate huge
buffers. Payloads that would run code create a sentinel file or call ``_mark``; the tests check
that neither happened and that no module outside the allow-list was imported.
"""
import builtins
import io
import os
import pickle
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import numtorch as nt
from numtorch import serialization

_FLAG = []


def _mark(*args):
    """A harmless-looking function outside the allow-list; the flag proves it never ran."""
    _FLAG.append(args)
    return args


SENTINEL = "SENTINEL_PATH"  # replaced by a real path per test


def _u(s):
    """BINUNICODE"""
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def _g(module, name):
    """GLOBAL"""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


P = b"\x80\x02"


def _call(module, name, *args):
    """GLOBAL module.name, then REDUCE with string args."""
    return _g(module, name) + b"(" + b"".join(_u(a) for a in args) + b"tR"


def _reduce_pickle(func, args, protocol=2):
    class Payload:
        def __reduce__(self):
            return (func, args)
    return pickle.dumps(Payload(), protocol=protocol)


def _storage_pid(stype="FloatStorage", key="0", numel=4, tag="storage"):
    return b"(" + _u(tag) + _g("torch", stype) + _u(key) + _u("cpu") + \
        b"J" + struct.pack("<i", numel) + b"tQ"


def _rebuild(pid, size=(4,), stride=(1,)):
    def tup(v):
        return b"(" + b"".join(b"J" + struct.pack("<i", x) for x in v) + b"t"
    return _g("torch._utils", "_rebuild_tensor_v2") + b"(" + pid + b"K\x00" + tup(size) + \
        tup(stride) + b"\x89" + _g("collections", "OrderedDict") + b")Rt" + b"R"


CASES = {
    # -- code execution through globals ---------------------------------------------------------
    "os_system": lambda s: _reduce_pickle(os.system, (f"touch {s}",)),
    "posix_system_text": lambda s: P + _call("posix", "system", f"touch {s}") + b".",
    "subprocess_popen": lambda s: _reduce_pickle(subprocess.Popen, (["touch", s],)),
    "subprocess_check_call": lambda s: P + _call("subprocess", "check_call", "touch") + b".",
    "builtins_eval": lambda s: _reduce_pickle(eval, (f"open({s!r}, 'w')",)),
    "builtins_exec": lambda s: _reduce_pickle(exec, (f"open({s!r}, 'w')",)),
    "py2_builtin_eval": lambda s: P + _call("__builtin__", "eval", f"open({s!r}, 'w')") + b".",
    "builtins_import": lambda s: P + _call("builtins", "__import__", "os") + b".",
    "builtins_open": lambda s: _reduce_pickle(open, (s, "w")),
    "getattr_chain": lambda s: P + _g("builtins", "getattr") + b"(" +
    _call("builtins", "__import__", "os") + _u("system") + b"tR(" + _u(f"touch {s}") + b"tR.",
    "nested_reduce_in_ordereddict": lambda s: P + _g("collections", "OrderedDict") + b"((" +
    _call("builtins", "eval", f"open({s!r}, 'w')") + b"ttR.",
    "harmless_test_function": lambda s: _reduce_pickle(_mark, ("ran",)),
    "torch_load_global": lambda s: P + _call("torch", "load", s) + b".",
    "torch_hub_global": lambda s: P + _call("torch.hub", "load_state_dict_from_url", s) + b".",
    "torch_nn_module_global": lambda s: P + _g("torch.nn.modules.module", "Module") + b")R.",
    "numpy_reconstruct": lambda s: pickle.dumps(np.zeros(2), protocol=2),
    "copyreg_reconstructor": lambda s: P + _g("copyreg", "_reconstructor") + b"(" +
    _g("builtins", "object") + _g("builtins", "object") + b"NtR.",
    "stack_global_proto4": lambda s: _reduce_pickle(os.system, (f"touch {s}",), protocol=4),
    "codecs_encode_other_codec": lambda s: P + _call("_codecs", "encode", "x", "rot13") + b".",
    "torch_tensor_constructor": lambda s: P + _g("torch", "Tensor") + b"(J\xff\xff\xff\x7ftR.",
    "bytearray_huge": lambda s: P + _g("builtins", "bytearray") + b"(J\xff\xff\xff\x7ftR.",
    "rebuild_from_type_bad_func": lambda s: P + _g("torch._tensor", "_rebuild_from_type_v2") +
    b"(" + _g("collections", "OrderedDict") + _g("torch", "Tensor") + b")}tR.",
    "rebuild_tensor_non_storage": lambda s: P + _g("torch._utils", "_rebuild_tensor_v2") + b"(" +
    _u("not a storage") + b"K\x00(K\x01t(K\x01t\x89}tR.",
    # -- forbidden opcodes and BUILD/SETSTATE tricks ------------------------------------------
    "inst_opcode": lambda s: b"(S'touch " + s.encode() + b"'\nios\nsystem\n.",
    "obj_opcode": lambda s: P + b"(" + _g("collections", "OrderedDict") + b"o.",
    "newobj_ex_opcode": lambda s: b"\x80\x04" + _g("collections", "OrderedDict") + b")}\x92.",
    "ext1_opcode": lambda s: P + b"\x82\x01.",
    "newobj_tensor": lambda s: P + _g("torch", "Tensor") + b"(J\xff\xff\xff\x7ft\x81.",
    "build_dunder_on_ordereddict": lambda s: P + _g("collections", "OrderedDict") + b")R}" +
    _u("__class__") + _g("collections", "Counter") + b"sb.",
    "build_setstate_key": lambda s: P + _g("collections", "OrderedDict") + b")R}" +
    _u("__setstate__") + _g("torch._utils", "_rebuild_tensor_v2") + b"sb.",
    "build_on_plain_dict": lambda s: P + b"}}" + _u("a") + b"K\x01sb.",
    "build_on_tensor": lambda s: P + _rebuild(_storage_pid()) + b"}" + _u("_data") + b"K\x01sb.",
    "setitem_on_list": lambda s: P + b"]" + _u("k") + b"K\x01s.",
    "append_on_dict": lambda s: P + b"}K\x01a.",
    # -- malformed pickles -------------------------------------------------------------------
    "unknown_opcode": lambda s: P + b"\xff.",
    "truncated_binunicode": lambda s: P + b"X\xff\xff\xff\x7fabc",
    "long4_huge_length": lambda s: P + b"\x8b\xff\xff\xff\x7f\x00.",
    "binunicode8_huge": lambda s: b"\x80\x04\x8d" + struct.pack("<Q", 1 << 62) + b"ab.",
    "stack_underflow": lambda s: P + b"R.",
    "tuple_without_mark": lambda s: P + b"t.",
    "undefined_memo": lambda s: P + b"h\x07.",
    "no_stop": lambda s: P + b"K\x01",
    "empty_pickle": lambda s: b"",
    # -- persistent id abuse -------------------------------------------------------------------
    "persid_string": lambda s: P + b"Pos.system\n.",
    "persid_not_storage": lambda s: P + b"(" + _u("module") + _u("x") + _u("y") + b"tQ.",
    "persid_key_traversal": lambda s: P + _storage_pid(key="../../../etc/passwd") + b".",
    "persid_negative_numel": lambda s: P + _storage_pid(numel=-1) + b".",
    "persid_type_not_storage": lambda s: P + b"(" + _u("storage") +
    _g("collections", "OrderedDict") + _u("0") + _u("cpu") + b"K\x04tQ.",
    "persid_huge_numel": lambda s: P + _storage_pid(numel=2 ** 31 - 1) + b".",
    "tensor_larger_than_storage": lambda s: P + _rebuild(_storage_pid(), (1000000, 1000000),
                                                         (1, 1)) + b".",
}

# what each case must raise; the default is pickle.UnpicklingError
RUNTIME = {"persid_huge_numel", "tensor_larger_than_storage"}


def _checkpoint(path, pkl, extra=()):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/byteorder", "little")
        z.writestr("archive/data/0", np.arange(4, dtype=np.float32).tobytes())
        for name, data in extra:
            z.writestr(name, data)
        z.writestr("archive/version", "3\n")


@pytest.fixture
def sentinel(tmp_path):
    path = tmp_path / "pwned"
    _FLAG.clear()
    yield path
    assert not path.exists(), "a payload ran"
    assert not _FLAG, "a payload called a non-allowed function"


@pytest.mark.parametrize("case", sorted(CASES))
def test_malicious_pickle_is_rejected(case, tmp_path, sentinel):
    path = tmp_path / "evil.pt"
    _checkpoint(path, CASES[case](str(sentinel)))
    expected = RuntimeError if case in RUNTIME else pickle.UnpicklingError
    with pytest.raises(expected) as e:
        nt.load(path)
    assert "evil.pt" in str(e.value) or expected is pickle.UnpicklingError
    if case in ("os_system", "harmless_test_function", "torch_load_global", "builtins_eval"):
        assert "GLOBAL" in str(e.value)  # the message names the refused global


def test_corpus_is_large_enough():
    assert len(CASES) >= 20


def test_payloads_would_run_without_weights_only(tmp_path, sentinel):
    """The corpus is real: the same bytes do run under a plain unpickler."""
    pickle.loads(CASES["harmless_test_function"](str(sentinel)))
    assert _FLAG == [("ran",)]
    _FLAG.clear()


def test_no_module_outside_the_allow_list_is_imported(tmp_path, sentinel, monkeypatch):
    (tmp_path / "evil_mod_nt.py").write_text(f"open({str(sentinel)!r}, 'w').close()\n"
                                             "def run(*a):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _checkpoint(tmp_path / "e.pt", P + _call("evil_mod_nt", "run") + b".")
    with pytest.raises(pickle.UnpicklingError, match="evil_mod_nt.run"):
        nt.load(tmp_path / "e.pt")
    assert "evil_mod_nt" not in sys.modules


def test_approving_a_blocked_module_does_not_unblock_it(tmp_path, sentinel):
    _checkpoint(tmp_path / "e.pt", CASES["os_system"](str(sentinel)))
    with serialization.safe_globals([os.system, (os.system, "posix.system")]):
        with pytest.raises(pickle.UnpicklingError, match="blocked"):
            nt.load(tmp_path / "e.pt")


ZIP_ATTACKS = {
    "dotdot_entry": [("archive/../../evil", b"x")],
    "absolute_entry": [("/etc/evil", b"x")],
}


@pytest.mark.parametrize("case", sorted(ZIP_ATTACKS))
def test_unsafe_zip_entries_are_rejected(case, tmp_path, sentinel):
    path = tmp_path / "evil.pt"
    _checkpoint(path, pickle.dumps({"a": 1}, protocol=2), ZIP_ATTACKS[case])
    with pytest.raises(RuntimeError, match="unsafe record name"):
        nt.load(path)


def test_record_size_must_match_declared_numel(tmp_path, sentinel):
    path = tmp_path / "evil.pt"
    _checkpoint(path, P + _rebuild(_storage_pid(numel=3), (3,), (1,)) + b".")
    with pytest.raises(RuntimeError, match="holds 16 bytes"):
        nt.load(path)


def test_legacy_format_payload_and_huge_storage(tmp_path, sentinel):
    head = b"".join(pickle.dumps(x, protocol=2) for x in (
        serialization.MAGIC_NUMBER, serialization.PROTOCOL_VERSION,
        {"protocol_version": 1001, "little_endian": True, "type_sizes": {}}))
    (tmp_path / "a.pt").write_bytes(head + CASES["os_system"](str(sentinel)))
    with pytest.raises(pickle.UnpicklingError, match="system"):
        nt.load(tmp_path / "a.pt")
    huge = P + b"(" + _u("storage") + _g("torch", "FloatStorage") + _u("0") + _u("cpu") + \
        b"J\xff\xff\xff\x7fNtQ."
    (tmp_path / "b.pt").write_bytes(head + huge + pickle.dumps(["0"], protocol=2))
    with pytest.raises(RuntimeError, match="more than the file holds"):
        nt.load(tmp_path / "b.pt")


def test_safe_globals_allow_user_classes(tmp_path):
    path = tmp_path / "ok.pt"
    cfg = _Config(3)
    nt.save({"cfg": cfg, "w": nt.ones(2)}, path)
    assert serialization.get_unsafe_globals_in_checkpoint(path) == [
        f"{__name__}._Config"]
    with pytest.raises(pickle.UnpicklingError, match="_Config"):
        nt.load(path)
    with serialization.safe_globals([_Config]):
        assert serialization.get_unsafe_globals_in_checkpoint(path) == []
        got = nt.load(path)
    assert got["cfg"].value == 3 and got["w"].tolist() == [1.0, 1.0]
    serialization.add_safe_globals([_Config])
    assert _Config in serialization.get_safe_globals()
    assert nt.load(path)["cfg"].value == 3
    serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []
    assert nt.load(path, weights_only=False)["cfg"].value == 3


class _Config:
    def __init__(self, value):
        self.value = value


def test_weights_only_true_with_pickle_module_raises_like_torch():
    with pytest.raises(RuntimeError, match="pickle_module"):
        nt.load(io.BytesIO(b""), pickle_module=pickle, weights_only=True)


def test_builtins_module_still_usable():
    assert builtins.open is open  # the loader never patches builtins
