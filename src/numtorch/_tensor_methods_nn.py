"""Tensor methods backed by nn ops (softmax, log_softmax, ...), attached here so that the nn
ops stay in their own files. Must not import numtorch.nn (it is loaded lazily)."""
from ._tensor import Tensor
from .ops import activation as _A

def _softmax(self, dim=None, dtype=None):
    return _A.softmax(self, dim, dtype=dtype)

def _log_softmax(self, dim=None, dtype=None):
    return _A.log_softmax(self, dim, dtype=dtype)

Tensor.softmax = _softmax
Tensor.log_softmax = _log_softmax
Tensor.hardshrink = _A.hardshrink
Tensor.prelu = _A.prelu
