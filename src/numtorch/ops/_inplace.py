"""In-place application of an op (``add_``, ``mul_``, ``x[i] = v`` ...).

Data is written into the tensor's existing array (so views and the base see
it) and the version counter is bumped. When autograd records the op, the
tensor's ``grad_fn`` is rebased onto the new node; an in-place op on a view
of a tensor that requires grad also rebases the base (torch's CopySlices).
"""
from ..backends import xp

from ..autograd import grad_mode
from ..autograd.graph import Node, apply, _record
from .._tensor import Tensor
from .. import _dtype

_LEAF_MSG = "a leaf Variable that requires grad is being used in an in-place operation."


def _check_cast(res_dtype, self_dtype, name="result"):
    if res_dtype == self_dtype:
        return
    r, s = _dtype._FROM_NP[res_dtype], _dtype._FROM_NP[self_dtype]
    if r._cat > s._cat:
        raise RuntimeError(
            f"{name} type {_type_name(r)} can't be cast to the desired output type "
            f"{_type_name(s)}")


def _type_name(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "complex64": "ComplexFloat",
            "complex128": "ComplexDouble"}[d.name]


def inplace(self, op_cls, *args, **kwargs):
    """Apply ``op_cls(self, *args)`` and store the result in ``self``; returns ``self``."""
    recording = grad_mode._enabled[0] and op_cls.differentiable and (
        self._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    if not recording and grad_mode._enabled[0] and not op_cls.differentiable and (
            self._rg or any(isinstance(a, Tensor) and a._rg for a in args)):
        return _inplace_nondiff(self, op_cls, args, kwargs)
    if not recording:
        node = op_cls()
        out = node.forward(self._data, *[a._data if isinstance(a, Tensor) else a for a in args],
                           **kwargs)
        out = xp.asarray(out)
        _check_cast(out.dtype, self._data.dtype)
        _write(self, out)
        self._version[0] += 1
        return self
    if self._rg and self.grad_fn is None:
        raise RuntimeError(_LEAF_MSG)
    _check_view_leaf(self)
    res = apply(op_cls, self, *args, **kwargs)
    _check_cast(res._data.dtype, self._data.dtype)
    node = res.grad_fn
    _protect_saved(node, self)
    _write(self, res._data)
    _rebase(self, node)
    return self


class _NonDiffInplace(Node):
    """``x.eq_(y)`` on a tensor that requires grad: torch records a node whose gradient is 0."""

    def forward(self, a, name):
        self._name = name
        return a

    def backward(self, g):
        return tuple(xp.zeros_like(g) if need else None for need in self.needs_input_grad)


def _inplace_nondiff(self, op_cls, args, kwargs):
    if self._rg and self.grad_fn is None:
        raise RuntimeError(_LEAF_MSG)
    _check_view_leaf(self)
    node = op_cls()
    out = xp.asarray(node.forward(self._data, *[a._data if isinstance(a, Tensor) else a
                                                for a in args], **kwargs))
    _check_cast(out.dtype, self._data.dtype)
    _write(self, out)
    suffix = "1" if args and isinstance(args[0], Tensor) else "0"
    node = _NonDiffInplace()
    node.forward(self._data, op_cls.__name__ + "Backward" + suffix)
    _record(node, (self,) + tuple(args), (self._data,) + tuple(
        a._data if isinstance(a, Tensor) else a for a in args))
    _rebase(self, node)
    return self


def _write(self, out):
    dst = self._data
    if out.shape != dst.shape:
        try:
            out = xp.broadcast_to(out, dst.shape)
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                f"{list(out.shape)}") from None
    if not dst.flags.writeable:
        raise RuntimeError("the tensor's memory is read-only (e.g. an expanded view); "
                           "clone() it before writing in place")
    xp.copyto(dst, out, casting="unsafe")


def _check_view_leaf(self):
    base = self._base
    if base is not None and base._rg and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation.")


def _protect_saved(node, self):
    """The node may have saved ``self``'s array, which is about to be overwritten: copy it."""
    if node is None or not node._saved:
        return
    arr = self._data
    if any(s is arr for s in node._saved):
        node._saved = tuple(s.copy() if s is arr else s for s in node._saved)
        if node._saved_versions:
            node._saved_versions = [v for v in node._saved_versions if v[0] is not self._version]


def _rebase(self, node):
    """Make ``self`` the output of ``node`` (after its data was overwritten in place)."""
    self._version[0] += 1
    if node is None:
        return
    self.grad_fn = node
    self._rg = True
    if self._output_nr:
        self._output_nr = 0
    base = self._base
    if base is not None:
        _copy_slices(base, self)


class CopySlices(Node):
    """Base after one of its views was modified in place."""

    _name = "CopySlices"

    def forward(self, base_arr, view_arr, offset, strides, shape):
        self.geom = (offset, strides, shape)
        return base_arr

    def backward(self, g):
        offset, strides, shape = self.geom
        gb = xp.array(g, copy=True, order="C")
        v = _view_of(gb, offset, strides, shape)
        gv = v.copy()
        v[...] = 0
        return gb, gv


class AsStridedView(Node):
    """A view recreated from its (rebased) base: gradient scattered into the base's shape."""

    _name = "AsStridedBackward0"
    is_view = True

    def forward(self, base_arr, offset, strides, shape):
        self.geom = (offset, strides, shape)
        self.base_shape = base_arr.shape
        self.base_dtype = base_arr.dtype
        return _view_of(base_arr, offset, strides, shape)

    def backward(self, g):
        offset, strides, shape = self.geom
        gb = xp.zeros(self.base_shape, dtype=self.base_dtype)
        _view_of(gb, offset, strides, shape)[...] = g
        return gb


def _geometry(base_arr, view_arr):
    if not base_arr.flags.c_contiguous:
        raise NotImplementedError(
            "in-place modification of a view whose base is not contiguous is not supported "
            "with autograd; clone() the base first")
    offset = (view_arr.__array_interface__["data"][0]
              - base_arr.__array_interface__["data"][0])
    return offset, view_arr.strides, view_arr.shape


def _view_of(arr, offset, strides, shape):
    return xp.ndarray(shape, dtype=arr.dtype, buffer=arr, offset=offset, strides=strides)


def _copy_slices(base, view):
    geom = _geometry(base._data, view._data)
    node = CopySlices()
    node.forward(base._data, view._data, *geom)
    _record(node, (base, view), (base._data, view._data))
    base.grad_fn = node
    base._rg = True
    base._output_nr = 0
    vnode = AsStridedView()
    vnode.forward(base._data, *geom)
    _record(vnode, (base,), (base._data,))
    view.grad_fn = vnode
