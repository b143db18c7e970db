"""Graph nodes (torch's ``grad_fn`` objects) and how an op is recorded.

``Node`` is the base of every op in ``numtorch.ops``: ``forward`` takes and
returns arrays, ``backward`` takes one gradient array per output and returns
one gradient (or None) per input. ``apply`` runs an op on tensors and, when
grad mode is on and an input requires grad, links the node into the graph.
Un-broadcasting and dtype casting of gradients happen in the engine, not here.
"""
import weakref

from . import grad_mode

_enabled = grad_mode._enabled

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.")


def _inplace_msg(node, version_now, version_saved, shape, dtype_name):
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [numtorch.FloatTensor [{', '.join(str(s) for s in shape)}]] is at version "
        f"{version_now}; expected version {version_saved} instead. Hint: the backtrace further "
        "above can point to the operation that failed to compute its gradient. The variable in "
        "question was changed in there or anywhere later. Good luck!")


class Node:
    """A recorded operation. Subclasses define ``forward`` and ``backward`` side by side."""

    # Per-class defaults; instances only set what differs (keeps ops cheap).
    is_view = False          # output is a view of input 0 (shares memory and version counter)
    differentiable = True    # False for comparisons, argmax, ...: outputs never require grad
    n_outputs = 1
    next_functions = ()
    needs_input_grad = ()
    _saved = ()
    _saved_versions = None
    _freed = False
    _pre_hooks = None        # {output_nr: [hook]}: tensor hooks of non-leaf outputs
    _retain = None           # {output_nr: weakref(tensor)}: retain_grad()
    _post_hooks = None       # [hook(grad_inputs, grad_outputs)]
    _metadata = None

    def forward(self, *args, **kwargs):
        raise NotImplementedError

    def backward(self, *grads):
        raise NotImplementedError

    # ---- saved values -------------------------------------------------------
    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        sv = self._saved_versions
        if sv is not None:
            for counter, version, shape, dt in sv:
                if counter[0] != version:
                    raise RuntimeError(_inplace_msg(self, counter[0], version, shape, dt))
        return self._saved

    def _release(self):
        if self._saved:
            self._saved = ()
            self._freed = True

    # ---- introspection (as torch's grad_fn) ---------------------------------
    @classmethod
    def _backward_name(cls):
        return cls.__dict__.get("_name") or cls.__name__ + "Backward0"

    def name(self):
        n = self.__dict__.get("_name")
        return n if n else self._backward_name()

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def register_hook(self, fn):
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        return self._add_pre_hook(0, fn)

    def _add_pre_hook(self, nr, fn):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        lst = self._pre_hooks.setdefault(nr, [])
        lst.append(fn)
        return _RemovableHandle(lst, fn)

    @property
    def metadata(self):
        if self._metadata is None:
            self._metadata = {}
        return self._metadata


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient to ``variable.grad``."""

    _name = "AccumulateGrad"

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):  # torch prints the bare class name here, not name()
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _RemovableHandle:
    __slots__ = ("_list", "_fn")

    def __init__(self, lst, fn):
        self._list = lst
        self._fn = fn

    def remove(self):
        try:
            self._list.remove(self._fn)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def grad_accumulator(t):
    """The (cached) AccumulateGrad node of leaf tensor ``t``."""
    ref = t._accum_ref
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._accum_ref = weakref.ref(acc)
    return acc


# ---- recording -------------------------------------------------------------
Tensor = None  # set by numtorch._tensor (avoids an import cycle)
_wrap = None   # numtorch._tensor._wrap: array -> Tensor without validation


def _edge(t):
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    return (grad_accumulator(t), 0)


def apply(cls, *args, **kwargs):
    """Run op ``cls`` on ``args`` (tensors or plain values) and record it if needed.

    Returns a Tensor, or a tuple of Tensors for multi-output ops.
    """
    node = cls()
    T = Tensor
    req = False
    arrays = []
    for a in args:
        if isinstance(a, T):
            arrays.append(a._data)
            if a._rg:
                req = True
        else:
            arrays.append(a)
    if req and not (_enabled[0] and cls.differentiable):
        req = False
    out = node.forward(*arrays, **kwargs)
    if type(out) is tuple:
        outs = tuple(_wrap(o) for o in out)
        if node.is_view:
            for o in outs:
                _link_view(o, args[0])
        if req:
            node.n_outputs = len(outs)
            _record(node, args, arrays)
            for i, o in enumerate(outs):
                if o._data.dtype.kind in "fc":
                    o._rg = True
                    o.grad_fn = node
                    if i:
                        o._output_nr = i
            if node._saved:
                _record_versions(node, args, outs)
        return outs
    t = _wrap(out)
    if node.is_view:
        _link_view(t, args[0])
    if req and t._data.dtype.kind in "fc":
        _record(node, args, arrays)
        t._rg = True
        t.grad_fn = node
        if node._saved:
            _record_versions(node, args, (t,))
    return t


def _link_view(view, src):
    base = src._base
    view._base = src if base is None else base
    view._version = src._version


def _record(node, args, arrays):
    nf = []
    meta = []
    need = []
    for a, arr in zip(args, arrays):
        if arr is not a and a._rg:          # a Tensor (plain values pass through unchanged)
            fn = a.grad_fn
            nf.append((fn, a._output_nr) if fn is not None else (grad_accumulator(a), 0))
            meta.append((arr.shape, arr.dtype))
            need.append(True)
        else:
            nf.append(_NO_EDGE)
            meta.append(None)
            need.append(False)
    node.next_functions = tuple(nf)
    node._meta = meta
    node.needs_input_grad = tuple(need)


_NO_EDGE = (None, 0)


def _record_versions(node, args, outs):
    sv = None
    for s in node._saved:
        if s is None:
            continue
        for a in args:
            if getattr(a, "_data", None) is s:
                c = a._version
                break
        else:
            for o in outs:
                if o._data is s:
                    c = o._version
                    break
            else:
                continue
        if sv is None:
            sv = []
        sv.append((c, c[0], s.shape, s.dtype))
    if sv:
        node._saved_versions = sv
