"""numtorch.nn.functional: the functions behind the layers (argument handling and checks;
the math lives in ``numtorch.ops``)."""
from ..ops.activation import (softmax, log_softmax, softmin, relu, relu6, leaky_relu, prelu,
                              elu, selu, celu, gelu, silu, mish, hardtanh, hardsigmoid,
                              hardswish, softplus, softsign, threshold, logsigmoid, tanhshrink,
                              softshrink, hardshrink, glu, sigmoid, tanh)

from ._functional_loss import *  # noqa: F401,F403  (loss functions)
