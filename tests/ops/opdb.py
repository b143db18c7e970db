"""The op table: one record per op, read by tests/ops/test_opdb.py.

A record names the op, says how to call it (``fn(m, *args, **kwargs)`` where ``m`` is
``numtorch`` or ``torch``: the same code runs on both), which sample inputs to use, which
variants exist (function / method / in-place method) and which bad inputs must raise the
same exception type as torch.

Tensor arguments are described by ``T`` placeholders, materialised identically (same values,
same memory layout) for both libraries by the test.
"""
import numpy as np

FLOAT = "float32"


class T:
    """A tensor argument: shape, dtype, value range; ``nc`` makes it non-contiguous.

    ``values`` gives explicit contents (index tensors); ``grad`` defaults to True for floats.
    """

    def __init__(self, shape=(), dtype=FLOAT, low=-2.0, high=2.0, grad=None, nc=False,
                 values=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.low, self.high = low, high
        self.nc = nc
        self.values = None if values is None else np.asarray(values, dtype=dtype)
        if self.values is not None:
            self.shape = self.values.shape
        floating = np.dtype(dtype).kind in "fc"
        self.grad = floating if grad is None else grad

    def array(self, rng):
        """A fresh array (non-contiguous when ``nc``), values drawn from ``rng``."""
        if self.values is not None:
            arr = self.values.copy()
        else:
            kind = np.dtype(self.dtype).kind
            if kind == "b":
                arr = rng.random(self.shape) > 0.5
            elif kind in "iu":
                arr = rng.integers(int(self.low), int(self.high), self.shape).astype(self.dtype)
            else:
                arr = rng.uniform(self.low, self.high, self.shape).astype(self.dtype)
        arr = np.asarray(arr)
        if not self.nc:
            return np.array(arr, order="C", copy=True)  # (ascontiguousarray makes 0-d 1-d)
        if arr.ndim >= 2:
            base = np.ascontiguousarray(np.swapaxes(arr, -1, -2))
            return np.swapaxes(base, -1, -2)
        if arr.ndim == 1:
            base = np.empty((arr.shape[0] * 2,), arr.dtype)
            base[::2] = arr
            return base[::2]
        return arr

    def __repr__(self):
        extra = "" if self.dtype == FLOAT else f",{self.dtype}"
        return f"T{self.shape}{extra}{',nc' if self.nc else ''}"


def I(values):  # noqa: E743  (an int64 index tensor)
    return T(values=values, dtype="int64")


def B(values):
    return T(values=values, dtype="bool")


class S:
    """One call: positional args (T placeholders or plain values) and keyword args."""

    def __init__(self, *args, match=None, gradcheck=True, **kwargs):
        self.args = args
        self.kwargs = kwargs
        self.match = match          # for error samples: text both messages must contain
        self.gradcheck = gradcheck

    def __repr__(self):
        kw = ",".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return "(" + ",".join(repr(a) for a in self.args) + (";" + kw if kw else "") + ")"


class Op:
    """An op record.

    ``fn``: how to call it (default: ``getattr(m, name)``); ``method``/``inplace``: also call
    ``x.name(...)`` / ``x.clone().name_(...)``; ``grad``: compare gradients; ``atol``/``rtol``:
    tolerances where float32 accumulation order legitimately differs from torch's.
    """

    def __init__(self, name, samples, fn=None, method=True, inplace=False, grad=True,
                 errors=(), atol=None, rtol=None, gradcheck=True, grad_fn=True, check_dtype=True):
        self.name = name
        self.samples = list(samples)
        self.fn = fn or (lambda m, *a, **k: getattr(m, name)(*a, **k))
        self.method = name if method is True else method
        self.inplace = (name + "_") if inplace is True else inplace
        self.grad = grad
        self.errors = list(errors)
        self.atol, self.rtol = atol, rtol
        self.gradcheck = gradcheck
        self.grad_fn = grad_fn
        self.check_dtype = check_dtype


# ---- sample sets ---------------------------------------------------------------------
def unary_samples(low=-2.0, high=2.0, ints=True):
    s = [S(T((2, 3), low=low, high=high)),
         S(T((), low=low, high=high)),
         S(T((0, 2), low=low, high=high)),
         S(T((3, 4), low=low, high=high, nc=True)),
         S(T((2, 2, 3), dtype="float64", low=low, high=high))]
    if ints:
        s.append(S(T((3,), dtype="int64", low=max(low, 1), high=max(high, 4))))
    return s


def binary_samples(low=-2.0, high=2.0, low2=None, high2=None, scalars=(2.5, 3), ints=True):
    low2 = low if low2 is None else low2
    high2 = high if high2 is None else high2

    def a(shape, **kw):
        return T(shape, low=low, high=high, **kw)

    def b(shape, **kw):
        return T(shape, low=low2, high=high2, **kw)

    s = [S(a((2, 3)), b((2, 3))),
         S(a((2, 3)), b((3,))),
         S(a((3, 1)), b((1, 4))),
         S(a(()), b((2, 2))),
         S(a((2, 2)), b(())),
         S(a((0, 3)), b((3,))),
         S(a((3, 4), nc=True), b((3, 4), nc=True)),
         S(a((2, 3), dtype="float64"), b((3,))),            # float64 with float32
         S(a((2,)), b((2, 2), dtype="float64"))]
    for sc in scalars:
        s.append(S(a((2, 3)), sc))
    if ints:
        s.append(S(T((2, 3), dtype="int64", low=1, high=5), T((3,), dtype="int64", low=1,
                                                               high=4)))
        s.append(S(T((2, 3), dtype="int64", low=1, high=5), b((3,))))        # int with float
        s.append(S(a((2, 3)), T((), dtype="int64", low=1, high=3)))          # 0-dim int tensor
        s.append(S(T((2,), dtype="int32", low=1, high=4), T((), dtype="int64", low=1, high=4)))
    return s


BROADCAST_ERR = S(T((2, 3)), T((4,)), match="must match the size of tensor b")


def _unary(name, low=-2.0, high=2.0, ints=True, inplace=True, **kw):
    return Op(name, unary_samples(low, high, ints), inplace=inplace, **kw)


def _binary(name, inplace=True, errors=(BROADCAST_ERR,), **kw):
    samples = kw.pop("samples", None) or binary_samples(**{k: kw.pop(k) for k in list(kw)
                                                          if k in ("low", "high", "low2",
                                                                   "high2", "scalars", "ints")})
    return Op(name, samples, inplace=inplace, errors=errors, **kw)


OPS = []
add = OPS.append

# ---- arithmetic ----------------------------------------------------------------------
add(_binary("add"))
add(Op("add", [S(T((2, 3)), T((3,)), alpha=2.0), S(T((2, 3)), 2, alpha=3)], inplace=True,
       fn=lambda m, a, b, **k: m.add(a, b, **k)))
add(_binary("sub"))
add(Op("sub", [S(T((2, 3)), T((3,)), alpha=0.5)], inplace=True))
add(Op("sub", [S(B([True, False]), B([True, True]))], errors=[
    S(B([True, False]), B([True, True]), match="Subtraction, the `-` operator, with two bool")]))
add(Op("rsub", [S(T((2, 3)), T((3,))), S(T((2, 3)), 2.0), S(T((2,)), 1.0, alpha=2)],
       method=False))
add(_binary("mul"))
add(Op("mul", [S(B([True, False]), B([True, True])), S(B([True, False]), 2),
               S(B([True, False]), 2.5)], inplace=False))
add(_binary("div", low2=0.5, high2=2.0))
add(Op("div", [S(T((2, 3), low=-5, high=5), T((3,), low=0.5, high=2), rounding_mode=m)
               for m in ("trunc", "floor")] +
       [S(T((2, 3), dtype="int64", low=-7, high=7), T((3,), dtype="int64", low=1, high=4),
          rounding_mode=m) for m in ("trunc", "floor")] +
       [S(T((2, 3), dtype="int64", low=-7, high=7), 2)],
       inplace=True, gradcheck=False,
       errors=[S(T((2,)), T((2,)), rounding_mode="bad", match="rounding_mode")]))
add(Op("true_divide", [S(T((2, 3), dtype="int64", low=1, high=5), 2)]))
add(Op("floor_divide", binary_samples(-5, 5, 0.5, 3, scalars=(2.5, 2)), inplace=True,
       grad=False))
add(Op("remainder", binary_samples(-5, 5, 0.5, 3, scalars=(2.5, 2)) +
       [S(T((2, 3), low=-5, high=5), T((3,), low=-3, high=-0.5))], inplace=True))
add(Op("fmod", binary_samples(-5, 5, 0.5, 3, scalars=(2.5, 2)), inplace=True))
add(_binary("pow", low=0.5, high=2.0, scalars=(2, 0.5, 3.0, -1.5, 0)))
add(Op("pow", [S(T((3,), dtype="int64", low=1, high=4), 2),
               S(T((3,), dtype="int64", low=1, high=4), 0.5)]))
add(Op("pow", [S(2.0, T((2, 3))), S(2, T((3,)))], method=False))
add(Op("float_power", [S(T((2, 3), low=0.5, high=2), 2), S(T((3,), low=0.5), T((3,)))]))
add(Op("square", unary_samples()))
add(_binary("maximum", inplace=False, scalars=()))
add(_binary("minimum", inplace=False, scalars=()))
add(Op("maximum", [S(T(values=[1.0, 2.0, 3.0]), T(values=[1.0, 0.0, 3.0]))]))   # ties
add(_binary("atan2", inplace=True, scalars=()))
add(Op("lerp", [S(T((2, 3)), T((2, 3)), 0.3), S(T((2, 3)), T((3,)), T((2, 3))),
                S(T((2, 3)), T((2, 3)), T(()))], inplace=True))
add(_unary("neg"))
add(_unary("negative"))
add(Op("neg", [S(B([True]))], errors=[S(B([True]), match="Negation, the `-` operator")]))
add(_unary("abs"))
add(_unary("reciprocal", low=0.5, high=2.0))

# ---- operators (with reflected forms) --------------------------------------------------
_OPERATORS = {
    "__add__": lambda m, a, b: a + b, "__sub__": lambda m, a, b: a - b,
    "__mul__": lambda m, a, b: a * b, "__truediv__": lambda m, a, b: a / b,
    "__floordiv__": lambda m, a, b: a // b, "__mod__": lambda m, a, b: a % b,
    "__pow__": lambda m, a, b: a ** b,
}
_REFLECTED = {
    "__radd__": lambda m, a, b: b + a, "__rsub__": lambda m, a, b: b - a,
    "__rmul__": lambda m, a, b: b * a, "__rtruediv__": lambda m, a, b: b / a,
    "__rfloordiv__": lambda m, a, b: b // a, "__rmod__": lambda m, a, b: b % a,
    "__rpow__": lambda m, a, b: b ** a,
}
_OP_SAMPLES = [S(T((2, 3), low=0.5, high=2), T((3,), low=0.5, high=2)),
               S(T((2, 3), low=0.5, high=2), 2), S(T((2, 3), low=0.5, high=2), 1.5),
               S(T((2, 3), dtype="int64", low=1, high=5), 2),
               S(T((2, 3), dtype="int64", low=1, high=5), 1.5),
               S(T((2,), low=0.5, high=2), T((), dtype="float64", low=0.5, high=2))]
for _n, _f in {**_OPERATORS, **_REFLECTED}.items():
    add(Op(_n, _OP_SAMPLES, fn=_f, method=False,
           grad="floordiv" not in _n))
_IOPS = {"__iadd__": lambda m, a, b: a.__iadd__(b), "__isub__": lambda m, a, b: a.__isub__(b),
         "__imul__": lambda m, a, b: a.__imul__(b),
         "__itruediv__": lambda m, a, b: a.__itruediv__(b)}
for _n, _f in _IOPS.items():
    add(Op(_n, [S(T((2, 3), low=0.5, high=2, grad=False), T((3,), low=0.5, high=2, grad=False)),
                S(T((2, 3), low=0.5, high=2, grad=False), 2),
                S(T((2, 3), dtype="int64", low=1, high=5), 2)],
           fn=lambda m, a, b, _f=_f: _f(m, a.clone(), b), method=False, grad=False,
           errors=[S(T((2, 3), dtype="int64", low=1, high=5), 1.5, match="can't be cast")]
           if _n != "__itruediv__" else []))
add(Op("__matmul__", [S(T((2, 3)), T((3, 4))), S(T((3,)), T((3,)))],
       fn=lambda m, a, b: a @ b, method=False))
add(Op("__neg__", unary_samples(), fn=lambda m, a: -a, method=False))
add(Op("__abs__", unary_samples(), fn=lambda m, a: abs(a), method=False))
add(Op("__pos__", [S(T((2, 3)))], fn=lambda m, a: +a, method=False, grad_fn=False))

# ---- comparisons / logical --------------------------------------------------------------
for _n in ("eq", "ne", "lt", "le", "gt", "ge"):
    add(Op(_n, binary_samples(scalars=(0.5, 1)) +
           [S(T(values=[1.0, 2.0, 3.0]), T(values=[1.0, 0.0, 3.0]))], inplace=True, grad=False))
for _n, _f in {"__eq__": lambda m, a, b: a == b, "__lt__": lambda m, a, b: a < b,
               "__ge__": lambda m, a, b: a >= b, "__rlt__": lambda m, a, b: b < a}.items():
    add(Op(_n, [S(T((2, 3)), T((3,))), S(T((2, 3)), 0.0)], fn=_f, method=False, grad=False))
for _n in ("logical_and", "logical_or", "logical_xor"):
    add(Op(_n, [S(B([[True, False], [False, False]]), B([True, False])),
                S(T((2, 3)), T((3,)))], grad=False))
add(Op("logical_not", [S(B([True, False])), S(T((2, 2)))], grad=False))
for _n, _f in {"bitwise_and": "__and__", "bitwise_or": "__or__", "bitwise_xor": "__xor__"}.items():
    add(Op(_n, [S(B([[True, False], [False, True]]), B([True, False])),
                S(T((2, 3), dtype="int64", low=0, high=8), T((3,), dtype="int64", low=0,
                                                              high=8))], grad=False,
           errors=[S(T((2,)), T((2,)))]))
add(Op("__and__", [S(B([True, False]), B([True, True]))], fn=lambda m, a, b: a & b,
       method=False, grad=False))
add(Op("__or__", [S(B([True, False]), B([True, True]))], fn=lambda m, a, b: a | b,
       method=False, grad=False))
add(Op("__invert__", [S(B([True, False])), S(T((3,), dtype="int64", low=0, high=5))],
       fn=lambda m, a: ~a, method=False, grad=False))

# ---- math ----------------------------------------------------------------------------------
for _n in ("exp", "expm1", "sin", "cos", "tanh", "sigmoid", "atan", "sinh", "cosh",
           "floor", "ceil", "trunc", "frac", "sign", "erf", "erfc"):
    add(_unary(_n, ints=_n not in ("frac",)))
add(_unary("tan", low=-1.2, high=1.2))
add(_unary("round", low=-5, high=5))
add(Op("round", [S(T((2, 3), low=-5, high=5), decimals=2)]))
for _n in ("log", "log2", "log10", "sqrt", "rsqrt"):
    add(_unary(_n, low=0.2, high=3.0))
add(_unary("log1p", low=-0.8, high=3.0))
for _n in ("asin", "acos", "atanh", "erfinv"):
    add(_unary(_n, low=-0.9, high=0.9, atol=1e-5 if _n == "erfinv" else None))
add(_unary("acosh", low=1.2, high=3.0))
add(_unary("asinh"))
add(_unary("relu"))
add(Op("log", [S(T(values=[0.0, -1.0, 1.0]))], grad=False))          # -inf and nan
add(Op("sqrt", [S(T(values=[-1.0, 0.0, 4.0]))], grad=False))
add(Op("erf", [S(T(values=[-6.0, -1e-8, 0.0, 1e-3, 0.5, 2.5, 6.0, np.inf, -np.inf, np.nan],
                   dtype="float64"))], grad=False))
add(Op("clamp", [S(T((2, 3)), -0.5, 0.5), S(T((2, 3)), -0.5), S(T((2, 3)), None, 0.3),
                 S(T((2, 3)), min=0.0), S(T((2, 3)), max=0.0),
                 S(T((2, 3)), T((3,)), T((2, 3), low=2.0, high=3.0)),
                 S(T((2, 3)), T((3,))),
                 S(T((3,), dtype="int64", low=-5, high=5), -1, 2),
                 S(T((3,), dtype="int64", low=-5, high=5), -1.5, 2.5),
                 S(T((0, 2)), 0.0, 1.0), S(T(()), 0.0, 1.0)],
       inplace=True, errors=[S(T((2,)), match="At least one of 'min' or 'max'")]))
add(Op("clip", [S(T((2, 3)), -0.5, 0.5)], inplace=True))
add(Op("clamp_min", [S(T((2, 3)), 0.1)], inplace=True))
add(Op("clamp_max", [S(T((2, 3)), 0.1)], inplace=True))
add(Op("where", [S(B([[True, False, True], [False, False, True]]), T((2, 3)), T((3,))),
                 S(B([True, False, True]), T((2, 3)), 0.0),
                 S(B([True, False]), 1.0, T((2,))),
                 S(B([True, False]), T((2,), dtype="float64"), T((2,)))],
       method=False,
       errors=[S(T((2,)), T((2,)), T((2,)), match="where expected condition to be a boolean")]))
add(Op("where", [S(T((2, 3)), B([[True, False, True], [False, False, True]]), T((3,)))],
       fn=lambda m, x, c, y: x.where(c, y), method=False))
add(Op("sign", [S(B([True, False]))], grad=False))

# ---- reductions ---------------------------------------------------------------------------
_RED = [S(T((2, 3, 4))), S(T((2, 3, 4)), 1), S(T((2, 3, 4)), -1, True), S(T((2, 3, 4)), (0, 2)),
        S(T((2, 3)), dim=(0,), keepdim=True), S(T(())), S(T(()), 0), S(T((3, 4), nc=True), 0),
        S(T((0, 3)), 1), S(T((2, 3), dtype="float64"), 1)]
add(Op("sum", _RED + [S(T((2, 3), dtype="int64", low=0, high=5)),
                      S(B([True, False, True])),
                      S(T((0, 3))), S(T((0, 3)), 0)],
       errors=[S(T((2, 3)), 2, match="Dimension out of range"),
               S(T((2, 3)), (0, 0), match="appears multiple times")]))
add(Op("sum", [S(T((2, 3)), 1)], fn=lambda m, x, d: x.sum(d, dtype=m.float64)))
add(Op("mean", _RED + [S(T((0, 3)), 0)],
       errors=[S(T((2, 3), dtype="int64"), match="mean(): could not infer output dtype")]))
add(Op("prod", [S(T((2, 3, 4))), S(T((2, 3, 4)), 1), S(T((2, 3, 4)), -1, True), S(T(())),
                S(T((3, 4), nc=True), 0), S(T(values=[[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]]), 1),
                S(T(values=[[1.0, 0.0, 2.0], [4.0, 5.0, 3.0]])),
                S(T((2, 3), dtype="int64", low=1, high=4), 1)]))
_VAR = [S(T((2, 3, 4))), S(T((2, 3, 4)), 1), S(T((2, 3, 4)), (0, 2), keepdim=True),
        S(T((2, 3, 4)), 1, correction=0), S(T((2, 3, 4)), 1, unbiased=False),
        S(T((3, 4), nc=True), 0), S(T((2, 3), dtype="float64"), 1, correction=2)]
add(Op("var", _VAR))
add(Op("std", _VAR))
add(Op("var_mean", [S(T((2, 3)), 1)], method=False))
add(Op("std_mean", [S(T((2, 3)), 1)], method=False))
_MAXMIN = [S(T((2, 3, 4))), S(T((2, 3, 4)), 1), S(T((2, 3, 4)), -1, True), S(T(())),
           S(T(()), 0), S(T((3, 4), nc=True), 0), S(T((2, 3), dtype="int64", low=0, high=9), 1),
           S(T(values=[[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]))]
add(Op("max", _MAXMIN + [S(T((2, 3)), T((3,)))], gradcheck=False,
       errors=[S(T((0, 3)), match="Expected reduction dim"),
               S(T((0, 3)), 0, match="Expected reduction dim 0 to have non-zero size")]))
add(Op("min", _MAXMIN, gradcheck=False))
for _n in ("amax", "amin"):
    add(Op(_n, [S(T((2, 3, 4))), S(T((2, 3, 4)), 1), S(T((2, 3, 4)), (0, 2), True),
                S(T(values=[[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), 1),
                S(T(values=[[1.0, 3.0, 3.0], [3.0, 2.0, 0.0]]))], gradcheck=False))
add(Op("aminmax", [S(T((2, 3))), S(T((2, 3)), dim=1, keepdim=True)], gradcheck=False))
for _n in ("argmax", "argmin"):
    add(Op(_n, [S(T((2, 3, 4))), S(T((2, 3, 4)), 1), S(T((2, 3, 4)), -1, True), S(T(())),
                S(T((2, 3, 4)), keepdim=True), S(T((3, 4), nc=True), 0)], grad=False))
add(Op("logsumexp", [S(T((2, 3, 4)), 1), S(T((2, 3, 4)), (0, 2), True), S(T(()), 0),
                     S(T((3, 4), nc=True), 0),
                     S(T(values=[[-np.inf, -np.inf], [1.0, 2.0]]), 1),
                     S(T((2, 3), dtype="int64", low=0, high=5), 1)]))
add(Op("norm", [S(T((2, 3))), S(T((2, 3)), 1), S(T((2, 3)), 3), S(T((2, 3)), float("inf")),
                S(T((2, 3)), 2, 1), S(T((2, 3)), 2, (0, 1), True), S(T((2, 3)), "fro"),
                S(T((2, 3)), 0.5, 1), S(T((3, 4), nc=True), dim=0), S(T(()))],
       gradcheck=True,
       errors=[S(T((2,), dtype="int64"), match="Expected a floating point or complex tensor")]))
for _n in ("all", "any"):
    add(Op(_n, [S(B([[True, False], [True, True]])), S(B([[True, False], [True, True]]), 1),
                S(T((2, 3))), S(T((2, 3)), 0, True),
                S(T((3,), dtype="uint8", low=0, high=2))], grad=False))
add(Op("cumsum", [S(T((2, 3, 4)), 1), S(T((2, 3)), -1), S(T(()), 0), S(T((3, 4), nc=True), 0),
                  S(T((2, 3), dtype="int64", low=0, high=5), 1)], inplace=True))
add(Op("cumprod", [S(T((2, 3, 4)), 1), S(T((2, 3)), -1), S(T(()), 0),
                   S(T(values=[[1.0, 0.0, 2.0, 3.0], [0.0, 2.0, 0.0, 3.0]]), 1),
                   S(T((2, 3), dtype="int64", low=0, high=5), 1)], inplace=True))
add(Op("count_nonzero", [S(T(values=[[0.0, 1.0], [2.0, 0.0]])),
                         S(T(values=[[0.0, 1.0], [2.0, 0.0]]), 1)], grad=False))
add(Op("nansum", [S(T(values=[[np.nan, 1.0], [2.0, 3.0]])),
                  S(T(values=[[np.nan, 1.0], [2.0, 3.0]]), 1)], gradcheck=False))
add(Op("median", [S(T((2, 5))), S(T((2, 5)), 1), S(T((2, 4)), 1, True), S(T((4,))),
                  S(T((3, 4), nc=True), 0)], gradcheck=False))
add(Op("mode", [S(T(values=[[1.0, 2.0, 2.0, 3.0], [5.0, 5.0, 1.0, 1.0]]), 1),
                S(T(values=[[1.0, 2.0, 2.0, 3.0], [5.0, 5.0, 1.0, 1.0]]), 0)], gradcheck=False))
add(Op("kthvalue", [S(T((2, 5)), 2), S(T((2, 5)), 1, 0), S(T((2, 5)), 3, 1, True)],
       gradcheck=False))

# ---- linear algebra -------------------------------------------------------------------------
add(Op("matmul", [S(T((2, 3)), T((3, 4))), S(T((3,)), T((3, 4))), S(T((2, 3)), T((3,))),
                  S(T((3,)), T((3,))), S(T((2, 2, 3)), T((2, 3, 4))), S(T((2, 2, 3)), T((3, 4))),
                  S(T((2, 3)), T((4, 3, 2))), S(T((2, 1, 2, 3)), T((3, 3, 2))),
                  S(T((3,)), T((2, 3, 4))), S(T((2, 2, 3)), T((3,))),
                  S(T((3, 4), nc=True), T((4, 2), nc=True)),
                  S(T((2, 0)), T((0, 3))), S(T((2, 3), dtype="float64"), T((3, 2), dtype="float64")),
                  S(T((2, 3), dtype="int64", low=-3, high=3), T((3, 2), dtype="int64", low=-3,
                                                                high=3))],
       errors=[S(T((2, 3)), T((4, 5)), match="mat1 and mat2 shapes cannot be multiplied (2x3 and "
                                              "4x5)"),
               S(T((3,)), T((4,)), match="inconsistent tensor size"),
               S(T((2, 3)), T((4,)), match="size mismatch"),
               S(T((2, 2, 3)), T((2, 4, 5))),
               S(T(()), T((3,)), match="both arguments to matmul need to be at least 1D"),
               S(T((2, 3)), T((3, 2), dtype="float64"), match="expected m1 and m2 to have the "
                                                              "same dtype")]))
add(Op("mm", [S(T((2, 3)), T((3, 4))), S(T((3, 4), nc=True), T((4, 2)))],
       errors=[S(T((2, 3)), T((4, 5)), match="mat1 and mat2 shapes cannot be multiplied"),
               S(T((3,)), T((3, 2)))]))
add(Op("bmm", [S(T((2, 2, 3)), T((2, 3, 4)))],
       errors=[S(T((2, 2, 3)), T((3, 3, 4))), S(T((2, 3)), T((3, 4)))]))
add(Op("mv", [S(T((2, 3)), T((3,)))], errors=[S(T((2, 3)), T((4,)), match="size mismatch")]))
add(Op("dot", [S(T((3,)), T((3,))), S(T((3,), dtype="int64", low=0, high=4),
                                      T((3,), dtype="int64", low=0, high=4))],
       errors=[S(T((3,)), T((4,)), match="inconsistent tensor size"),
               S(T((3,)), T((3,), dtype="float64"), match="expected both vectors to have same "
                                                          "dtype"),
               S(T((2, 3)), T((3,)), match="1D tensors expected")]))
add(Op("outer", [S(T((3,)), T((4,))), S(T((2,)), T((3,), dtype="float64"))]))
add(Op("addmm", [S(T((2, 4)), T((2, 3)), T((3, 4))), S(T((4,)), T((2, 3)), T((3, 4))),
                 S(T((2, 4)), T((2, 3)), T((3, 4)), beta=0.5, alpha=2.0),
                 S(T((2, 4)), T((2, 3)), T((3, 4)), beta=0)],
       inplace=True, errors=[S(T((2, 4)), T((2, 3)), T((4, 4)),
                               match="mat1 and mat2 shapes cannot be multiplied (2x3 and 4x4)")]))
add(Op("baddbmm", [S(T((2, 2, 4)), T((2, 2, 3)), T((2, 3, 4))),
                   S(T((4,)), T((2, 2, 3)), T((2, 3, 4)), beta=0.5, alpha=2.0)], inplace=True))
add(Op("einsum", [S("ij,jk->ik", T((2, 3)), T((3, 4))), S("ij->ji", T((2, 3))),
                  S("ii->i", T((3, 3))), S("ii", T((3, 3))), S("bij,bjk->bik", T((2, 2, 3)),
                                                              T((2, 3, 4))),
                  S("i,j", T((2,)), T((3,))), S("...ij,...jk->...ik", T((2, 2, 3)), T((3, 4))),
                  S("b...,b->...", T((2, 3, 4)), T((2,))), S("ij,jk,kl->il", T((2, 3)),
                                                              T((3, 4)), T((4, 2))),
                  S("ij->", T((2, 3))), S("i,i->i", T((3,)), T((3,)))],
       method=False, fn=lambda m, eq, *ops: m.einsum(eq, *ops), grad_fn=False))
add(Op("einsum", [S("ij,jk", T((2, 3)), T((3, 4)))], method=False, grad_fn=False,
       fn=lambda m, eq, *ops: m.einsum(eq, list(ops))))
add(Op("tensordot", [S(T((2, 3, 4)), T((3, 4, 2))), S(T((2, 3, 4)), T((4, 3)), 1),
                     S(T((2, 3, 4)), T((3, 2)), ([1], [0])),
                     S(T((2, 3, 4)), T((4, 3)), dims=([1, 2], [1, 0]))], method=False))
add(Op("trace", [S(T((3, 3))), S(T((2, 4))), S(T((3, 3), nc=True))]))

# ---- shape ops ------------------------------------------------------------------------------
add(Op("view", [S(T((2, 3, 4)), 6, 4), S(T((2, 3, 4)), (-1,)), S(T((2, 3)), -1, 2),
                S(T(()), 1), S(T((0, 3)), -1, 3)],
       fn=lambda m, x, *s: x.view(*s), method=False,
       errors=[S(T((2, 3)), 4, match="shape '[4]' is invalid for input of size 6"),
               S(T((3, 4), nc=True), -1, match="view size is not compatible"),
               S(T((2, 3)), -1, -1, match="only one dimension can be inferred")]))
add(Op("reshape", [S(T((2, 3, 4)), (6, 4)), S(T((3, 4), nc=True), (-1,)), S(T(()), (1,)),
                   S(T((2, 3)), (3, -1))],
       errors=[S(T((2, 3)), (4,), match="shape '[4]' is invalid for input of size 6")]))
add(Op("reshape", [S(T((2, 3, 4)), 6, 4)], fn=lambda m, x, *s: x.reshape(*s), method=False))
add(Op("view_as", [S(T((2, 3)), T((3, 2), grad=False))], fn=lambda m, x, o: x.view_as(o),
       method=False))
add(Op("reshape_as", [S(T((2, 3)), T((3, 2), grad=False))], fn=lambda m, x, o: x.reshape_as(o),
       method=False))
add(Op("flatten", [S(T((2, 3, 4))), S(T((2, 3, 4)), 1), S(T((2, 3, 4)), 0, 1), S(T(())),
                   S(T((3, 4), nc=True)), S(T((2, 3)), 1, 1)]))
add(Op("unflatten", [S(T((2, 12)), 1, (3, 4)), S(T((2, 12)), -1, (3, -1))],
       errors=[S(T((2, 12)), 1, (3, 5))]))
add(Op("squeeze", [S(T((2, 1, 3, 1))), S(T((2, 1, 3, 1)), 1), S(T((2, 1, 3)), 0),
                   S(T((2, 1, 3, 1)), (1, 3)), S(T(())), S(T((1,)))], inplace=True))
add(Op("unsqueeze", [S(T((2, 3)), 0), S(T((2, 3)), -1), S(T(()), 0), S(T((3, 4), nc=True), 1)],
       inplace=True, errors=[S(T((2, 3)), 3, match="Dimension out of range")]))
add(Op("permute", [S(T((2, 3, 4)), (2, 0, 1)), S(T((2, 3, 4)), (-1, 0, 1))],
       errors=[S(T((2, 3)), (0,))]))
add(Op("permute", [S(T((2, 3, 4)), 2, 0, 1)], fn=lambda m, x, *d: x.permute(*d), method=False))
add(Op("transpose", [S(T((2, 3, 4)), 0, 2), S(T((2, 3)), -1, -2)], inplace=True))
add(Op("swapaxes", [S(T((2, 3, 4)), 0, 2)]))
add(Op("t", [S(T((2, 3))), S(T((3,))), S(T(()))], inplace=True,
       errors=[S(T((2, 3, 4)), match="expects a tensor with <= 2 dimensions")]))
add(Op("T", [S(T((2, 3, 4))), S(T((2, 3)))], fn=lambda m, x: x.T, method=False))
add(Op("mT", [S(T((2, 3, 4)))], fn=lambda m, x: x.mT, method=False))
add(Op("movedim", [S(T((2, 3, 4)), 0, 2), S(T((2, 3, 4)), (0, 1), (2, 0))]))
add(Op("expand", [S(T((3, 1)), 3, 4), S(T((3, 1)), (2, 3, 4)), S(T((3, 1)), -1, 2), S(T(()), 2)],
       fn=lambda m, x, *s: x.expand(*s), method=False,
       errors=[S(T((3, 2)), 3, 4, match="must match the existing size"),
               S(T((2, 3)), 3)]))
add(Op("expand_as", [S(T((3, 1)), T((2, 3, 4), grad=False))], fn=lambda m, x, o: x.expand_as(o),
       method=False))
add(Op("broadcast_to", [S(T((3, 1)), (2, 3, 4))]))
add(Op("repeat", [S(T((2, 3)), 2, 1), S(T((2, 3)), 2, 1, 3), S(T(()), 3), S(T((3,)), (2, 2))],
       fn=lambda m, x, *r: x.repeat(*r), method=False,
       errors=[S(T((2, 3)), 2, match="Number of dimensions of repeat dims")]))
add(Op("tile", [S(T((2, 3)), (2,)), S(T((2, 3)), (2, 1, 2)), S(T((2,)), (3, 1))]))
add(Op("flip", [S(T((2, 3, 4)), (0, 2)), S(T((2, 3)), [-1]), S(T(()), [0])]))
add(Op("fliplr", [S(T((2, 3)))]))
add(Op("flipud", [S(T((2, 3)))]))
add(Op("roll", [S(T((2, 3, 4)), 1, 0), S(T((2, 3, 4)), (1, -2), (0, 2)), S(T((2, 3)), 2)]))
add(Op("cat", [S([T((2, 3)), T((1, 3))]), S([T((2, 3)), T((2, 1))], 1),
               S([T((2, 3)), T((2, 3), dtype="float64")], -1), S([T((2, 3)), T((0,))]),
               S((T((2,)), T((3,)))), S([T((3, 4), nc=True), T((3, 4))], dim=1)],
       method=False, fn=lambda m, ts, *a, **k: m.cat(ts, *a, **k),
       errors=[S([T((2, 3)), T((2, 4))], match="Sizes of tensors must match except in "
                                               "dimension 0"),
               S([T(()), T(())], match="zero-dimensional tensor"),
               S([], match="expected a non-empty list of Tensors"),
               S([T((2, 3)), T((3,))], match="Tensors must have same number of dimensions")]))
add(Op("concat", [S([T((2, 3)), T((1, 3))])], method=False,
       fn=lambda m, ts, *a: m.concat(ts, *a)))
add(Op("stack", [S([T((2, 3)), T((2, 3))]), S([T((2, 3)), T((2, 3))], 1),
                 S([T((2, 3)), T((2, 3))], -1), S([T(()), T(())])],
       method=False, fn=lambda m, ts, *a: m.stack(ts, *a),
       errors=[S([T((2, 3)), T((2, 4))], match="stack expects each tensor to be equal size")]))
add(Op("hstack", [S([T((2, 3)), T((2, 1))]), S([T((2,)), T((3,))])], method=False,
       fn=lambda m, ts: m.hstack(ts)))
add(Op("vstack", [S([T((2, 3)), T((1, 3))]), S([T((3,)), T((3,))])], method=False,
       fn=lambda m, ts: m.vstack(ts)))
add(Op("split", [S(T((5, 3)), 2), S(T((5, 3)), [1, 4]), S(T((2, 5)), 2, 1), S(T((4, 3)), 2, -2)],
       errors=[S(T((5, 3)), [1, 2], match="split_with_sizes expects split_sizes to sum exactly "
                                          "to 5")]))
add(Op("chunk", [S(T((5, 3)), 2), S(T((5, 3)), 3, 1), S(T((6, 2)), 4)]))
add(Op("tensor_split", [S(T((5, 3)), 3), S(T((5, 3)), [1, 3])]))
add(Op("unbind", [S(T((3, 2))), S(T((3, 2)), 1)]))
add(Op("narrow", [S(T((5, 3)), 0, 1, 3), S(T((5, 3)), -1, 0, 2), S(T((5, 3)), 0, -2, 2)],
       errors=[S(T((5, 3)), 0, 3, 4, match="exceeds dimension size")]))
add(Op("select", [S(T((5, 3)), 0, 1), S(T((5, 3)), 1, -1), S(T((5,)), 0, 2)],
       errors=[S(T((5, 3)), 0, 5, match="out of range")]))
add(Op("movedim", [S(T((2, 3, 4)), -1, 0)]))
add(Op("atleast_2d", [S(T((3,))), S(T(()))], method=False))

# ---- indexing ops -------------------------------------------------------------------------
_IDX = I([[0, 2, 1], [2, 2, 0]])
add(Op("gather", [S(T((2, 4)), 1, _IDX), S(T((3, 3)), 0, I([[0, 2, 1], [2, 2, 0]])),
                  S(T((3, 4)), 1, I([[0], [3], [1]])), S(T((3, 4), nc=True), 1, _IDX)],
       errors=[S(T((2, 4)), 1, I([[0, 5, 1], [2, 2, 0]]), match="out of bounds"),
               S(T((2, 4)), 1, T(values=[[0.0, 1.0]]), match="Expected dtype int")]))
add(Op("take_along_dim", [S(T((2, 4)), _IDX, 1), S(T((2, 4)), I([5, 0]))]))
add(Op("take", [S(T((2, 4)), I([[0, 7], [3, 1]])), S(T((2, 4)), I([-1, 2]))]))
add(Op("scatter", [S(T((2, 4)), 1, _IDX, T((2, 3))), S(T((3, 4)), 0, I([[0, 1, 2, 0]]), 1.5),
                   S(T((2, 4)), 1, I([[0, 1], [2, 3]]), T((2, 2)))],
       inplace=True, gradcheck=False))
add(Op("scatter", [S(T((2, 4)), 1, _IDX, T((2, 3)), reduce="add")], inplace="scatter_",
       gradcheck=False,
       method=False, fn=lambda m, x, d, i, s, **k: x.clone().scatter_(d, i, s, **k)))
add(Op("scatter_add", [S(T((2, 4)), 1, _IDX, T((2, 3))), S(T((3, 4)), 0, I([[0, 1, 2, 0]]),
                                                           T((1, 4)))], inplace=True))
add(Op("index_select", [S(T((3, 4)), 0, I([2, 0, 2])), S(T((3, 4)), 1, I([3])),
                        S(T((3, 4), nc=True), -1, I([0, 1]))],
       errors=[S(T((3, 4)), 0, I([3]), match="index out of range in self"),
               S(T((3, 4)), 0, I([[1]]), match="Index is supposed to be a vector")]))
add(Op("index_add", [S(T((3, 4)), 0, I([2, 0, 2]), T((3, 4))),
                     S(T((3, 4)), 1, I([1, 1]), T((3, 2)), alpha=2.0)], inplace=True))
add(Op("index_copy", [S(T((3, 4)), 0, I([2, 0]), T((2, 4))),
                      S(T((3, 4)), 1, I([3, 1]), T((3, 2)))], inplace=True))
add(Op("index_fill", [S(T((3, 4)), 1, I([0, 2]), -1.0)], inplace=True))
_MASK = B([[True, False, True, False], [False, False, True, True]])
add(Op("masked_fill", [S(T((2, 4)), _MASK, 0.5), S(T((2, 4)), B([True, False, True, False]), -1),
                       S(T((2, 4)), _MASK, T((), grad=False)),
                       S(T((3, 4), nc=True), B([True, False, True, False]), 0.0)],
       inplace=True,
       errors=[S(T((2, 4)), T((2, 4), dtype="int64", low=0, high=2), 0.0,
                 match="only supports boolean masks")]))
add(Op("masked_select", [S(T((2, 4)), _MASK), S(T((2, 4)), B([True, False, True, False])),
                         S(T((4,)), _MASK)]))
add(Op("masked_scatter", [S(T((2, 4)), _MASK, T((2, 4)))], inplace=True))
add(Op("sort", [S(T((3, 4))), S(T((3, 4)), 0), S(T((3, 4)), descending=True),
                S(T(values=[3.0, 1.0, 3.0, 2.0, 1.0]), stable=True),
                S(T(values=[3.0, 1.0, 3.0, 2.0, 1.0]), descending=True, stable=True),
                S(T((4,), dtype="int64", low=0, high=9)), S(T(()))]))
add(Op("argsort", [S(T((3, 4))), S(T((3, 4)), 0, True)], grad=False))
add(Op("topk", [S(T((3, 5)), 2), S(T((3, 5)), 2, 0), S(T((3, 5)), 3, largest=False),
                S(T((3, 5)), 0)],
       errors=[S(T((3, 5)), 6, match="k")]))
add(Op("tril", [S(T((3, 4))), S(T((3, 4)), 1), S(T((2, 3, 3)), -1)], inplace=True))
add(Op("triu", [S(T((3, 4))), S(T((3, 4)), -1), S(T((2, 3, 3)), 1)], inplace=True))
add(Op("diag", [S(T((3,))), S(T((3,)), 1), S(T((3, 4))), S(T((3, 4)), -1), S(T((3, 4)), 2)]))
add(Op("diagonal", [S(T((3, 4))), S(T((3, 4)), 1), S(T((2, 3, 4)), 0, 1, 2),
                    S(T((3, 4)), -1)]))
add(Op("diag_embed", [S(T((2, 3))), S(T((2, 3)), 1), S(T((3,)), -1)]))
add(Op("nonzero", [S(T(values=[[0.0, 1.0], [2.0, 0.0]])), S(T(values=[0.0, 3.0]))], grad=False))
add(Op("nonzero", [S(T(values=[[0.0, 1.0], [2.0, 0.0]]))], grad=False,
       fn=lambda m, x: m.nonzero(x, as_tuple=True), method=False))
add(Op("unique", [S(T(values=[3.0, 1.0, 3.0, 2.0])),
                  S(T(values=[3.0, 1.0, 3.0, 2.0]), return_inverse=True, return_counts=True),
                  S(I([[1, 2], [1, 2], [0, 5]]), dim=0)], grad=False))
add(Op("repeat_interleave", [S(T((2, 3)), 2), S(T((2, 3)), 2, 0), S(T((2, 3)), I([1, 2]), 0),
                             S(I([1, 3]))]))
add(Op("searchsorted", [S(T(values=[1.0, 3.0, 5.0, 7.0]), T(values=[0.0, 3.0, 6.0])),
                        S(T(values=[1.0, 3.0, 5.0, 7.0]), T(values=[0.0, 3.0, 6.0]), right=True),
                        S(T(values=[[1.0, 3.0], [2.0, 4.0]]), T(values=[[2.0], [5.0]]))],
       method=False, grad=False))
add(Op("bincount", [S(I([1, 1, 3, 0])), S(I([1, 1, 3, 0]), T(values=[0.5, 1.0, 2.0, 1.0])),
                    S(I([1, 0]), minlength=4)], grad=False))

# ---- conversions -------------------------------------------------------------------------
add(Op("clone", [S(T((2, 3))), S(T((3, 4), nc=True))]))
add(Op("contiguous", [S(T((3, 4), nc=True))], fn=lambda m, x: x.contiguous(), method=False))
add(Op("to", [S(T((2, 3)), "float64"), S(T((2, 3)), "float32"), S(T((2, 3)), "int64"),
              S(T((2, 3)), "cpu"), S(T((2, 3)), "float64", copy=True)],
       fn=lambda m, x, d, **k: x.to(getattr(m, d) if d != "cpu" else d, **k), method=False))
add(Op("to_other", [S(T((2, 3)), T((2,), dtype="float64", grad=False))],
       fn=lambda m, x, o: x.to(o), method=False))
for _n in ("float", "double", "long", "int", "bool", "half"):
    add(Op(_n, [S(T((2, 3), dtype="float64")), S(T((3,), dtype="int64", low=-3, high=3))],
           fn=lambda m, x, _n=_n: getattr(x, _n)(), method=False, grad=_n in ("float", "double"),
           atol=1e-3 if _n == "half" else None, gradcheck=_n == "double"))
add(Op("type_as", [S(T((2, 3)), T((2,), dtype="float64", grad=False))],
       fn=lambda m, x, o: x.type_as(o), method=False))
add(Op("detach", [S(T((2, 3)))], fn=lambda m, x: x.detach() * 1, method=False, grad=False))
