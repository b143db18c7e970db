"""numtorch.vision: datasets and transforms with torchvision's API.

    from numtorch.vision import datasets, transforms

Subpackages load on first use.
"""
import importlib as _importlib

__all__ = ["datasets", "transforms", "models"]


def __getattr__(name):
    if name in __all__:
        return _importlib.import_module("." + name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
