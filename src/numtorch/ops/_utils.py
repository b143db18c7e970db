"""Helpers shared by ops: torch's dtype promotion on arrays, dim normalisation."""
from ..backends import xp

from .. import _dtype

_ndarray = xp.ndarray


def promote(a, b):
    """Cast operands of a binary op to torch's result dtype.

    ``a``/``b`` are arrays (tensors' data) or Python scalars. Arrays come back
    cast to the result dtype; Python scalars stay Python scalars (NumPy treats
    them as weak, like torch) unless they change the category, in which case
    the array is cast instead (int tensor * 1.5 is float32 in torch).
    """
    if type(a) is _ndarray:
        if type(b) is _ndarray:
            da = a.dtype
            db = b.dtype
            if da == db:
                return a, b
            rt = _pair_result(da, db, a.ndim == 0, b.ndim == 0)
            return (a if da == rt else a.astype(rt)), (b if db == rt else b.astype(rt))
        if type(b) is float and a.dtype.kind in "fc":
            return a, b
        return _with_scalar(a, b)
    if type(b) is _ndarray:
        b, a = _with_scalar(b, a)
        return a, b
    return xp.asarray(a), b


_PAIR = {}


def _pair_result(da, db, a0, b0):
    """NumPy result dtype of two arrays under torch's rules (0-dim arrays count less)."""
    key = (da, db, a0, b0)
    r = _PAIR.get(key)
    if r is None:
        ta, tb = _dtype._FROM_NP[da], _dtype._FROM_NP[db]
        if a0 == b0:
            r = _dtype.promote_types(ta, tb).np
        elif a0:
            r = _dtype.result_type_of([tb], [ta], ()).np
        else:
            r = _dtype.result_type_of([ta], [tb], ()).np
        _PAIR[key] = r
    return r


def _with_scalar(arr, s):
    """(arr, s) for array ``arr`` combined with Python/NumPy scalar ``s``."""
    ts = type(s)
    k = arr.dtype.kind
    if ts is bool or ts is xp.bool_:
        return arr, bool(s)
    if ts is int or isinstance(s, xp.integer):
        s = int(s)
        if k == "b":
            return arr.astype(xp.int64), s
        if k in "iu" and arr.dtype.itemsize < 8:
            info = xp.iinfo(arr.dtype)
            if not info.min <= s <= info.max:
                return arr, xp.array(s).astype(arr.dtype)  # wraps around, as torch does
        return arr, s
    if ts is float or isinstance(s, xp.floating):
        s = float(s)
        if k in "biu":
            return arr.astype(_dtype.get_default_dtype().np), s
        return arr, s
    if ts is complex or isinstance(s, xp.complexfloating):
        s = complex(s)
        if k != "c":
            if arr.dtype == xp.float64:
                return arr.astype(xp.complex128), s
            return arr.astype(_dtype.get_default_dtype().to_complex().np), s
        return arr, s
    if hasattr(s, "_data"):
        return promote(arr, s._data)
    raise TypeError(f"unsupported operand type(s): '{type(s).__name__}'")


def result_np_dtype(a, b):
    """NumPy dtype of torch's result for a binary op on ``a``/``b`` (arrays or scalars)."""
    x, y = promote(a, b)
    if type(x) is _ndarray:
        return x.dtype
    return xp.result_type(y)


def default_float(arr):
    """``arr`` as the default float dtype when it is integral/bool (for exp, sqrt, / ...)."""
    if arr.dtype.kind in "biu":
        return arr.astype(_dtype.get_default_dtype().np)
    return arr


def wrap_dim(dim, ndim):
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def wrap_dims(dims, ndim):
    if isinstance(dims, int):
        return (wrap_dim(dims, ndim),)
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return out


def shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def check_broadcast(a_shape, b_shape):
    """RuntimeError with torch's message when shapes do not broadcast."""
    la, lb = len(a_shape), len(b_shape)
    n = max(la, lb)
    for i in range(1, n + 1):
        x = a_shape[-i] if i <= la else 1
        y = b_shape[-i] if i <= lb else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {n - i}")
