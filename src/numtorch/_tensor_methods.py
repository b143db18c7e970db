"""Attach ``numtorch.<fn>`` functions to Tensor as methods, plus operators and in-place forms.

Most Tensor methods are the function of the same name with ``self`` as the
first argument; they are listed here once instead of being written twice.
"""
import numpy as np

from ._tensor import Tensor
from . import _dtype, _creation, _random_ops
from .autograd.graph import apply
from .autograd import grad_mode as _gm
from .ops import elementwise as E, reduction as R, shape as S, linalg as L, conversion as C
from .ops import indexing as I
from .ops._inplace import inplace

# Methods identical to the module-level function.
_SAME = {
    E: ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
        "floor_divide", "remainder", "fmod", "pow", "float_power", "square", "maximum",
        "minimum", "fmax", "fmin", "atan2", "arctan2", "lerp", "eq", "ne", "lt", "le", "gt", "ge",
        "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
        "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
        "bitwise_not", "neg", "negative", "abs", "absolute", "sign", "sgn", "exp", "exp2",
        "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos",
        "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh", "asinh",
        "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "tanh", "sigmoid", "relu", "erf",
        "erfc", "erfinv", "floor", "ceil", "round", "trunc", "fix", "frac", "clamp", "clip",
        "clamp_min", "clamp_max", "isnan", "isinf", "isfinite", "nan_to_num"],
    R: ["sum", "nansum", "mean", "nanmean", "prod", "var", "std", "max", "min", "amax", "amin",
        "aminmax", "argmax", "argmin", "logsumexp", "norm", "all", "any", "cumsum", "cumprod",
        "count_nonzero", "median", "mode", "kthvalue"],
    S: ["reshape", "flatten", "unflatten", "transpose", "swapaxes", "swapdims", "t", "movedim",
        "moveaxis", "squeeze", "unsqueeze", "expand_as", "broadcast_to", "flip", "fliplr",
        "flipud", "roll", "tile", "narrow", "select", "unbind", "split", "chunk",
        "tensor_split"],
    L: ["matmul", "mm", "bmm", "mv", "dot", "inner", "outer", "ger", "addmm", "baddbmm",
        "addbmm"],
    C: ["clone", "contiguous", "to", "type_as"],
    I: ["gather", "scatter", "scatter_add", "index_select", "index_add", "index_fill",
        "index_copy", "masked_fill", "masked_select", "masked_scatter", "take", "take_along_dim",
        "topk", "sort", "argsort", "msort", "tril", "triu", "diag", "diagonal", "diag_embed",
        "nonzero", "unique", "kthvalue", "median", "mode", "bincount",
        "histc", "searchsorted", "trace", "put_"],
    _random_ops: ["uniform_", "normal_", "random_", "bernoulli_", "exponential_", "geometric_",
                "cauchy_", "log_normal_"],
    _creation: ["fill_", "zero_"],
}

for _mod, _names in _SAME.items():
    for _n in _names:
        if hasattr(_mod, _n):
            setattr(Tensor, _n, getattr(_mod, _n))


def _reshape_method(self, *shape):
    return S.reshape(self, S._shape_arg(shape))


Tensor.view = S.view
Tensor.reshape = _reshape_method
Tensor.permute = S.permute
Tensor.expand = S.expand
Tensor.repeat = S.repeat


def _view_as(self, other):
    return S.view(self, *other.shape)


def _reshape_as(self, other):
    return S.reshape(self, tuple(other.shape))


Tensor.view_as = _view_as
Tensor.reshape_as = _reshape_as
Tensor.T = property(lambda self: S.permute(self, *reversed(range(self.ndim))))
Tensor.mT = property(lambda self: S.transpose(self, -2, -1))
Tensor.mH = Tensor.mT
Tensor.H = property(lambda self: S.t(self))


def _bernoulli(self, p=None, *, generator=None):
    return _random_ops.bernoulli(self, p, generator=generator)


def _multinomial(self, num_samples, replacement=False, *, generator=None):
    return _random_ops.multinomial(self, num_samples, replacement, generator=generator)


Tensor.bernoulli = _bernoulli
Tensor.multinomial = _multinomial


# ---- dtype conversions ------------------------------------------------------------------
def _caster(d):
    def method(self, memory_format=None):
        return C.to(self, d)
    return method


Tensor.float = _caster(_dtype.float32)
Tensor.double = _caster(_dtype.float64)
Tensor.half = _caster(_dtype.float16)
Tensor.long = _caster(_dtype.int64)
Tensor.int = _caster(_dtype.int32)
Tensor.short = _caster(_dtype.int16)
Tensor.char = _caster(_dtype.int8)
Tensor.byte = _caster(_dtype.uint8)
Tensor.bool = _caster(_dtype.bool_)


def _cpu(self, memory_format=None):
    return self


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    from .ops._devices import check_device
    from ._size import device as _device
    check_device(_device("cuda" if device is None else device))


Tensor.cpu = _cpu
Tensor.cuda = _cuda


def _type(self, dtype=None, non_blocking=False):
    names = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
             "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
             "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}
    if dtype is None:
        return "numtorch." + names[self.dtype.name]
    if isinstance(dtype, str):
        rev = {v: k for k, v in names.items()}
        dtype = _dtype._BY_NAME[rev[dtype.split(".")[-1]]]
    elif isinstance(dtype, type) and hasattr(dtype, "_legacy_dtype"):
        dtype = dtype._legacy_dtype
    return C.to(self, dtype)


Tensor.type = _type


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    return _creation.tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _new_factory(fn):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return fn(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)
    return method


Tensor.new_tensor = _new_tensor
Tensor.new_zeros = _new_factory(_creation.zeros)
Tensor.new_ones = _new_factory(_creation.ones)
Tensor.new_empty = _new_factory(_creation.empty)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return _creation.full(size, fill_value, dtype=dtype or self.dtype,
                          requires_grad=requires_grad)


Tensor.new_full = _new_full


def _apply_(self, fn):
    flat = self._data.reshape(-1)
    for i, v in enumerate(flat.tolist()):
        flat[i] = fn(v)
    return self


Tensor.apply_ = _apply_


def _copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        src = _creation.tensor(src)
    try:
        np.broadcast_to(src._data, self._data.shape)
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) must match "
            f"the size of tensor b ({src._data.shape[-1] if src._data.ndim else 1}) at "
            "non-singleton dimension 0") from None
    return inplace(self, _CopyFrom, src)


class _CopyFrom(__import__("numtorch.autograd.graph", fromlist=["Node"]).Node):
    _name = "CopyBackwards"

    def forward(self, a, src):
        self.src_dtype = src.dtype
        return np.broadcast_to(src, a.shape).astype(a.dtype)

    def backward(self, g):
        return None, g


Tensor.copy_ = _copy_


# ---- operators ---------------------------------------------------------------------------
_OPERANDS = (Tensor, int, float, bool, complex, np.number, np.bool_)
_FAST = frozenset((float, int))


def _binop(fn):
    def method(self, other):
        if type(other) not in _FAST and not isinstance(other, _OPERANDS):
            return NotImplemented
        return fn(self, other)
    return method


def _fast_binop(cls):
    """``self (op) other`` straight to ``apply`` (the operator hot path)."""
    def method(self, other):
        if type(other) not in _FAST and not isinstance(other, _OPERANDS):
            return NotImplemented
        return apply(cls, self, other)
    return method


def _iop(cls):
    def method(self, other):
        if not isinstance(other, (Tensor, int, float, bool, complex, np.number, np.bool_)):
            return NotImplemented
        return inplace(self, cls, other)
    return method


Tensor.__add__ = _fast_binop(E.Add)
Tensor.__radd__ = _fast_binop(E.Add)
Tensor.__sub__ = _fast_binop(E.Sub)
Tensor.__rsub__ = _binop(lambda s, o: E.rsub(s, o))
Tensor.__mul__ = _fast_binop(E.Mul)
Tensor.__rmul__ = _fast_binop(E.Mul)
Tensor.__truediv__ = _fast_binop(E.Div)
Tensor.__rtruediv__ = _binop(lambda s, o: E.mul(E.reciprocal(s), o))  # as torch: MulBackward0
Tensor.__floordiv__ = _binop(E.floor_divide)
Tensor.__rfloordiv__ = _binop(lambda s, o: apply(E.FloorDivide, o, s))
Tensor.__mod__ = _binop(E.remainder)
Tensor.__rmod__ = _binop(lambda s, o: apply(E.Remainder, o, s))
Tensor.__pow__ = _binop(E.pow)
Tensor.__rpow__ = _binop(lambda s, o: apply(E.Pow, o, s))
Tensor.__matmul__ = lambda self, other: L.matmul(self, other) if isinstance(other, Tensor) \
    else NotImplemented
Tensor.__rmatmul__ = lambda self, other: L.matmul(other, self) if isinstance(other, Tensor) \
    else NotImplemented
Tensor.__and__ = _binop(E.bitwise_and)
Tensor.__rand__ = _binop(E.bitwise_and)
Tensor.__or__ = _binop(E.bitwise_or)
Tensor.__ror__ = _binop(E.bitwise_or)
Tensor.__xor__ = _binop(E.bitwise_xor)
Tensor.__rxor__ = _binop(E.bitwise_xor)
Tensor.__invert__ = lambda self: E.bitwise_not(self)
Tensor.__neg__ = lambda self: E.neg(self)
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = lambda self: E.abs(self)
Tensor.__eq__ = _binop(E.eq)
Tensor.__ne__ = _binop(E.ne)
Tensor.__lt__ = _binop(E.lt)
Tensor.__le__ = _binop(E.le)
Tensor.__gt__ = _binop(E.gt)
Tensor.__ge__ = _binop(E.ge)
Tensor.__hash__ = lambda self: id(self)
Tensor.__getitem__ = S.getitem
Tensor.__setitem__ = S.setitem

Tensor.__iadd__ = _iop(E.Add)
Tensor.__isub__ = _iop(E.Sub)
Tensor.__imul__ = _iop(E.Mul)
Tensor.__itruediv__ = _iop(E.Div)
Tensor.__ifloordiv__ = _iop(E.FloorDivide)
Tensor.__imod__ = _iop(E.Remainder)
Tensor.__ipow__ = _iop(E.Pow)
Tensor.__iand__ = _iop(E.BitwiseAnd)
Tensor.__ior__ = _iop(E.BitwiseOr)
Tensor.__ixor__ = _iop(E.BitwiseXor)


# ---- in-place method forms: add_, mul_, clamp_, exp_ ... ---------------------------------
def _inplace_binary(cls, kw=()):
    def method(self, other, *args, **kwargs):
        return inplace(self, cls, other, *args, **kwargs)
    return method


Tensor.add_ = lambda self, other, *, alpha=1: inplace(self, E.Add, other, alpha=alpha)
Tensor.sub_ = lambda self, other, *, alpha=1: inplace(self, E.Sub, other, alpha=alpha)
Tensor.subtract_ = Tensor.sub_
Tensor.mul_ = _inplace_binary(E.Mul)
Tensor.multiply_ = Tensor.mul_
Tensor.div_ = lambda self, other, *, rounding_mode=None: inplace(
    self, E.Div, other, rounding_mode=rounding_mode)
Tensor.divide_ = Tensor.div_
Tensor.true_divide_ = Tensor.div_
Tensor.floor_divide_ = _inplace_binary(E.FloorDivide)
Tensor.remainder_ = _inplace_binary(E.Remainder)
Tensor.fmod_ = _inplace_binary(E.Fmod)
Tensor.pow_ = _inplace_binary(E.Pow)
Tensor.maximum_ = _inplace_binary(E.Maximum)
Tensor.minimum_ = _inplace_binary(E.Minimum)
Tensor.atan2_ = _inplace_binary(E.Atan2)
Tensor.lerp_ = lambda self, end, weight: inplace(self, E.Lerp, end, weight)
for _n, _cls in [("eq_", E.Eq), ("ne_", E.Ne), ("lt_", E.Lt), ("le_", E.Le), ("gt_", E.Gt),
                 ("ge_", E.Ge), ("logical_and_", E.LogicalAnd), ("logical_or_", E.LogicalOr),
                 ("logical_xor_", E.LogicalXor), ("bitwise_and_", E.BitwiseAnd),
                 ("bitwise_or_", E.BitwiseOr), ("bitwise_xor_", E.BitwiseXor)]:
    setattr(Tensor, _n, _inplace_binary(_cls))

for _n, _cls in [("neg_", E.Neg), ("negative_", E.Neg), ("abs_", E.Abs), ("absolute_", E.Abs),
                 ("sign_", E.Sign), ("exp_", E.Exp), ("exp2_", E.Exp2), ("expm1_", E.Expm1),
                 ("log_", E.Log), ("log2_", E.Log2), ("log10_", E.Log10), ("log1p_", E.Log1p),
                 ("sqrt_", E.Sqrt), ("rsqrt_", E.Rsqrt), ("reciprocal_", E.Reciprocal),
                 ("sin_", E.Sin), ("cos_", E.Cos), ("tan_", E.Tan), ("asin_", E.Asin),
                 ("acos_", E.Acos), ("atan_", E.Atan), ("sinh_", E.Sinh), ("cosh_", E.Cosh),
                 ("tanh_", E.Tanh), ("sigmoid_", E.Sigmoid), ("relu_", E.Relu), ("erf_", E.Erf),
                 ("erfinv_", E.Erfinv), ("erfc_", E.Erfc), ("asinh_", E.AsinhInplace),
                 ("acosh_", E.AcoshInplace), ("atanh_", E.AtanhInplace),
                 ("arcsinh_", E.AsinhInplace), ("arccosh_", E.AcoshInplace),
                 ("arctanh_", E.AtanhInplace), ("arcsin_", E.Asin),
                 ("arccos_", E.Acos), ("arctan_", E.Atan), ("exp2_", E.Exp2), ("floor_", E.Floor), ("ceil_", E.Ceil),
                 ("trunc_", E.Trunc), ("frac_", E.Frac), ("logical_not_", E.LogicalNot),
                 ("bitwise_not_", E.BitwiseNot), ("isnan_", E.IsNan)]:
    setattr(Tensor, _n, (lambda cls: lambda self: inplace(self, cls))(_cls))

Tensor.round_ = lambda self, *, decimals=0: inplace(self, E.Round, decimals=decimals)
Tensor.square_ = lambda self: inplace(self, E.Pow, 2)
Tensor.clamp_ = lambda self, min=None, max=None: inplace(self, E.Clamp, min, max)
Tensor.clip_ = Tensor.clamp_
Tensor.clamp_min_ = lambda self, min: inplace(self, E.Clamp, min, None, "ClampMinBackward0")
Tensor.clamp_max_ = lambda self, max: inplace(self, E.Clamp, None, max, "ClampMaxBackward0")
Tensor.nan_to_num_ = lambda self, nan=0.0, posinf=None, neginf=None: inplace(
    self, E.NanToNum, nan=nan, posinf=posinf, neginf=neginf)


def _inplace_view(self, r, name):
    """Make ``self`` the view ``r`` of itself (squeeze_, t_ ...), keeping autograd history."""
    if self._rg and self.grad_fn is None and _gm._enabled[0]:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    self._data = r._data
    self._version[0] += 1
    if r.grad_fn is not None:
        r.grad_fn._name = name
        self.grad_fn = r.grad_fn
    return self


def _squeeze_(self, dim=None):
    name = "SqueezeBackward3" if dim is None else (
        "SqueezeBackward4" if isinstance(dim, int) else "SqueezeBackward5")
    return _inplace_view(self, S.squeeze(self, dim), name)


def _unsqueeze_(self, dim):
    return _inplace_view(self, S.unsqueeze(self, dim), "UnsqueezeBackward1")


def _t_(self):
    return _inplace_view(self, S.t(self), "TBackward1")


def _transpose_(self, d0, d1):
    return _inplace_view(self, S.transpose(self, d0, d1), "TransposeBackward1")


def _resize_(self, *sizes, memory_format=None):
    """Reinterpret the tensor's memory from its storage offset as a contiguous ``sizes``
    tensor (as torch does: storage order, not logical order); grows into new zeroed memory."""
    shape = S._shape_arg(sizes)
    if shape == self._data.shape:
        return self
    n = int(np.prod(shape)) if shape else 1
    block = self._data
    while isinstance(block.base, np.ndarray):
        block = block.base
    off = self.storage_offset()
    if block.flags.c_contiguous and block.dtype == self._data.dtype and \
            off + n <= block.size:
        self._data = block.reshape(-1)[off:off + n].reshape(shape)
    else:
        new = np.zeros(n, dtype=self._data.dtype)
        old = self._data.reshape(-1)
        new[:min(n, old.size)] = old[:n]
        self._data = new.reshape(shape)
        self._base = None
    return self


Tensor.squeeze_ = _squeeze_
Tensor.unsqueeze_ = _unsqueeze_
Tensor.t_ = _t_
Tensor.transpose_ = _transpose_
Tensor.resize_ = _resize_


def _masked_fill_(self, mask, value):
    return inplace(self, I.MaskedFill, mask, value)


def _index_fill_(self, dim, index, value):
    return inplace(self, I.IndexFill, index, value, dim=dim)


def _scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    s = src if src is not None else value
    if isinstance(s, (int, float, bool)):
        return inplace(self, I.ScatterValue, index, s, dim=dim, reduce=reduce)
    return inplace(self, I.Scatter, index, s, dim=dim, reduce=reduce)


def _scatter_add_(self, dim, index, src):
    return inplace(self, I.ScatterAdd, index, src, dim=dim)


def _index_add_(self, dim, index, source, *, alpha=1):
    return inplace(self, I.IndexAdd, index, source, dim=dim, alpha=alpha)


def _index_copy_(self, dim, index, source):
    return inplace(self, I.IndexCopy, index, source, dim=dim)


def _masked_scatter_(self, mask, source):
    return inplace(self, I.MaskedScatter, mask, source)


def _tril_(self, diagonal=0):
    return inplace(self, I.Tril, diagonal)


def _triu_(self, diagonal=0):
    return inplace(self, I.Triu, diagonal)


Tensor.masked_fill_ = _masked_fill_
Tensor.cumsum_ = lambda self, dim, *, dtype=None: inplace(
    self, R.CumSum, R.wrap_dim(dim, self.ndim), dtype=dtype)
Tensor.cumprod_ = lambda self, dim, *, dtype=None: inplace(
    self, R.CumProd, R.wrap_dim(dim, self.ndim), dtype=dtype)
Tensor.addmm_ = lambda self, mat1, mat2, *, beta=1, alpha=1: inplace(
    self, L.Addmm, mat1, mat2, beta=beta, alpha=alpha)
Tensor.baddbmm_ = lambda self, batch1, batch2, *, beta=1, alpha=1: inplace(
    self, L.Baddbmm, batch1, batch2, beta=beta, alpha=alpha)
Tensor.where = lambda self, condition, other: E.where(condition, self, other)


def _repeat_interleave(self, repeats, dim=None, *, output_size=None):
    return I.repeat_interleave(self, repeats, dim, output_size=output_size)


Tensor.repeat_interleave = _repeat_interleave
Tensor.index_fill_ = _index_fill_
Tensor.scatter_ = _scatter_
Tensor.scatter_add_ = _scatter_add_
Tensor.index_add_ = _index_add_
Tensor.index_copy_ = _index_copy_
Tensor.masked_scatter_ = _masked_scatter_
Tensor.tril_ = _tril_
Tensor.triu_ = _triu_


# ---- misc ------------------------------------------------------------------------------
def _allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    from . import allclose
    return allclose(self, other, rtol, atol, equal_nan)


def _equal(self, other):
    return self._data.shape == other._data.shape and bool(np.array_equal(self._data,
                                                                           other._data))


Tensor.allclose = _allclose
Tensor.equal = _equal
Tensor.is_same_size = lambda self, other: self._data.shape == other._data.shape
Tensor.dim_order = lambda self: tuple(int(i) for i in np.argsort(
    [-s for s in self._data.strides], kind="stable"))
Tensor.pin_memory = lambda self, device=None: self
Tensor.is_pinned = lambda self, device=None: False
Tensor.share_memory_ = lambda self: self
Tensor.is_shared = lambda self: False
Tensor.is_sparse = False
Tensor.is_quantized = False
Tensor.is_meta = False
Tensor.is_mps = False
Tensor.is_nested = False
Tensor.names = None
