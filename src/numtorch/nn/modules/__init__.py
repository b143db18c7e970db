"""Layers (nn.Module subclasses), re-exported explicitly."""
from .module import Module
from .container import (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict,
                        Container)
from .linear import Identity, Linear, Bilinear
from .flatten import Flatten, Unflatten
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .pooling import (MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d,
                      AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, MaxUnpool1d,
                      MaxUnpool2d, LPPool1d, LPPool2d)
from .activation import (ReLU, ReLU6, LeakyReLU, PReLU, RReLU, ELU, SELU, CELU, GELU, SiLU,
                         Mish, Sigmoid, Tanh, Hardtanh, Hardsigmoid, Hardswish, Softplus,
                         Softsign, Softmax, Softmax2d, LogSoftmax, Softmin, Threshold,
                         LogSigmoid, Tanhshrink, Softshrink, Hardshrink, GLU)
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d,
                            InstanceNorm2d, LayerNorm, GroupNorm, LocalResponseNorm, RMSNorm)
from .dropout import (Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout,
                      FeatureAlphaDropout)
from .sparse import Embedding, EmbeddingBag
from .padding import (ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d,
                      ZeroPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                      ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d,
                      CircularPad2d, CircularPad3d)
from .pixelshuffle import PixelShuffle, PixelUnshuffle
from .upsampling import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d
from .rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell
from ._attention import MultiheadAttention
from .transformer import (Transformer, TransformerEncoder, TransformerDecoder,
                          TransformerEncoderLayer, TransformerDecoderLayer)
from .loss import *  # noqa: F401,F403  (loss modules; loss.py defines __all__)
from . import loss as _loss

__all__ = [
    "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Container", "Identity", "Linear", "Bilinear", "Flatten", "Unflatten", "Conv1d", "Conv2d",
    "ConvTranspose1d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "MaxUnpool1d", "MaxUnpool2d", "LPPool1d", "LPPool2d", "ReLU", "ReLU6", "LeakyReLU",
    "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
    "Hardtanh", "Hardsigmoid", "Hardswish", "Softplus", "Softsign", "Softmax", "Softmax2d",
    "LogSoftmax", "Softmin", "Threshold", "LogSigmoid", "Tanhshrink", "Softshrink",
    "Hardshrink", "GLU", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d",
    "InstanceNorm2d", "LayerNorm", "GroupNorm", "LocalResponseNorm", "RMSNorm", "Dropout",
    "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout", "Embedding",
    "EmbeddingBag", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d",
    "ZeroPad2d", "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
    "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
    "CircularPad2d", "CircularPad3d", "PixelShuffle", "PixelUnshuffle", "Upsample",
    "UpsamplingNearest2d", "UpsamplingBilinear2d", "RNNBase", "RNN", "LSTM", "GRU",
    "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "MultiheadAttention", "Transformer",
    "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
    "TransformerDecoderLayer",
] + list(getattr(_loss, "__all__", []))
