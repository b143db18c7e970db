"""Shape and view ops: view/reshape, permute/transpose, squeeze/unsqueeze, expand, cat/stack,
split/chunk/unbind, flip/roll, repeat/tile, and indexing with ``[]``.

View ops (``is_view = True``) return NumPy views, so the result shares memory
(and the version counter) with its input, as torch's views do.
"""
from ..backends import xp

from ..autograd import grad_mode
from ..autograd.graph import Node, apply
from .._tensor import Tensor, _wrap
from ._utils import wrap_dim, wrap_dims, shape_str
from ._inplace import inplace

_ndarray = xp.ndarray


def _infer_shape(shape, numel):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class View(Node):
    is_view = True

    def forward(self, a, shape):
        shape = _infer_shape(shape, a.size)
        self.in_shape = a.shape
        try:
            return xp.reshape(a, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    def backward(self, g):
        return g.reshape(self.in_shape)


class Reshape(Node):
    """reshape: a view when the layout allows (ViewBackward0 / ReshapeAliasBackward0), else a
    copy (UnsafeViewBackward0), as torch names them."""

    _name = "ViewBackward0"

    def forward(self, a, shape):
        shape = _infer_shape(shape, a.size)
        self.in_shape = a.shape
        if a.flags.c_contiguous:
            self.is_view = True
            return a.reshape(shape)
        try:
            out = xp.reshape(a, shape, copy=False)
            self.is_view = True
            self._name = "ReshapeAliasBackward0"
        except ValueError:
            out = xp.reshape(a, shape)
            self._name = "UnsafeViewBackward0"
        return out

    def backward(self, g):
        return g.reshape(self.in_shape)


class Permute(Node):
    is_view = True

    def forward(self, a, dims):
        self.dims = dims
        return xp.transpose(a, dims)

    def backward(self, g):
        return xp.transpose(g, xp.argsort(self.dims))


class Transpose(Node):
    is_view = True

    def forward(self, a, d0, d1):
        self.d = (d0, d1)
        if a.ndim == 0:
            return a.view()
        return xp.swapaxes(a, d0, d1)

    def backward(self, g):
        return xp.swapaxes(g, *self.d) if g.ndim else g


class T(Transpose):
    _name = "TBackward0"


class Squeeze(Node):
    is_view = True

    def forward(self, a, dims=None):
        self.in_shape = a.shape
        if dims is None:
            return xp.squeeze(a)
        dims, name = dims
        self._name = name
        dims = tuple(d for d in dims if a.shape[d] == 1)
        return xp.squeeze(a, dims) if dims else a.view()

    def backward(self, g):
        return g.reshape(self.in_shape)


class Unsqueeze(Node):
    is_view = True

    def forward(self, a, dim):
        self.dim = dim
        return xp.expand_dims(a, dim)

    def backward(self, g):
        return xp.squeeze(g, self.dim)


class Expand(Node):
    is_view = True

    def forward(self, a, shape):
        nd = len(shape)
        if nd < a.ndim:
            raise RuntimeError(
                f"expand(torch.FloatTensor{{{shape_str(a.shape)}}}, size={shape_str(shape)}): "
                "the number of sizes provided (" + str(nd) + ") must be greater or equal to the "
                "number of dimensions in the tensor (" + str(a.ndim) + ")")
        lead = nd - a.ndim
        target = []
        for i, s in enumerate(shape):
            if i < lead:
                if s < 0:
                    raise RuntimeError(
                        f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                        "non-existing dimension " + str(i))
                target.append(s)
                continue
            cur = a.shape[i - lead]
            if s == -1:
                target.append(cur)
            elif cur == 1 or cur == s:
                target.append(s)
            else:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size ({cur}) "
                    f"at non-singleton dimension {i}.  Target sizes: {shape_str(shape)}.  Tensor "
                    f"sizes: {shape_str(a.shape)}")
        return xp.broadcast_to(a, tuple(target))

    def backward(self, g):
        return g  # the engine sums back to the input's shape


class Flip(Node):
    def forward(self, a, dims):
        if a.ndim == 0:
            dims = ()
        self.dims = dims
        return xp.flip(a, dims).copy()

    def backward(self, g):
        return xp.flip(g, self.dims)


class Roll(Node):
    def forward(self, a, shifts, dims):
        self.shifts, self.dims = shifts, dims
        if dims is None:
            return xp.roll(a.reshape(-1), shifts).reshape(a.shape)
        return xp.roll(a, shifts, dims)

    def backward(self, g):
        neg = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        if self.dims is None:
            return xp.roll(g.reshape(-1), neg).reshape(g.shape)
        return xp.roll(g, neg, self.dims)


class Repeat(Node):
    def forward(self, a, reps):
        if len(reps) < a.ndim:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions "
                "of tensor")
        self.in_shape = a.shape
        self.reps = reps
        return xp.tile(a, reps)

    def backward(self, g):
        reps = self.reps
        shape = (1,) * (len(reps) - len(self.in_shape)) + tuple(self.in_shape)
        split = []
        for r, s in zip(reps, shape):
            split += [r, s]
        g = g.reshape(split).sum(axis=tuple(range(0, 2 * len(reps), 2)))
        return g.reshape(self.in_shape)


class Cat(Node):
    def forward(self, *arrays, dim=0):
        arrays = [a for a in arrays]
        nonempty = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)]
        if not nonempty:
            nonempty = arrays[:1]
        ref = nonempty[0]
        if ref.ndim == 0:
            raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
        d = wrap_dim(dim, ref.ndim)
        for i, a in enumerate(arrays):
            if a.ndim == 1 and a.shape[0] == 0:
                continue
            if a.ndim != ref.ndim:
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}")
            for k in range(ref.ndim):
                if k != d and a.shape[k] != ref.shape[k]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size "
                        f"{ref.shape[k]} but got size {a.shape[k]} for tensor number {i} in the "
                        "list.")
        rt = arrays[0].dtype
        for a in arrays[1:]:
            if a.dtype != rt:
                rt = xp.promote_types(rt, a.dtype)
        self.sizes = [a.shape[d] if not (a.ndim == 1 and a.shape[0] == 0 and ref.ndim != 1)
                      else None for a in arrays]
        self.d = d
        return xp.concatenate([a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)]
                              or arrays[:1], axis=d).astype(rt, copy=False)

    def backward(self, g):
        out = []
        start = 0
        for s in self.sizes:
            if s is None:
                out.append(xp.zeros((0,), g.dtype))
                continue
            idx = [slice(None)] * g.ndim
            idx[self.d] = slice(start, start + s)
            out.append(g[tuple(idx)])
            start += s
        return tuple(out)


class Stack(Node):
    def forward(self, *arrays, dim=0):
        ref = arrays[0]
        for i, a in enumerate(arrays):
            if a.shape != ref.shape:
                raise RuntimeError(
                    f"stack expects each tensor to be equal size, but got {shape_str(ref.shape)} "
                    f"at entry 0 and {shape_str(a.shape)} at entry {i}")
        d = wrap_dim(dim, ref.ndim + 1)
        self.d = d
        rt = ref.dtype
        for a in arrays[1:]:
            if a.dtype != rt:
                rt = xp.promote_types(rt, a.dtype)
        return xp.stack(arrays, axis=d).astype(rt, copy=False)

    def backward(self, g):
        return tuple(xp.take(g, i, axis=self.d) for i in range(g.shape[self.d]))


class SplitView(Node):
    """One piece of split/chunk/unbind/narrow/select: a view along ``dim``."""

    is_view = True

    def forward(self, a, dim, start, length, squeeze=False, name="SliceBackward0"):
        self._name = name
        idx = [slice(None)] * a.ndim
        if squeeze:
            idx[dim] = start
        else:
            idx[dim] = slice(start, start + length)
        self.idx = tuple(idx)
        self.shape = a.shape
        return a[self.idx]

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        gx[self.idx] = g
        return gx


# ---- indexing ------------------------------------------------------------------
def _convert_index(idx, shape=None):
    """Turn a torch index (ints, slices, None, Ellipsis, tensors, lists) into a NumPy one."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    advanced = False
    for x in idx:
        if isinstance(x, Tensor):
            arr = x._data
            if arr.dtype.kind not in "biu":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors")
            if arr.dtype == xp.uint8:
                arr = arr.astype(bool)
            out.append(arr)
            advanced = True
        elif isinstance(x, slice):
            if x.step is not None:
                step = int(x.step)
                if step <= 0:
                    raise ValueError("step must be greater than zero")
            out.append(x)
        elif isinstance(x, (list, range, xp.ndarray)):  # torch accepts range() as a sequence
            arr = xp.asarray([_conv_item(v) for v in x] if isinstance(x, (list, range)) else x,
                             dtype=xp.int64 if isinstance(x, range) else None)
            if arr.dtype.kind == "f":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors")
            out.append(arr)
            advanced = True
        elif isinstance(x, bool):
            out.append(x)
            advanced = True
        elif x is None or x is Ellipsis or isinstance(x, (int, xp.integer)):
            out.append(x)
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                "are valid indices (got " + type(x).__name__ + ")")
    return tuple(out), advanced


def _conv_item(v):
    if isinstance(v, Tensor):
        return v._data.item() if v._data.ndim == 0 else v._data
    return v


def _check_bounds(a, idx):
    """IndexError with torch's message for an out-of-range integer index."""
    dim = 0
    for x in idx:
        if x is None:
            continue
        if x is Ellipsis:
            dim = a.ndim - sum(1 for y in idx if y is not None and y is not Ellipsis
                               and not (isinstance(y, xp.ndarray) and y.dtype == bool)) + dim
            dim = max(dim, 0)
            continue
        if isinstance(x, (int, xp.integer)) and not isinstance(x, bool):
            if dim >= a.ndim:
                raise IndexError(f"too many indices for tensor of dimension {a.ndim}")
            size = a.shape[dim]
            if not -size <= x < size:
                raise IndexError(
                    f"index {x} is out of bounds for dimension {dim} with size {size}")
        dim += 1


def _is_full_slice(x, size):
    return (x.start is None or x.start == 0) and (x.step is None or x.step == 1) and (
        x.stop is None or x.stop >= size)


def _index_name(idx, shape, single):
    """The grad_fn torch gives a basic index: the last view op its slicing records."""
    if single:
        x = idx[0]
        if x is None:
            return "UnsqueezeBackward0"
        if x is Ellipsis:
            return "AliasBackward0"
        return "SliceBackward0" if isinstance(x, slice) else "SelectBackward0"
    name = "AliasBackward0"
    for x in idx:
        if x is None:
            name = "UnsqueezeBackward0"
        elif isinstance(x, slice):
            if not _is_full_slice(x, _dim_size(idx, x, shape)):
                name = "SliceBackward0"
        elif x is not Ellipsis:
            name = "SelectBackward0"
    return name


def _dim_size(idx, item, shape):
    """Size of the input dim that slice ``item`` (found by identity in ``idx``) addresses."""
    n_real = sum(1 for x in idx if x is not None and x is not Ellipsis)
    d = 0
    for x in idx:
        if x is item:
            return shape[d] if d < len(shape) else 0
        if x is Ellipsis:
            d += len(shape) - n_real
        elif x is not None:
            d += 1
    return 0


class GetItem(Node):
    def forward(self, a, idx, advanced, single=False):
        self.shape, self.idx, self.advanced = a.shape, idx, advanced
        if not advanced and Ellipsis not in idx:
            idx = idx + (Ellipsis,)   # keeps an all-int index a 0-d view, not a copy
        try:
            out = a[idx]
        except IndexError as e:
            _check_bounds(a, idx)
            msg = str(e)
            if "too many indices" in msg:
                raise IndexError(f"too many indices for tensor of dimension {a.ndim}") from None
            raise IndexError(msg) from None
        if not advanced:
            self.is_view = True
            self._name = _index_name(self.idx, a.shape, single)
        else:
            self._name = "IndexBackward0"
        if type(out) is not _ndarray:
            out = xp.asarray(out)
        return out

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        if self.advanced:
            xp.add.at(gx, self.idx, g)
        else:
            gx[self.idx] = g
        return gx


class SetItem(Node):
    """``a[idx] = v`` computed out of place (the in-place wrapper writes it back)."""

    _name = "IndexPutBackward0"

    def forward(self, a, v, idx, advanced):
        self.idx, self.advanced = idx, advanced
        if not advanced:  # torch: slice + copy_ -> CopySlices; tensor indices -> index_put_
            self._name = "CopySlices"
        out = a.copy()
        out[idx] = v
        return out

    def backward(self, g):
        n = self.needs_input_grad
        ga = gv = None
        if n[0]:
            ga = g.copy()
            ga[self.idx] = 0
        if len(n) > 1 and n[1]:
            gv = g[self.idx]
        return ga, gv


def getitem(t, idx):
    single = not isinstance(idx, tuple)
    idx, advanced = _convert_index(idx)
    return apply(GetItem, t, idx, advanced, single)


def setitem(t, idx, value):
    nidx, advanced = _convert_index(idx)
    if isinstance(value, Tensor):
        v = value
    elif isinstance(value, (int, float, bool, complex, xp.number)):
        v = value
    else:
        v = _wrap(xp.asarray(value, dtype=t._data.dtype))
    recording = grad_mode._enabled[0] and (t._rg or (isinstance(v, Tensor) and v._rg))
    if not recording:
        if not t._data.flags.writeable:
            raise RuntimeError("unsupported operation: the tensor's memory is read-only (an "
                               "expanded view); clone() it first")
        try:
            t._data[nidx] = v._data if isinstance(v, Tensor) else v
        except IndexError:
            _check_bounds(t._data, nidx)
            raise
        except ValueError as e:
            raise RuntimeError(str(e)) from None
        t._version[0] += 1
        return
    inplace(t, SetItem, v, nidx, advanced)


# ---- public functions -------------------------------------------------------------
def reshape(input, shape):
    return apply(Reshape, input, tuple(shape))


def view(input, *shape):
    shape = _shape_arg(shape)
    return apply(View, input, shape)


def flatten(input, start_dim=0, end_dim=-1):
    nd = input.ndim
    if nd == 0:
        return reshape(input, (1,))
    s = wrap_dim(start_dim, nd)
    e = wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shp = input._data.shape
    new = shp[:s] + (-1 if 0 not in shp[s:e + 1] else 0,) + shp[e + 1:]
    return apply(Reshape, input, new)


def unflatten(input, dim, sizes):
    d = wrap_dim(dim, input.ndim)
    shp = input._data.shape
    sizes = tuple(sizes)
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if -1 not in sizes and known != shp[d]:
        raise RuntimeError(
            f"unflatten: Provided sizes {shape_str(sizes)} don't multiply up to the size of dim "
            f"{dim} ({shp[d]}) in the input tensor")
    return apply(View, input, shp[:d] + sizes + shp[d + 1:])


def permute(input, *dims):
    dims = _shape_arg(dims)
    nd = input.ndim
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}")
    return apply(Permute, input, wrap_dims(dims, nd))


def transpose(input, dim0, dim1):
    nd = input.ndim
    return apply(Transpose, input, wrap_dim(dim0, nd), wrap_dim(dim1, nd))


swapaxes = swapdims = transpose


def t(input):
    nd = input.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    if nd < 2:
        return apply(T, input, 0, 0) if nd == 1 else apply(T, input, (), ())
    return apply(T, input, 0, 1)


def movedim(input, source, destination):
    nd = input.ndim
    src = wrap_dims(source, nd)
    dst = wrap_dims(destination, nd)
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return apply(Permute, input, tuple(order))


moveaxis = movedim


def squeeze(input, dim=None):
    if dim is None:
        return apply(Squeeze, input, None)
    nd = input.ndim
    dims = wrap_dims(dim, nd) if nd else ()
    return apply(Squeeze, input, (dims, "SqueezeBackward1" if isinstance(dim, int)
                                  else "SqueezeBackward2"))


def unsqueeze(input, dim):
    return apply(Unsqueeze, input, wrap_dim(dim, input.ndim + 1))


def expand(input, *sizes):
    return apply(Expand, input, _shape_arg(sizes))


def expand_as(input, other):
    return apply(Expand, input, tuple(other._data.shape))


def broadcast_to(input, size):
    return apply(Expand, input, tuple(size))


def flip(input, dims):
    if isinstance(dims, int):
        dims = (dims,)
    return apply(Flip, input, wrap_dims(tuple(dims), input.ndim) if input.ndim else ())


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


def roll(input, shifts, dims=None):
    if dims is None:
        if not isinstance(shifts, int):
            shifts = tuple(shifts)
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                                   "dims:0")
            shifts = shifts[0]
        return apply(Roll, input, shifts, None)
    if isinstance(shifts, int):
        shifts = (shifts,)
    if isinstance(dims, int):
        dims = (dims,)
    return apply(Roll, input, tuple(shifts), wrap_dims(tuple(dims), input.ndim))


def repeat(input, *sizes):
    return apply(Repeat, input, _shape_arg(sizes))


def tile(input, dims):
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return apply(Repeat, input, dims)


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"torch.{name}(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")
    return tensors


def cat(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "cat")
    return apply(Cat, *tensors, dim=dim)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "stack")
    return apply(Stack, *tensors, dim=dim)


def hstack(tensors):
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t) for t in tensors], 0)


def atleast_1d(t):
    return t.reshape(1) if t.ndim == 0 else t


def atleast_2d(t):
    if t.ndim == 0:
        return t.reshape(1, 1)
    return unsqueeze(t, 0) if t.ndim == 1 else t


def narrow(input, dim, start, length):
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if isinstance(start, Tensor):
        start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return apply(SplitView, input, d, start, length)


def select(input, dim, index):
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{shape_str(input._data.shape)} at dimension {d}")
    return apply(SplitView, input, d, index % size if size else index, 1, True,
                 "SelectBackward0")


def unbind(input, dim=0):
    d = wrap_dim(dim, input.ndim)
    return tuple(apply(SplitView, input, d, i, 1, True, "UnbindBackward0") for i in range(input._data.shape[d]))


def split(tensor, split_size_or_sections, dim=0):
    d = wrap_dim(dim, tensor.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        if s <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = [min(s, size - i) for i in range(0, size, s)] if s else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}")
    name = "SplitBackward0" if isinstance(split_size_or_sections, int) else \
        "SplitWithSizesBackward0"
    out = []
    start = 0
    for s in sizes:
        out.append(apply(SplitView, tensor, d, start, s, False, name))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    step = -(-size // chunks) if size else 1
    return split(input, step, d) if size else tuple(
        apply(SplitView, input, d, 0, 0) for _ in range(1))


def tensor_split(input, indices_or_sections, dim=0):
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        base, extra = divmod(size, n)
        sizes = [base + 1] * extra + [base] * (n - extra)
    else:
        idx = [0] + list(indices_or_sections) + [size]
        sizes = [max(0, min(b, size) - min(a, size)) for a, b in zip(idx[:-1], idx[1:])]
    out, start = [], 0
    for s in sizes:
        out.append(apply(SplitView, input, d, start, s))
        start += s
    return tuple(out)
