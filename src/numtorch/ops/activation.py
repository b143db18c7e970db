"""Activation ops (nn.functional's activations): forward and backward side by side.

``softmax(input, dim, dtype=None)`` and ``log_softmax(input, dim, dtype=None)`` are the fused,
numerically stable forms that the losses (cross_entropy, nll ...) build on: import them from
here (``from numtorch.ops.activation import log_softmax``).
"""
import math

from ..backends import xp

from ..autograd.graph import Node, apply
from .._tensor import Tensor
from .. import _dtype
from ._utils import wrap_dim
from ._inplace import inplace
from .elementwise import Relu, Sigmoid, Tanh, _erf_np as _erf

__all__ = ["softmax", "log_softmax", "softmin", "relu", "relu6", "leaky_relu", "prelu", "elu",
           "selu", "celu", "gelu", "silu", "mish", "hardtanh", "hardsigmoid", "hardswish",
           "softplus", "softsign", "threshold", "logsigmoid", "tanhshrink", "softshrink",
           "hardshrink", "glu", "sigmoid", "tanh"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _float_check(a, name):
    if a.dtype.kind not in "fc":
        raise RuntimeError(f'"{name}" not implemented for \'{_type_name(a.dtype)}\'')


def _type_name(npdt):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "float16": "Half", "float32": "Float",
            "float64": "Double"}.get(str(npdt), str(npdt))


# ---- softmax family -------------------------------------------------------------------------
def _cast_for(a, dtype):
    if dtype is not None:
        npdt = dtype.np if isinstance(dtype, _dtype.dtype) else xp.dtype(dtype)
        if a.dtype != npdt:
            a = a.astype(npdt)
    return a


class Softmax(Node):
    def forward(self, a, dim, dtype=None):
        a = _cast_for(a, dtype)
        _float_check(a, "softmax_lastdim_kernel_impl")
        self.dim = dim
        if a.ndim == 0:
            out = xp.ones_like(a)
        else:
            m = a.max(axis=dim, keepdims=True)
            out = a - m
            xp.exp(out, out=out)
            out /= out.sum(axis=dim, keepdims=True)
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        if out.ndim == 0:
            return g * 0
        go = g * out
        go -= out * go.sum(axis=self.dim, keepdims=True)
        return go


class LogSoftmax(Node):
    def forward(self, a, dim, dtype=None):
        a = _cast_for(a, dtype)
        _float_check(a, "log_softmax_lastdim_kernel_impl")
        self.dim = dim
        if a.ndim == 0:
            out = xp.zeros_like(a)
        else:
            m = a.max(axis=dim, keepdims=True)
            out = a - m
            lse = xp.log(xp.exp(out).sum(axis=dim, keepdims=True))
            out -= lse
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        if out.ndim == 0:
            return g * 0
        return g - xp.exp(out) * g.sum(axis=self.dim, keepdims=True)


def _softmax_dim(ndim, stacklevel=3):
    import warnings
    warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(input, dim, dtype=None): exp(x) / sum(exp(x)) along ``dim`` (stable)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, _stacklevel)
    return apply(Softmax, input, wrap_dim(dim, input.ndim), dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log_softmax(input, dim, dtype=None): x - logsumexp(x) along ``dim`` (stable)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, _stacklevel)
    return apply(LogSoftmax, input, wrap_dim(dim, input.ndim), dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax of ``-input``."""
    if dim is None:
        dim = _softmax_dim(input.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return apply(Softmax, -input, wrap_dim(dim, input.ndim))


# ---- pointwise activations ------------------------------------------------------------------
class _SavesInput(Node):
    """Pointwise op whose backward needs its input ``x``: out = f(x), grad = g * df(x)."""

    def forward(self, a, *params):
        self.params = params
        self.save_for_backward(a)
        with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self.f(a, *params)

    def backward(self, g):
        a, = self.saved_tensors
        with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self.df(g, a, *self.params)


class LeakyRelu(_SavesInput):
    @staticmethod
    def f(a, slope):
        return xp.where(a > 0, a, a * a.dtype.type(slope))

    @staticmethod
    def df(g, a, slope):
        return xp.where(a > 0, g, g * g.dtype.type(slope))


class RreluWithNoise(_SavesInput):
    """Leaky ReLU whose negative slopes are ``noise`` (random in training, mean in eval)."""

    @staticmethod
    def f(a, noise):
        return xp.where(a > 0, a, a * noise)

    @staticmethod
    def df(g, a, noise):
        return xp.where(a > 0, g, g * noise)


class Hardtanh(_SavesInput):
    @staticmethod
    def f(a, lo, hi):
        return xp.clip(a, a.dtype.type(lo), a.dtype.type(hi))

    @staticmethod
    def df(g, a, lo, hi):
        return g * ((a > lo) & (a < hi))


class Elu(Node):
    """elu/selu/celu: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""

    def forward(self, a, alpha, scale, input_scale):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale
        t = a.dtype.type
        neg = t(alpha) * xp.expm1(xp.minimum(a, 0) * t(input_scale))
        out = xp.where(a > 0, a, neg)
        if scale != 1:
            out *= t(scale)
        self.save_for_backward(a)
        return out

    def backward(self, g):
        a, = self.saved_tensors
        t = a.dtype.type
        pos = g * t(self.scale)
        neg = pos * t(self.alpha * self.input_scale) * xp.exp(xp.minimum(a, 0)
                                                                 * t(self.input_scale))
        return xp.where(a > 0, pos, neg)


class Celu(Elu):
    pass


class Gelu(_SavesInput):
    @staticmethod
    def f(a, approximate):
        t = a.dtype.type
        if approximate == "tanh":
            inner = t(math.sqrt(2.0 / math.pi)) * (a + t(0.044715) * a * a * a)
            return t(0.5) * a * (1 + xp.tanh(inner))
        return t(0.5) * a * (1 + _erf(a * t(1 / math.sqrt(2.0))))

    @staticmethod
    def df(g, a, approximate):
        t = a.dtype.type
        if approximate == "tanh":
            k = t(math.sqrt(2.0 / math.pi))
            inner = k * (a + t(0.044715) * a * a * a)
            th = xp.tanh(inner)
            dinner = k * (1 + t(3 * 0.044715) * a * a)
            return g * (t(0.5) * (1 + th) + t(0.5) * a * (1 - th * th) * dinner)
        cdf = t(0.5) * (1 + _erf(a * t(1 / math.sqrt(2.0))))
        pdf = xp.exp(t(-0.5) * a * a) * t(1 / math.sqrt(2 * math.pi))
        return g * (cdf + a * pdf)


def _sigmoid(a):
    with xp.errstate(over="ignore"):
        return 1 / (1 + xp.exp(-a))


class Silu(_SavesInput):
    @staticmethod
    def f(a):
        return a * _sigmoid(a)

    @staticmethod
    def df(g, a):
        s = _sigmoid(a)
        return g * s * (1 + a * (1 - s))


def _softplus_np(a, beta=1.0, threshold=20.0):
    t = a.dtype.type
    z = a * t(beta)
    with xp.errstate(over="ignore"):
        sp = xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, 0)
    if beta != 1:
        sp /= t(beta)
    return xp.where(z > threshold, a, sp)


class Mish(_SavesInput):
    @staticmethod
    def f(a):
        return a * xp.tanh(_softplus_np(a))

    @staticmethod
    def df(g, a):
        tsp = xp.tanh(_softplus_np(a))
        return g * (tsp + a * _sigmoid(a) * (1 - tsp * tsp))


_ONE_SIXTH = float(xp.float32(1.0 / 6.0))  # torch's backward kernel uses the float32 value


class Hardsigmoid(_SavesInput):
    @staticmethod
    def f(a):
        t = a.dtype.type
        return xp.clip(a / t(6) + t(0.5), t(0), t(1))

    @staticmethod
    def df(g, a):
        return g * ((a > -3) & (a < 3)) * g.dtype.type(_ONE_SIXTH)


class Hardswish(_SavesInput):
    @staticmethod
    def f(a):
        t = a.dtype.type
        return a * xp.clip(a + t(3), t(0), t(6)) / t(6)

    @staticmethod
    def df(g, a):
        t = a.dtype.type
        mid = g * (a / t(3) + t(0.5))
        return xp.where(a < -3, t(0), xp.where(a <= 3, mid, g))


class Softplus(_SavesInput):
    @staticmethod
    def f(a, beta, threshold):
        return _softplus_np(a, beta, threshold)

    @staticmethod
    def df(g, a, beta, threshold):
        z = a * a.dtype.type(beta)
        return xp.where(z > threshold, g, g * _sigmoid(z))


class Threshold(_SavesInput):
    @staticmethod
    def f(a, threshold, value):
        return xp.where(a > threshold, a, a.dtype.type(value))

    @staticmethod
    def df(g, a, threshold, value):
        return xp.where(a > threshold, g, g.dtype.type(0))


class LogSigmoid(_SavesInput):
    @staticmethod
    def f(a):
        # log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))
        return xp.minimum(a, 0) - xp.log1p(xp.exp(-xp.abs(a)))

    @staticmethod
    def df(g, a):
        return g * _sigmoid(-a)


class Softshrink(_SavesInput):
    @staticmethod
    def f(a, lambd):
        t = a.dtype.type
        return xp.where(a > lambd, a - t(lambd), xp.where(a < -lambd, a + t(lambd), t(0)))

    @staticmethod
    def df(g, a, lambd):
        return g * ((a > lambd) | (a < -lambd))


class Hardshrink(_SavesInput):
    @staticmethod
    def f(a, lambd):
        return xp.where((a > lambd) | (a < -lambd), a, a.dtype.type(0))

    @staticmethod
    def df(g, a, lambd):
        return g * ((a > lambd) | (a < -lambd))


class Glu(Node):
    def forward(self, a, dim):
        n = a.shape[dim]
        if n % 2:
            raise RuntimeError(
                f"Halving dimension must be even, but dimension {dim} is size {n}")
        self.dim = dim
        first, second = xp.split(a, 2, axis=dim)
        self.save_for_backward(a)
        return first * _sigmoid(second)

    def backward(self, g):
        a, = self.saved_tensors
        first, second = xp.split(a, 2, axis=self.dim)
        s = _sigmoid(second)
        return xp.concatenate([g * s, g * first * s * (1 - s)], axis=self.dim)


class PreluKernel(Node):
    """out = x if x > 0 else w * x; ``w`` broadcast along the channel dim (dim 1)."""

    def forward(self, a, w):
        if w.ndim == 1 and w.size > 1 and a.ndim >= 2:
            w_b = w.reshape((1, -1) + (1,) * (a.ndim - 2))
        elif w.size == 1:
            w_b = w.reshape(())
        else:
            w_b = w
        self.w_shape = w.shape
        self.save_for_backward(a, w_b)
        return xp.where(a > 0, a, w_b * a)

    def backward(self, g):
        a, w_b = self.saved_tensors
        n = self.needs_input_grad
        ga = xp.where(a > 0, g, g * w_b) if n[0] else None
        gw = None
        if n[1]:
            gw = xp.where(a > 0, 0, g * a)
            if w_b.ndim == 0:
                gw = gw.sum()
            else:
                axes = tuple(i for i in range(gw.ndim) if i != 1)
                gw = gw.sum(axis=axes)
            gw = gw.reshape(self.w_shape)
        return ga, gw


# ---- public functions -----------------------------------------------------------------------
def _act(cls, input, *params, inplace_=False):
    if not isinstance(input, Tensor):
        raise TypeError(f"{cls.__name__.lower()}(): argument 'input' (position 1) must be "
                        f"Tensor, not {type(input).__name__}")
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f'"{cls.__name__.lower()}_cpu" not implemented for '
                           f"'{_type_name(input._data.dtype)}'")
    if inplace_:
        return inplace(input, cls, *params)
    return apply(cls, input, *params)


def relu(input, inplace=False):
    """max(x, 0)."""
    if inplace:
        return _inplace_relu(input)
    return apply(Relu, input)


def _inplace_relu(input):
    return inplace(input, Relu)


def relu6(input, inplace=False):
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _act(Hardtanh, input, min_val, max_val, inplace_=inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    return _act(LeakyRelu, input, negative_slope, inplace_=inplace)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _act(Elu, input, alpha, 1.0, 1.0, inplace_=inplace)


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _act(Elu, input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace_=inplace)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _act(Celu, input, alpha, 1.0, 1.0 / alpha, inplace_=inplace)


def gelu(input, approximate="none"):
    """x * Phi(x) (``approximate='tanh'``: tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _act(Gelu, input, approximate)


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return _act(Silu, input, inplace_=inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _act(Mish, input, inplace_=inplace)


def hardsigmoid(input, inplace=False):
    """clamp(x / 6 + 1/2, 0, 1)."""
    return _act(Hardsigmoid, input, inplace_=inplace)


def hardswish(input, inplace=False):
    """x * hardsigmoid(x)."""
    return _act(Hardswish, input, inplace_=inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta (linear above ``threshold``)."""
    return _act(Softplus, input, beta, threshold)


def softsign(input):
    """x / (1 + |x|) (a composite, as in torch)."""
    return input / (input.abs() + 1)


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    return _act(Threshold, input, threshold, value, inplace_=inplace)


def logsigmoid(input):
    """log(sigmoid(x)), stable."""
    return _act(LogSigmoid, input)


def tanhshrink(input):
    """x - tanh(x) (a composite, as in torch)."""
    return input - input.tanh()


def softshrink(input, lambd=0.5):
    """x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(
            f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _act(Softshrink, input, lambd)


def hardshrink(input, lambd=0.5):
    """x if |x| > lambd else 0."""
    return _act(Hardshrink, input, lambd)


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    return apply(Glu, input, wrap_dim(dim, input.ndim))


def prelu(input, weight):
    """x if x > 0 else weight * x, ``weight`` per channel (dim 1) or shared."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    n = weight.numel()
    if n != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.ndim >= 2 else 1
        if n != channels:
            raise RuntimeError(
                f"Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {n} and channel size = {channels}.")
    if weight.ndim > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
            f"{weight.ndim}")
    return apply(PreluKernel, input, weight)


def sigmoid(input):
    return apply(Sigmoid, input)


def tanh(input):
    return apply(Tanh, input)
