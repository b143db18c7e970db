"""The safetensors format, NumPy only: ``save_file`` / ``load_file`` / ``save`` / ``load``.

A safetensors file is an 8-byte little-endian header length N, N bytes of JSON
(``{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
"__metadata__": {str: str}}``, space-padded to a multiple of 8), then the tensors' raw
little-endian bytes. It holds no code, so loading it is always safe. These functions mirror
``safetensors.torch`` (same names, arguments and checks) and write byte-identical files;
``load_file`` maps the file (copy-on-write) instead of reading it, so tensors are zero-copy.

``numtorch.save``/``numtorch.load`` never switch to this format because of a file's
extension: use these functions for ``.safetensors`` files.

Notes:
    BF16 tensors load as float32 (NumPy has no bfloat16); U16/U32/U64/F8 tensors raise.
"""
import json
import mmap
import os
import struct

import numpy as np

from .. import _dtype

__all__ = ["save", "save_file", "load", "load_file", "safe_open", "save_model", "load_model",
           "SafetensorError"]

_MAX_HEADER = 100_000_000

# safetensors dtype code -> numtorch dtype, in the format's order (stored largest first)
_CODES = [("I64", _dtype.int64), ("F64", _dtype.float64), ("C64", _dtype.complex64),
          ("F32", _dtype.float32), ("I32", _dtype.int32), ("F16", _dtype.float16),
          ("I16", _dtype.int16), ("I8", _dtype.int8), ("U8", _dtype.uint8),
          ("BOOL", _dtype.bool_)]
_TO_CODE = {d.name: code for code, d in _CODES}
_FROM_CODE = {code: d for code, d in _CODES}
_RANK = {code: i for i, code in enumerate(
    ["U64", "I64", "F64", "C64", "F32", "U32", "I32", "BF16", "F16", "U16", "I16", "F8_E8M0",
     "F8_E4M3", "F8_E5M2", "I8", "U8", "F6_E3M2", "F6_E2M3", "F4", "BOOL"])}
_NO_NUMPY = {"BF16": 2, "U16": 2, "U32": 4, "U64": 8, "F8_E4M3": 1, "F8_E5M2": 1,
             "F8_E8M0": 1}


class SafetensorError(Exception):
    """A malformed safetensors file or buffer."""


def _check_tensors(tensors):
    from .._tensor import Tensor
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for k, v in tensors.items():
        if not isinstance(k, str):
            raise TypeError(f"tensor names must be str, got {type(k).__name__}")
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received "
                             f"{type(v)}")
        if v._data.dtype.name not in _TO_CODE and v.dtype.name not in _TO_CODE:
            raise ValueError(f"Key `{k}`: dtype {v.dtype} is not supported by safetensors")
        if not v._data.flags.c_contiguous:
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. "
                f"It either means you are trying to save tensors which are reference of each "
                f"other in which case it's recommended to save only the full tensors, and "
                f"reslice at load time, or simply call `.contiguous()` on your tensor to pack it "
                f"before saving.")
    spans = []
    for k, v in tensors.items():
        if v._data.nbytes:
            start = v._data.__array_interface__["data"][0]
            spans.append((start, start + v._data.nbytes, k))
    spans.sort()
    shared = [[a[2], b[2]] for a, b in zip(spans, spans[1:]) if b[0] < a[1]]
    if shared:
        raise RuntimeError(
            f"Some tensors share memory, this will lead to duplicate memory on disk and "
            f"potential differences when loading them again: {shared}. Save copies "
            f"(``.clone()``) or only one of them.")


def _check_metadata(metadata):
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise TypeError(f"argument 'metadata': expected a dict, got {type(metadata).__name__}")
    for k, v in metadata.items():
        if not isinstance(k, str) or not isinstance(v, str):
            bad = k if not isinstance(k, str) else v
            raise TypeError(f"argument 'metadata': {type(bad).__name__!r} object is not an "
                            f"instance of 'str'")


def _layout(tensors, metadata):
    """(header bytes, [(name, little-endian uint8 view of the data)]) in the file's order."""
    _check_tensors(tensors)
    _check_metadata(metadata)
    order = sorted(tensors, key=lambda k: (_RANK[_TO_CODE[tensors[k].dtype.name]], k))
    header = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    chunks = []
    pos = 0
    for k in order:
        arr = tensors[k]._data
        if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and
                                          not np.little_endian):
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        header[k] = {"dtype": _TO_CODE[tensors[k].dtype.name], "shape": list(arr.shape),
                     "data_offsets": [pos, pos + arr.nbytes]}
        pos += arr.nbytes
        chunks.append((k, arr.reshape(-1).view(np.uint8) if arr.size else b""))
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text, chunks


def save(tensors, metadata=None):
    """The safetensors bytes of a dict of tensors.

    Args:
        tensors (dict[str, Tensor]): contiguous tensors that do not share memory.
        metadata (dict[str, str], optional): free text stored in the header.

    Example::

        >>> data = save({"w": numtorch.zeros(2, 2)})
        >>> load(data)["w"].shape
        numtorch.Size([2, 2])
    """
    head, chunks = _layout(tensors, metadata)
    return b"".join([head] + [bytes(memoryview(c)) for _, c in chunks])


def save_file(tensors, filename, metadata=None):
    """Write a dict of tensors to ``filename`` in safetensors format (atomically).

    Args:
        tensors (dict[str, Tensor]): contiguous tensors that do not share memory.
        filename (str or os.PathLike): where to write.
        metadata (dict[str, str], optional): free text stored in the header.
    """
    from ..serialization import _save_to_path
    head, chunks = _layout(tensors, metadata)

    def write(fh, ours=True):
        fh.write(head)
        for _, c in chunks:
            fh.write(memoryview(c))

    _save_to_path(filename, write)


def _parse(buf, where):
    """(metadata, {name: (code, shape, begin, end)}, data start) of a safetensors buffer."""
    n = len(buf)
    if n < 8:
        raise SafetensorError(f"{where}: Error while deserializing header: file too small "
                              f"({n} bytes)")
    hlen = struct.unpack_from("<Q", buf, 0)[0]
    if hlen > _MAX_HEADER:
        raise SafetensorError(f"{where}: Error while deserializing header: header too large "
                              f"({hlen} bytes)")
    if 8 + hlen > n:
        raise SafetensorError(f"{where}: Error while deserializing header: the header "
                              f"declares {hlen} bytes but the file has only {n - 8} after it "
                              f"(truncated?)")
    try:
        header = json.loads(bytes(buf[8:8 + hlen]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise SafetensorError(f"{where}: Error while deserializing header: invalid JSON "
                              f"({e})") from None
    if not isinstance(header, dict):
        raise SafetensorError(f"{where}: the header must be a JSON object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and (not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise SafetensorError(f"{where}: __metadata__ must map str to str")
    entries = {}
    for name, info in header.items():
        try:
            code, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        except (TypeError, KeyError, ValueError):
            raise SafetensorError(f"{where}: malformed header entry for {name!r}") from None
        if code not in _FROM_CODE and code not in _NO_NUMPY:
            raise SafetensorError(f"{where}: tensor {name!r} has unknown dtype {code!r}")
        if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
            raise SafetensorError(f"{where}: tensor {name!r} has invalid shape {shape!r}")
        if type(begin) is not int or type(end) is not int or not 0 <= begin <= end:
            raise SafetensorError(f"{where}: tensor {name!r} has invalid data_offsets")
        item = _FROM_CODE[code].itemsize if code in _FROM_CODE else _NO_NUMPY[code]
        if end - begin != int(np.prod(shape, dtype=object)) * item:
            raise SafetensorError(f"{where}: tensor {name!r}: data_offsets [{begin}, {end}] do "
                                  f"not match shape {shape} of {code}")
        entries[name] = (code, tuple(shape), begin, end)
    pos = 0
    for name, (_, _, begin, end) in sorted(entries.items(), key=lambda e: e[1][2:]):
        if begin != pos:
            raise SafetensorError(f"{where}: tensor {name!r} does not start where the previous "
                                  f"one ends (overlapping or missing data)")
        pos = end
    if 8 + hlen + pos != n:
        raise SafetensorError(f"{where}: the tensors cover {pos} bytes but the file holds "
                              f"{n - 8 - hlen} after the header (truncated or trailing data)")
    return metadata, entries, 8 + hlen


def _tensor(buf, start, code, shape, begin, end, name, where):
    from .._tensor import _wrap
    if code == "BF16":
        raw = np.frombuffer(buf, "<u2", (end - begin) // 2, start + begin)
        out = np.empty(raw.shape, np.float32)
        out.view(np.uint32)[...] = raw.astype(np.uint32) << 16
        return _wrap(out.reshape(shape))
    if code in _NO_NUMPY:
        raise SafetensorError(f"{where}: tensor {name!r} has dtype {code}, which numtorch "
                              f"does not support")
    dt = _FROM_CODE[code].np.newbyteorder("<")
    count = (end - begin) // dt.itemsize
    if count == 0:
        arr = np.empty(shape, dt)
    elif (start + begin) % dt.itemsize:  # misaligned data: copy rather than view
        arr = np.frombuffer(buf, dt, count, start + begin).copy()
    else:
        arr = np.frombuffer(buf, dt, count, start + begin)
    if not dt.isnative:
        arr = arr.astype(dt.newbyteorder("="))
    if code == "BOOL" and count and arr.view(np.uint8).max() > 1:
        raise SafetensorError(f"{where}: tensor {name!r} holds bytes that are not booleans")
    return _wrap(arr.reshape(shape))


def load(data):
    """Tensors from safetensors bytes (``dict[str, Tensor]``, on the CPU)."""
    buf = bytearray(data)  # one writable copy; tensors are views into it
    _, entries, start = _parse(buf, "<bytes>")
    return {k: _tensor(buf, start, *e, k, "<bytes>") for k, e in entries.items()}


def _map(filename):
    with open(filename, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return b""
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)


def load_file(filename, device="cpu"):
    """Tensors from a safetensors file, memory-mapped (copy-on-write: writes stay private).

    Args:
        filename (str or os.PathLike): the file.
        device: accepted for compatibility; tensors are on the CPU.

    Returns:
        dict[str, Tensor] in the order of the file's header.
    """
    where = repr(os.fspath(filename))
    buf = _map(filename)
    _, entries, start = _parse(buf, where)
    return {k: _tensor(buf, start, *e, k, where) for k, e in entries.items()}


class safe_open:
    """Lazy access to a safetensors file: ``keys()``, ``get_tensor(name)``, ``metadata()``.

    Example::

        >>> save_file({"weight": numtorch.ones(2)}, "model.safetensors")
        >>> with safe_open("model.safetensors", framework="pt") as f:
        ...     f.get_tensor("weight")
        tensor([1., 1.])
    """

    def __init__(self, filename, framework="pt", device="cpu"):
        self._where = repr(os.fspath(filename))
        self._buf = _map(filename)
        self._metadata, self._entries, self._start = _parse(self._buf, self._where)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def keys(self):
        return sorted(self._entries)

    def metadata(self):
        return self._metadata

    def get_tensor(self, name):
        if name not in self._entries:
            raise SafetensorError(f"File does not contain tensor {name}")
        return _tensor(self._buf, self._start, *self._entries[name], name, self._where)


def _shared_groups(state_dict):
    """Names of tensors that are the same memory (tied weights), grouped; groups of >1 only."""
    groups = {}
    for k, v in state_dict.items():
        a = v._data
        if a.size:
            key = (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str)
            groups.setdefault(key, []).append(k)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def _remove_duplicate_names(state_dict, preferred_names=()):
    """{kept name: [names of the same tensor]}; keeps a preferred name, else the first."""
    preferred = set(preferred_names)
    out = {}
    for group in _shared_groups(state_dict):
        keep = next((n for n in group if n in preferred), group[0])
        out[keep] = [n for n in group if n != keep]
    return out


def save_model(model, filename, metadata=None, force_contiguous=False):
    """Save ``model.state_dict()``, storing tied weights once (``safetensors.torch.save_model``).

    Each dropped duplicate name is recorded in the metadata as ``{dropped: kept}``.

    Args:
        model (nn.Module): the model.
        filename (str or os.PathLike): where to write.
        metadata (dict[str, str], optional): free text stored in the header.
        force_contiguous (bool): save non-contiguous tensors as contiguous copies.
    """
    state_dict = dict(model.state_dict())
    for kept, removed in _remove_duplicate_names(state_dict).items():
        for name in removed:
            metadata = {} if metadata is None else metadata
            metadata.setdefault(name, kept)
            del state_dict[name]
    if force_contiguous:
        state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    try:
        save_file(state_dict, filename, metadata=metadata)
    except ValueError as e:
        raise ValueError(f"{e} Or use save_model(..., force_contiguous=True), read the docs "
                         f"for potential caveats.") from None


def load_model(model, filename, strict=True, device="cpu"):
    """Load a file written by :func:`save_model` into ``model`` (tied weights included).

    Returns:
        (missing, unexpected): sets of key names, as ``safetensors.torch.load_model``.
    """
    state_dict = load_file(filename, device=device)
    to_removes = _remove_duplicate_names(model.state_dict(), preferred_names=state_dict.keys())
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing, unexpected = set(missing), list(unexpected)
    for removed in to_removes.values():
        for name in removed:
            if name in missing:
                missing.remove(name)
            else:
                unexpected.append(name)
    if strict and (missing or unexpected):
        details = []
        if missing:
            details.append(f"Missing key(s) in state_dict: {', '.join(sorted(missing))}.")
        if unexpected:
            details.append(f"Unexpected key(s) in state_dict: {', '.join(sorted(unexpected))}.")
        raise RuntimeError(f"Error(s) in loading state_dict for {type(model).__name__}:\n\t"
                           + "\n\t".join(details))
    return missing, unexpected
