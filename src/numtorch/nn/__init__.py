"""numtorch.nn: modules, parameters, functional, init and utils (PyTorch's torch.nn)."""
from .parameter import Parameter, Buffer, UninitializedParameter
from .modules import *  # noqa: F401,F403
from .modules import Module, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from . import functional, modules
from . import parallel
from .parallel import DataParallel
