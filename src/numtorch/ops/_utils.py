"""Helpers shared by ops: torch's dtype promotion on arrays, dim normalisation."""
from ..backends import xp

from .. import _dtype

_ndarray = xp.ndarray


def promote(a, b):
    """Cast operands of a binary op to torch's result dtype.

    ``a``/``b`` are arrays (tensors' data) or Python scalars. Arrays come back
    cast to the result dtype; Python scalars stay Python scalars (NumPy treats
    them as weak, like torch), except where that would change the result.
    """
    ta = type(a) is _ndarray
    tb = type(b) is _ndarray
    if ta and tb:
        if a.dtype == b.dtype:
            return a, b
        da, db = _dtype._FROM_NP[a.dtype], _dtype._FROM_NP[b.dtype]
        if (a.ndim == 0) == (b.ndim == 0):
            rt = _dtype.promote_types(da, db)
        elif a.ndim == 0:
            rt = _dtype.result_type_of([db], [da], ())
        else:
            rt = _dtype.result_type_of([da], [db], ())
        rn = rt.np
        return (a if a.dtype == rn else a.astype(rn)), (b if b.dtype == rn else b.astype(rn))
    if ta:
        return a, _scalar_against(b, a)
    if tb:
        return _scalar_against(a, b), b
    return xp.asarray(a), b


def _scalar_against(s, arr):
    """Python scalar ``s`` combined with ``arr``: keep weak unless it raises the category."""
    k = arr.dtype.kind
    if isinstance(s, bool):
        return s
    if isinstance(s, (int, xp.integer)):
        if k == "b":
            return xp.int64(s)
        if k in "iu":
            info = xp.iinfo(arr.dtype)
            if not info.min <= s <= info.max:
                return xp.array(s).astype(arr.dtype)  # wraps, as torch does
        return s
    if isinstance(s, (float, xp.floating)):
        if k in "biu":
            return _dtype.get_default_dtype().np.type(s)
        return float(s)
    if isinstance(s, complex):
        if k != "c":
            return xp.complex64(s) if arr.dtype != xp.float64 else xp.complex128(s)
        return s
    if hasattr(s, "_data"):
        return s._data
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
