"""Elementwise ops: arithmetic, math functions, activations, comparisons.

Each op is a Node with ``forward`` (arrays in, array out) and ``backward``
(one gradient per input) side by side. Gradients may have the broadcast
shape: the engine sums them back to each input's shape.
"""
import math

from ..backends import xp

from ..autograd.graph import Node, apply
from .._tensor import Tensor
from .. import _dtype
from ._utils import promote, default_float, check_broadcast

_ndarray = xp.ndarray


def _bin(fn, a, b):
    try:
        return fn(a, b)
    except ValueError:
        check_broadcast(xp.shape(a), xp.shape(b))
        raise


# ---- binary arithmetic -----------------------------------------------------
class Add(Node):
    def forward(self, a, b, alpha=1):
        a, b = promote(a, b)
        if alpha != 1:
            b = b * alpha
        self.alpha = alpha
        return _bin(xp.add, a, b)

    def backward(self, g):
        n = self.needs_input_grad
        return (g if n[0] else None), ((g * self.alpha if self.alpha != 1 else g) if n[1] else None)


class Sub(Node):
    def forward(self, a, b, alpha=1):
        a, b = promote(a, b)
        if type(a) is _ndarray and a.dtype == xp.bool_ and type(b) is _ndarray \
                and b.dtype == xp.bool_:
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. "
                "Use the `^` or `logical_xor()` operator instead.")
        if alpha != 1:
            b = b * alpha
        self.alpha = alpha
        return _bin(xp.subtract, a, b)

    def backward(self, g):
        n = self.needs_input_grad
        return (g if n[0] else None), ((-g * self.alpha if self.alpha != 1 else -g)
                                       if n[1] else None)


class RSub(Node):
    """other - alpha * input (torch.rsub)."""

    _name = "RsubBackward1"

    def forward(self, a, b, alpha=1):
        a, b = promote(a, b)
        self.alpha = alpha
        return _bin(xp.subtract, b, a * alpha if alpha != 1 else a)

    def backward(self, g):
        n = self.needs_input_grad
        return (-g * self.alpha if n[0] else None), (g if n[1] else None)


class Mul(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        self.save_for_backward(a, b)
        return _bin(xp.multiply, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        return (g * b if n[0] else None), (g * a if n[1] else None)


class Div(Node):
    def forward(self, a, b, rounding_mode=None):
        a, b = promote(a, b)
        self.rounding_mode = rounding_mode
        if rounding_mode is None:
            if type(a) is _ndarray:
                a = default_float(a)
            elif type(b) is _ndarray:
                b = default_float(b)
            self.save_for_backward(a, b)
            with xp.errstate(divide="ignore", invalid="ignore"):
                return _bin(xp.true_divide, a, b)
        with xp.errstate(divide="ignore", invalid="ignore"):
            if rounding_mode == "trunc":
                out = _bin(xp.true_divide, a, b)
                isint = xp.result_type(a, b).kind in "iu"
                if isint:
                    _check_int_div(b)
                    return _bin(xp.floor_divide, a, b) + ((xp.sign(a) * xp.sign(b) < 0)
                                                         & (xp.fmod(a, b) != 0))
                return xp.trunc(out)
            if rounding_mode == "floor":
                if xp.result_type(a, b).kind in "iu":
                    _check_int_div(b)
                return _bin(xp.floor_divide, a, b)
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'")

    def backward(self, g):
        if self.rounding_mode is not None:
            return tuple(xp.zeros_like(g) if x else None for x in self.needs_input_grad)
        a, b = self.saved_tensors
        n = self.needs_input_grad
        ga = g / b if n[0] else None
        gb = -g * a / (b * b) if n[1] else None
        return ga, gb


def _check_int_div(b):
    if xp.any(xp.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


class Remainder(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        self.save_for_backward(a, b)
        if xp.result_type(a, b).kind in "iu":
            _check_int_div(b)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return _bin(xp.remainder, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        gb = None
        if n[1]:
            with xp.errstate(divide="ignore", invalid="ignore"):
                gb = -g * xp.floor_divide(a, b)
        return (g if n[0] else None), gb


class Fmod(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        self.save_for_backward(a, b)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return _bin(xp.fmod, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        gb = None
        if n[1]:
            with xp.errstate(divide="ignore", invalid="ignore"):
                gb = -g * xp.trunc(a / b)
        return (g if n[0] else None), gb


class Pow(Node):
    def forward(self, a, b):
        if type(a) is not _ndarray:
            self._name = "PowBackward2"
        elif type(b) is _ndarray:
            self._name = "PowBackward1"
        a, b = promote(a, b)
        if type(a) is _ndarray and a.dtype.kind in "iu" and \
                xp.any(xp.asarray(b) < 0) and xp.result_type(a, b).kind in "iu":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = _bin(xp.power, a, b)
        self.save_for_backward(a, b, out)
        return out

    def backward(self, g):
        a, b, out = self.saved_tensors
        n = self.needs_input_grad
        ga = gb = None
        with xp.errstate(divide="ignore", invalid="ignore"):
            if n[0]:
                if isinstance(b, (int, float)) or (type(b) is _ndarray and b.ndim == 0):
                    bb = b
                    if bb == 0:
                        ga = xp.zeros_like(g)
                    elif bb == 2:
                        ga = g * 2 * a
                    else:
                        ga = g * bb * xp.power(a, bb - 1)
                else:
                    ga = xp.where(b == 0, 0, g * b * xp.power(a, b - 1))
            if n[1]:
                # torch masks the base==0, exponent>=0 case to 0
                ga_b = g * out * xp.log(a)
                gb = xp.where((a == 0) & (b >= 0), 0, ga_b)
        return ga, gb


class Maximum(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        self.save_for_backward(a, b)
        return _bin(xp.maximum, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        # ties split the gradient evenly, as torch does
        gt = (a > b).astype(g.dtype)
        eq = (a == b).astype(g.dtype) * 0.5
        return (g * (gt + eq) if n[0] else None), (g * (1 - gt - eq) if n[1] else None)


class Minimum(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        self.save_for_backward(a, b)
        return _bin(xp.minimum, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        lt = (a < b).astype(g.dtype)
        eq = (a == b).astype(g.dtype) * 0.5
        return (g * (lt + eq) if n[0] else None), (g * (1 - lt - eq) if n[1] else None)


class Atan2(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        a = default_float(a) if type(a) is _ndarray else a
        b = default_float(b) if type(b) is _ndarray else b
        self.save_for_backward(a, b)
        return _bin(xp.arctan2, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        d = a * a + b * b
        n = self.needs_input_grad
        return (g * b / d if n[0] else None), (-g * a / d if n[1] else None)


class Lerp(Node):
    def forward(self, a, b, w):
        a, b = promote(a, b)
        self.save_for_backward(a, b, w)
        return a + w * (b - a)

    def backward(self, g):
        a, b, w = self.saved_tensors
        n = self.needs_input_grad
        return (g * (1 - w) if n[0] else None), (g * w if n[1] else None), \
            (g * (b - a) if len(n) > 2 and n[2] else None)


# ---- comparisons and logic (never differentiable) ------------------------------
class _Compare(Node):
    differentiable = False
    fn = None

    def forward(self, a, b):
        a, b = promote(a, b)
        return _bin(self.fn, a, b)


def _cmp(name, fn):
    return type(name, (_Compare,), {"fn": staticmethod(fn)})


Eq = _cmp("Eq", xp.equal)
Ne = _cmp("Ne", xp.not_equal)
Lt = _cmp("Lt", xp.less)
Le = _cmp("Le", xp.less_equal)
Gt = _cmp("Gt", xp.greater)
Ge = _cmp("Ge", xp.greater_equal)
LogicalAnd = _cmp("LogicalAnd", xp.logical_and)
LogicalOr = _cmp("LogicalOr", xp.logical_or)
LogicalXor = _cmp("LogicalXor", xp.logical_xor)


def _bitwise_check(a, b):
    for x in (a, b):
        if type(x) is _ndarray and x.dtype.kind not in "biu":
            raise RuntimeError(f'"bitwise_and_cpu" not implemented for '
                               f"'{_dtype._FROM_NP[x.dtype].name.capitalize()}'")


class _Bitwise(Node):
    differentiable = False
    fn = None

    def forward(self, a, b):
        a, b = promote(a, b)
        _bitwise_check(a, b)
        return _bin(self.fn, a, b)


BitwiseAnd = type("BitwiseAnd", (_Bitwise,), {"fn": staticmethod(xp.bitwise_and)})
BitwiseOr = type("BitwiseOr", (_Bitwise,), {"fn": staticmethod(xp.bitwise_or)})
BitwiseXor = type("BitwiseXor", (_Bitwise,), {"fn": staticmethod(xp.bitwise_xor)})


class LogicalNot(Node):
    differentiable = False

    def forward(self, a):
        return xp.logical_not(a)


class BitwiseNot(Node):
    differentiable = False

    def forward(self, a):
        if a.dtype.kind == "f":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            "tensors")
        return xp.invert(a)


class FloorDivide(Node):
    differentiable = False

    def forward(self, a, b):
        a, b = promote(a, b)
        if xp.result_type(a, b).kind in "iu":
            _check_int_div(b)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return _bin(xp.floor_divide, a, b)


# ---- unary math ----------------------------------------------------------------
class Neg(Node):
    def forward(self, a):
        if a.dtype == xp.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return xp.negative(a)

    def backward(self, g):
        return -g


class Abs(Node):
    def forward(self, a):
        self.save_for_backward(a)
        return xp.abs(a)

    def backward(self, g):
        a, = self.saved_tensors
        return g * xp.sign(a)


class Sign(Node):
    def forward(self, a):
        self.shape = a.shape
        if a.dtype == xp.bool_:
            return a.copy()
        return xp.sign(a)

    def backward(self, g):
        return xp.zeros_like(g)


class _Unary(Node):
    """Float-valued unary op: integer inputs are computed in the default float dtype."""

    def forward(self, a):
        a = default_float(a)
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self.f(a)


class Exp(_Unary):
    def forward(self, a):
        a = default_float(a)
        with xp.errstate(over="ignore"):
            out = xp.exp(a)
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * out


class Exp2(_Unary):
    def forward(self, a):
        out = xp.exp2(default_float(a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * out * math.log(2.0)


class Expm1(_Unary):
    def forward(self, a):
        with xp.errstate(over="ignore"):
            out = xp.expm1(default_float(a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * (out + 1)


def _saving_input(name, f, df, backward_name=None):
    """A unary op that saves its (float) input and whose derivative is ``df(x)``."""

    def forward(self, a):
        a = default_float(a)
        self.save_for_backward(a)
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return f(a)

    def backward(self, g):
        a, = self.saved_tensors
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return g * df(a)

    attrs = {"forward": forward, "backward": backward}
    if backward_name:
        attrs["_name"] = backward_name
    return type(name, (Node,), attrs)


Log = _saving_input("Log", xp.log, lambda x: 1 / x)
Log2 = _saving_input("Log2", xp.log2, lambda x: 1 / (x * math.log(2.0)))
Log10 = _saving_input("Log10", xp.log10, lambda x: 1 / (x * math.log(10.0)))
Log1p = _saving_input("Log1p", xp.log1p, lambda x: 1 / (x + 1))
Sin = _saving_input("Sin", xp.sin, xp.cos)
Cos = _saving_input("Cos", xp.cos, lambda x: -xp.sin(x))
Tan = _saving_input("Tan", xp.tan, lambda x: 1 + xp.tan(x) ** 2)
Asin = _saving_input("Asin", xp.arcsin, lambda x: 1 / xp.sqrt(1 - x * x))
Acos = _saving_input("Acos", xp.arccos, lambda x: -1 / xp.sqrt(1 - x * x))
Atan = _saving_input("Atan", xp.arctan, lambda x: 1 / (1 + x * x))
Sinh = _saving_input("Sinh", xp.sinh, xp.cosh)
Cosh = _saving_input("Cosh", xp.cosh, xp.sinh)
Asinh = _saving_input("Asinh", xp.arcsinh, lambda x: 1 / xp.sqrt(x * x + 1))
Acosh = _saving_input("Acosh", xp.arccosh, lambda x: 1 / xp.sqrt(x * x - 1))
Atanh = _saving_input("Atanh", xp.arctanh, lambda x: 1 / (1 - x * x))


def _erf_np(x):
    """Error function in NumPy (Abramowitz-Stegun is too coarse; use math.erf vectorised)."""
    return _verf(x).astype(x.dtype, copy=False)


_verf = xp.vectorize(math.erf, otypes=[xp.float64])
_verfc = xp.vectorize(math.erfc, otypes=[xp.float64])


def _erfinv_np(y):
    """Inverse error function: initial rational guess + two Newton steps in float64."""
    y64 = y.astype(xp.float64)
    a = 0.147
    ln = xp.log(xp.maximum(1 - y64 * y64, 1e-300))
    t = 2 / (math.pi * a) + ln / 2
    x = xp.sign(y64) * xp.sqrt(xp.sqrt(t * t - ln / a) - t)
    for _ in range(3):
        err = _verf(x) - y64
        x = x - err / (2 / math.sqrt(math.pi) * xp.exp(-x * x))
    x = xp.where(y64 == 1, xp.inf, xp.where(y64 == -1, -xp.inf, x))
    x = xp.where(xp.abs(y64) > 1, xp.nan, x)
    return x.astype(y.dtype)


Erf = _saving_input("Erf", _erf_np, lambda x: 2 / math.sqrt(math.pi) * xp.exp(-x * x))
Erfc = _saving_input("Erfc", lambda x: _verfc(x).astype(x.dtype),
                     lambda x: -2 / math.sqrt(math.pi) * xp.exp(-x * x))


class Erfinv(Node):
    def forward(self, a):
        out = _erfinv_np(default_float(a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * (math.sqrt(math.pi) / 2) * xp.exp(out * out)


class Sqrt(Node):
    def forward(self, a):
        with xp.errstate(invalid="ignore"):
            out = xp.sqrt(default_float(a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        with xp.errstate(divide="ignore"):
            return g / (2 * out)


class Rsqrt(Node):
    def forward(self, a):
        with xp.errstate(divide="ignore", invalid="ignore"):
            out = 1 / xp.sqrt(default_float(a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * -0.5 * out * out * out


class Reciprocal(Node):
    def forward(self, a):
        with xp.errstate(divide="ignore"):
            out = xp.reciprocal(default_float(a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return -g * out * out


class Tanh(Node):
    def forward(self, a):
        out = xp.tanh(default_float(a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * (1 - out * out)


class Sigmoid(Node):
    def forward(self, a):
        a = default_float(a)
        with xp.errstate(over="ignore"):
            out = 1 / (1 + xp.exp(-a))
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * out * (1 - out)


class Relu(Node):
    def forward(self, a):
        if a.dtype == xp.bool_:
            raise RuntimeError('"clamp_min_cpu" not implemented for \'Bool\'')
        out = xp.maximum(a, 0)
        self.save_for_backward(out)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * (out > 0)


class _ZeroGrad(Node):
    """Piecewise-constant ops (floor, round...): gradient is zero."""

    f = None

    def forward(self, a):
        return self.f(a) if a.dtype.kind in "fc" else a.copy()

    def backward(self, g):
        return xp.zeros_like(g)


Floor = type("Floor", (_ZeroGrad,), {"f": staticmethod(xp.floor)})
Ceil = type("Ceil", (_ZeroGrad,), {"f": staticmethod(xp.ceil)})
Trunc = type("Trunc", (_ZeroGrad,), {"f": staticmethod(xp.trunc)})


class Round(_ZeroGrad):
    def forward(self, a, decimals=0):
        if a.dtype.kind not in "fc":
            return a.copy()
        return xp.round(a, decimals) if decimals else xp.rint(a)


class Frac(Node):
    def forward(self, a):
        return a - xp.trunc(a)

    def backward(self, g):
        return g


class Clamp(Node):
    _name = "ClampBackward1"

    def forward(self, a, lo=None, hi=None):
        if type(lo) is _ndarray or type(hi) is _ndarray:
            self._name = "ClampBackward0"
        if lo is None and hi is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        out = a
        if lo is not None:
            if type(lo) is _ndarray:
                out, lo = promote(out, lo)
            elif isinstance(lo, float) and a.dtype.kind in "biu":
                out = default_float(out)
            out = xp.maximum(out, lo)
        if hi is not None:
            if type(hi) is _ndarray:
                out, hi = promote(out, hi)
            elif isinstance(hi, float) and out.dtype.kind in "biu":
                out = default_float(out)
            out = xp.minimum(out, hi)
        if out is a:
            out = a.copy()
        self.save_for_backward(a)
        self.lo, self.hi = lo, hi
        return out

    def backward(self, g):
        a, = self.saved_tensors
        lo, hi = self.lo, self.hi
        mask = xp.ones(a.shape, dtype=bool)
        if lo is not None:
            mask &= a >= lo
        if hi is not None:
            mask &= a <= hi
        ga = g * mask
        n = self.needs_input_grad
        glo = ghi = None
        if len(n) > 1 and n[1]:
            glo = g * (a < lo)
        if len(n) > 2 and n[2]:
            ghi = g * (a > hi)
        return ga, glo, ghi


class Where(Node):
    def forward(self, cond, a, b):
        if type(cond) is _ndarray and cond.dtype != xp.bool_:
            raise RuntimeError(
                f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{_dtype._FROM_NP[cond.dtype].name.capitalize()}")
        a, b = promote(a, b)
        self.save_for_backward(cond)
        try:
            return xp.where(cond, a, b)
        except ValueError:
            check_broadcast(xp.shape(cond), xp.shape(a))
            check_broadcast(xp.shape(a), xp.shape(b))
            raise

    def backward(self, g):
        cond, = self.saved_tensors
        n = self.needs_input_grad
        return None, (xp.where(cond, g, 0) if n[1] else None), \
            (xp.where(cond, 0, g) if n[2] else None)


class IsNan(Node):
    differentiable = False

    def forward(self, a):
        return xp.isnan(a)


class IsInf(Node):
    differentiable = False

    def forward(self, a):
        return xp.isinf(a)


class IsFinite(Node):
    differentiable = False

    def forward(self, a):
        return xp.isfinite(a)


class NanToNum(Node):
    def forward(self, a, nan=0.0, posinf=None, neginf=None):
        self.save_for_backward(a)
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        a, = self.saved_tensors
        return g * xp.isfinite(a)


# ---- public functions (torch.<name>; also Tensor methods) ------------------------
def _check_operand(x, name="other"):
    if isinstance(x, (Tensor, int, float, bool, complex, xp.number, xp.bool_)):
        return x
    raise TypeError(f"{name}(): argument 'other' must be Tensor or Number, not "
                    f"{type(x).__name__}")


def _out(res, out):
    if out is None:
        return res
    from ._inplace import _write
    if out._data.shape != res._data.shape:
        out._data = xp.empty(res._data.shape, dtype=out._data.dtype)
    _write(out, res._data)
    out._version[0] += 1
    return out


def add(input, other, *, alpha=1, out=None):
    return _out(apply(Add, input, _check_operand(other, "add"), alpha=alpha), out)


def sub(input, other, *, alpha=1, out=None):
    return _out(apply(Sub, input, _check_operand(other, "sub"), alpha=alpha), out)


subtract = sub


def rsub(input, other, *, alpha=1):
    return apply(RSub, input, other, alpha=alpha)


def mul(input, other, *, out=None):
    return _out(apply(Mul, input, _check_operand(other, "mul")), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    return _out(apply(Div, input, _check_operand(other, "div"), rounding_mode=rounding_mode), out)


divide = div


def true_divide(input, other):
    return div(input, other)


def floor_divide(input, other):
    return apply(FloorDivide, input, other)


def remainder(input, other):
    return apply(Remainder, input, other)


def fmod(input, other):
    return apply(Fmod, input, other)


def pow(input, exponent, *, out=None):
    return _out(apply(Pow, input, exponent), out)


def float_power(input, exponent):
    a = input.double() if isinstance(input, Tensor) else input
    e = exponent.double() if isinstance(exponent, Tensor) else exponent
    return pow(a, e)


def square(input):
    return apply(Pow, input, 2)


def maximum(input, other):
    return apply(Maximum, input, other)


def minimum(input, other):
    return apply(Minimum, input, other)


fmax = maximum
fmin = minimum


def atan2(input, other):
    return apply(Atan2, input, other)


arctan2 = atan2


def lerp(input, end, weight):
    return apply(Lerp, input, end, weight)


def eq(input, other):
    return apply(Eq, input, other)


def ne(input, other):
    return apply(Ne, input, other)


def lt(input, other):
    return apply(Lt, input, other)


def le(input, other):
    return apply(Le, input, other)


def gt(input, other):
    return apply(Gt, input, other)


def ge(input, other):
    return apply(Ge, input, other)


not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def logical_and(input, other):
    return apply(LogicalAnd, input, other)


def logical_or(input, other):
    return apply(LogicalOr, input, other)


def logical_xor(input, other):
    return apply(LogicalXor, input, other)


def logical_not(input):
    return apply(LogicalNot, input)


def bitwise_and(input, other):
    return apply(BitwiseAnd, input, other)


def bitwise_or(input, other):
    return apply(BitwiseOr, input, other)


def bitwise_xor(input, other):
    return apply(BitwiseXor, input, other)


def bitwise_not(input):
    return apply(BitwiseNot, input)


def _unary(cls):
    def fn(input, *, out=None):
        return _out(apply(cls, input), out)
    fn.__name__ = cls.__name__.lower()
    fn.__doc__ = f"Elementwise {cls.__name__.lower()} (differentiable)."
    return fn


neg = _unary(Neg)
negative = neg
abs = _unary(Abs)
absolute = abs
sign = _unary(Sign)
sgn = sign
exp = _unary(Exp)
exp2 = _unary(Exp2)
expm1 = _unary(Expm1)
log = _unary(Log)
log2 = _unary(Log2)
log10 = _unary(Log10)
log1p = _unary(Log1p)
sqrt = _unary(Sqrt)
rsqrt = _unary(Rsqrt)
reciprocal = _unary(Reciprocal)
sin = _unary(Sin)
cos = _unary(Cos)
tan = _unary(Tan)
asin = arcsin = _unary(Asin)
acos = arccos = _unary(Acos)
atan = arctan = _unary(Atan)
sinh = _unary(Sinh)
cosh = _unary(Cosh)
asinh = arcsinh = _unary(Asinh)
acosh = arccosh = _unary(Acosh)
atanh = arctanh = _unary(Atanh)
tanh = _unary(Tanh)
sigmoid = _unary(Sigmoid)
relu = _unary(Relu)
erf = _unary(Erf)
erfc = _unary(Erfc)
erfinv = _unary(Erfinv)
floor = _unary(Floor)
ceil = _unary(Ceil)
trunc = fix = _unary(Trunc)
frac = _unary(Frac)


def round(input, *, decimals=0):
    return apply(Round, input, decimals=decimals)


def clamp(input, min=None, max=None, *, out=None):
    return _out(apply(Clamp, input, min, max), out)


clip = clamp


def clamp_min(input, min):
    return apply(Clamp, input, min, None)


def clamp_max(input, max):
    return apply(Clamp, input, None, max)


def where(condition, input=None, other=None):
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    return apply(Where, condition, input, other)


def isnan(input):
    return apply(IsNan, input)


def isinf(input):
    return apply(IsInf, input)


def isfinite(input):
    return apply(IsFinite, input)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return apply(NanToNum, input, nan=nan, posinf=posinf, neginf=neginf)
