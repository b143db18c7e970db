"""Copies and dtype conversions: clone, contiguous, to(dtype), detach is in _tensor.py."""

from ..autograd.graph import Node, apply
from .._tensor import Tensor
from .. import _dtype
from .._size import device as _device


class Clone(Node):
    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return g


class ToCopy(Node):
    """dtype conversion; gradient converted back by the engine."""

    def forward(self, a, np_dtype):
        return a.astype(np_dtype)

    def backward(self, g):
        return g


def clone(input, *, memory_format=None):
    return apply(Clone, input)


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    return apply(Clone, input)


def _parse_to(args, kwargs):
    """Tensor.to(dtype) / to(device) / to(device, dtype) / to(other) / keyword forms."""
    dtype = kwargs.get("dtype")
    dev = kwargs.get("device")
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
            dev = a.device
        elif isinstance(a, (str, _device, int)):
            dev = a
        elif a is None:
            continue
        elif a in (float, int, bool):
            dtype = _dtype.as_dtype(a)
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({type(a).__name__})")
    if dev is not None:
        d = _device(dev)
        if d.type != "cpu":
            from . import _devices
            _devices.check_device(d)
    return dtype, kwargs.get("copy", False)


def to(input, *args, **kwargs):
    dtype, copy = _parse_to(args, kwargs)
    if dtype is None or dtype.np == input._data.dtype:
        return apply(Clone, input) if copy else input
    return apply(ToCopy, input, dtype.np)


def type_as(input, other):
    return to(input, other.dtype)
