"""save / load in PyTorch's checkpoint format, both ways, safe by default.

``numtorch.save`` writes the zip archive ``torch.save`` writes (``<name>/data.pkl``,
``<name>/data/<key>`` storage records aligned to 64 bytes, ``byteorder``, ``version``...),
with the pickle naming torch's own globals (``torch._utils._rebuild_tensor_v2``,
``torch FloatStorage``...), so ``torch.load(f, weights_only=True)`` reads it. numtorch never
imports torch: the names are written as text.

``numtorch.load`` reads those archives (from torch or numtorch) and torch's legacy pre-1.6
format. With ``weights_only=True`` (the default, as in torch >= 2.6) the pickle is run by a
small interpreter that knows only tensors, storages, dtypes, ``torch.Size``, ``torch.device``,
``OrderedDict`` and plain containers: any other global raises ``pickle.UnpicklingError`` naming
it, and nothing outside that list is ever imported or called. ``add_safe_globals`` /
``safe_globals`` approve more classes. ``weights_only=False`` runs the full pickle machinery
(trusted files only: a pickle can run arbitrary code), mapping ``torch.*`` globals onto numtorch.

Notes:
    * bfloat16 tensors load as float32 (NumPy has no bfloat16; every bfloat16 value is exactly
      representable in float32). float8 / uint16-64 / complex32 / quantized / sparse tensors
      raise a RuntimeError saying so.
    * Everything loads on the CPU whatever ``map_location`` says.
    * ``save`` to a path writes a temporary file in the same directory, fsyncs it and renames
      it over the target, so a crash never leaves a half-written checkpoint behind.
    * ``load`` checks each record's CRC-32 (torch does not) so a damaged file raises instead
      of returning corrupt weights; ``mmap=True`` skips that check for the storages.
    * The file name's extension never changes the format: ``.safetensors`` files are written
      and read by ``numtorch.utils.safetensors``.
"""
import collections
import _compat_pickle
import io
import os
import pickle
import re
import secrets
import struct
import sys
import threading
import warnings
import zipfile
import zlib

import numpy as np

from . import _dtype
from . import _storage
from ._size import Size, device as _device
from ._storage import UntypedStorage, TypedStorage
from ._tensor import Tensor, _init, _wrap

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "get_unsafe_globals_in_checkpoint", "set_crc32_options",
           "get_crc32_options", "set_load_crc32_check", "default_restore_location",
           "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
PROTOCOL_VERSION = 1001
_ALIGN = 64
_BIG_RECORD = 1 << 18  # records at least this big get their CRC computed on a second thread
_U32 = 0xFFFFFFFF

_crc32_on_save = [True]
_crc32_on_load = [True]


def set_crc32_options(compute_crc32):
    """Whether ``save`` computes the CRC-32 of each record (torch's default: True)."""
    _crc32_on_save[0] = bool(compute_crc32)


def get_crc32_options():
    return _crc32_on_save[0]


def set_load_crc32_check(enabled):
    """Whether ``load`` verifies each storage record's CRC-32 (numtorch's default: True; torch
    never checks). Turning it off saves one pass over the data (about 0.05 s per 100 MB) at the
    price of not noticing damaged tensor data; ``data.pkl`` is always checked."""
    _crc32_on_load[0] = bool(enabled)


def default_restore_location(storage, location):
    """numtorch keeps every storage on the CPU, whatever device it was saved from."""
    return storage


# =============================================================================================
# Rebuild functions (what torch names torch._utils._rebuild_*) used when loading
# =============================================================================================

def _storage_array(storage, what):
    if isinstance(storage, TypedStorage):
        return storage._array
    if isinstance(storage, UntypedStorage):
        return storage._bytes
    raise pickle.UnpicklingError(
        f"{what} expects a storage as its first argument, got {type(storage).__name__}")


def _check_ints(name, value, what):
    if type(value) not in (tuple, list, Size) or not all(
            type(v) is int and v >= 0 for v in value):
        raise pickle.UnpicklingError(
            f"{what}: {name} must be a tuple of non-negative ints, got {value!r}")
    return tuple(value)


def _view_of(arr, offset, size, stride, what):
    """The tensor ``size``/``stride``/``offset`` (in elements) describe inside storage ``arr``."""
    if type(offset) is not int or offset < 0:
        raise pickle.UnpicklingError(f"{what}: storage_offset must be an int >= 0, got {offset!r}")
    size = _check_ints("size", size, what)
    stride = _check_ints("stride", stride, what)
    if len(size) != len(stride):
        raise RuntimeError(f"{what}: size {size} and stride {stride} have different lengths")
    n = arr.shape[0]
    if 0 in size:
        if offset > n:
            raise RuntimeError(f"{what}: storage offset {offset} is past the end of a storage "
                               f"of {n} elements")
        return arr[offset:offset].reshape(size)
    last = offset + sum((s - 1) * st for s, st in zip(size, stride))
    if last >= n:
        raise RuntimeError(
            f"{what}: a tensor of size {list(size)}, stride {list(stride)} and storage offset "
            f"{offset} needs {last + 1} elements but its storage holds {n}: the file is "
            f"corrupted")
    item = arr.dtype.itemsize
    return np.ndarray(size, arr.dtype, buffer=arr, offset=offset * item,
                      strides=tuple(st * item for st in stride))


def _set_requires_grad(t, requires_grad):
    if requires_grad:
        if t._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._rg = True
    return t


def _warn_hooks(backward_hooks):
    if backward_hooks:
        warnings.warn("numtorch.load ignores backward hooks stored in the checkpoint",
                      stacklevel=3)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    arr = _storage_array(storage, "_rebuild_tensor_v2")
    t = _wrap(_view_of(arr, storage_offset, size, stride, "_rebuild_tensor_v2"))
    _warn_hooks(backward_hooks)
    return _set_requires_grad(t, requires_grad)


def _rebuild_tensor(storage, storage_offset, size, stride):
    arr = _storage_array(storage, "_rebuild_tensor")
    return _wrap(_view_of(arr, storage_offset, size, stride, "_rebuild_tensor"))


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    if isinstance(dtype, _UnsupportedDtype):
        dtype.fail()
    if not isinstance(dtype, _dtype.dtype):
        raise pickle.UnpicklingError(f"_rebuild_tensor_v3: expected a dtype, got {dtype!r}")
    raw = _storage_array(storage, "_rebuild_tensor_v3")
    raw = raw.view(np.uint8) if raw.dtype != np.uint8 else raw
    n = raw.shape[0] // dtype.itemsize
    arr = raw[:n * dtype.itemsize].view(dtype.np)
    t = _wrap(_view_of(arr, storage_offset, size, stride, "_rebuild_tensor_v3"))
    _warn_hooks(backward_hooks)
    return _set_requires_grad(t, requires_grad)


def _parameter_class():
    try:
        from .nn.parameter import Parameter
    except ImportError:  # nn not built: parameters load as tensors requiring grad
        return None
    return Parameter


def _apply_state(obj, state, what):
    """Set the attributes a checkpoint stores for a tensor/parameter (no dunder names)."""
    if state is None:
        return obj
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
        if isinstance(state, dict) and isinstance(slots, dict):
            state = {**state, **slots}
        elif state is None:
            state = slots
    if state is None:
        return obj
    if not isinstance(state, dict):
        raise pickle.UnpicklingError(f"{what}: state must be a dict, got {type(state).__name__}")
    tensor = isinstance(obj, Tensor)
    for k, v in state.items():
        if type(k) is not str or k.startswith("__") or (tensor and (
                k.startswith("_") or hasattr(type(obj), k))):  # never shadow a method
            raise pickle.UnpicklingError(f"{what}: refusing to set attribute {k!r:.80}")
        obj.__dict__[k] = v
    return obj


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError(
            f"_rebuild_parameter expects a tensor, got {type(data).__name__}")
    _warn_hooks(backward_hooks)
    cls = _parameter_class()
    if cls is None:
        return _set_requires_grad(data.detach(), requires_grad)
    return cls(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad, backward_hooks)
    return _apply_state(p, state, "_rebuild_parameter_with_state")


def _rebuild_from_type_v2(func, new_type, args, state):
    if func not in _REBUILDERS:
        raise pickle.UnpicklingError(f"_rebuild_from_type_v2: unsupported function {func!r}")
    if not isinstance(args, tuple):
        raise pickle.UnpicklingError("_rebuild_from_type_v2: args must be a tuple")
    ret = func(*args)
    if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
        raise pickle.UnpicklingError(
            f"_rebuild_from_type_v2: {new_type!r} is not a Tensor subclass")
    if type(ret) is not new_type:
        sub = object.__new__(new_type)
        _init(sub, ret._data)
        sub._rg = ret._rg
        ret = sub
    return _apply_state(ret, state, "_rebuild_from_type_v2")


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError("_rebuild_device_tensor_from_cpu_tensor expects a tensor")
    return _set_requires_grad(data, requires_grad)


def _rebuild_device_tensor_from_numpy(data, dtype, device, requires_grad):
    if not isinstance(data, np.ndarray):
        raise pickle.UnpicklingError("_rebuild_device_tensor_from_numpy expects an ndarray")
    return _set_requires_grad(_wrap(np.array(data)), requires_grad)


def _unsupported_rebuild(kind):
    def rebuild(*args, **kwargs):
        raise RuntimeError(f"numtorch.load: this checkpoint holds {kind}, which numtorch does "
                           f"not support (only dense CPU tensors of NumPy dtypes)")
    rebuild.__name__ = "_rebuild_unsupported"
    return rebuild


def _get_layout(name):
    if name != "torch.strided":
        raise RuntimeError(f"numtorch.load: layout {name!r} is not supported (only strided)")
    return "torch.strided"


def _codecs_encode(obj, encoding="utf-8", errors="strict"):
    """``_codecs.encode`` as protocol-2 pickles use it for bytes: latin-1 text to bytes only."""
    if type(obj) is not str or encoding not in ("latin1", "latin-1") or errors != "strict":
        raise pickle.UnpicklingError(
            f"_codecs.encode is only allowed for latin-1 text, got {type(obj).__name__} "
            f"with encoding {encoding!r}")
    return obj.encode("latin-1")


def _safe_bytearray(*args):
    if not args:
        return bytearray()
    if len(args) == 1 and type(args[0]) in (bytes, bytearray):
        return bytearray(args[0])
    if len(args) == 2 and type(args[0]) is str and args[1] in ("latin1", "latin-1"):
        return bytearray(args[0], "latin-1")
    raise pickle.UnpicklingError("bytearray() is only allowed from bytes or latin-1 text")


def _safe_bytes(*args):
    """``bytes()`` as protocol <= 2 pickles write ``b""``: no argument, or bytes."""
    if not args:
        return b""
    if len(args) == 1 and type(args[0]) in (bytes, bytearray):
        return bytes(args[0])
    raise pickle.UnpicklingError("bytes() is only allowed without arguments or from bytes")


def _safe_complex(real=0, imag=0):
    if type(real) not in (int, float) or type(imag) not in (int, float):
        raise pickle.UnpicklingError("complex() is only allowed from two numbers")
    return complex(real, imag)


def _safe_set(items=()):
    if type(items) not in (list, tuple, set, frozenset):
        raise pickle.UnpicklingError("set() is only allowed from a list")
    return set(items)


def _safe_frozenset(items=()):
    if type(items) not in (list, tuple, set, frozenset):
        raise pickle.UnpicklingError("frozenset() is only allowed from a list")
    return frozenset(items)


class _UnsupportedDtype:
    """A torch dtype NumPy cannot hold (uint16, float8...): loading a tensor of it fails."""

    def __init__(self, name):
        self.name = name

    def fail(self):
        raise RuntimeError(f"numtorch.load: the checkpoint holds a tensor of dtype "
                           f"torch.{self.name}, which numtorch does not support")

    def __repr__(self):
        return f"torch.{self.name}"


_REBUILDERS = (_rebuild_tensor_v2, _rebuild_tensor, _rebuild_tensor_v3, _rebuild_parameter,
               _rebuild_parameter_with_state)

_UNSUPPORTED_DTYPES = ("uint16", "uint32", "uint64", "complex32", "float8_e4m3fn",
                       "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu",
                       "float4_e2m1fn_x2", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16",
                       "qint8", "qint32", "quint8", "quint4x2", "quint2x4", "uint1", "uint2",
                       "uint3", "uint4", "uint5", "uint6", "uint7", "int1", "int2", "int3",
                       "int4", "int5", "int6", "int7")
_UNSUPPORTED_STORAGES = ("QInt8Storage", "QInt32Storage", "QUInt8Storage", "QUInt4x2Storage",
                         "QUInt2x4Storage", "ComplexHalfStorage")


def _build_allowed():
    """Fully qualified torch name -> the numtorch object the weights-only loader uses."""
    allowed = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "builtins.set": _safe_set,
        "builtins.frozenset": _safe_frozenset,
        "builtins.bytearray": _safe_bytearray,
        "builtins.bytes": _safe_bytes,
        "builtins.complex": _safe_complex,
        "_codecs.encode": _codecs_encode,
        "torch.Size": Size,
        "torch.device": _device,
        "torch.Tensor": Tensor,
        "torch._tensor.Tensor": Tensor,
        "torch.serialization._get_layout": _get_layout,
        "torch.UntypedStorage": UntypedStorage,
        "torch.storage.UntypedStorage": UntypedStorage,
        "torch.storage.TypedStorage": TypedStorage,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch._utils._rebuild_device_tensor_from_cpu_tensor":
            _rebuild_device_tensor_from_cpu_tensor,
        "torch._utils._rebuild_qtensor": _unsupported_rebuild("quantized tensors"),
        "torch._utils._rebuild_sparse_tensor": _unsupported_rebuild("sparse tensors"),
        "torch._utils._rebuild_meta_tensor_no_storage": _unsupported_rebuild("meta tensors"),
        "torch._utils._rebuild_nested_tensor": _unsupported_rebuild("nested tensors"),
        "torch._utils._rebuild_wrapper_subclass": _unsupported_rebuild("tensor subclasses"),
        "torch._utils._rebuild_device_tensor_from_numpy":
            _unsupported_rebuild("tensors pickled through NumPy"),
    }
    for d in _dtype.ALL:
        allowed["torch." + d.name] = d
    allowed["torch.bfloat16"] = _dtype.float32  # loads as float32, see the module notes
    for name in _UNSUPPORTED_DTYPES:
        allowed["torch." + name] = _UnsupportedDtype(name)
    for cls in list(_storage._BY_DTYPE.values()) + [_storage.BFloat16Storage]:
        allowed["torch." + cls.__name__] = cls
    for name in _UNSUPPORTED_STORAGES:
        allowed["torch." + name] = _UnsupportedStorage(name)
    param = _parameter_class()
    if param is not None:
        allowed["torch.nn.parameter.Parameter"] = param
        allowed["torch.nn.Parameter"] = param
    return allowed


class _UnsupportedStorage:
    def __init__(self, name):
        self.__name__ = name

    def __repr__(self):
        return "torch." + self.__name__


_allowed_cache = []


def _allowed():
    if not _allowed_cache:
        _allowed_cache.append(_build_allowed())
    return _allowed_cache[0]


# =============================================================================================
# User-approved globals (torch.serialization.add_safe_globals and friends)
# =============================================================================================

_user_globals = set()
_user_lock = threading.Lock()

# Never loadable, even when approved: running anything from them means running code.
_BLOCKED_MODULES = frozenset({
    "os", "sys", "posix", "nt", "subprocess", "importlib", "runpy", "pickle", "_pickle",
    "marshal", "ctypes", "shutil", "socket", "code", "codeop", "pty", "webbrowser", "pdb",
    "multiprocessing", "signal", "asyncio", "threading", "_thread", "types", "inspect",
    "pickletools", "shelve", "dill", "cloudpickle", "platform", "tempfile", "pathlib", "io",
    "_io", "gc", "weakref", "operator", "functools"})
_BLOCKED_BUILTINS = frozenset({
    "eval", "exec", "compile", "__import__", "open", "getattr", "setattr", "delattr", "globals",
    "locals", "vars", "breakpoint", "input", "help", "exit", "quit", "memoryview", "type",
    "object", "super", "classmethod", "staticmethod", "property", "__build_class__", "apply",
    "execfile", "reload", "file"})


def add_safe_globals(safe_globals):
    """Approve classes/functions for ``load(weights_only=True)``.

    Args:
        safe_globals (list): objects, or ``(object, "module.qualname")`` pairs when the name
            recorded in the checkpoint differs from the object's own.

    Example::

        >>> import datetime
        >>> numtorch.save({"day": datetime.date(2024, 1, 31)}, "ckpt.pt")
        >>> numtorch.serialization.add_safe_globals([datetime.date])
        >>> numtorch.load("ckpt.pt")
        {'day': datetime.date(2024, 1, 31)}
        >>> numtorch.serialization.clear_safe_globals()
    """
    entries = set()
    for g in safe_globals:
        if isinstance(g, tuple):
            if len(g) != 2:
                raise ValueError(f"Expected tuple of length 2 (global, str of callable full "
                                 f"path), but got tuple of length: {len(g)}")
            if type(g[1]) is not str:
                raise TypeError(f"Expected second item in tuple to be str of callable full "
                                f"path, but got: {type(g[1])}")
        entries.add(g)
    with _user_lock:
        _user_globals.update(entries)


def get_safe_globals():
    """The user-approved globals (see :func:`add_safe_globals`)."""
    with _user_lock:
        return list(_user_globals)


def clear_safe_globals():
    """Forget every user-approved global."""
    with _user_lock:
        _user_globals.clear()


def _remove_safe_globals(globals_to_remove):
    with _user_lock:
        _user_globals.difference_update(globals_to_remove)


class safe_globals:
    """Context manager approving globals for ``load(weights_only=True)`` inside its block.

    Example::

        >>> import datetime
        >>> numtorch.save({"day": datetime.date(2024, 1, 31)}, "ckpt.pt")
        >>> with numtorch.serialization.safe_globals([datetime.date]):
        ...     numtorch.load("ckpt.pt")
        {'day': datetime.date(2024, 1, 31)}
    """

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _remove_safe_globals(self.safe_globals)


def _user_allowed():
    out = {}
    with _user_lock:
        entries = list(_user_globals)
    for g in entries:
        if isinstance(g, tuple):
            out[g[1]] = g[0]
        else:
            out[f"{getattr(g, '__module__', '')}.{getattr(g, '__qualname__', '')}"] = g
    return out


def get_unsafe_globals_in_checkpoint(f):
    """Globals in checkpoint ``f`` that ``load(weights_only=True)`` would refuse.

    The pickle is only scanned (nothing runs), so this is safe on untrusted files.

    Args:
        f: a path or a binary file object holding a zip checkpoint.

    Returns:
        list of str: ``"module.name"`` of each unapproved global.
    """
    import pickletools
    fh, name, opened = _open_for_read(f)
    try:
        pkl = _ZipReader(fh, name, False).read_bytes("data.pkl")
    finally:
        if opened:
            fh.close()
    allowed = _allowed()
    user = _user_allowed()
    found = []
    strings = []
    try:
        for op, arg, _ in pickletools.genops(pkl):
            if op.name == "GLOBAL":
                module, gname = _map_py2_name(*arg.split(" ", 1))
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                module, gname = _map_py2_name(strings[-2], strings[-1])
            else:
                if isinstance(arg, str) and "UNICODE" in op.name:
                    strings.append(arg)
                continue
            full = f"{module}.{gname}"
            if (full not in allowed and full not in user) or _is_blocked(module, gname):
                if full not in found:
                    found.append(full)
    except ValueError as e:
        _fail(name, f"data.pkl is not a valid pickle ({e})")
    return found


def _is_blocked(module, name):
    top = module.split(".")[0]
    if top in _BLOCKED_MODULES:
        return True
    return top in ("builtins", "__builtin__") and name in _BLOCKED_BUILTINS


def _unsafe_message(full):
    return (f"Weights only load failed: unsupported global: GLOBAL {full} was not an allowed "
            f"global by default. Please use `numtorch.serialization.add_safe_globals([{full}])` "
            f"or the `numtorch.serialization.safe_globals([{full}])` context manager to "
            f"allowlist this global if you trust this class/function, or load with "
            f"weights_only=False if you trust the whole file (it can run arbitrary code).")


# =============================================================================================
# The weights-only unpickler: an interpreter for the data subset of the pickle language
# =============================================================================================

_EXACT_DICTS = (dict, collections.OrderedDict, collections.Counter)


def _map_py2_name(module, name):
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class _WeightsOnlyUnpickler:
    """Runs a pickle without importing or calling anything outside an allow-list.

    It supports the opcodes that encode data (numbers, strings, bytes, containers, memo,
    persistent ids) plus GLOBAL/STACK_GLOBAL, REDUCE, NEWOBJ and BUILD restricted to allowed
    objects; INST, OBJ, NEWOBJ_EX, EXT* and out-of-band buffers are refused.
    """

    def __init__(self, data, persistent_load, encoding="utf-8"):
        self.data = data
        self.persistent_load = persistent_load
        self.encoding = encoding
        self.allowed = _allowed()
        self.user = _user_allowed()
        # what REDUCE may call: functions and a few classes (never Tensor or storage
        # constructors, which would allocate whatever size the file asks for)
        callables = [v for v in self.allowed.values() if not isinstance(v, type)
                     and callable(v) and not isinstance(v, _dtype.dtype)]
        callables += [collections.OrderedDict, collections.Counter, Size, _device]
        self.parameter = _parameter_class()
        if self.parameter is not None:
            callables.append(self.parameter)
        self.callables = {id(v): v for v in callables}
        self.callables.update({id(v): v for v in self.user.values()})
        self.classes = {id(v): v for v in (collections.OrderedDict, collections.Counter, Size)}
        self.classes.update({id(v): v for v in self.user.values() if isinstance(v, type)})

    # -- globals ------------------------------------------------------------------------------
    def find_global(self, module, name):
        module, name = _map_py2_name(module, name)
        full = f"{module}.{name}"
        if _is_blocked(module, name):
            raise pickle.UnpicklingError(
                f"Weights only load failed: trying to load unsupported GLOBAL {full} whose "
                f"module {module.split('.')[0]} is blocked.")
        if full in self.allowed:
            return self.allowed[full]
        if full in self.user:
            return self.user[full]
        raise pickle.UnpicklingError(_unsafe_message(full))

    def is_allowed(self, obj):
        return self.callables.get(id(obj)) is obj

    # -- the interpreter ----------------------------------------------------------------------
    def load(self, pos=0):
        """Run the pickle starting at byte ``pos``; returns (object, position after STOP)."""
        try:
            return self._load(pos)
        except (pickle.UnpicklingError, RuntimeError, MemoryError):
            raise
        except IndexError:
            raise pickle.UnpicklingError(
                "Weights only load failed: malformed pickle (stack underflow or missing "
                "MARK)") from None
        except Exception as e:
            raise pickle.UnpicklingError(
                f"Weights only load failed: malformed pickle ({type(e).__name__}: {e})"
            ) from None

    def _load(self, pos):
        data = self.data
        n = len(data)
        stack = []
        metastack = []
        memo = {}
        unpack = struct.unpack_from
        UE = pickle.UnpicklingError

        def take(k):
            nonlocal pos
            if k < 0 or pos + k > n:
                raise UE("pickle data was truncated (the file is incomplete or corrupted)")
            out = bytes(data[pos:pos + k])
            pos += k
            return out

        def line():
            nonlocal pos
            end = data.find(b"\n", pos)
            if end < pos:
                raise UE("pickle data was truncated (missing end of line)")
            out = bytes(data[pos:end])
            pos = end + 1
            return out

        def pop_mark():
            nonlocal stack
            items = stack
            stack = metastack.pop()
            return items

        def decode_str(raw):
            if self.encoding == "bytes":
                return raw
            return raw.decode(self.encoding, "strict")

        while True:
            if pos >= n:
                raise UE("pickle data was truncated (no STOP opcode)")
            op = data[pos]
            pos += 1
            if op == 0x71:  # BINPUT
                memo[take(1)[0]] = stack[-1]
            elif op == 0x68:  # BINGET
                i = take(1)[0]
                if i not in memo:
                    raise UE(f"memo key {i} not found")
                stack.append(memo[i])
            elif op == 0x58:  # BINUNICODE
                k = unpack("<I", take(4))[0]
                stack.append(str(take(k), "utf-8", "surrogatepass"))
            elif op == 0x28:  # MARK
                metastack.append(stack)
                stack = []
            elif op == 0x4b:  # BININT1
                stack.append(take(1)[0])
            elif op == 0x4a:  # BININT
                stack.append(unpack("<i", take(4))[0])
            elif op == 0x4d:  # BININT2
                stack.append(unpack("<H", take(2))[0])
            elif op == 0x74:  # TUPLE
                items = pop_mark()
                stack.append(tuple(items))
            elif op == 0x85:  # TUPLE1
                stack[-1] = (stack[-1],)
            elif op == 0x86:  # TUPLE2
                b = stack.pop()
                stack[-1] = (stack[-1], b)
            elif op == 0x87:  # TUPLE3
                c = stack.pop()
                b = stack.pop()
                stack[-1] = (stack[-1], b, c)
            elif op == 0x29:  # EMPTY_TUPLE
                stack.append(())
            elif op == 0x89:  # NEWFALSE
                stack.append(False)
            elif op == 0x88:  # NEWTRUE
                stack.append(True)
            elif op == 0x4e:  # NONE
                stack.append(None)
            elif op == 0x52:  # REDUCE
                args = stack.pop()
                func = stack[-1]
                if not self.is_allowed(func):
                    raise UE(f"Weights only load failed: trying to call reduce for "
                             f"unrecognized function {func!r}")
                if type(args) is not tuple:
                    raise UE("REDUCE arguments must be a tuple")
                stack[-1] = func(*args)
            elif op == 0x63:  # GLOBAL
                module = line().decode("utf-8")
                name = line().decode("utf-8")
                stack.append(self.find_global(module, name))
            elif op == 0x93:  # STACK_GLOBAL
                name = stack.pop()
                module = stack.pop()
                if type(module) is not str or type(name) is not str:
                    raise UE("STACK_GLOBAL requires str")
                stack.append(self.find_global(module, name))
            elif op == 0x51:  # BINPERSID
                stack.append(self.persistent_load(stack.pop()))
            elif op == 0x50:  # PERSID
                stack.append(self.persistent_load(line().decode("ascii")))
            elif op == 0x7d:  # EMPTY_DICT
                stack.append({})
            elif op == 0x5d:  # EMPTY_LIST
                stack.append([])
            elif op == 0x73:  # SETITEM
                v = stack.pop()
                k = stack.pop()
                self._check_dict(stack[-1], "SETITEM")
                stack[-1][k] = v
            elif op == 0x75:  # SETITEMS
                items = pop_mark()
                target = stack[-1]
                self._check_dict(target, "SETITEMS")
                if len(items) % 2:
                    raise UE("SETITEMS needs an even number of items")
                for i in range(0, len(items), 2):
                    target[items[i]] = items[i + 1]
            elif op == 0x61:  # APPEND
                v = stack.pop()
                if type(stack[-1]) is not list:
                    raise UE(f"Can only append to lists, but got {type(stack[-1]).__name__}")
                stack[-1].append(v)
            elif op == 0x65:  # APPENDS
                items = pop_mark()
                if type(stack[-1]) is not list:
                    raise UE(f"Can only extend lists, but got {type(stack[-1]).__name__}")
                stack[-1].extend(items)
            elif op == 0x47:  # BINFLOAT
                stack.append(unpack(">d", take(8))[0])
            elif op == 0x8a:  # LONG1
                k = take(1)[0]
                stack.append(int.from_bytes(take(k), "little", signed=True))
            elif op == 0x8b:  # LONG4
                k = unpack("<i", take(4))[0]
                if k < 0:
                    raise UE("LONG4 with negative length")
                stack.append(int.from_bytes(take(k), "little", signed=True))
            elif op == 0x8c:  # SHORT_BINUNICODE
                k = take(1)[0]
                stack.append(str(take(k), "utf-8", "surrogatepass"))
            elif op == 0x8d:  # BINUNICODE8
                k = unpack("<Q", take(8))[0]
                stack.append(str(take(k), "utf-8", "surrogatepass"))
            elif op == 0x55:  # SHORT_BINSTRING
                stack.append(decode_str(take(take(1)[0])))
            elif op == 0x54:  # BINSTRING
                k = unpack("<i", take(4))[0]
                stack.append(decode_str(take(k)))
            elif op == 0x43:  # SHORT_BINBYTES
                stack.append(take(take(1)[0]))
            elif op == 0x42:  # BINBYTES
                stack.append(take(unpack("<I", take(4))[0]))
            elif op == 0x8e:  # BINBYTES8
                stack.append(take(unpack("<Q", take(8))[0]))
            elif op == 0x96:  # BYTEARRAY8
                stack.append(bytearray(take(unpack("<Q", take(8))[0])))
            elif op == 0x94:  # MEMOIZE
                memo[len(memo)] = stack[-1]
            elif op == 0x72:  # LONG_BINPUT
                memo[unpack("<I", take(4))[0]] = stack[-1]
            elif op == 0x6a:  # LONG_BINGET
                i = unpack("<I", take(4))[0]
                if i not in memo:
                    raise UE(f"memo key {i} not found")
                stack.append(memo[i])
            elif op == 0x70:  # PUT
                memo[int(line())] = stack[-1]
            elif op == 0x67:  # GET
                i = int(line())
                if i not in memo:
                    raise UE(f"memo key {i} not found")
                stack.append(memo[i])
            elif op == 0x81:  # NEWOBJ
                args = stack.pop()
                cls = stack.pop()
                stack.append(self._newobj(cls, args))
            elif op == 0x62:  # BUILD
                state = stack.pop()
                self._build(stack[-1], state)
            elif op == 0x80:  # PROTO
                proto = take(1)[0]
                if proto > pickle.HIGHEST_PROTOCOL:
                    raise UE(f"unsupported pickle protocol: {proto}")
            elif op == 0x95:  # FRAME
                take(8)
            elif op == 0x2e:  # STOP
                if not stack:
                    raise UE("STOP with an empty stack")
                return stack.pop(), pos
            elif op == 0x30:  # POP
                if stack:
                    stack.pop()
                else:
                    pop_mark()
            elif op == 0x31:  # POP_MARK
                pop_mark()
            elif op == 0x32:  # DUP
                stack.append(stack[-1])
            elif op == 0x8f:  # EMPTY_SET
                stack.append(set())
            elif op == 0x90:  # ADDITEMS
                items = pop_mark()
                if type(stack[-1]) is not set:
                    raise UE("ADDITEMS target must be a set")
                stack[-1].update(items)
            elif op == 0x91:  # FROZENSET
                items = pop_mark()
                stack.append(frozenset(items))
            elif op == 0x6c:  # LIST
                items = pop_mark()
                stack.append(items)
            elif op == 0x64:  # DICT
                items = pop_mark()
                if len(items) % 2:
                    raise UE("DICT needs an even number of items")
                stack.append({items[i]: items[i + 1] for i in range(0, len(items), 2)})
            elif op == 0x49:  # INT (protocol 0; "00"/"01" are booleans)
                s = line()
                stack.append(False if s == b"00" else True if s == b"01" else int(s))
            elif op == 0x4c:  # LONG (protocol 0)
                s = line()
                stack.append(int(s[:-1] if s.endswith(b"L") else s))
            elif op == 0x46:  # FLOAT (protocol 0)
                stack.append(float(line()))
            elif op == 0x53:  # STRING (protocol 0)
                s = line()
                if len(s) < 2 or s[0] != s[-1] or s[:1] not in (b"'", b'"'):
                    raise UE("the STRING opcode argument must be quoted")
                import codecs
                stack.append(decode_str(codecs.escape_decode(s[1:-1])[0]))
            elif op == 0x56:  # UNICODE (protocol 0)
                stack.append(str(line(), "raw-unicode-escape"))
            else:
                raise UE(f"Weights only load failed: unsupported pickle opcode "
                         f"{bytes([op])!r} at byte {pos - 1}")

    def _check_dict(self, target, opname):
        if type(target) not in _EXACT_DICTS:
            raise pickle.UnpicklingError(
                f"Can only {opname} for dict, collections.OrderedDict, collections.Counter, "
                f"but got {type(target).__name__}")

    def _newobj(self, cls, args):
        if type(args) is not tuple:
            raise pickle.UnpicklingError("NEWOBJ arguments must be a tuple")
        if self.parameter is not None and cls is self.parameter:
            return cls(*args)
        if self.classes.get(id(cls)) is cls:
            return cls.__new__(cls, *args)
        raise pickle.UnpicklingError(
            f"Weights only load failed: can only create new objects for nn.Parameter or "
            f"classes allowlisted via add_safe_globals, but got {cls!r}")

    def _build(self, inst, state):
        t = type(inst)
        if t in (collections.OrderedDict, collections.Counter):
            if isinstance(state, tuple) and len(state) == 2 and state[1] is None:
                state = state[0]
            _apply_state(inst, state, "BUILD")
            return
        if self.user.get(f"{t.__module__}.{t.__qualname__}") is t or any(
                v is t for v in self.user.values()):
            setstate = getattr(inst, "__setstate__", None)
            if setstate is not None and getattr(t, "__setstate__", None) is not \
                    getattr(object, "__setstate__", None):
                setstate(state)
                return
            slots = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slots = state
            if state:
                inst.__dict__.update(state)
            if slots:
                for k, v in slots.items():
                    setattr(inst, k, v)
            return
        raise pickle.UnpicklingError(
            f"Weights only load failed: can only BUILD OrderedDict or types allowlisted via "
            f"add_safe_globals, but got {t.__name__}")


# =============================================================================================
# Saving
# =============================================================================================

class _Reduced:
    """A placeholder object that pickles as ``func(*args)`` (nested reduce values)."""

    __slots__ = ("rv",)

    def __init__(self, func, args):
        self.rv = (func, args)


class _StorageRef:
    """One storage record of the checkpoint; pickles as torch's persistent id."""

    __slots__ = ("pid", "dtype")

    def __init__(self, pid, dtype):
        self.pid = pid
        self.dtype = dtype


_TENSOR_INTERNAL = frozenset({"_grad", "_output_nr", "_accum_ref", "_retains_grad", "_hooks",
                              "_post_acc_hooks", "_is_buffer", "persistent"})


def _torch_names():
    """numtorch object -> ((numtorch module, name), (torch module, name)) for the pickle."""
    table = {}

    def add(obj, torch_module, torch_name, nt_name=None):
        nt = (obj.__module__, nt_name or obj.__qualname__)
        table[id(obj)] = (obj, nt, (torch_module, torch_name))

    add(_rebuild_tensor_v2, "torch._utils", "_rebuild_tensor_v2")
    add(_rebuild_parameter, "torch._utils", "_rebuild_parameter")
    add(_rebuild_parameter_with_state, "torch._utils", "_rebuild_parameter_with_state")
    add(_rebuild_from_type_v2, "torch._tensor", "_rebuild_from_type_v2")
    add(Size, "torch", "Size")
    add(_device, "torch", "device")
    add(Tensor, "torch", "Tensor")
    add(UntypedStorage, "torch.storage", "UntypedStorage")
    for cls in _storage._BY_DTYPE.values():
        add(cls, "torch", cls.__name__)
    param = _parameter_class()
    if param is not None:
        add(param, "torch.nn.parameter", "Parameter")
    attrs = {id(v): k for k, v in vars(_dtype).items() if isinstance(v, _dtype.dtype)}
    for d in _dtype.ALL:
        table[id(d)] = (d, ("numtorch._dtype", attrs[id(d)]), ("torch", d.name))
    return table


_names_cache = []


class _Saver:
    """Collects storages while pickling and turns numtorch objects into torch's reduce values."""

    def __init__(self, legacy=False):
        self.legacy = legacy
        self.numel = {}
        if not _names_cache:
            _names_cache.append(_torch_names())
        self.names = _names_cache[0]
        self.emitted = []  # placeholder globals the pickle contains (each once, memoised)
        self.records = []  # (key, flat uint8 array)
        self.by_memory = {}  # (address, nbytes) -> _StorageRef
        self.keepalive = []
        self.parameter = _parameter_class()

    def storage_ref(self, flat, dt, numel, untyped=False):
        key_mem = (flat.__array_interface__["data"][0], flat.size)
        ref = self.by_memory.get(key_mem) if flat.size else None
        if ref is not None:
            if ref.dtype is not dt:
                raise RuntimeError(
                    "Cannot save multiple tensors or storages that view the same data as "
                    "different types")
            return ref
        key = str(len(self.records))
        cls = UntypedStorage if untyped else _storage._BY_DTYPE[dt.name]
        pid = ("storage", cls, key, "cpu", numel) + ((None,) if self.legacy else ())
        ref = _StorageRef(pid, dt)
        self.numel[key] = numel
        self.records.append((key, flat))
        self.by_memory[key_mem] = ref
        self.keepalive.append(flat)
        return ref

    def tensor_args(self, t):
        """(storage ref, offset, size, stride) of tensor ``t``, sharing memory with its views."""
        arr = t._data
        dt = _dtype._FROM_NP.get(arr.dtype)
        if dt is None:  # e.g. a byte-swapped array: store a native copy
            arr = arr.astype(arr.dtype.newbyteorder("="))
            dt = _dtype.from_numpy_dtype(arr.dtype)
        item = arr.dtype.itemsize
        flat = _storage._root_bytes(_storage._root(arr))
        if flat is not None and flat.size % item == 0:
            off = arr.__array_interface__["data"][0] - flat.__array_interface__["data"][0]
            strides = arr.strides
            end = off + item + sum((n - 1) * s for n, s in zip(arr.shape, strides)) \
                if arr.size else off
            if (0 <= off <= flat.size and off % item == 0 and end <= flat.size
                    and all(s >= 0 and s % item == 0 for s in strides)):
                ref = self.storage_ref(flat, dt, flat.size // item)
                return ref, off // item, tuple(arr.shape), tuple(s // item for s in strides)
        # negative/odd strides or a window over foreign memory: a private contiguous copy
        c = np.ascontiguousarray(arr)
        if c is arr:
            c = arr.copy()
        flat = c.reshape(-1).view(np.uint8) if c.size else np.empty((0,), np.uint8)
        ref = self.storage_ref(flat, dt, c.size)
        return ref, 0, tuple(c.shape), tuple(s // item for s in c.strides)

    def reduce_tensor(self, t):
        args = self.tensor_args(t) + (t._rg, collections.OrderedDict())
        state = {k: v for k, v in t.__dict__.items() if k not in _TENSOR_INTERNAL
                 and not k.startswith("_")} if t.__dict__ else {}
        cls = type(t)
        if self.parameter is not None and isinstance(t, self.parameter):
            inner = _Reduced(_rebuild_tensor_v2, args[:4] + (False, collections.OrderedDict()))
            if cls is self.parameter and not state:
                return (_rebuild_parameter, (inner, t._rg, collections.OrderedDict()))
            if cls is self.parameter:
                return (_rebuild_parameter_with_state,
                        (inner, t._rg, collections.OrderedDict(), state))
        if cls is Tensor and not state:
            return (_rebuild_tensor_v2, args)
        return (_rebuild_from_type_v2, (_rebuild_tensor_v2, cls, args, state))

    def reduce(self, obj):
        if isinstance(obj, Tensor):
            return self.reduce_tensor(obj)
        entry = self.names.get(id(obj))
        if entry is not None and entry[0] is obj:
            self.emitted.append(entry)
            if isinstance(obj, _dtype.dtype):
                return entry[1][1]  # pickled as the global numtorch._dtype.<name>
            return NotImplemented
        cls = type(obj)
        if cls is _Reduced:
            return obj.rv
        if cls is Size:
            return (Size, (tuple(obj),))
        if cls is _device:
            return (_device, (obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented

    def persistent_id(self, obj):
        cls = type(obj)
        if cls is _StorageRef:
            return tuple([*obj.pid])  # a fresh tuple per tensor, as torch writes it
        if cls is UntypedStorage:
            return self.storage_ref(obj._bytes, _dtype.uint8, obj.nbytes(), untyped=True).pid
        if isinstance(obj, TypedStorage):
            flat = obj._untyped_storage._bytes
            return self.storage_ref(flat, obj.dtype, obj.size()).pid
        return None


class _CPickler(pickle.Pickler):
    def __init__(self, file, protocol, saver):
        super().__init__(file, protocol)
        self._saver = saver

    def persistent_id(self, obj):
        return self._saver.persistent_id(obj)

    def reducer_override(self, obj):
        return self._saver.reduce(obj)


class _PyPickler(pickle._Pickler):
    """Pure-Python pickler for protocols >= 4 (the C one would write STACK_GLOBAL): writes
    torch's names for numtorch's placeholder globals directly, as GLOBAL opcodes."""

    def __init__(self, file, protocol, saver):
        super().__init__(file, protocol)
        self._saver = saver

    def persistent_id(self, obj):
        return self._saver.persistent_id(obj)

    def reducer_override(self, obj):
        return self._saver.reduce(obj)

    def save(self, obj, save_persistent_id=True):
        entry = self._saver.names.get(id(obj))
        if entry is not None and entry[0] is obj and id(obj) not in self.memo:
            self.framer.commit_frame()
            module, qual = entry[2]
            self.write(pickle.GLOBAL + f"{module}\n{qual}\n".encode("utf-8"))
            self.memoize(obj)
            return
        super().save(obj, save_persistent_id)


def _rename_globals(data, emitted):
    """Replace the numtorch placeholder GLOBALs in pickle ``data`` by torch's names."""
    if not emitted:
        return data
    pairs = []
    for _, (m, n), (tm, tn) in emitted:
        pairs.append((f"c{m}\n{n}\n".encode("utf-8"), f"c{tm}\n{tn}\n".encode("utf-8")))
    if all(data.count(old) == 1 for old, _ in pairs):  # each global is written once (memo)
        for old, new in pairs:
            data = data.replace(old, new)
        return data
    # the pattern also occurs inside user data: rewrite exactly, opcode by opcode
    import pickletools
    table = {old[1:]: new for old, new in pairs}
    out = []
    last = 0
    for op, arg, pos in pickletools.genops(data):
        if op.name == "GLOBAL":
            raw = arg.replace(" ", "\n", 1).encode("utf-8") + b"\n"
            if raw in table:
                out.append(data[last:pos])
                out.append(table[raw])
                last = pos + 1 + len(raw)
    out.append(data[last:])
    return b"".join(out)


def _dumps(obj, protocol, saver):
    buf = io.BytesIO()
    if protocol >= 4:
        _PyPickler(buf, protocol, saver).dump(obj)
        return buf.getvalue()
    _CPickler(buf, protocol, saver).dump(obj)
    return _rename_globals(buf.getvalue(), saver.emitted)


def _crc32(mv):
    if not _crc32_on_save[0]:
        return 0
    return zlib.crc32(mv)


class _ZipWriter:
    """Writes a stored (uncompressed) zip as torch does: records 64-byte aligned, CRC-32 in a
    data descriptor (so big records are checksummed while they are written), zip64 records."""

    def __init__(self, f, prefix, writeback=False):
        self.f = f
        self.prefix = prefix
        self.pos = 0
        self.entries = []
        self.writeback = writeback and hasattr(os, "posix_fadvise")

    def _start_writeback(self, offset, length):
        """Ask the kernel to start writing a big record to disk now, so that the final fsync
        has little left to wait for (the file is ours: a temporary file being saved)."""
        try:
            self.f.flush()
            os.posix_fadvise(self.f.fileno(), offset, length, os.POSIX_FADV_DONTNEED)
        except (OSError, ValueError, io.UnsupportedOperation):
            self.writeback = False

    def _write(self, b):
        self.f.write(b)
        self.pos += len(b)

    def record(self, name, data, crc_future=None):
        """Write one record; ``crc_future`` (optional) computes its CRC-32 on another thread
        while the data is written (the CRC goes in the data descriptor after the data)."""
        mv = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
        name_b = f"{self.prefix}/{name}".encode("utf-8")
        size = mv.nbytes
        zip64 = size >= _U32 or self.pos >= _U32
        extra = struct.pack("<HHQQ", 1, 16, 0, 0) if zip64 else b""
        start = self.pos + 30 + len(name_b) + len(extra)
        pad = -start % _ALIGN
        if pad:
            pad += _ALIGN if pad < 4 else 0
            extra += struct.pack("<HH", 0x4246, pad - 4) + b"Z" * (pad - 4)
        offset = self.pos
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, 0x0808, 0, 0,
                                33, 0, _U32 if zip64 else 0, _U32 if zip64 else 0,
                                len(name_b), len(extra)) + name_b + extra)
        if crc_future is not None:
            self._write(mv)
            crc = crc_future.result()
        else:
            crc = _crc32(mv)
            self._write(mv)
        if self.writeback and size >= 1 << 20:
            self._start_writeback(self.pos - size, size)
        if zip64:
            self._write(struct.pack("<IIQQ", 0x08074B50, crc, size, size))
        else:
            self._write(struct.pack("<IIII", 0x08074B50, crc, size, size))
        self.entries.append((name_b, crc, size, offset))

    def finish(self):
        cd_start = self.pos
        parts = []
        for name_b, crc, size, offset in self.entries:
            fields = []
            if size >= _U32:
                fields += [size, size]
            if offset >= _U32:
                fields.append(offset)
            extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) \
                if fields else b""
            big = size >= _U32
            parts.append(struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 45 if fields else 20, 0x0808, 0, 0, 33,
                crc, _U32 if big else size, _U32 if big else size, len(name_b), len(extra), 0,
                0, 0, 0o100644 << 16, _U32 if offset >= _U32 else offset) + name_b + extra)
        cd = b"".join(parts)
        self._write(cd)
        n = len(self.entries)
        eocd64 = self.pos
        self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 45, 0, 0, n, n, len(cd),
                                cd_start))
        self._write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF),
                                min(len(cd), _U32), min(cd_start, _U32), 0))


def _archive_name(f):
    if isinstance(f, (str, os.PathLike)):
        base = os.path.basename(os.fspath(f))
        stem = base[:base.rfind(".")] if "." in base else base
        if stem and re.fullmatch(r"[A-Za-z0-9_\-.]+", stem):
            return stem
    return "archive"


def _crc_pool(records):
    """A one-thread pool for CRC-32s when some record is big enough to be worth it (a new one
    per call: a pool kept across calls would not survive fork())."""
    if not any(flat.size >= _BIG_RECORD for _, flat in records):
        return None
    from concurrent.futures import ThreadPoolExecutor
    return ThreadPoolExecutor(1)


def _write_checkpoint(f, obj, protocol, prefix, byteorder_record, writeback=False):
    saver = _Saver()
    pkl = _dumps(obj, protocol, saver)
    w = _ZipWriter(f, prefix, writeback)
    w.record("data.pkl", pkl)
    w.record(".format_version", b"1")
    w.record(".storage_alignment", str(_ALIGN).encode())
    if byteorder_record:
        w.record("byteorder", sys.byteorder.encode())
    pool = _crc_pool(saver.records) if _crc32_on_save[0] else None
    try:
        futures = [pool.submit(zlib.crc32, memoryview(flat)) if pool and flat.size >= _BIG_RECORD
                   else None for _, flat in saver.records]
        for (key, flat), fut in zip(saver.records, futures):
            w.record(f"data/{key}", flat, fut)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    w.record("version", b"3\n")
    w.record(".data/serialization_id", f"{secrets.randbits(128):040d}".encode())
    w.finish()


def _fsync_dir(d):
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _save_to_path(path, write):
    """Write through ``write(fileobj)`` to a temporary file, fsync it, rename it into place."""
    target = os.path.realpath(os.fspath(path))
    parent = os.path.dirname(target) or "."
    if not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {os.path.dirname(os.fspath(path)) or parent} "
                           f"does not exist.")
    if os.path.isdir(target):
        raise IsADirectoryError(f"numtorch.save: {os.fspath(path)!r} is a directory")
    tmp = os.path.join(parent, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh, True)
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.exists(target):
            try:
                os.chmod(tmp, os.stat(target).st_mode & 0o7777)
            except OSError:
                pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(parent)


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save an object (tensors, state dicts, containers...) in PyTorch's checkpoint format.

    The file is a zip archive ``torch.load`` reads (``weights_only=True`` included); tensors
    that share memory (a tensor and its views) share one storage record, as in torch.

    Args:
        obj: the object to save.
        f: a path (str or os.PathLike) or a writable binary file object. A path is written
            atomically: temporary file in the same directory, fsync, rename.
        pickle_module: only the standard ``pickle`` module is supported.
        pickle_protocol (int): pickle protocol of ``data.pkl``. Default: 2 (as torch).
        _use_new_zipfile_serialization (bool): False writes torch's legacy (pre-1.6) format.

    Example::

        >>> model = numtorch.nn.Linear(2, 1)
        >>> numtorch.save(model.state_dict(), "model.pt")
        >>> model.load_state_dict(numtorch.load("model.pt"))
        <All keys matched successfully>
    """
    if pickle_module is not pickle and pickle_module is not None:
        raise ValueError("numtorch.save supports only the standard pickle module")
    if not isinstance(pickle_protocol, int) or not 2 <= pickle_protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(f"pickle_protocol must be an int in [2, {pickle.HIGHEST_PROTOCOL}], got "
                         f"{pickle_protocol!r}")
    if _use_new_zipfile_serialization:
        def write(fh, ours=False):
            _write_checkpoint(fh, obj, pickle_protocol, _archive_name(f),
                              not _disable_byteorder_record, writeback=ours)
    else:
        def write(fh, ours=False):
            _write_legacy(fh, obj, pickle_protocol)
    if isinstance(f, (str, os.PathLike)):
        _save_to_path(f, write)
    elif hasattr(f, "write"):
        write(f)
        if hasattr(f, "flush"):
            f.flush()
    else:
        raise AttributeError(f"expected 'f' to be string, path, or a file-like object with a "
                             f"'write' attribute, got {type(f).__name__}")


def _write_legacy(fh, obj, protocol):
    """torch's pre-1.6 format: magic, protocol, sys info, data pickle, keys, raw storages."""
    saver = _Saver(legacy=True)
    pkl = _dumps(obj, min(protocol, 3), saver)
    sys_info = {"protocol_version": PROTOCOL_VERSION, "little_endian": sys.byteorder == "little",
                "type_sizes": {"short": 2, "int": 4, "long": 4}}
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle.dump(header, fh, protocol=2)
    fh.write(pkl)
    pickle.dump([key for key, _ in saver.records], fh, protocol=2)
    for key, flat in saver.records:
        fh.write(struct.pack("=q", saver.numel[key]))
        fh.write(memoryview(flat))


# =============================================================================================
# Loading
# =============================================================================================

def _fail(name, what):
    raise RuntimeError(f"numtorch.load: {name} is not a valid checkpoint: {what}")


class _ZipReader:
    """Reads torch's zip archives: the central directory through ``zipfile``, records directly
    (or through an mmap) from their offsets."""

    def __init__(self, fh, name, use_mmap):
        self.fh = fh
        self.name = name
        try:
            fh.seek(0, os.SEEK_END)
            self.size = fh.tell()
            fh.seek(0)
            self.zf = zipfile.ZipFile(fh)
        except Exception as e:  # zipfile raises many types on damaged archives
            _fail(name, f"failed reading zip archive ({type(e).__name__}: {e}); the file is "
                        f"truncated or corrupted")
        self.infos = {}
        for info in self.zf.infolist():
            parts = info.filename.split("/")
            if info.filename.startswith(("/", "\\")) or ".." in parts or "\\" in info.filename \
                    or ":" in parts[0]:
                _fail(name, f"unsafe record name {info.filename!r} in the archive")
            self.infos[info.filename] = info
        pkl = [n for n in self.infos if n.endswith("/data.pkl") and n.count("/") == 1]
        if not pkl:
            if any(n.endswith("/constants.pkl") or "/code/" in n for n in self.infos):
                raise RuntimeError(f"numtorch.load: {name} is a TorchScript archive "
                                   f"(torch.jit.save); numtorch cannot load TorchScript")
            _fail(name, "the archive has no data.pkl record")
        self.prefix = pkl[0][:-len("data.pkl")]
        self.mm = None
        if use_mmap:
            import mmap
            try:
                fileno = fh.fileno()
            except (AttributeError, OSError, io.UnsupportedOperation):
                raise ValueError("mmap=True requires a file path or a file object backed by a "
                                 "real file (with fileno())") from None
            self.mm = mmap.mmap(fileno, 0, access=mmap.ACCESS_COPY) if self.size else None

    def has(self, rel):
        return self.prefix + rel in self.infos

    def info(self, rel):
        info = self.infos.get(self.prefix + rel)
        if info is None:
            _fail(self.name, f"record '{self.prefix + rel}' is missing")
        return info

    def data_offset(self, info):
        if not 0 <= info.header_offset <= self.size - 30:
            _fail(self.name, f"record '{info.filename}' points outside the file")
        self.fh.seek(info.header_offset)
        h = self.fh.read(30)
        if len(h) != 30 or h[:4] != b"PK\x03\x04":
            _fail(self.name, f"bad local header for record '{info.filename}'")
        flags, method = struct.unpack_from("<HH", h, 6)
        n, e = struct.unpack_from("<HH", h, 26)
        codec = "utf-8" if info.flag_bits & 0x800 else "cp437"
        if self.fh.read(n) != info.orig_filename.encode(codec, "replace"):
            _fail(self.name, f"record name mismatch for '{info.filename}' (local header and "
                             f"central directory differ)")
        if info.flag_bits & 0x1:
            _fail(self.name, f"record '{info.filename}' is encrypted")
        off = info.header_offset + 30 + n + e
        if off + info.compress_size > self.size:
            _fail(self.name, f"record '{info.filename}' runs past the end of the file "
                             f"(the file is truncated)")
        return off

    def _check_crc(self, info, crc):
        if info.CRC and crc != info.CRC:
            _fail(self.name, f"record '{info.filename}' is corrupted (CRC-32 mismatch: "
                             f"{crc:#010x} != {info.CRC:#010x})")

    def read_bytes(self, rel):
        info = self.info(rel)
        if info.compress_type != zipfile.ZIP_STORED:
            return self._read_compressed(info)
        off = self.data_offset(info)
        self.fh.seek(off)
        data = self.fh.read(info.file_size)
        if len(data) != info.file_size:
            _fail(self.name, f"record '{info.filename}' is truncated")
        self._check_crc(info, zlib.crc32(data))
        return data

    def _read_compressed(self, info):
        if info.file_size > 1100 * max(info.compress_size, 1) + (1 << 16):
            _fail(self.name, f"record '{info.filename}' declares an impossible size")
        try:
            with self.zf.open(info) as r:
                return r.read()
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as e:
            _fail(self.name, f"record '{info.filename}' cannot be read ({e})")

    def read_array(self, rel, np_dtype, count, crc_jobs):
        """``count`` elements of record ``rel`` as a fresh (or memory-mapped) writable array."""
        info = self.info(rel)
        nbytes = count * np_dtype.itemsize
        if info.file_size != nbytes:
            _fail(self.name, f"record '{info.filename}' holds {info.file_size} bytes but the "
                             f"pickle declares {count} elements of {np_dtype} ({nbytes} bytes)")
        if info.compress_type != zipfile.ZIP_STORED:
            return np.frombuffer(bytearray(self._read_compressed(info)), np_dtype)
        off = self.data_offset(info)
        if self.mm is not None:
            return np.frombuffer(self.mm, np_dtype, count, off)
        arr = np.empty((count,), np_dtype)
        mv = memoryview(arr.view(np.uint8)) if count else memoryview(b"")
        self.fh.seek(off)
        got = 0
        while got < nbytes:
            k = self.fh.readinto(mv[got:])
            if not k:
                _fail(self.name, f"record '{info.filename}' is truncated")
            got += k
        if info.CRC and _crc32_on_load[0]:
            crc_jobs.add(info, mv)
        return arr


class _CrcJobs:
    """CRC-32 checks of loaded records, big ones on a worker thread while loading goes on."""

    def __init__(self, reader):
        self.reader = reader
        self.pending = []
        self.pool = None

    def add(self, info, mv):
        if mv.nbytes < _BIG_RECORD:
            self.reader._check_crc(info, zlib.crc32(mv))
            return
        if self.pool is None:
            from concurrent.futures import ThreadPoolExecutor
            self.pool = ThreadPoolExecutor(1)
        self.pending.append((info, self.pool.submit(zlib.crc32, mv)))

    def finish(self):
        try:
            for info, fut in self.pending:
                self.reader._check_crc(info, fut.result())
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)


def _bf16_to_f32(raw):
    out = np.empty(raw.shape, np.float32)
    out.view(np.uint32)[...] = raw.astype(np.uint32) << 16
    return out


def _storage_dtype(stype, name):
    """(NumPy dtype of the record, numtorch dtype of the tensors, is_untyped) for a pid type."""
    if stype is UntypedStorage:
        return np.dtype(np.uint8), _dtype.uint8, True
    if stype is _storage.BFloat16Storage:
        return np.dtype("<u2"), _dtype.float32, False
    if isinstance(stype, type) and issubclass(stype, TypedStorage) and stype._fixed_dtype:
        return stype._fixed_dtype.np, stype._fixed_dtype, False
    if isinstance(stype, _UnsupportedStorage):
        raise RuntimeError(f"numtorch.load: {name} holds a torch.{stype.__name__}, which "
                           f"numtorch does not support")
    raise pickle.UnpicklingError(f"persistent_load: {stype!r} is not a storage type")


_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def _restore_location(map_location):
    """A function (storage, location) -> storage implementing map_location (all on CPU)."""
    if map_location is None:
        return None
    if isinstance(map_location, (str, _device)):
        _device(map_location)  # validates, like torch
        return None
    if isinstance(map_location, dict):
        for v in map_location.values():
            if not isinstance(v, (str, _device)):
                raise TypeError(f"map_location dict values must be str or device, got "
                                f"{type(v).__name__}")
        return None
    if callable(map_location):
        return map_location
    raise TypeError(f"map_location should be a string, device, dict or callable, got "
                    f"{type(map_location).__name__}")


class _StorageLoader:
    """``persistent_load`` for the zip format: one storage per key, read once."""

    def __init__(self, reader, restore, big_endian, crc_jobs):
        self.reader = reader
        self.restore = restore
        self.big_endian = big_endian
        self.crc_jobs = crc_jobs
        self.loaded = {}

    def __call__(self, pid):
        if type(pid) is not tuple or len(pid) != 5:
            raise pickle.UnpicklingError(
                f"persistent_load: expected a ('storage', type, key, location, numel) tuple, "
                f"got {type(pid).__name__} {pid!r:.80}")
        tag, stype, key, location, numel = pid
        if isinstance(tag, bytes):
            tag = tag.decode("ascii", "replace")
        if tag != "storage":
            raise pickle.UnpicklingError(
                f"Only persistent_load of storage is allowed, but got {tag!r:.40}")
        if type(key) is not str or not _KEY.fullmatch(key) or key in (".", ".."):
            raise pickle.UnpicklingError(f"persistent_load: invalid storage key {key!r:.80}")
        if type(location) is not str or len(location) > 64:
            raise pickle.UnpicklingError(f"persistent_load: invalid location {location!r:.80}")
        if type(numel) is not int or numel < 0:
            raise pickle.UnpicklingError(f"persistent_load: invalid numel {numel!r:.80}")
        rec_dtype, dt, untyped = _storage_dtype(stype, self.reader.name)
        if key in self.loaded:
            storage, first_dtype = self.loaded[key]
            if first_dtype != rec_dtype:
                raise pickle.UnpicklingError(
                    f"persistent_load: storage {key} is declared with two dtypes")
            return storage
        arr = self.reader.read_array(f"data/{key}", rec_dtype, numel, self.crc_jobs)
        if self.big_endian and rec_dtype.itemsize > 1:
            arr = arr.byteswap()
        if stype is _storage.BFloat16Storage:
            arr = _bf16_to_f32(arr)
        elif dt is _dtype.bool_ and arr.size:
            u8 = arr.view(np.uint8)
            if u8.max() > 1:  # only 0/1 are valid bools
                np.minimum(u8, 1, out=u8)
        storage = UntypedStorage._from_bytes(arr.view(np.uint8) if arr.size else
                                             np.empty((0,), np.uint8))
        if self.restore is not None:
            result = self.restore(storage, location)
            if isinstance(result, TypedStorage):
                result = result._untyped_storage
            if isinstance(result, UntypedStorage):
                if result.nbytes() != storage.nbytes():
                    raise RuntimeError("map_location returned a storage of a different size")
                storage = result
            elif result is not None:
                raise TypeError(f"map_location must return a storage or None, got "
                                f"{type(result).__name__}")
        if not untyped:
            storage = TypedStorage(wrap_storage=storage, dtype=dt)
        self.loaded[key] = (storage, rec_dtype)
        return storage


class _FullUnpickler(pickle.Unpickler):
    """``weights_only=False``: ordinary unpickling, torch globals mapped onto numtorch."""

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._pload = persistent_load

    def persistent_load(self, pid):
        return self._pload(pid)

    def find_class(self, module, name):
        obj = _torch_global(module, name)
        if obj is not None:
            return obj
        return super().find_class(module, name)


def _torch_global(module, name):
    """The numtorch object for a ``torch.*`` global, or None for non-torch names."""
    module, name = _map_py2_name(module, name)
    full = f"{module}.{name}"
    allowed = _allowed()
    if full in allowed:
        return allowed[full]
    if full == "torch._utils._rebuild_device_tensor_from_numpy":
        return _rebuild_device_tensor_from_numpy
    if module != "torch" and not module.startswith("torch."):
        return None
    import importlib
    candidates = ["numtorch" + module[5:]]
    parts = module.split(".")
    if len(parts) > 2 and parts[1] == "nn":  # torch.nn.modules.linear -> numtorch.nn
        candidates.append("numtorch.nn")
    if module.startswith("torch.optim"):
        candidates.append("numtorch.optim")
    candidates.append("numtorch")
    for cand in candidates:
        try:
            mod = importlib.import_module(cand)
        except ImportError:
            continue
        obj = getattr(mod, name, None)
        if obj is not None:
            return obj
    raise pickle.UnpicklingError(f"numtorch has no equivalent of torch global {full}")


def _open_for_read(f):
    """(file object, display name, whether we opened it)."""
    if isinstance(f, (str, os.PathLike)):
        return open(f, "rb"), repr(os.fspath(f)), True
    if not hasattr(f, "read"):
        raise AttributeError(f"expected 'f' to be string, path, or a file-like object with a "
                             f"'read' attribute, got {type(f).__name__}")
    name = getattr(f, "name", None)
    name = repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"
    seekable = getattr(f, "seekable", None)
    if seekable is None or not seekable():
        return io.BytesIO(f.read()), name, True
    return f, name, False


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object saved by ``numtorch.save`` or ``torch.save``.

    Args:
        f: a path (str or os.PathLike) or a readable binary file object.
        map_location: accepted like torch (``'cpu'``, a device, a dict, or a callable
            ``(storage, location) -> storage``); everything ends up on the CPU.
        pickle_module: a pickle module for ``weights_only=False`` loads.
        weights_only (bool): True (the default) refuses everything but tensors, storages,
            dtypes, sizes, devices, OrderedDict, plain containers and globals approved with
            :func:`add_safe_globals`. False unpickles anything: only for files you trust.
        mmap (bool): map storages from the file (copy-on-write) instead of reading them.
        **pickle_load_args: ``encoding`` for Python 2 pickles (default ``'utf-8'``).

    Raises:
        pickle.UnpicklingError: the file needs something outside the allow-list.
        RuntimeError: the file is truncated, corrupted or not a checkpoint (names the file).

    Example::

        >>> numtorch.save({"w": numtorch.ones(2)}, "ckpt.pt")
        >>> numtorch.load("ckpt.pt")
        {'w': tensor([1., 1.])}
    """
    if weights_only is None:
        weights_only = pickle_module is None
    elif weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    restore = _restore_location(map_location)
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if pickle_load_args and weights_only:
        raise TypeError(f"load() got unexpected arguments {sorted(pickle_load_args)}")
    fh, name, opened = _open_for_read(f)
    try:
        start = fh.tell()
        head = fh.read(4)
        fh.seek(start)
        if head == b"PK\x03\x04":
            return _load_zip(fh, name, restore, weights_only, bool(mmap), encoding,
                             pickle_module, pickle_load_args)
        if mmap:
            raise RuntimeError(f"numtorch.load: mmap=True needs the zip checkpoint format; "
                               f"{name} is in torch's legacy format")
        return _load_legacy(fh, name, restore, weights_only, encoding, pickle_module,
                            pickle_load_args)
    finally:
        if opened:
            fh.close()


def _unpickle(data, persistent_load, weights_only, encoding, pickle_module, extra, pos=0):
    """Run one pickle from ``data`` at ``pos``; returns (object, end position)."""
    if weights_only:
        return _WeightsOnlyUnpickler(data, persistent_load, encoding).load(pos)
    buf = io.BytesIO(data)
    buf.seek(pos)
    if pickle_module is None or pickle_module is pickle:
        up = _FullUnpickler(buf, persistent_load, encoding=encoding, **extra)
    else:
        class Up(pickle_module.Unpickler):
            def find_class(self, module, name):
                return _torch_global(module, name) or super().find_class(module, name)

            def persistent_load(self, pid):
                return persistent_load(pid)
        up = Up(buf, encoding=encoding, **extra)
    obj = up.load()
    return obj, buf.tell()


def _load_zip(fh, name, restore, weights_only, use_mmap, encoding, pickle_module, extra):
    reader = _ZipReader(fh, name, use_mmap)
    big_endian = False
    if reader.has("byteorder"):
        order = reader.read_bytes("byteorder")
        if order not in (b"little", b"big"):
            _fail(name, f"unknown byteorder record {order[:16]!r}")
        big_endian = order != sys.byteorder.encode()
    pkl = reader.read_bytes("data.pkl")
    crc_jobs = _CrcJobs(reader)
    loader = _StorageLoader(reader, restore, big_endian, crc_jobs)
    try:
        obj, _ = _unpickle(pkl, loader, weights_only, encoding, pickle_module, extra)
    except pickle.UnpicklingError as e:
        raise pickle.UnpicklingError(f"{e} (while loading {name})") from None
    except RuntimeError as e:
        _name_file(e, name)
    finally:
        crc_jobs.finish()
    return obj


def _name_file(err, name):
    """Re-raise a RuntimeError so that its message names the file."""
    if name in str(err):
        raise err
    raise RuntimeError(f"numtorch.load: {name}: {err}") from None


def _load_legacy(fh, name, restore, weights_only, encoding, pickle_module, extra):
    start = fh.tell()
    fh.seek(0, os.SEEK_END)
    data = bytearray(fh.tell() - start)  # one writable buffer: the file is read once
    fh.seek(start)
    got = fh.readinto(data) or 0
    while got < len(data):
        k = fh.readinto(memoryview(data)[got:])
        if not k:
            break
        got += k
    del data[got:]
    if len(data) > 262 and data[257:262] == b"ustar":
        raise RuntimeError(f"numtorch.load: {name} is in torch's tar format (torch < 0.4), "
                           f"which numtorch does not read")
    if not data.startswith(b"\x80"):
        _fail(name, "it is neither a zip archive nor a pickle (wrong file, or corrupted)")

    def header(pos, what):
        try:
            return _WeightsOnlyUnpickler(data, _no_pid, encoding).load(pos)
        except pickle.UnpicklingError as e:
            _fail(name, f"bad legacy {what} ({e})")

    magic, pos = header(0, "magic number")
    if magic != MAGIC_NUMBER:
        _fail(name, "invalid magic number (not a torch checkpoint, or corrupted)")
    proto, pos = header(pos, "protocol version")
    if proto != PROTOCOL_VERSION:
        _fail(name, f"invalid protocol version {proto!r}")
    sys_info, pos = header(pos, "system info")
    if not isinstance(sys_info, dict):
        _fail(name, "bad legacy system info record")
    big_endian = sys_info.get("little_endian", True) is False
    storages = {}

    def persistent_load(pid):
        if type(pid) is not tuple or len(pid) != 6:
            raise pickle.UnpicklingError(f"persistent_load: expected a 6-field legacy storage "
                                         f"id, got {pid!r:.80}")
        tag, stype, key, location, numel, view = pid
        if isinstance(tag, bytes):
            tag = tag.decode("ascii", "replace")
        if tag != "storage":
            raise pickle.UnpicklingError(
                f"Only persistent_load of storage is allowed, but got {tag!r:.40}")
        if type(key) is not str or len(key) > 64 or type(numel) is not int or numel < 0:
            raise pickle.UnpicklingError(f"persistent_load: invalid storage id {pid!r:.80}")
        rec_dtype, dt, untyped = _storage_dtype(stype, name)
        if key not in storages:
            if numel * rec_dtype.itemsize > len(data):
                _fail(name, f"storage {key} declares {numel} elements, more than the file holds")
            raw = np.empty((numel,), rec_dtype)
            # tensors view ``out``; bfloat16 records are converted into it once read
            out = np.empty((numel,), np.float32) if stype is _storage.BFloat16Storage else raw
            storages[key] = (raw, out, stype)
        elif storages[key][2] is not stype:
            raise pickle.UnpicklingError(f"persistent_load: storage {key} is declared with two "
                                         f"types")
        arr = storages[key][1]
        if view is not None:
            if type(view) is not tuple or len(view) != 3:
                raise pickle.UnpicklingError(f"persistent_load: invalid view {view!r:.80}")
            vkey, voff, vsize = view
            if type(voff) is not int or type(vsize) is not int or voff < 0 or \
                    voff + vsize > numel:
                raise RuntimeError(f"numtorch.load: {name}: storage view out of range")
            arr = arr[voff:voff + vsize]
        st = UntypedStorage._from_bytes(arr.view(np.uint8) if arr.size else
                                        np.empty((0,), np.uint8))
        return st if untyped else TypedStorage(wrap_storage=st, dtype=dt)

    try:
        obj, pos = _unpickle(data, persistent_load, weights_only, encoding, pickle_module,
                             extra, pos)
        keys, pos = _unpickle(data, _no_pid, True, encoding, None, {}, pos)
    except pickle.UnpicklingError as e:
        raise pickle.UnpicklingError(f"{e} (while loading {name})") from None
    except RuntimeError as e:
        _name_file(e, name)
    if type(keys) is not list:
        _fail(name, "bad legacy storage key list")
    mv = memoryview(data)
    for key in keys:
        if key not in storages:
            _fail(name, f"storage {key!r} is listed but never used")
        arr = storages[key][0]
        if pos + 8 > len(data):
            _fail(name, "the file is truncated (storage header)")
        numel = struct.unpack_from(">q" if big_endian else "<q", data, pos)[0]
        pos += 8
        if numel != arr.size:
            _fail(name, f"storage {key} holds {numel} elements, the pickle declares {arr.size}")
        nbytes = arr.nbytes
        if pos + nbytes > len(data):
            _fail(name, "the file is truncated (storage data)")
        arr.view(np.uint8)[...] = np.frombuffer(mv[pos:pos + nbytes], np.uint8)
        pos += nbytes
        if big_endian and arr.dtype.itemsize > 1:
            arr.byteswap(inplace=True)
        raw, out, stype = storages[key]
        if out is not raw:
            out[...] = _bf16_to_f32(raw)
    return obj


def _no_pid(pid):
    raise pickle.UnpicklingError("unexpected persistent id in a checkpoint header")
