"""numtorch: PyTorch's main modules (tensors with autograd, nn, optim, data, save/load)
written from scratch in Python on NumPy, with PyTorch's API.

    import numtorch as torch
"""
import builtins as _builtins

import numpy as _np

__version__ = "0.1.0"

from ._dtype import (dtype, get_default_dtype, set_default_dtype, promote_types, float32,
                     float64, float16, complex64, complex128, int64, int32, int16, int8, uint8,
                     bool_ as bool)
from ._size import Size, device
from ._tensor import Tensor
from . import _tensor_methods  # noqa: F401  (attaches methods to Tensor)
from . import _tensor_methods_nn  # noqa: F401  (softmax, log_softmax ... as Tensor methods)
from ._tensor_str import set_printoptions, get_printoptions
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from . import autograd
from .random import (Generator, default_generator, manual_seed, seed, initial_seed,
                     get_rng_state, set_rng_state)
from . import random
from ._creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full,
                        zeros_like, ones_like, empty_like, full_like, scalar_tensor, arange,
                        linspace, logspace, eye)
from ._random_ops import (rand, randn, rand_like, randn_like, randint, randint_like, randperm,
                          normal, bernoulli, multinomial, poisson)
from ._creation import range_ as range  # noqa: A001  (torch.range, deprecated in torch too)
from .ops.elementwise import (
    add, sub, subtract, rsub, mul, multiply, div, divide, true_divide, floor_divide, remainder,
    fmod, pow, float_power, square, maximum, minimum, fmax, fmin, atan2, arctan2, lerp, eq, ne,
    lt, le, gt, ge, not_equal, less, less_equal, greater, greater_equal, logical_and,
    logical_or, logical_xor, logical_not, bitwise_and, bitwise_or, bitwise_xor, bitwise_not,
    neg, negative, abs, absolute, sign, sgn, exp, exp2, expm1, log, log2, log10, log1p, sqrt,
    rsqrt, reciprocal, sin, cos, tan, asin, arcsin, acos, arccos, atan, arctan, sinh, cosh,
    asinh, arcsinh, acosh, arccosh, atanh, arctanh, tanh, sigmoid, relu, erf, erfc, erfinv,
    floor, ceil, round, trunc, fix, frac, clamp, clip, clamp_min, clamp_max, where, isnan,
    isinf, isfinite, nan_to_num)
from .ops.reduction import (sum, nansum, mean, nanmean, prod, var, std, var_mean, std_mean,
                            max, min, amax, amin, aminmax, argmax, argmin, logsumexp, norm, all,
                            any, cumsum, cumprod, count_nonzero, median, mode, kthvalue)
from .ops.shape import (reshape, flatten, unflatten, permute, transpose, swapaxes, swapdims, t,
                        movedim, moveaxis, squeeze, unsqueeze, broadcast_to, flip, fliplr,
                        flipud, roll, tile, cat, concat, concatenate, stack, hstack, vstack,
                        atleast_1d, atleast_2d, narrow, select, unbind, split, chunk,
                        tensor_split)
from .ops.linalg import (matmul, mm, bmm, mv, dot, inner, vdot, outer, ger, addmm, baddbmm,
                         addbmm, einsum, tensordot)
from .ops.indexing import (gather, take_along_dim, take, scatter, scatter_add, index_select,
                           index_add, index_copy, index_fill, masked_fill, masked_select,
                           masked_scatter, sort, argsort, msort, topk, tril, triu, diag, nonzero,
                           argwhere, diagonal, diag_embed, trace, unique, repeat_interleave,
                           searchsorted, bincount)
from .ops.conversion import clone
from ._compat_ops import (  # torch.* names ordinary user code calls (see tests/compat)
    softmax, log_softmax, dropout, conv1d, conv2d, max_pool2d, batch_norm, layer_norm, embedding,
    dstack, ravel, rot90, diff, meshgrid, tril_indices, triu_indices, cartesian_prod,
    combinations, block_diag, kron, cross, cdist, dist, histc, trapezoid, trapz, bucketize,
    heaviside, hypot, deg2rad, rad2deg, addcmul, addcdiv, logit, xlogy, sinc, i0, lgamma,
    digamma, polygamma, det, logdet, slogdet, inverse, matrix_exp, matrix_power, cholesky_solve,
    svd, qr, cummax, cummin, finfo, iinfo)
from . import linalg, special
from . import cuda, backends
from ._storage import (UntypedStorage, TypedStorage, FloatStorage, DoubleStorage, HalfStorage,
                       LongStorage, IntStorage, ShortStorage, CharStorage, ByteStorage,
                       BoolStorage, ComplexFloatStorage, ComplexDoubleStorage)

# Legacy typed-tensor constructors (torch.FloatTensor(...)).
from ._legacy import (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor,
                      CharTensor, ByteTensor, BoolTensor)

# dtype aliases
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64
cdouble = complex128
uint8 = uint8
strided = "torch.strided"
contiguous_format = "torch.contiguous_format"
channels_last = "torch.channels_last"
preserve_format = "torch.preserve_format"
inf = _builtins.float("inf")
nan = _builtins.float("nan")
pi = 3.141592653589793
e = 2.718281828459045


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    return input.numel()


def is_nonzero(input):
    return _builtins.bool(input)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _builtins.bool(_np.allclose(input._data, other._data, rtol=rtol, atol=atol,
                                       equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    from ._tensor import _wrap
    o = other._data if isinstance(other, Tensor) else other
    return _wrap(_np.isclose(input._data, o, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    return input.equal(other)


def result_type(tensor1, tensor2):
    from .ops._utils import result_np_dtype
    a = tensor1._data if isinstance(tensor1, Tensor) else tensor1
    b = tensor2._data if isinstance(tensor2, Tensor) else tensor2
    from ._dtype import from_numpy_dtype
    return from_numpy_dtype(result_np_dtype(a, b))


def can_cast(from_, to):
    return from_._cat <= to._cat if hasattr(from_, "_cat") else True


def broadcast_shapes(*shapes):
    return Size(_np.broadcast_shapes(*[tuple(s) if not isinstance(s, _builtins.int) else (s,)
                                       for s in shapes]))


def broadcast_tensors(*tensors):
    shape = _np.broadcast_shapes(*[t._data.shape for t in tensors])
    return tuple(t.expand(*shape) for t in tensors)


def set_num_threads(n):
    """Accepted for compatibility; BLAS threads are set by the environment."""


def get_num_threads():
    import os
    return _builtins.int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))


def compile(model=None, **kwargs):
    """No compiler here: returns the model (or a decorator that does) unchanged."""
    if model is None:
        return lambda m: m
    return model


def use_deterministic_algorithms(mode, *, warn_only=False):
    pass


def are_deterministic_algorithms_enabled():
    return True


def _lazy(name):
    import importlib
    return importlib.import_module("." + name, __name__)


def __getattr__(name):
    # Subpackages built on the core load on first use (keeps `import numtorch` light).
    if name in ("nn", "optim", "utils", "vision", "distributed", "serialization", "testing",
                "linalg", "fft", "special", "distributions", "hub", "jit", "amp", "onnx",
                "multiprocessing", "overrides", "_C", "types", "library"):
        try:
            return _lazy(name)
        except ModuleNotFoundError as e:
            if e.name == __name__ + "." + name:
                raise AttributeError(f"module 'numtorch' has no attribute '{name}'") from None
            raise
    if name in ("save", "load"):
        return getattr(_lazy("serialization"), name)
    raise AttributeError(f"module 'numtorch' has no attribute '{name}'")
