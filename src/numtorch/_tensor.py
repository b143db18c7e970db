"""Tensor: a NumPy array plus autograd metadata.

Math lives in ``numtorch.ops``; this file holds the attributes torch users
touch (shape, dtype, grad, requires_grad, data, ...), conversions to Python
and NumPy, and ``backward``. Methods that mirror a ``numtorch.<fn>`` are
attached in ``_tensor_methods.py``.
"""
import weakref

import numpy as np

from . import _dtype
from ._size import Size, CPU, device as _device
from .autograd import graph as _graph
from .autograd import grad_mode as _gm
from . import autograd as _autograd

__all__ = ["Tensor"]

_new = object.__new__
_ndarray = np.ndarray


class Tensor:
    """A multi-dimensional array with autograd, backed by a NumPy array (``._data``)."""

    __slots__ = ("_data", "_rg", "grad_fn", "_version", "_base", "__dict__", "__weakref__")

    # Rarely-set attributes live in __dict__ with these class defaults.
    _grad = None
    _output_nr = 0
    _accum_ref = None
    _retains_grad = False
    __array_priority__ = 1000  # numpy scalars defer to Tensor's reflected operators

    def __new__(cls, *args, **kwargs):
        self = _new(cls)
        _init(self, _legacy_data(args, kwargs))
        return self

    def __init__(self, *args, **kwargs):
        pass

    # ---- basic attributes ---------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def dtype(self):
        return _dtype._FROM_NP[self._data.dtype]

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    @property
    def layout(self):
        return "torch.strided"

    def get_device(self):
        return -1

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        base = self._base
        if base is None:  # e.g. views rebuilt by numtorch.load: offset in the NumPy memory
            from ._storage import _offset_in_root
            return _offset_in_root(self._data)
        off = (self._data.__array_interface__["data"][0]
               - base._data.__array_interface__["data"][0])
        if not 0 <= off < max(base._data.nbytes, 1):  # memory replaced since (resize_)
            from ._storage import _offset_in_root
            return _offset_in_root(self._data)
        return off // self._data.itemsize

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self):
        from ._storage import UntypedStorage
        return UntypedStorage._of(self)

    @property
    def _version_value(self):
        return self._version[0]

    # ---- autograd attributes ------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients")
        self._rg = value

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self):
        t = _wrap(self._data)
        t._version = self._version
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        if self.grad_fn is None:
            if not self._rg:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        node = self.grad_fn
        if node._retain is None:
            node._retain = {}
        node._retain[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_pre_hook(self._output_nr, hook)
        hooks = self.__dict__.setdefault("_hooks", [])
        hooks.append(hook)
        return _graph._RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        hooks = self.__dict__.setdefault("_post_acc_hooks", [])
        hooks.append(hook)
        return _graph._RemovableHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``."""
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = _wrap(self._data)
        t._version = self._version
        t._base = self if self._base is None else self._base
        return t

    def detach_(self):
        if self._base is not None and self._base._rg and _gm._enabled[0]:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._rg = False
        return self

    # ---- conversions --------------------------------------------------------
    def numpy(self, *, force=False):
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar_check(self, what):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size > 1 else
                "Boolean value of Tensor with no values is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        self._scalar_check("float")
        return float(self._data.reshape(()))

    def __int__(self):
        self._scalar_check("int")
        return int(self._data.reshape(()))

    def __complex__(self):
        self._scalar_check("complex")
        return complex(self._data.reshape(()))

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __hash__(self):
        return id(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __reduce_ex__(self, proto):
        return (_rebuild_tensor, (self._data, self._rg))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                "because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        _init(new, self._data.copy())
        new._rg = self._rg
        for k, v in self.__dict__.items():
            if k in ("_accum_ref", "_hooks", "_post_acc_hooks"):
                continue
            import copy
            new.__dict__[k] = copy.deepcopy(v, memo)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def __setstate__(self, state):
        # used by pickling of subclasses (Parameter)
        pass

    def __dir__(self):
        return sorted(set(object.__dir__(self)))


def _rebuild_tensor(data, requires_grad):
    t = _wrap(np.array(data))
    t._rg = requires_grad
    return t


def _init(t, arr):
    t._data = arr
    t._rg = False
    t.grad_fn = None
    t._version = [0]
    t._base = None


def _wrap(arr):
    """Tensor around array ``arr`` (no copy, no checks): the constructor used by ops."""
    if type(arr) is not _ndarray:
        arr = np.asarray(arr)
    t = _new(Tensor)
    t._data = arr
    t._rg = False
    t.grad_fn = None
    t._version = [0]
    t._base = None
    return t


def _wrap_dim(dim, ndim):
    """Normalise a possibly negative dim; IndexError like torch when out of range."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _legacy_data(args, kwargs):
    """torch.Tensor(...) legacy constructor: sizes or data, default dtype."""
    dt = _dtype.get_default_dtype().np
    if kwargs.get("device") is not None:
        _device(kwargs["device"])
    if not args:
        return np.empty((0,), dtype=dt)
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]._data
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
        return np.empty(tuple(int(a) for a in args), dtype=dt)
    if len(args) == 1 and isinstance(args[0], (Size,)):
        return np.empty(tuple(args[0]), dtype=dt)
    if len(args) == 1:
        return np.array(_to_nested(args[0]), dtype=dt)
    raise TypeError(f"new() received an invalid combination of arguments - got {args!r}")


def _to_nested(obj):
    if isinstance(obj, Tensor):
        return obj._data
    if isinstance(obj, (list, tuple)):
        return [_to_nested(o) for o in obj]
    return obj


_graph.Tensor = Tensor
_graph._wrap = _wrap
