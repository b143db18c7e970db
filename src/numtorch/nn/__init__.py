"""numtorch.nn: modules, parameters, functional, init and utils (PyTorch's torch.nn)."""
from .parameter import Parameter, Buffer, UninitializedParameter
from . import modules
from .modules import *  # noqa: F401,F403  (every layer and loss; see modules.__all__)
from .modules import Module, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from . import functional, init, utils
from . import parameter
from . import parallel
from .parallel import DataParallel

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "functional", "init", "utils",
           "modules", "parameter"] + list(modules.__all__)
