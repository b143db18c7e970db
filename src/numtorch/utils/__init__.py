"""numtorch.utils: ``data`` (datasets, samplers, DataLoader) and other helpers.

Submodules load on first use, so ``import numtorch.utils`` stays light.
"""
import importlib as _importlib

__all__ = ["data"]


def __getattr__(name):
    try:
        return _importlib.import_module("." + name, __name__)
    except ModuleNotFoundError as e:
        if e.name == __name__ + "." + name:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        raise
