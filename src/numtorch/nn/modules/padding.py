"""Padding layers: constant/zero, reflection, replication and circular padding."""
from .. import functional as F
from .module import Module
from ._utils import _pair, _quadruple, _ntuple

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]

_sextuple = _ntuple(6)


class _ConstantPadNd(Module):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with a constant: padding int or (left, right)."""

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _pair(padding)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with a constant: int or (left, right, top, bottom)."""

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _quadruple(padding)


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with a constant."""

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _sextuple(padding)


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros.

    Example::

        >>> nn.ZeroPad2d(1)(numtorch.ones(1, 1, 2, 2)).shape
        numtorch.Size([1, 1, 4, 4])
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ModePadNd(Module):
    mode = None

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


def _mode_pad(name, mode, tuple_fn, doc):
    def __init__(self, padding):
        Module.__init__(self)
        self.padding = tuple_fn(padding)
    return type(name, (_ModePadNd,), {"__init__": __init__, "mode": mode, "__doc__": doc,
                                      "__module__": __name__})


ReflectionPad1d = _mode_pad("ReflectionPad1d", "reflect", _pair,
                            "Pad the last dim with its reflection.")
ReflectionPad2d = _mode_pad("ReflectionPad2d", "reflect", _quadruple,
                            "Pad the last two dims with their reflection.")
ReflectionPad3d = _mode_pad("ReflectionPad3d", "reflect", _sextuple,
                            "Pad the last three dims with their reflection.")
ReplicationPad1d = _mode_pad("ReplicationPad1d", "replicate", _pair,
                             "Pad the last dim by repeating its edge values.")
ReplicationPad2d = _mode_pad("ReplicationPad2d", "replicate", _quadruple,
                             "Pad the last two dims by repeating their edge values.")
ReplicationPad3d = _mode_pad("ReplicationPad3d", "replicate", _sextuple,
                             "Pad the last three dims by repeating their edge values.")
CircularPad1d = _mode_pad("CircularPad1d", "circular", _pair,
                          "Pad the last dim by wrapping around.")
CircularPad2d = _mode_pad("CircularPad2d", "circular", _quadruple,
                          "Pad the last two dims by wrapping around.")
CircularPad3d = _mode_pad("CircularPad3d", "circular", _sextuple,
                          "Pad the last three dims by wrapping around.")
