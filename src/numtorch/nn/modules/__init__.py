"""Layers (nn.Module subclasses)."""
from .module import Module
from .container import (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict,
                        Container)
from .loss import *  # noqa: F401,F403  (loss modules; loss.py defines __all__)
