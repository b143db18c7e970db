"""torch.special: special functions with autograd (NumPy only, no SciPy).

Primitives with their own gradient live here (lgamma, digamma, trigamma, i0, i1); the rest are
composites of numtorch ops, so autograd follows from the primitives.  The series are evaluated
in float64 and cast back to the input's dtype.
"""
import math

from ._tensor import Tensor, _wrap
from .autograd.graph import Node, apply
from .backends import xp
from . import _creation
from .ops import elementwise as E
from .ops import reduction as R
from .ops.activation import softmax as _softmax, log_softmax as _log_softmax

__all__ = ["erf", "erfc", "erfinv", "erfcx", "expit", "logit", "exp2", "expm1", "log1p",
           "gammaln", "digamma", "psi", "polygamma", "multigammaln", "sinc", "ndtr", "ndtri",
           "log_ndtr", "i0", "i0e", "i1", "i1e", "xlogy", "xlog1py", "entr", "round", "softmax",
           "log_softmax", "logsumexp"]

_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)


def _f64(a):
    return a.astype(xp.float64) if a.dtype != xp.float64 else a


def _out_dtype(a):
    from ._dtype import get_default_dtype
    return a.dtype if a.dtype.kind == "f" else get_default_dtype().np


def _lgamma_np(x):
    """log|Gamma(x)| by Lanczos (g=7, 9 terms) with reflection below 1/2."""
    x = _f64(x)
    refl = x < 0.5
    z = xp.where(refl, 1.0 - x, x) - 1.0
    s = xp.full_like(z, _LANCZOS[0])
    for k in range(1, 9):
        s = s + _LANCZOS[k] / (z + k)
    t = z + _LANCZOS_G + 0.5
    with xp.errstate(divide="ignore", invalid="ignore"):
        lg = 0.5 * math.log(2 * math.pi) + (z + 0.5) * xp.log(t) - t + xp.log(s)
        sinpx = xp.abs(xp.sin(math.pi * x))
        out = xp.where(refl, math.log(math.pi) - xp.log(sinpx) - lg, lg)
        out = xp.where((x <= 0) & (x == xp.floor(x)), xp.inf, out)
    return out


def _digamma_np(x):
    """psi(x): recurrence up to x >= 6, then the asymptotic series; reflection for x < 0."""
    x = _f64(x)
    refl = x < 0
    y = xp.where(refl, 1.0 - x, x)
    acc = xp.zeros_like(y)
    for _ in range(6):
        small = y < 6
        acc = acc - xp.where(small, 1.0 / xp.where(small & (y != 0), y, 1.0), 0.0)
        y = xp.where(small, y + 1, y)
    inv2 = 1.0 / (y * y)
    series = xp.log(y) - 0.5 / y - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (
        1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    out = acc + series
    with xp.errstate(divide="ignore", invalid="ignore"):
        out = xp.where(refl, out - math.pi / xp.tan(math.pi * x), out)
        out = xp.where((x <= 0) & (x == xp.floor(x)), xp.nan, out)
        out = xp.where(x == 0, -xp.inf, out)
    return out


def _trigamma_np(x):
    """psi'(x): recurrence up to x >= 6, asymptotic series; reflection for x < 0."""
    x = _f64(x)
    refl = x < 0
    y = xp.where(refl, 1.0 - x, x)
    acc = xp.zeros_like(y)
    for _ in range(6):
        small = y < 6
        acc = acc + xp.where(small, 1.0 / xp.where(small & (y != 0), y, 1.0) ** 2, 0.0)
        y = xp.where(small, y + 1, y)
    inv = 1.0 / y
    inv2 = inv * inv
    series = inv + inv2 / 2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (
        1 / 42 - inv2 * (1 / 30 - inv2 * 5 / 66))))
    out = acc + series
    with xp.errstate(divide="ignore", invalid="ignore"):
        out = xp.where(refl, -out + (math.pi / xp.sin(math.pi * x)) ** 2, out)
    return out


def _bessel_np(x, order):
    """Modified Bessel I0 / I1: power series for |x| <= 15, asymptotic expansion beyond."""
    x = _f64(x)
    ax = xp.abs(x)
    h = (xp.minimum(ax, 15.0) / 2) ** 2
    term = xp.ones_like(x) if order == 0 else xp.minimum(ax, 15.0) / 2
    s = term.copy()
    for k in range(1, 60):
        term = term * h / (k * (k + order))
        s = s + term
    mu = 4.0 * order * order
    with xp.errstate(over="ignore", divide="ignore", invalid="ignore"):
        big = xp.maximum(ax, 15.0)
        corr = xp.ones_like(x)
        term = xp.ones_like(x)
        for k in range(1, 12):
            term = -term * (mu - (2 * k - 1) ** 2) / (k * 8 * big)
            corr = corr + term
        asym = xp.exp(big) / xp.sqrt(2 * math.pi * big) * corr
    out = xp.where(ax <= 15.0, s, asym)
    return out if order == 0 else xp.sign(x) * out


class _Unary(Node):
    """f(x) evaluated in float64 and returned in x's (float) dtype; grad from ``df``."""
    f = df = None

    def forward(self, a):
        self._saved = (a,)
        return type(self).f(a).astype(_out_dtype(a), copy=False)

    def backward(self, g):
        a, = self.saved_tensors
        return g * type(self).df(a).astype(g.dtype, copy=False)


def _unary(name, f, df):
    return type(name, (_Unary,), {"f": staticmethod(f), "df": staticmethod(df)})


def _no_grad_df(name):
    def df(a):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")
    return df


Lgamma = _unary("Lgamma", _lgamma_np, _digamma_np)
Digamma = _unary("Digamma", _digamma_np, _trigamma_np)
Trigamma = _unary("Polygamma", _trigamma_np, _no_grad_df("polygamma(2, x)"))
I0 = _unary("I0", lambda a: _bessel_np(a, 0), lambda a: _bessel_np(a, 1))
I1 = _unary("SpecialI1", lambda a: _bessel_np(a, 1),
            lambda a: _bessel_np(a, 0) - xp.where(a == 0, 0.5, _bessel_np(a, 1) /
                                                   xp.where(a == 0, 1.0, _f64(a))))


def _t(x):
    return x if isinstance(x, Tensor) else _creation.tensor(x)


def gammaln(input):
    return apply(Lgamma, input)


def digamma(input):
    return apply(Digamma, input)


psi = digamma


def polygamma(n, input):
    if n == 0:
        return digamma(input)
    if n == 1:
        return apply(Trigamma, input)
    raise NotImplementedError(f"numtorch: polygamma is implemented for n = 0 and 1, got n={n}")


def multigammaln(input, p):
    if (input <= (p - 1) / 2).any():
        raise RuntimeError(f"All elements must be greater than (p-1)/2, but got p={p}")
    out = gammaln(input)
    for j in range(1, p):
        out = out + gammaln(input - j / 2)
    return out + p * (p - 1) / 4 * math.log(math.pi)


def i0(input):
    return apply(I0, input)


def i1(input):
    return apply(I1, input)


def i0e(input):
    return i0(input) * E.exp(-E.abs(input))


def i1e(input):
    return i1(input) * E.exp(-E.abs(input))


def erf(input):
    return E.erf(input)


def erfc(input):
    return E.erfc(input)


def erfinv(input):
    return E.erfinv(input)


def erfcx(input):
    return E.exp(input * input) * E.erfc(input)


def expit(input):
    return E.sigmoid(input)


def logit(input, eps=None):
    if eps is not None:
        input = E.clamp(input, eps, 1 - eps)
    return E.log(input / (1 - input))


def exp2(input):
    return E.exp2(input)


def expm1(input):
    return E.expm1(input)


def log1p(input):
    return E.log1p(input)


def sinc(input):
    px = input * math.pi
    safe = E.where(input == 0, _ones_like(input), px)
    return E.where(input == 0, _ones_like(input), E.sin(safe) / safe)


def ndtr(input):
    return 0.5 * E.erfc(input * (-1 / math.sqrt(2)))


def ndtri(input):
    return math.sqrt(2) * E.erfinv(2 * input - 1)


def log_ndtr(input):
    return E.log(ndtr(input))


def xlogy(input, other):
    input, other = _t(input), _t(other)
    return E.where(input == 0, input * 0, input * E.log(other))


def xlog1py(input, other):
    input, other = _t(input), _t(other)
    return E.where(input == 0, input * 0, input * E.log1p(other))


def entr(input):
    pos = E.where(input > 0, -input * E.log(E.where(input > 0, input, _ones_like(input))),
                  input * 0)
    return E.where(input < 0, _full_like(input, -math.inf), pos)


def round(input, *, decimals=0):
    return E.round(input, decimals=decimals)


def softmax(input, dim, *, dtype=None):
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _log_softmax(input, dim, dtype=dtype)


def logsumexp(input, dim, keepdim=False):
    return R.logsumexp(input, dim, keepdim)


def _ones_like(t):
    return _wrap(xp.ones_like(t._data))


def _full_like(t, v):
    return _wrap(xp.full_like(t._data, v))
