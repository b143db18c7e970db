"""Parameter: a leaf Tensor that a Module registers as one of its parameters."""
import numpy as np

from .._tensor import Tensor, _init
from .. import _dtype

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "is_lazy"]


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning it to a Module attribute registers it.

    Args:
        data (Tensor): parameter tensor (shares its memory). Default: empty tensor.
        requires_grad (bool): whether the parameter requires gradient. Default: True.

    Example::

        >>> p = Parameter(numtorch.zeros(2))
        >>> p.requires_grad
        True
    """

    def __new__(cls, data=None, requires_grad=True):
        self = object.__new__(cls)
        if data is None:
            arr = np.empty((0,), dtype=_dtype.get_default_dtype().np)
            _init(self, arr)
        elif isinstance(data, Tensor):
            _init(self, data._data)
            self._version = data._version
        else:
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        self._rg = bool(requires_grad)
        return self

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self._rg))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = object.__new__(type(self))
        _init(new, self._data.copy())
        new._rg = self._rg
        memo[id(self)] = new
        return new


def _rebuild_parameter(data, requires_grad):
    from .._tensor import _wrap
    return Parameter(_wrap(np.array(data)), requires_grad)


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a Module attribute (``nn.Buffer``).

    Args:
        data (Tensor): buffer tensor.
        persistent (bool): whether the buffer is part of the module's ``state_dict``.
    """

    def __new__(cls, data=None, *, persistent=True):
        from .._tensor import _wrap
        if data is None:
            data = _wrap(np.empty((0,), dtype=_dtype.get_default_dtype().np))
        t = _wrap(data._data)
        t._version = data._version
        t._rg = data._rg
        t.__dict__["_is_buffer"] = True
        t.__dict__["persistent"] = persistent
        return t


class UninitializedParameter(Parameter):
    """Placeholder for lazy modules (not supported: numtorch has no lazy modules)."""


def is_lazy(param):
    return isinstance(param, UninitializedParameter)
