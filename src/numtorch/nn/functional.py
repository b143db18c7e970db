"""numtorch.nn.functional: the functions behind the layers.

Argument normalisation and input checks live here; the math (forward and backward) lives in
``numtorch.ops`` (activation, conv, pool, normalization, nn_misc). Composites (linear,
normalize, dropout ...) are written from differentiable ops, as torch writes them.
"""
import math
import numbers
import warnings

import numpy as np

from .._tensor import Tensor, _wrap
from .. import _dtype
from ..autograd.graph import apply
from ..autograd import grad_mode as _gm
from ..ops import linalg as _L
from ..ops import conv as _C
from ..ops import pool as _P
from ..ops import normalization as _N
from ..ops import nn_misc as _M
from ..ops.activation import (softmax, log_softmax, softmin, relu, relu6, leaky_relu, prelu,
                              elu, selu, celu, gelu, silu, mish, hardtanh, hardsigmoid,
                              hardswish, softplus, softsign, threshold, logsigmoid, tanhshrink,
                              softshrink, hardshrink, glu, sigmoid, tanh)
from ..ops.activation import _inplace_relu

__all__ = [
    "softmax", "log_softmax", "softmin", "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_",
    "prelu", "rrelu", "elu", "elu_", "selu", "celu", "gelu", "silu", "mish", "hardtanh",
    "hardtanh_", "hardsigmoid", "hardswish", "softplus", "softsign", "threshold",
    "threshold_", "logsigmoid", "tanhshrink", "softshrink", "hardshrink", "glu", "sigmoid",
    "tanh", "linear", "bilinear", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d",
    "unfold", "fold", "max_pool1d", "max_pool2d", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "max_unpool1d",
    "max_unpool2d", "lp_pool1d", "lp_pool2d", "dropout", "dropout1d", "dropout2d",
    "alpha_dropout", "feature_alpha_dropout", "batch_norm", "layer_norm", "group_norm",
    "instance_norm", "local_response_norm", "rms_norm", "embedding", "embedding_bag", "pad",
    "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
    "pixel_unshuffle", "one_hot", "normalize", "cosine_similarity", "pairwise_distance",
    "pdist", "gumbel_softmax", "channel_shuffle", "hardswish", "multi_head_attention_forward",
]


# ---- argument helpers -------------------------------------------------------------------------
def _ntuple(n, name="value"):
    def parse(x):
        if isinstance(x, (list, tuple)):
            if len(x) == 1 and n > 1:
                return tuple(x) * n
            return tuple(int(v) for v in x)
        return (int(x),) * n
    return parse


_single = _ntuple(1)
_pair = _ntuple(2)


def _shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_tensor(x, fname, arg="input", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


# ---- activations with in-place spellings --------------------------------------------------
def relu_(input):
    return _inplace_relu(input)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def threshold_(input, threshold_value, value):
    return threshold(input, threshold_value, value, True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: slope ~ U(lower, upper) per element when training, else the
    mean slope."""
    from ..ops.activation import RreluWithNoise
    if training:
        from .. import _creation
        noise = _creation.empty_like(input).uniform_(lower, upper)._data
    else:
        noise = input._data.dtype.type((lower + upper) / 2)
    if inplace:
        from ..ops._inplace import inplace as _inplace
        return _inplace(input, RreluWithNoise, noise)
    return apply(RreluWithNoise, input, noise)


# ---- linear -------------------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """y = x W^T + b over the last dim of ``input`` (Addmm on 2-d inputs)."""
    _check_tensor(input, "linear")
    _check_tensor(weight, "linear", "weight", 2)
    if input.ndim == 2 and bias is not None:
        return _L.addmm(bias, input, weight.t())
    if input.ndim == 2:
        return _L.mm(input, weight.t())
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{input.ndim}D and {weight.ndim}D")
    if weight.ndim == 1:
        out = _L.matmul(input, weight.t())
        return out + bias if bias is not None else out
    lead = input.shape[:-1]
    x2 = input.reshape(-1, input.shape[-1])
    if bias is not None:
        return _L.addmm(bias, x2, weight.t()).view(*lead, weight.shape[0])
    out = _L.mm(x2, weight.t())
    return apply(_M.UnsafeView, out, tuple(lead) + (weight.shape[0],))


def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b, for each output feature."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {_shape_str(input1.shape)} "
            f"and {_shape_str(input2.shape)}")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {weight.shape[2]}")
    lead = tuple(input1.shape[:-1])
    o, i, j = weight.shape
    x1 = input1.reshape(-1, i)
    x2 = input2.reshape(-1, j)
    t = _L.mm(x1, weight.permute(1, 0, 2).reshape(i, o * j)).view(-1, o, j)
    out = (t * x2.unsqueeze(1)).sum(-1).view(*lead, o)
    return out + bias if bias is not None else out


# ---- convolution -----------------------------------------------------------------------------
def _conv_padding(padding, k, d, s, fname):
    nd = len(k)
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0) * nd
        if padding == "same":
            if any(v != 1 for v in s):
                raise RuntimeError(
                    "padding='same' is not supported for strided convolutions")
            out = []
            for kk, dd in zip(k, d):
                total = dd * (kk - 1)
                out += [total // 2, total - total // 2]
            return tuple(out)
        raise RuntimeError(
            f"Invalid padding string: '{padding}'")
    p = _ntuple(nd)(padding)
    if any(v < 0 for v in p):
        raise RuntimeError("negative padding is not supported")
    out = []
    for v in p:
        out += [v, v]
    return tuple(out)


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd, fname):
    _check_tensor(input, fname)
    _check_tensor(weight, fname, "weight", 2)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fname}, but got "
            f"input of size: {_shape_str(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"weight should have at least three dimensions"
            if weight.ndim < 3 else
            f"Expected {nd + 2}-dimensional input for {nd + 2}-dimensional weight "
            f"{_shape_str(weight.shape)}, but got {input.ndim}-dimensional input of size "
            f"{_shape_str(input.shape)} instead")
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    k = tuple(weight.shape[2:])
    s = _ntuple(nd)(stride)
    d = _ntuple(nd)(dilation)
    if any(v <= 0 for v in s):
        raise RuntimeError("non-positive stride is not supported")
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero")
    p = _conv_padding(padding, k, d, s, fname)
    c = input.shape[1]
    if weight.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
            f"0, but got weight of size {_shape_str(weight.shape)} instead")
    if c != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {_shape_str(weight.shape)}, expected "
            f"input{_shape_str(input.shape)} to have {weight.shape[1] * groups} channels, but "
            f"got {c} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != weight.shape[0]):
        raise RuntimeError(
            f"Given weight of size {_shape_str(weight.shape)}, expected bias to be 1-dimensional "
            f"with {weight.shape[0]} elements, but got bias of size {_shape_str(bias.shape)} "
            "instead")
    sp = input.shape[2:]
    padded = [sp[i] + p[2 * i] + p[2 * i + 1] for i in range(nd)]
    eff = [d[i] * (k[i] - 1) + 1 for i in range(nd)]
    if any(padded[i] < eff[i] for i in range(nd)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
            "actual input size")
    if nd == 1:
        s2, d2, p2 = (1, s[0]), (1, d[0]), (0, 0, p[0], p[1])
    else:
        s2, d2, p2 = s, d, p
    out = apply(_C.Convolution, input, weight, bias, s2, p2, d2, groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over (N, C, L) (or unbatched (C, L)) inputs."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution over (N, C, H, W) (or unbatched (C, H, W)) inputs."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      nd, fname):
    _check_tensor(input, fname)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fname}, but got "
            f"input of size: {_shape_str(input.shape)}")
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    s = _ntuple(nd)(stride)
    p = _ntuple(nd)(padding)
    op = _ntuple(nd)(output_padding)
    d = _ntuple(nd)(dilation)
    if input.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {_shape_str(weight.shape)}, expected "
            f"input{_shape_str(input.shape)} to have {weight.shape[0]} channels, but got "
            f"{input.shape[1]} channels instead")
    for i in range(nd):
        if op[i] >= s[i] and op[i] >= d[i]:
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"output_padding_height: {op[0]} output_padding_width: {op[-1]} stride_height: "
                f"{s[0]} stride_width: {s[-1]} dilation_height: {d[0]} dilation_width: {d[-1]}")
    if nd == 1:
        s, p, op, d = (1, s[0]), (0, p[0]), (0, op[0]), (1, d[0])
    out = apply(_C.ConvTranspose, input, weight, bias, s, p, op, d, groups)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-d transposed convolution."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-d transposed convolution."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2, "conv_transpose2d")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C*kh*kw, L)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(
            "Expected 3D (unbatched) or 4D (batched) input to im2col, but got input of size: "
            + _shape_str(input.shape))
    unbatched = input.ndim == 3
    if unbatched:
        input = input.unsqueeze(0)
    out = apply(_C.Im2Col, input, _pair(kernel_size), _pair(dilation), _pair(padding),
                _pair(stride))
    return out.squeeze(0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding blocks into a tensor: (N, C*kh*kw, L) -> (N, C, H, W), summing overlaps."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {_shape_str(input.shape)}")
    unbatched = input.ndim == 2
    if unbatched:
        input = input.unsqueeze(0)
    out = apply(_C.Col2Im, input, _pair(output_size), _pair(kernel_size), _pair(dilation),
                _pair(padding), _pair(stride))
    return out.squeeze(0) if unbatched else out


# ---- pooling ---------------------------------------------------------------------------------
def _pool_input(input, nd, fname):
    _check_tensor(input, fname)
    if input.ndim not in (nd + 1, nd + 2):
        if fname == "avg_pool2d" and input.ndim < 3:
            n = max(input.ndim, 1)
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, "
                             f"{n - 1}], but got -3)")
        if fname == "max_pool2d":
            raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
        if fname == "avg_pool1d":
            raise RuntimeError(
                f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for "
                "argument #1 'self' (while checking arguments for avg_pool1d)")
        raise RuntimeError(
            f"{fname}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim "
            f"batch size for input, but got:{_shape_str(input.shape)}")
    for s in input.shape[-nd:]:
        if s == 0:
            raise RuntimeError(
                f"{fname}: Expected input's non-batch dimensions to have positive length, but "
                f"input has a shape of {_shape_str(input.shape)}")


def _check_pool_args(k, s, p, d, fname="max_pool2d"):
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{fname}: kernel_size must be greater than zero, but got "
                           f"kH: {k[0]} kW: {k[-1]}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{fname}: stride must be greater than zero, but got "
                           f"dH: {s[0]} dW: {s[-1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{fname}: dilation must be greater than zero, but got "
                           f"dilationH: {d[0]} dilationW: {d[-1]}")
    for kk, pp, dd in zip(k, p, d):
        if pp < 0 or pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={pp}, "
                f"kernel_size={kk} and dilation={dd}")


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    _pool_input(input, 2, "max_pool2d")
    k = _pair(kernel_size)
    s = _pair(stride) if stride is not None and stride != [] and stride != () else k
    p = _pair(padding)
    d = _pair(dilation)
    _check_pool_args(k, s, p, d)
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    res = apply(_P.MaxPool2DWithIndices, x, k, s, p, d, ceil_mode, indices=return_indices)
    if unbatched:
        res = tuple(r.squeeze(0) for r in res) if return_indices else res.squeeze(0)
    return res


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-d max pooling (``return_indices=True`` also returns flat argmax indices)."""
    return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode,
                                   return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    _pool_input(input, 1, "max_pool1d")
    k = _single(kernel_size)
    s = _single(stride) if stride is not None and stride != [] and stride != () else k
    p, d = _single(padding), _single(dilation)
    _check_pool_args(k, s, p, d, "max_pool1d")
    x = input.unsqueeze(-2)
    unbatched = x.ndim == 3
    if unbatched:
        x = x.unsqueeze(0)
    res = apply(_P.MaxPool2DWithIndices, x, (1,) + k, (1,) + s, (0,) + p, (1,) + d,
                ceil_mode, indices=return_indices)
    res = res if return_indices else (res,)
    if unbatched:
        res = tuple(r.squeeze(0) for r in res)
    res = tuple(r.squeeze(-2) for r in res)
    return res if return_indices else res[0]


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-d max pooling (``return_indices=True`` also returns flat argmax indices)."""
    return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode,
                                   return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-d average pooling."""
    _pool_input(input, 2, "avg_pool2d")
    k = _pair(kernel_size)
    s = _pair(stride) if stride is not None and stride != [] and stride != () else k
    p = _pair(padding)
    for kk, pp in zip(k, p):
        if pp > kk // 2:
            raise RuntimeError("pad should be at most half of effective kernel size, but got "
                               f"pad={pp}, kernel_size={kk} and dilation=1")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    out = apply(_P.AvgPool2D, x, k, s, p, ceil_mode, count_include_pad, divisor_override)
    return out.squeeze(0) if unbatched else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-d average pooling."""
    _pool_input(input, 1, "avg_pool1d")
    k = _single(kernel_size)
    s = _single(stride) if stride is not None and stride != [] and stride != () else k
    p = _single(padding)
    if p[0] > k[0] // 2:
        raise RuntimeError("pad should be at most half of effective kernel size, but got "
                           f"pad={p[0]}, kernel_size={k[0]} and dilation=1")
    x = input.unsqueeze(-2)
    unbatched = x.ndim == 3
    if unbatched:
        x = x.unsqueeze(0)
    out = apply(_P.AvgPool2D, x, (1,) + k, (1,) + s, (0,) + p, ceil_mode, count_include_pad,
                None)
    if unbatched:
        out = out.squeeze(0)
    return out.squeeze(-2)


def _adaptive_size(output_size, in_sizes):
    if isinstance(output_size, (list, tuple)):
        sizes = tuple(output_size)
        if len(sizes) == 1 and len(in_sizes) > 1:
            sizes = sizes * len(in_sizes)
    else:
        sizes = (output_size,) * len(in_sizes)
    return tuple(in_sizes[i] if v is None else int(v) for i, v in enumerate(sizes))


def _adaptive_check(input, nd, fname):
    _check_tensor(input, fname)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{fname}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
            f"{_shape_str(input.shape)}")
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(
                f"{fname}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {_shape_str(input.shape)} with dimension {i} being empty")


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (H_out, W_out)."""
    _adaptive_check(input, 2, "adaptive_avg_pool2d")
    size = _adaptive_size(output_size, input.shape[-2:])
    if size == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    return apply(_P.AdaptiveAvgPool2D, input, size)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length."""
    _adaptive_check(input, 1, "adaptive_avg_pool1d")
    size = _adaptive_size(output_size, input.shape[-1:])
    x = input.unsqueeze(-2)
    if size == (1,):
        out = x.mean((-1, -2), keepdim=True)
    else:
        out = apply(_P.AdaptiveAvgPool2D, x, (1,) + size)
    return out.squeeze(-2)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    _adaptive_check(input, 2, "adaptive_max_pool2d")
    size = _adaptive_size(output_size, input.shape[-2:])
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    out, idx = apply(_P.AdaptiveMaxPool2D, x, size)
    if unbatched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return out, idx


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size."""
    out, idx = adaptive_max_pool2d_with_indices(input, output_size)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    _adaptive_check(input, 1, "adaptive_max_pool1d")
    size = _adaptive_size(output_size, input.shape[-1:])
    x = input.unsqueeze(-2)
    unbatched = x.ndim == 3
    if unbatched:
        x = x.unsqueeze(0)
    out, idx = apply(_P.AdaptiveMaxPool2D, x, (1,) + size)
    if unbatched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return out.squeeze(-2), idx.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length."""
    out, idx = adaptive_max_pool1d_with_indices(input, output_size)
    return (out, idx) if return_indices else out


def _unpool_output_size(input, kernel_size, stride, padding, output_size, nd):
    default = []
    for d in range(nd):
        default.append((input.shape[input.ndim - nd + d] - 1) * stride[d] + kernel_size[d]
                       - 2 * padding[d])
    if output_size is None:
        return tuple(default)
    output_size = tuple(output_size)
    if len(output_size) == nd + 2:
        output_size = output_size[2:]
    elif len(output_size) == nd + 1:
        output_size = output_size[1:]
    if len(output_size) != nd:
        raise ValueError(
            f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it "
            f"has a length of '{len(output_size)}'")
    for d in range(nd):
        lo = default[d] - stride[d]
        hi = default[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(
                f'invalid output_size "{list(output_size)}" (dim {d} must be between {lo} and '
                f'{hi})')
    return output_size


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: values placed at ``indices``, zeros elsewhere."""
    k = _pair(kernel_size)
    s = _pair(stride) if stride is not None else k
    p = _pair(padding)
    size = _unpool_output_size(input, k, s, p, output_size, 2)
    unbatched = input.ndim == 3
    if unbatched:
        input, indices = input.unsqueeze(0), indices.unsqueeze(0)
    out = apply(_P.MaxUnpool2D, input, indices, size)
    return out.squeeze(0) if unbatched else out


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d."""
    k = _single(kernel_size)
    s = _single(stride) if stride is not None else k
    p = _single(padding)
    size = _unpool_output_size(input, k, s, p, output_size, 1)
    return max_unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1), k + (1,), s + (1,),
                        p + (0,), size + (1,)).squeeze(-1)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum x^p)^(1/p) over windows."""
    kw, kh = _pair(kernel_size)
    if stride is not None:
        out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool2d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * relu(out.abs())).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-d power-average pooling."""
    if stride is not None:
        out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool1d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * relu(out.abs())).mul(kernel_size).pow(1.0 / norm_type)


# ---- dropout --------------------------------------------------------------------------------
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero elements with probability ``p`` and scale the rest by 1/(1-p) (when training)."""
    _check_p(p)
    if not training or p == 0:
        return input
    from .. import _creation
    if p == 1:
        noise = _creation.zeros_like(input)
    else:
        noise = _creation.empty_like(input).bernoulli_(1 - p)
        noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def _feature_dropout(input, p, training, inplace, batched_ndim, fname):
    _check_p(p)
    if not training or p == 0:
        return input
    from .. import _creation
    nd = input.ndim
    if nd not in (batched_ndim - 1, batched_ndim):
        raise RuntimeError(
            f"{fname}: Expected {batched_ndim - 1}D or {batched_ndim}D input, but received a "
            f"{nd}D input.")
    unbatched = nd == batched_ndim - 1
    x = input.unsqueeze(0) if unbatched else input
    shape = tuple(x.shape[:2]) + (1,) * (x.ndim - 2)
    if p == 1:
        noise = _creation.zeros(shape, dtype=x.dtype)
    else:
        noise = _creation.empty(shape, dtype=x.dtype).bernoulli_(1 - p)
        noise.div_(1 - p)
    if unbatched:
        noise = noise.squeeze(0)
    return input.mul_(noise) if inplace else input * noise


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) inputs with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) inputs with probability ``p``."""
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
        return _feature_dropout(input, p, training, inplace, input.ndim, "dropout2d")
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
        return _feature_dropout(input, p, training, inplace, 3, "dropout2d")
    return _feature_dropout(input, p, training, inplace, 4, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) inputs with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 5, "dropout3d")


_ALPHA = 1.7580993408473766


def _alpha_dropout(input, p, training, inplace, feature):
    _check_p(p)
    if not training or p == 0:
        return input
    from .. import _creation
    if p == 1:
        return input.mul_(0) if inplace else input * _creation.zeros_like(input)
    if feature:
        shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
        noise = _creation.empty(shape, dtype=input.dtype)
    else:
        noise = _creation.empty_like(input)
    noise.bernoulli_(1 - p)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = noise.add(-1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
    noise.mul_(a)
    if inplace:
        return input.mul_(noise).add_(b)
    return (input * noise).add(b)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalising mean and variance."""
    return _alpha_dropout(input, p, training, inplace, False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    return _alpha_dropout(input, p, training, inplace, True)


# ---- normalization --------------------------------------------------------------------------
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Batch normalisation (uses and, when training, updates the running statistics)."""
    _check_tensor(input, "batch_norm")
    if input.ndim < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(
                f"{name} should contain {c} elements not {t.numel()}")
    if training:
        size = input.numel() // c
        if size == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    out = apply(_N.NativeBatchNorm, input, weight, bias, running_mean, running_var,
                bool(training), momentum if momentum is not None else 0.0, eps)
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._version[0] += 1
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """Normalise each channel of each sample over its spatial positions."""
    _check_tensor(input, "instance_norm")
    if use_input_stats:
        size = math.prod(input.shape[2:])
        if size == 1:
            raise ValueError(
                "Expected more than 1 spatial element when training, got input size "
                f"{input.shape}")
    n, c = input.shape[:2]
    shape = (1, n * c) + tuple(input.shape[2:])
    x = input.contiguous().view(*shape)
    rm = running_mean.repeat(n) if running_mean is not None else None
    rv = running_var.repeat(n) if running_var is not None else None
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    out = apply(_N.NativeBatchNorm, x, w, b, rm, rv, bool(use_input_stats), momentum, eps)
    if use_input_stats:
        with _gm.no_grad():
            if running_mean is not None:
                running_mean._data[...] = rm._data.reshape(n, c).mean(axis=0)
                running_mean._version[0] += 1
            if running_var is not None:
                running_var._data[...] = rv._data.reshape(n, c).mean(axis=0)
                running_var._version[0] += 1
    return out.view(*input.shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the trailing ``normalized_shape`` dims."""
    _check_tensor(input, "layer_norm")
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != normalized_shape or input.ndim < k:
        raise RuntimeError(
            f"Given normalized_shape={_shape_str(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
            f"{_shape_str(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {_shape_str(t.shape)} and normalized_shape = "
                f"{_shape_str(normalized_shape)}")
    return apply(_N.NativeLayerNorm, input, weight, bias, k, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing dims, times ``weight``."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    dims = tuple(range(-len(normalized_shape), 0))
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    out = input * (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    return out * weight if weight is not None else out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalise groups of channels per sample."""
    _check_tensor(input, "group_norm")
    if input.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    c = input.shape[1]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {_shape_str(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {_shape_str(t.shape)} and input of shape "
                f"{_shape_str(input.shape)}")
    return apply(_N.NativeGroupNorm, input, weight, bias, num_groups, eps)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalise each value by the squared activity of ``size`` neighbouring channels."""
    dim = input.ndim
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    # sum over a window of `size` channels, zero-padded (size // 2 before, (size - 1) // 2 after)
    pad_amt = [0, 0] * (dim - 2) + [size // 2, (size - 1) // 2]
    div = pad(div, tuple(pad_amt))
    c = input.shape[1]
    acc = div.narrow(1, 0, c)
    for i in range(1, size):
        acc = acc + div.narrow(1, i, c)
    div = acc.mul(alpha / size).add(k).pow(beta)
    return input / div


# ---- embeddings -----------------------------------------------------------------------------
def _check_indices(indices, fname):
    if not isinstance(indices, Tensor):
        raise TypeError(f"{fname}(): argument 'indices' (position 1) must be Tensor, not "
                        f"{type(indices).__name__}")
    if indices._data.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {indices.type()} instead (while checking arguments for "
            f"{fname})")


def _renorm_rows(weight, indices, max_norm, norm_type):
    with _gm.no_grad():
        w = weight._data
        rows = np.unique(indices._data.ravel())
        if rows.size == 0:
            return
        sub = w[rows]
        norms = np.linalg.norm(sub.astype(np.float64), ord=norm_type, axis=1) \
            if norm_type != 2 else np.sqrt((sub.astype(np.float64) ** 2).sum(axis=1))
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        w[rows] = (sub * scale[:, None]).astype(w.dtype)
        weight._version[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Look up rows of ``weight`` at the integer ``input`` indices."""
    _check_indices(input, "embedding")
    if padding_idx is not None:
        n = weight.shape[0]
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    return apply(_M.Embedding, weight, input._data.astype(np.int64, copy=False), padding_idx,
                 scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sums, means or maxes of bags of embeddings."""
    _check_indices(input, "embedding_bag")
    if weight.ndim != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({_shape_str(per_sample_weights.shape)}) is "
            f"not None, then it must have the same shape as the input "
            f"({_shape_str(input.shape)})")
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    idx = input._data.astype(np.int64, copy=False)
    psw = per_sample_weights
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type Tensor")
        b, length = idx.shape
        offs = np.arange(0, b * length, length, dtype=np.int64)
        idx = idx.reshape(-1)
        if psw is not None:
            psw = psw.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = offsets._data.astype(np.int64)
        if include_last_offset:
            offs = offs[:-1]
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if padding_idx is not None:
        n = weight.shape[0]
        if padding_idx < 0:
            padding_idx += n
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    return apply(_M.EmbeddingBag, weight, idx, offs, mode, psw, padding_idx)


def one_hot(tensor, num_classes=-1):
    """Integer class indices -> one-hot int64 tensor with a trailing class dim."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(tensor).__name__}")
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if a.size == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return _wrap(np.zeros(a.shape + (num_classes,), dtype=np.int64))
    if a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(a.max()) + 1
    elif a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == np.arange(num_classes)).astype(np.int64)
    return _wrap(out)


# ---- padding / resizing -----------------------------------------------------------------------
def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims; modes constant, reflect, replicate, circular."""
    _check_tensor(input, "pad")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pad)} and input of dimension {input.ndim}")
    if mode == "constant":
        return apply(_M.ConstantPadNd, input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    npad = len(pad) // 2
    nd = input.ndim
    if not ((npad == 1 and nd in (2, 3)) or (npad == 2 and nd in (3, 4))
            or (npad == 3 and nd in (4, 5))):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for k in range(npad):
        dim = nd - 1 - k
        n = input.shape[dim]
        lo, hi = pad[2 * k], pad[2 * k + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {dim} of input "
                f"{_shape_str(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError(
                "Padding value causes wrapping around more than once.")
        if mode == "replicate" and n == 0:
            raise RuntimeError("input tensor must not be empty")
    if mode == "circular":
        cls = _M.CircularPad
    else:
        cls = getattr(_M, ("ReflectionPad" if mode == "reflect" else "ReplicationPad")
                      + f"{npad}D")
    return apply(cls, input, pad, mode)


_INTERP_NAMES = {("nearest", 1): "UpsampleNearest1DBackward0",
                 ("nearest", 2): "UpsampleNearest2DBackward0",
                 ("nearest-exact", 1): "UpsampleNearestExact1DBackward0",
                 ("nearest-exact", 2): "UpsampleNearestExact2DBackward0",
                 ("linear", 1): "UpsampleLinear1DBackward0",
                 ("bilinear", 2): "UpsampleBilinear2DBackward0",
                 ("bicubic", 2): "UpsampleBicubic2DBackward0",
                 ("nearest", 3): "UpsampleNearest3DBackward0",
                 ("trilinear", 3): "UpsampleTrilinear3DBackward0"}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims (modes nearest, nearest-exact, linear, bilinear, bicubic,
    trilinear)."""
    _check_tensor(input, "interpolate")
    nsp = input.ndim - 2
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if antialias:
        raise NotImplementedError("antialias=True is not supported by numtorch")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nsp:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size "
                    f"of {list(size)}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and output size in (o1, o2, ...,oK) format.")
            out_size = tuple(int(s) for s in size)
        else:
            out_size = (int(size),) * nsp
        scales = (None,) * nsp
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nsp:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {list(scale_factor)}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            sf = tuple(float(s) for s in scale_factor)
        else:
            sf = (float(scale_factor),) * nsp
        out_size = tuple(int(math.floor(float(input.shape[2 + i]) * sf[i]))
                         for i in range(nsp))
        scales = (None,) * nsp if recompute_scale_factor else sf
    else:
        raise ValueError("either size or scale_factor should be defined")
    if mode == "area":
        if nsp == 1:
            return adaptive_avg_pool1d(input, out_size)
        return adaptive_avg_pool2d(input, out_size)
    expected = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
    if mode in expected and expected[mode] != nsp:
        raise NotImplementedError(
            f"Got {input.ndim}D input, but {mode} mode needs {expected[mode] + 2}D input")
    if (mode, nsp) not in _INTERP_NAMES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact (got {mode})")
    dt = input._data.dtype
    plan = []
    for i in range(nsp):
        n_in, n_out = input.shape[2 + i], out_size[i]
        if n_out <= 0:
            raise RuntimeError(
                f"Input and output sizes should be greater than 0, but got input (H: "
                f"{input.shape[2]}) output (H: {n_out})")
        if mode in ("nearest", "nearest-exact"):
            plan.append(("index", _M.nearest_index(n_in, n_out, scales[i],
                                                   mode == "nearest-exact")))
        elif mode == "bicubic":
            plan.append(("matrix", _M.cubic_matrix(n_in, n_out, align_corners, scales[i], dt)))
        else:
            plan.append(("matrix", _M.linear_matrix(n_in, n_out, align_corners, scales[i], dt)))
    return apply(_M.Upsample, input, _INTERP_NAMES[(mode, nsp)], tuple(plan))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r)."""
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)")
    r = int(upscale_factor)
    if r <= 0:
        raise RuntimeError(
            f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return apply(_M.PixelShuffle, input, r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W)."""
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)")
    r = int(downscale_factor)
    if r <= 0:
        raise RuntimeError(
            f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            f"input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            f"input.size(-1)={w} is not divisible by {r}")
    return apply(_M.PixelUnshuffle, input, r)


def channel_shuffle(input, groups):
    """Shuffle channels: (N, g*k, ...) -> (N, k*g, ...) interleaved."""
    n, c = input.shape[:2]
    rest = tuple(input.shape[2:])
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)


# ---- distances ------------------------------------------------------------------------------
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along ``dim``."""
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim."""
    nd = max(x1.ndim, x2.ndim)
    return (x1 - x2 + eps).norm(p, nd - 1 if nd else 0, keepdim=keepdim)


def pdist(input, p=2):
    """Pairwise distances between the rows of a 2-d input (upper triangle, flattened)."""
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    from .. import _creation
    a = input.index_select(0, _creation.tensor(i, dtype=_dtype.int64))
    b = input.index_select(0, _creation.tensor(j, dtype=_dtype.int64))
    return (a - b).norm(p, 1)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Sample from the Gumbel-softmax distribution (straight-through one-hot if ``hard``)."""
    from .. import _creation
    gumbels = -_creation.empty_like(logits).exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = gumbels.softmax(dim)
    if hard:
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = _creation.zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft


from ._functional_loss import *  # noqa: F401,F403,E402  (loss functions)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(Q K^T * scale + mask) V, written from matmul/softmax (no fused kernel)."""
    import math as _math
    from .. import _creation
    L, S_ = query.size(-2), key.size(-2)
    scale = 1 / _math.sqrt(query.size(-1)) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale
    if is_causal:
        keep = _creation.ones(L, S_, dtype=_creation.tensor(True).dtype).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == _creation.tensor(True).dtype:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    weights = softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights @ value


from ._functional_attention import (  # noqa: E402  (multi-head attention)
    multi_head_attention_forward, _canonical_mask, _none_or_dtype, _mha_shape_check)
