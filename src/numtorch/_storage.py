"""Storages: the flat memory block behind one or more tensors (``Tensor.untyped_storage()``).

numtorch tensors hold NumPy arrays, so a storage is found from NumPy memory:
the *root* of a tensor's array is the last ``ndarray`` on its ``.base`` chain
(the array that owns the memory, or the one wrapping a foreign buffer such as
an ``mmap`` or ``bytes``). Tensors whose arrays share a root share a storage,
exactly like a torch tensor and its views. Serialization uses this to write
one storage record per memory block and to rebuild views on load.
"""
import numpy as np

from . import _dtype

__all__ = ["UntypedStorage", "TypedStorage", "FloatStorage", "DoubleStorage", "HalfStorage",
           "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage", "CharStorage",
           "ByteStorage", "BoolStorage", "ComplexFloatStorage", "ComplexDoubleStorage"]


def _root(arr):
    """The ndarray at the end of ``arr``'s base chain: the storage's memory block."""
    base = arr.base
    while isinstance(base, np.ndarray):
        arr = base
        base = arr.base
    return arr


def _root_bytes(root):
    """A flat uint8 view of a root array's whole memory block, or None if it isn't one block."""
    if root.flags.c_contiguous:
        flat = root.reshape(-1)
    elif root.flags.f_contiguous:
        flat = root.T.reshape(-1)
    else:
        return None
    if flat.dtype.itemsize == 0:
        return None
    return flat.view(np.uint8) if flat.size else np.empty((0,), np.uint8)


def _address(arr):
    return arr.__array_interface__["data"][0]


def _offset_in_root(arr):
    """Element offset of ``arr`` in its storage (what ``Tensor.storage_offset()`` reports)."""
    flat = _root_bytes(_root(arr))
    if flat is None or not arr.itemsize:
        return 0
    off = _address(arr) - _address(flat)
    return off // arr.itemsize if 0 <= off <= flat.size else 0


class UntypedStorage:
    """A flat block of bytes (``torch.UntypedStorage``); indexing yields byte values.

    Args:
        size (int or sequence, optional): number of bytes to allocate (zeros), or byte values.
    Example::

        >>> t = numtorch.arange(4, dtype=numtorch.int16)
        >>> t.untyped_storage().nbytes()
        8
    """

    __slots__ = ("_bytes", "__weakref__")

    def __init__(self, *args, device=None):
        if not args:
            self._bytes = np.zeros((0,), np.uint8)
        elif len(args) == 1 and isinstance(args[0], (int, np.integer)):
            if args[0] < 0:
                raise RuntimeError(f"Storage size must be non-negative, got {args[0]}")
            self._bytes = np.zeros((int(args[0]),), np.uint8)
        elif len(args) == 1:
            self._bytes = np.array(list(args[0]), dtype=np.uint8).reshape(-1)
        else:
            raise TypeError(f"UntypedStorage(): invalid arguments {args!r}")

    @classmethod
    def _from_bytes(cls, flat):
        s = object.__new__(cls)
        s._bytes = flat
        return s

    @classmethod
    def _of(cls, tensor):
        """The storage behind ``tensor`` (shared by all views of the same memory)."""
        arr = tensor._data
        flat = _root_bytes(_root(arr))
        if flat is None:  # a strided window over foreign memory: own storage
            flat = _root_bytes(np.ascontiguousarray(arr))
        return cls._from_bytes(flat)

    # ---- queries ------------------------------------------------------------
    def nbytes(self):
        return self._bytes.size

    def size(self):
        return self._bytes.size

    def __len__(self):
        return self._bytes.size

    def element_size(self):
        return 1

    def data_ptr(self):
        return _address(self._bytes)

    @property
    def device(self):
        from ._size import CPU
        return CPU

    @property
    def is_cuda(self):
        return False

    def is_shared(self):
        return False

    def is_pinned(self, device="cuda"):
        return False

    def type(self):
        return "torch.UntypedStorage"

    def tolist(self):
        return self._bytes.tolist()

    # ---- access and copies --------------------------------------------------
    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return UntypedStorage._from_bytes(self._bytes[idx])
        return int(self._bytes[idx])

    def __setitem__(self, idx, value):
        self._bytes[idx] = value

    def __iter__(self):
        return iter(self._bytes.tolist())

    def fill_(self, value):
        self._bytes.fill(value)
        return self

    def copy_(self, src, non_blocking=None):
        if src.nbytes() != self.nbytes():
            raise RuntimeError(
                f"size mismatch: copying a storage of {src.nbytes()} bytes into one of "
                f"{self.nbytes()} bytes")
        self._bytes[...] = src._bytes
        return self

    def clone(self):
        return UntypedStorage._from_bytes(self._bytes.copy())

    def cpu(self):
        return self

    def share_memory_(self):
        return self

    def pin_memory(self, device="cuda"):
        return self

    def resize_(self, size):
        if size == self._bytes.size:
            return self
        raise RuntimeError(
            f"Trying to resize storage that is not resizable (from {self._bytes.size} to "
            f"{size} bytes): numtorch storages are views of NumPy memory")

    def __sizeof__(self):
        return super().__sizeof__() + self.nbytes()

    def __repr__(self):
        body = "\n".join(" " + str(v) for v in self._bytes.tolist())
        head = (body + "\n") if body else ""
        return f"{head}[torch.storage.UntypedStorage(device=cpu) of size {self.nbytes()}]"

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)


class TypedStorage:
    """A storage viewed as elements of one dtype (``torch.TypedStorage``, deprecated in torch).

    The legacy classes ``FloatStorage``, ``LongStorage``... are subclasses with a fixed dtype;
    serialization writes their names into checkpoints as torch does.
    """

    _fixed_dtype = None

    def __init__(self, *args, dtype=None, device=None, wrap_storage=None):
        dt = self._fixed_dtype or _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
        self.dtype = dt
        if wrap_storage is not None:
            self._untyped_storage = wrap_storage
            return
        if not args:
            arr = np.zeros((0,), dt.np)
        elif len(args) == 1 and isinstance(args[0], (int, np.integer)):
            arr = np.zeros((int(args[0]),), dt.np)
        else:
            arr = np.array(list(args[0]), dtype=dt.np).reshape(-1)
        self._untyped_storage = UntypedStorage._from_bytes(arr.view(np.uint8))

    @property
    def _array(self):
        flat = self._untyped_storage._bytes
        n = flat.size // self.dtype.itemsize
        return flat[:n * self.dtype.itemsize].view(self.dtype.np)

    def size(self):
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    __len__ = size

    def nbytes(self):
        return self._untyped_storage.nbytes()

    def element_size(self):
        return self.dtype.itemsize

    def data_ptr(self):
        return self._untyped_storage.data_ptr()

    def untyped(self):
        return self._untyped_storage

    @property
    def device(self):
        return self._untyped_storage.device

    def tolist(self):
        return self._array.tolist()

    def __getitem__(self, idx):
        return self._array[idx].tolist()

    def __setitem__(self, idx, value):
        self._array[idx] = value

    def cpu(self):
        return self

    def __repr__(self):
        body = "\n".join(" " + str(v) for v in self._array.tolist())
        head = (body + "\n") if body else ""
        return (f"{head}[torch.storage.TypedStorage(dtype=torch.{self.dtype.name}, device=cpu) "
                f"of size {self.size()}]")


def _legacy_class(name, dt):
    cls = type(name, (TypedStorage,), {"_fixed_dtype": dt, "__module__": __name__})
    cls.dtype = dt
    return cls


# torch's legacy typed-storage classes; their names are what checkpoints record.
FloatStorage = _legacy_class("FloatStorage", _dtype.float32)
DoubleStorage = _legacy_class("DoubleStorage", _dtype.float64)
HalfStorage = _legacy_class("HalfStorage", _dtype.float16)
BFloat16Storage = _legacy_class("BFloat16Storage", None)  # NumPy has no bfloat16
LongStorage = _legacy_class("LongStorage", _dtype.int64)
IntStorage = _legacy_class("IntStorage", _dtype.int32)
ShortStorage = _legacy_class("ShortStorage", _dtype.int16)
CharStorage = _legacy_class("CharStorage", _dtype.int8)
ByteStorage = _legacy_class("ByteStorage", _dtype.uint8)
BoolStorage = _legacy_class("BoolStorage", _dtype.bool_)
ComplexFloatStorage = _legacy_class("ComplexFloatStorage", _dtype.complex64)
ComplexDoubleStorage = _legacy_class("ComplexDoubleStorage", _dtype.complex128)

# numtorch dtype name -> legacy storage class (what torch.save records for that dtype)
_BY_DTYPE = {c._fixed_dtype.name: c for c in (
    FloatStorage, DoubleStorage, HalfStorage, LongStorage, IntStorage, ShortStorage,
    CharStorage, ByteStorage, BoolStorage, ComplexFloatStorage, ComplexDoubleStorage)}
