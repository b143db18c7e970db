"""numtorch dtypes, their NumPy counterparts, the default dtype and torch's type promotion."""
import numpy as np

__all__ = ["dtype", "get_default_dtype", "set_default_dtype", "promote_types", "result_type_of"]

# Categories for promotion: bool < integral < floating < complex.
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type (``numtorch.float32``...), wrapping a NumPy dtype."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed",
                 "_cat", "_aliases")

    def __init__(self, name, np_dtype, cat):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.is_floating_point = cat == _FLOAT
        self.is_complex = cat == _COMPLEX
        self.is_signed = name not in ("uint8", "bool")
        self._cat = cat

    def __repr__(self):
        return "numtorch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_complex(self):
        return {"float32": complex64, "float64": complex128}.get(self.name, complex64)

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)


float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
float16 = dtype("float16", np.float16, _FLOAT)
bfloat16 = None  # NumPy has no bfloat16; left undefined on purpose.
complex64 = dtype("complex64", np.complex64, _COMPLEX)
complex128 = dtype("complex128", np.complex128, _COMPLEX)
int64 = dtype("int64", np.int64, _INT)
int32 = dtype("int32", np.int32, _INT)
int16 = dtype("int16", np.int16, _INT)
int8 = dtype("int8", np.int8, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
bool_ = dtype("bool", np.bool_, _BOOL)

ALL = (float32, float64, float16, complex64, complex128, int64, int32, int16, int8, uint8, bool_)
_BY_NAME = {d.name: d for d in ALL}
_FROM_NP = {d.np: d for d in ALL}


def _dtype_by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """numtorch dtype of a NumPy dtype; TypeError for those torch has no equivalent of."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, "
            "and bool.") from None


def to_numpy_dtype(d):
    """NumPy dtype for a numtorch dtype (or anything NumPy understands)."""
    if isinstance(d, dtype):
        return d.np
    if d is float:
        return get_default_dtype().np
    if d is int:
        return np.dtype(np.int64)
    if d is bool:
        return np.dtype(np.bool_)
    return np.dtype(d)


def as_dtype(d):
    """Normalise a dtype argument (numtorch dtype, Python type, NumPy dtype) to a numtorch dtype."""
    if d is None or isinstance(d, dtype):
        return d
    if d is float:
        return get_default_dtype()
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return get_default_dtype().to_complex()
    return from_numpy_dtype(d)


_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    d = as_dtype(d)
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def _np_promote(na, nb):
    """torch.promote_types on NumPy dtypes: like NumPy's, except that an integral or bool type
    meeting a floating/complex one gives that floating/complex type (int64 + float32 is
    float32 in torch, float64 in NumPy)."""
    ka, kb = na.kind, nb.kind
    fa, fb = ka in "fc", kb in "fc"
    if fa and not fb:
        return na
    if fb and not fa:
        return nb
    return np.promote_types(na, nb)


_PROMOTE = {(a.np, b.np): _FROM_NP[_np_promote(a.np, b.np)] for a in ALL for b in ALL}


def promote_types(a, b):
    """torch.promote_types for two numtorch dtypes."""
    if a is b:
        return a
    return _PROMOTE[(as_dtype(a).np, as_dtype(b).np)]


def _scalar_dtype(x):
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, float):
        return get_default_dtype()
    if isinstance(x, complex):
        return get_default_dtype().to_complex()
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def _combine(higher, lower):
    """torch's combine_categories: ``higher`` (dimensioned) wins unless ``lower`` raises the
    category; then ``higher``'s precision is kept where it can be."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == _COMPLEX:
        return higher
    if lower._cat == _COMPLEX:
        return higher.to_complex() if higher._cat == _FLOAT else lower
    if higher._cat == _FLOAT:
        return higher
    if higher._cat == _BOOL or lower._cat == _FLOAT:
        return promote_types(higher, lower)
    return higher


def _promote_all(ds):
    r = None
    for d in ds:
        r = d if r is None else promote_types(r, d)
    return r


def result_type_of(dims, zerodims, scalars):
    """torch's promotion: dimensioned tensors, then 0-dim tensors, then Python scalars.

    A later class only changes the result when it is of a higher category
    (bool < int < float < complex); within a class dtypes promote normally.
    """
    wrapped = _promote_all([_scalar_dtype(s) for s in scalars])
    return _combine(_promote_all(dims), _combine(_promote_all(zerodims), wrapped))
