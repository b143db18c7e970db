"""Legacy typed constructors: ``numtorch.FloatTensor([1, 2])``, ``LongTensor(3)``, isinstance checks."""
import numpy as np

from . import _dtype
from ._tensor import Tensor, _wrap, _to_nested


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls._legacy_dtype.np


def _make(name, d):
    def __new__(cls, *args, **kwargs):
        if not args:
            return _wrap(np.empty((0,), dtype=d.np))
        if len(args) == 1 and isinstance(args[0], Tensor):
            return _wrap(args[0]._data.astype(d.np))
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return _wrap(np.zeros(tuple(int(a) for a in args), dtype=d.np))
        if len(args) == 1 and isinstance(args[0], tuple) and all(isinstance(a, int)
                                                                 for a in args[0]):
            return _wrap(np.zeros(args[0], dtype=d.np))
        return _wrap(np.array(_to_nested(args[0]), dtype=d.np))
    return _LegacyMeta(name, (), {"__new__": __new__, "_legacy_dtype": d})


FloatTensor = _make("FloatTensor", _dtype.float32)
DoubleTensor = _make("DoubleTensor", _dtype.float64)
HalfTensor = _make("HalfTensor", _dtype.float16)
LongTensor = _make("LongTensor", _dtype.int64)
IntTensor = _make("IntTensor", _dtype.int32)
ShortTensor = _make("ShortTensor", _dtype.int16)
CharTensor = _make("CharTensor", _dtype.int8)
ByteTensor = _make("ByteTensor", _dtype.uint8)
BoolTensor = _make("BoolTensor", _dtype.bool_)
