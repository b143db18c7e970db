"""Elementwise ops: arithmetic, math functions, activations, comparisons.

Each op is a Node with ``forward`` (arrays in, array out) and ``backward``
(one gradient per input) side by side. Gradients may have the broadcast
shape: the engine sums them back to each input's shape.
"""
import math

from ..backends import xp, quiet

from ..autograd.graph import Node, apply
from .._tensor import Tensor
from .. import _dtype
from ._utils import promote, default_float, check_broadcast

_ndarray = xp.ndarray
_LOG2 = math.log(2.0)
_LOG10 = math.log(10.0)
_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)


def _bin(fn, a, b):
    try:
        return fn(a, b)
    except ValueError:
        check_broadcast(xp.shape(a), xp.shape(b))
        raise


def _qbin(fn, a, b):
    """``fn(a, b)`` without floating-point warnings (1/0 is inf, as in torch)."""
    try:
        return quiet(fn, a, b)
    except ValueError:
        check_broadcast(xp.shape(a), xp.shape(b))
        raise


def _is_int(a, b):
    """Both operands integral (or bool): true division / pow rules differ."""
    ka = a.dtype.kind if type(a) is _ndarray else ("i" if isinstance(a, int) else "f")
    kb = b.dtype.kind if type(b) is _ndarray else ("i" if isinstance(b, int) else "f")
    return ka in "biu" and kb in "biu"


# ---- binary arithmetic -----------------------------------------------------
class Add(Node):
    alpha = 1

    def forward(self, a, b, alpha=1):
        a, b = promote(a, b)
        if alpha != 1:
            self.alpha = alpha
            b = b * alpha
        try:
            return a + b
        except ValueError:
            check_broadcast(xp.shape(a), xp.shape(b))
            raise

    def backward(self, g):
        n = self.needs_input_grad
        alpha = self.alpha
        return (g if n[0] else None), ((g if alpha == 1 else g * alpha) if n[1] else None)


def _check_bool_sub(a, b):
    if type(a) is _ndarray and a.dtype == xp.bool_ and (
            (type(b) is _ndarray and b.dtype == xp.bool_) or isinstance(b, bool)):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead.")


class Sub(Node):
    alpha = 1

    def forward(self, a, b, alpha=1):
        a, b = promote(a, b)
        _check_bool_sub(a, b)
        if alpha != 1:
            self.alpha = alpha
            b = b * alpha
        try:
            return a - b
        except ValueError:
            check_broadcast(xp.shape(a), xp.shape(b))
            raise

    def backward(self, g):
        n = self.needs_input_grad
        alpha = self.alpha
        return (g if n[0] else None), ((-g if alpha == 1 else g * -alpha) if n[1] else None)


class RSub(Node):
    """other - alpha * input (torch.rsub; also ``number - tensor``)."""

    _name = "RsubBackward1"
    alpha = 1

    def forward(self, a, b, alpha=1):
        if type(b) is _ndarray:
            self._name = "RsubBackward0"
        a, b = promote(a, b)
        _check_bool_sub(b, a)
        self.alpha = alpha
        return _bin(xp.subtract, b, a * alpha if alpha != 1 else a)

    def backward(self, g):
        n = self.needs_input_grad
        alpha = self.alpha
        return ((-g if alpha == 1 else g * -alpha) if n[0] else None), (g if n[1] else None)


class Mul(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        self._saved = (a, b)
        try:
            return a * b
        except ValueError:
            check_broadcast(xp.shape(a), xp.shape(b))
            raise

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        return (g * b if n[0] else None), (g * a if n[1] else None)


class Div(Node):
    rounding_mode = None

    def forward(self, a, b, rounding_mode=None):
        a, b = promote(a, b)
        if rounding_mode is None:
            if _is_int(a, b):   # integer true division gives the default float dtype
                if type(a) is _ndarray:
                    a = default_float(a)
                if type(b) is _ndarray:
                    b = default_float(b)
            self._saved = (a, b)
            return _qbin(xp.true_divide, a, b)
        self.rounding_mode = rounding_mode
        self._name = "DivBackward2" if type(b) is _ndarray else "DivBackward3"
        if rounding_mode == "trunc":
            if _is_int(a, b):
                _check_int_div(b)
                q = _qbin(xp.floor_divide, a, b)
                return q + ((_qbin(xp.remainder, a, b) != 0) & ((xp.sign(a) * xp.sign(b)) < 0))
            return xp.trunc(_qbin(xp.true_divide, a, b))
        if rounding_mode == "floor":
            if _is_int(a, b):
                _check_int_div(b)
            return _qbin(xp.floor_divide, a, b)
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'")

    def backward(self, g):
        n = self.needs_input_grad
        if self.rounding_mode is not None:
            return tuple(xp.zeros_like(g) if x else None for x in n)
        a, b = self.saved_tensors
        ga = quiet(xp.true_divide, g, b) if n[0] else None
        gb = quiet(_div_grad_b, g, a, b) if n[1] else None
        return ga, gb


def _div_grad_b(g, a, b):
    return -g * a / (b * b)


def _check_int_div(b):
    if xp.any(xp.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


class Remainder(Node):
    """Python-style modulo (result has the sign of the divisor)."""

    def forward(self, a, b):
        if type(a) is not _ndarray:
            # remainder(Scalar, Tensor) has no derivative in torch
            self._name = "torch::autograd::NotImplemented"
        elif type(b) is _ndarray:
            self._name = "RemainderBackward1"
        a, b = promote(a, b)
        self._saved = (a, b)
        if _is_int(a, b):
            _check_int_div(b)
        return _qbin(xp.remainder, a, b)

    def backward(self, g):
        if type(self).name(self) == "torch::autograd::NotImplemented":
            raise RuntimeError("the derivative for 'remainder' is not implemented.")
        a, b = self.saved_tensors
        n = self.needs_input_grad
        gb = quiet(_rem_grad_b, g, a, b) if n[1] else None
        return (g if n[0] else None), gb


def _rem_grad_b(g, a, b):
    return -g * xp.floor_divide(a, b)


class Fmod(Node):
    """C-style remainder (result has the sign of the dividend)."""

    def forward(self, a, b):
        if type(b) is _ndarray:
            self._name = "FmodBackward1"
        a, b = promote(a, b)
        self._saved = (a, b)
        if _is_int(a, b):
            _check_int_div(b)
        return _qbin(xp.fmod, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        gb = quiet(_fmod_grad_b, g, a, b) if n[1] else None
        return (g if n[0] else None), gb


def _fmod_grad_b(g, a, b):
    return -g * xp.trunc(a / b)


class Pow(Node):
    def forward(self, a, b):
        if type(a) is not _ndarray:
            self._name = "PowBackward2"
        elif type(b) is _ndarray:
            self._name = "PowBackward1"
        a, b = promote(a, b)
        if _is_int(a, b) and xp.any(xp.asarray(b) < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if type(b) is not _ndarray and b == 2:
            out = a * a
        else:
            out = _qbin(xp.power, a, b)
        self._saved = (a, b, out)
        return out

    def backward(self, g):
        a, b, out = self.saved_tensors
        n = self.needs_input_grad
        ga = gb = None
        if n[0]:
            if type(b) is not _ndarray:
                if b == 0:
                    ga = xp.zeros_like(g)
                elif b == 2:
                    ga = g * (2 * a)
                else:
                    ga = g * (b * quiet(xp.power, a, b - 1))
            else:
                ga = quiet(_pow_grad_a, g, a, b)
        if n[1]:
            gb = quiet(_pow_grad_b, g, a, b, out)
        return ga, gb


def _pow_grad_a(g, a, b):
    return xp.where(b == 0, 0, g * b * xp.power(a, b - 1))


def _pow_grad_b(g, a, b, out):
    # torch masks base == 0 with exponent >= 0 to a zero gradient
    return xp.where((a == 0) & (b >= 0), 0, g * out * xp.log(a))


class Maximum(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        self._saved = (a, b)
        return _bin(xp.maximum, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        # ties split the gradient evenly, as torch does
        w = (a > b) + (a == b) * 0.5
        w = w.astype(g.dtype, copy=False)
        return (g * w if n[0] else None), (g * (1 - w) if n[1] else None)


class Minimum(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        self._saved = (a, b)
        return _bin(xp.minimum, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        w = (a < b) + (a == b) * 0.5
        w = w.astype(g.dtype, copy=False)
        return (g * w if n[0] else None), (g * (1 - w) if n[1] else None)


class Atan2(Node):
    def forward(self, a, b):
        a, b = promote(a, b)
        if type(a) is _ndarray and a.dtype.kind in "biu":
            a = default_float(a)
        if type(b) is _ndarray and b.dtype.kind in "biu":
            b = default_float(b)
        self._saved = (a, b)
        return _bin(xp.arctan2, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        d = a * a + b * b
        n = self.needs_input_grad
        return (quiet(xp.true_divide, g * b, d) if n[0] else None), \
            (quiet(xp.true_divide, -g * a, d) if n[1] else None)


class Lerp(Node):
    """start + weight * (end - start), computed as torch does for float precision."""

    def forward(self, a, b, w):
        if type(w) is _ndarray:
            self._name = "LerpBackward1"
        a, b = promote(a, b)
        self._saved = (a, b, w)
        d = b - a
        if type(w) is _ndarray:
            return xp.where(xp.abs(w) < 0.5, a + w * d, b - d * (1 - w)).astype(
                a.dtype, copy=False)
        if abs(w) < 0.5:
            return a + w * d
        return b - d * (1 - w)

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


def _torch_type_name(np_dtype):
    from ._inplace import _type_name
    return _type_name(_dtype._FROM_NP[np_dtype])


def _bitwise_check(a, b, name):
    for x in (a, b):
        if type(x) is _ndarray and x.dtype.kind not in "biu":
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{_torch_type_name(x.dtype)}'")


class _Bitwise(Node):
    differentiable = False
    fn = None
    op_name = None

    def forward(self, a, b):
        a, b = promote(a, b)
        _bitwise_check(a, b, self.op_name)
        return _bin(self.fn, a, b)


BitwiseAnd = type("BitwiseAnd", (_Bitwise,), {"fn": staticmethod(xp.bitwise_and),
                                              "op_name": "bitwise_and"})
BitwiseOr = type("BitwiseOr", (_Bitwise,), {"fn": staticmethod(xp.bitwise_or),
                                            "op_name": "bitwise_or"})
BitwiseXor = type("BitwiseXor", (_Bitwise,), {"fn": staticmethod(xp.bitwise_xor),
                                              "op_name": "bitwise_xor"})


class LogicalNot(Node):
    differentiable = False

    def forward(self, a):
        return xp.logical_not(a)


class BitwiseNot(Node):
    differentiable = False

    def forward(self, a):
        if a.dtype.kind in "fc":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            "tensors")
        return xp.invert(a)


class FloorDivide(Node):
    """floor_divide: torch records it but has no derivative for it."""

    _name = "torch::autograd::NotImplemented"

    def forward(self, a, b):
        a, b = promote(a, b)
        if _is_int(a, b):
            _check_int_div(b)
        return _qbin(xp.floor_divide, a, b)

    def backward(self, g):
        raise RuntimeError("the derivative for 'floor_divide' is not implemented.")


# ---- unary math ----------------------------------------------------------------
class Neg(Node):
    def forward(self, a):
        if a.dtype == xp.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return -a

    def backward(self, g):
        return -g


class Abs(Node):
    def forward(self, a):
        self._saved = (a,)
        return xp.abs(a)

    def backward(self, g):
        a, = self.saved_tensors
        return g * xp.sign(a)


class Sign(Node):
    def forward(self, a):
        if a.dtype == xp.bool_:
            return a.copy()
        return xp.sign(a)

    def backward(self, g):
        return xp.zeros_like(g)


class Exp(Node):
    def forward(self, a):
        out = quiet(xp.exp, default_float(a))
        self._saved = (out,)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * out


class Exp2(Node):
    def forward(self, a):
        out = quiet(xp.exp2, default_float(a))
        self._saved = (out,)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * out * _LOG2


class Expm1(Node):
    def forward(self, a):
        out = quiet(xp.expm1, default_float(a))
        self._saved = (out,)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * (out + 1)


def _saving_input(name, f, df, backward_name=None):
    """A unary op that saves its (float) input and whose derivative is ``df(x)``."""

    def forward(self, a):
        if a.dtype.kind in "biu":
            a = default_float(a)
        self._saved = (a,)
        return quiet(f, a)

    def backward(self, g):
        a, = self.saved_tensors
        return g * quiet(df, a)

    attrs = {"forward": forward, "backward": backward}
    if backward_name:
        attrs["_name"] = backward_name
    return type(name, (Node,), attrs)


Log = _saving_input("Log", xp.log, lambda x: 1 / x)
Log2 = _saving_input("Log2", xp.log2, lambda x: 1 / (x * _LOG2))
Log10 = _saving_input("Log10", xp.log10, lambda x: 1 / (x * _LOG10))
Log1p = _saving_input("Log1p", xp.log1p, lambda x: 1 / (x + 1), "Log1PBackward0")
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
def _no_inplace_derivative(cls):
    """torch records asinh_/acosh_/atanh_ as <Op>Backward1 and cannot differentiate them."""
    name = cls.__name__.lower()

    def backward(self, g):
        raise NotImplementedError(f"the derivative for 'inplace version of {name}' is not "
                                  "implemented.")
    return type(cls.__name__ + "Inplace", (cls,), {"backward": backward,
                                                  "_name": cls.__name__ + "Backward1"})


AsinhInplace = _no_inplace_derivative(Asinh)
AcoshInplace = _no_inplace_derivative(Acosh)
AtanhInplace = _no_inplace_derivative(Atanh)


# ---- error function ---------------------------------------------------------------
# W. J. Cody's rational Chebyshev approximations (Math. Comp. 1969), evaluated in float64
# over the whole array at once: |x| < 0.5 for erf, 0.5 <= |x| < 4 and |x| >= 4 for erfc.
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)
_INV_SQRTPI = 1.0 / math.sqrt(math.pi)


def _erf_small(x):
    """erf(x) for |x| < 0.5."""
    z = x * x
    num = _ERF_A[4] * z
    den = z
    for i in range(3):
        num = (num + _ERF_A[i]) * z
        den = (den + _ERF_B[i]) * z
    return x * (num + _ERF_A[3]) / (den + _ERF_B[3])


def _exp_neg_sq(y):
    """exp(-y*y) without the cancellation error of forming y*y directly."""
    ys = xp.trunc(y * 16.0) / 16.0
    return xp.exp(-ys * ys) * xp.exp(-(y - ys) * (y + ys))


def _erfc_pos(y):
    """erfc(y) for y >= 0.5 (two ranges)."""
    out = xp.empty_like(y)
    mid = y < 4.0
    ym = y[mid]
    num = _ERF_C[8] * ym
    den = ym
    for i in range(7):
        num = (num + _ERF_C[i]) * ym
        den = (den + _ERF_D[i]) * ym
    out[mid] = (num + _ERF_C[7]) / (den + _ERF_D[7]) * _exp_neg_sq(ym)
    big = ~mid
    yb = y[big]
    z = 1.0 / (yb * yb)
    num = _ERF_P[5] * z
    den = z
    for i in range(4):
        num = (num + _ERF_P[i]) * z
        den = (den + _ERF_Q[i]) * z
    r = z * (num + _ERF_P[4]) / (den + _ERF_Q[4])
    out[big] = (_INV_SQRTPI - r) / yb * _exp_neg_sq(yb)
    return out


def _erf_parts(x):
    """(x as float64, |x| < 0.5 mask, erfc(|x|) on the rest) shared by erf and erfc."""
    x64 = xp.asarray(x, dtype=xp.float64)
    ax = xp.minimum(xp.abs(x64), 40.0)  # erfc(40) underflows to 0; keeps inf out of the math
    small = ax < 0.5
    rest = ~small
    rest &= ~xp.isnan(x64)
    return x64, small, rest, _erfc_pos(ax[rest])


def _erf_np(x):
    """Error function, float64-accurate, vectorised (result in ``x``'s dtype)."""
    x64, small, rest, ec = _erf_parts(x)
    out = xp.array(x64, copy=True)      # keeps NaN
    out[small] = _erf_small(x64[small])
    out[rest] = xp.copysign(1.0 - ec, x64[rest])
    return out.astype(x.dtype, copy=False)


def _erfc_np(x):
    """Complementary error function, float64-accurate, vectorised."""
    x64, small, rest, ec = _erf_parts(x)
    out = xp.array(x64, copy=True)
    out[small] = 1.0 - _erf_small(x64[small])
    out[rest] = xp.where(x64[rest] < 0, 2.0 - ec, ec)
    return out.astype(x.dtype, copy=False)


def _erfinv_np(y):
    """Inverse error function: closed-form initial guess + Newton steps in float64."""
    y64 = y.astype(xp.float64)
    a = 0.147
    ln = xp.log(xp.maximum(1 - y64 * y64, 1e-300))
    t = 2 / (math.pi * a) + ln / 2
    x = xp.sign(y64) * xp.sqrt(xp.sqrt(t * t - ln / a) - t)
    for _ in range(3):
        err = _erf_np(x) - y64
        x = x - err / (_TWO_OVER_SQRTPI * xp.exp(-x * x))
    x = xp.where(y64 == 1, xp.inf, xp.where(y64 == -1, -xp.inf, x))
    x = xp.where(xp.abs(y64) > 1, xp.nan, x)
    return x.astype(y.dtype)


Erf = _saving_input("Erf", _erf_np, lambda x: _TWO_OVER_SQRTPI * xp.exp(-x * x))
Erfc = _saving_input("Erfc", _erfc_np, lambda x: -_TWO_OVER_SQRTPI * xp.exp(-x * x))


class Erfinv(Node):
    def forward(self, a):
        out = quiet(_erfinv_np, default_float(a))
        self._saved = (out,)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * (math.sqrt(math.pi) / 2) * xp.exp(out * out)


class Sqrt(Node):
    def forward(self, a):
        out = quiet(xp.sqrt, default_float(a))
        self._saved = (out,)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return quiet(xp.true_divide, g, 2 * out)


class Rsqrt(Node):
    def forward(self, a):
        out = quiet(_rsqrt, default_float(a))
        self._saved = (out,)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * -0.5 * out * out * out


def _rsqrt(a):
    return 1 / xp.sqrt(a)


class Reciprocal(Node):
    def forward(self, a):
        out = quiet(xp.reciprocal, default_float(a))
        self._saved = (out,)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return -g * out * out


class Tanh(Node):
    def forward(self, a):
        out = xp.tanh(default_float(a))
        self._saved = (out,)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * (1 - out * out)


def _sigmoid(a):
    return 1 / (1 + xp.exp(-a))


class Sigmoid(Node):
    def forward(self, a):
        out = quiet(_sigmoid, default_float(a))
        self._saved = (out,)
        return out

    def backward(self, g):
        out, = self.saved_tensors
        return g * out * (1 - out)


class Relu(Node):
    def forward(self, a):
        if a.dtype == xp.bool_:
            raise RuntimeError('"clamp_min_cpu" not implemented for \'Bool\'')
        out = xp.maximum(a, 0)
        self._saved = (out,)
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
        if decimals:
            self._name = "RoundBackward1"
        if a.dtype.kind not in "fc":
            return a.copy()
        if not decimals:
            return xp.rint(a)
        # torch scales by 10**decimals, rounds half to even, then scales back
        s = 10.0 ** decimals
        if decimals > 0:
            return (xp.rint(a * a.dtype.type(s)) / a.dtype.type(s)).astype(a.dtype, copy=False)
        s = 10.0 ** -decimals
        return (xp.rint(a / a.dtype.type(s)) * a.dtype.type(s)).astype(a.dtype, copy=False)


class Frac(Node):
    def forward(self, a):
        if a.dtype.kind not in "fc":
            raise NotImplementedError(f'"frac_cpu" not implemented for '
                                      f"'{_torch_type_name(a.dtype)}'")
        return a - xp.trunc(a)

    def backward(self, g):
        return g


class Clamp(Node):
    """clamp(min, max) with scalar (ClampBackward1) or tensor (ClampBackward0) bounds."""

    _name = "ClampBackward1"

    def forward(self, a, lo=None, hi=None, name=None):
        if name is not None:
            self._name = name
        elif type(lo) is _ndarray or type(hi) is _ndarray:
            self._name = "ClampBackward0"
        if lo is None and hi is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        out = a
        if lo is not None:
            if type(lo) is _ndarray:
                out, lo = promote(out, lo)
            elif isinstance(lo, float) and out.dtype.kind in "biu":
                out = default_float(out)
            out = xp.maximum(out, lo)
        if hi is not None:
            if type(hi) is _ndarray:
                out, hi = promote(out, hi)
            elif isinstance(hi, float) and out.dtype.kind in "biu":
                out = default_float(out)
            out = xp.minimum(out, hi)
        if type(lo) is _ndarray and type(hi) is _ndarray:
            # torch: min(max(x, lo), hi) -- the upper bound wins where lo > hi
            pass
        if out is a:
            out = a.copy()
        self._saved = (a,)
        self.lo, self.hi = lo, hi
        return out

    def backward(self, g):
        a, = self.saved_tensors
        lo, hi = self.lo, self.hi
        if lo is not None and hi is not None:
            mask = (a >= lo) & (a <= hi)
        elif lo is not None:
            mask = a >= lo
        else:
            mask = a <= hi
        n = self.needs_input_grad
        ga = g * mask if n[0] else None
        glo = ghi = None
        if len(n) > 1 and n[1]:
            glo = g * (a < lo) if hi is None else g * ((a < lo) & (lo <= hi))
        if len(n) > 2 and n[2]:
            ghi = g * (a > hi) if lo is None else g * ((a > hi) | (lo > hi))
        return ga, glo, ghi


class Where(Node):
    def forward(self, cond, a, b):
        if type(cond) is _ndarray and cond.dtype != xp.bool_:
            raise RuntimeError(
                f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{_dtype._FROM_NP[cond.dtype].name.capitalize()}")
        a, b = promote(a, b)
        self._saved = (cond,)
        try:
            out = xp.where(cond, a, b)
        except ValueError:
            check_broadcast(xp.shape(cond), xp.shape(a))
            check_broadcast(xp.shape(a), xp.shape(b))
            raise
        if type(a) is not _ndarray and type(b) is not _ndarray:
            out = out.astype(xp.result_type(a, b) if isinstance(a, float) or
                             isinstance(b, float) else out.dtype)
        return out

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
        self._saved = (a,)
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        a, = self.saved_tensors
        return g * xp.isfinite(a)


# ---- public functions (torch.<name>; also Tensor methods) ------------------------
_OPERAND_TYPES = (Tensor, int, float, bool, complex, xp.number, xp.bool_)
_FAST_OPERANDS = frozenset((float, int))


def _check_operand(x, name="other"):
    if type(x) in _FAST_OPERANDS or isinstance(x, _OPERAND_TYPES):
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
    other = _check_operand(other, "add")
    r = apply(Add, input, other) if alpha == 1 else apply(Add, input, other, alpha=alpha)
    return r if out is None else _out(r, out)


def sub(input, other, *, alpha=1, out=None):
    other = _check_operand(other, "sub")
    r = apply(Sub, input, other) if alpha == 1 else apply(Sub, input, other, alpha=alpha)
    return r if out is None else _out(r, out)


subtract = sub


def rsub(input, other, *, alpha=1):
    return apply(RSub, input, other, alpha=alpha)


def mul(input, other, *, out=None):
    r = apply(Mul, input, _check_operand(other, "mul"))
    return r if out is None else _out(r, out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    other = _check_operand(other, "div")
    r = apply(Div, input, other) if rounding_mode is None else \
        apply(Div, input, other, rounding_mode=rounding_mode)
    return r if out is None else _out(r, out)


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
    return apply(Clamp, input, min, None, "ClampMinBackward0" if not isinstance(min, Tensor)
                 else "ClampMinBackward1")


def clamp_max(input, max):
    return apply(Clamp, input, None, max, "ClampMaxBackward0" if not isinstance(max, Tensor)
                 else "ClampMaxBackward1")


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
