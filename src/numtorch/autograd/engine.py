"""The backward engine: an iterative topological sweep over recorded nodes.

Gradients of broadcast inputs are summed back to the input's shape here
(``sum_to_shape``) so that no op has to; saved arrays are released after a
node runs unless ``retain_graph``.
"""
import sys

import numpy as np

from . import grad_mode
from . import graph as _graph
from .graph import AccumulateGrad, _FREED_MSG


def sum_to_shape(g, shape):
    """Sum gradient ``g`` over broadcast dimensions so that it has ``shape``."""
    gs = g.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    if lead > 0 and gs[lead:] == shape:   # only new leading dims: one fresh, owned array
        return g.sum(axis=tuple(range(lead)))
    axes = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and gs[lead + i] != 1:
            axes.append(lead + i)
    if axes:
        g = g.sum(axis=tuple(axes), keepdims=True)
    if lead:
        g = g.reshape(shape)
    if g.shape != shape:
        g = np.broadcast_to(g, shape)
    return g


def _graph_deps(roots):
    """Number of incoming edges of every node reachable from ``roots`` (iterative DFS)."""
    deps = {}
    seen = set(roots)
    stack = list(seen)   # a node may be a root several times (outputs of one multi-output op)
    while stack:
        n = stack.pop()
        for nx, _ in n.next_functions:
            if nx is not None:
                deps[nx] = deps.get(nx, 0) + 1
                if nx not in seen:
                    seen.add(nx)
                    stack.append(nx)
    return deps


def _apply_tensor_hooks(hooks, g):
    from .._tensor import _wrap
    for h in list(hooks):
        r = h(_wrap(g))
        if r is not None:
            g = r._data
    return g


def run_backward(roots, root_grads, retain_graph=False, capture=None, accumulate=True):
    """Propagate ``root_grads`` from ``roots`` ((node, output_nr) pairs) through the graph.

    ``capture``: dict {(node, output_nr): None} filled with the gradient that
    reaches each key (used by ``autograd.grad``); leaf ``.grad`` is only
    written when ``accumulate``.
    """
    deps = _graph_deps([n for n, _ in roots])
    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node.n_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    # Roots reachable from other roots wait for their dependencies.
    ready = [n for n in buffers if deps.get(n, 0) == 0]
    ndarray = np.ndarray
    prev_mode = grad_mode._enabled[0]
    grad_mode._enabled[0] = False
    try:
        while ready:
            node = ready.pop()
            buf = buffers.pop(node, None)
            if buf is None:
                buf = [None] * node.n_outputs
            if node._pre_hooks or node._retain or capture is not None:
                _node_hooks(node, buf, capture)
            if type(node) is AccumulateGrad:
                g = buf[0]
                if g is not None and accumulate:
                    buf[0] = None  # the engine's last reference besides ``g`` (see _accumulate)
                    _accumulate(node.variable, g, True)
                continue
            if node._freed:
                raise RuntimeError(_FREED_MSG)
            if len(buf) == 1:
                g0 = buf[0]
                grads_in = node.backward(g0) if g0 is not None else None
            elif _all_none(buf):
                grads_in = None
            else:
                grads_in = node.backward(*buf)
            if grads_in is not None and type(grads_in) is not tuple:
                grads_in = (grads_in,)
            if node._post_hooks:
                grads_in = _post_hooks(node, grads_in, buf)
            if not retain_graph:
                node._release()
            meta = node._meta
            i = 0
            for nx, nr in node.next_functions:
                if nx is not None:
                    g = grads_in[i] if grads_in is not None and i < len(grads_in) else None
                    if g is not None:
                        shape, dt = meta[i]
                        if type(g) is not ndarray:
                            g = np.asarray(g)
                        if g.shape != shape:
                            g = sum_to_shape(g, shape)
                        if g.dtype != dt:
                            g = g.astype(dt)
                        b = buffers.get(nx)
                        if b is None:
                            b = buffers[nx] = [None] * nx.n_outputs
                        old = b[nr]
                        b[nr] = g if old is None else old + g
                    d = deps[nx] - 1
                    deps[nx] = d
                    if d == 0:
                        ready.append(nx)
                i += 1
            grads_in = g = g0 = buf = None  # hold no gradient past its buffer (see _accumulate)
    finally:
        grad_mode._enabled[0] = prev_mode


def _all_none(buf):
    for g in buf:
        if g is not None:
            return False
    return True


def _node_hooks(node, buf, capture):
    """Tensor hooks, retain_grad and autograd.grad capture for the outputs of ``node``."""
    from .._tensor import _wrap
    if node._pre_hooks:
        for nr, hooks in node._pre_hooks.items():
            if buf[nr] is not None and hooks:
                buf[nr] = _apply_tensor_hooks(hooks, buf[nr])
    if node._retain:
        for nr, ref in node._retain.items():
            t = ref()
            if t is not None and buf[nr] is not None:
                g = buf[nr]
                t._grad = _wrap(np.array(g)) if t._grad is None else _wrap(t._grad._data + g)
    if capture is not None:
        for nr in range(node.n_outputs):
            if (node, nr) in capture and buf[nr] is not None:
                capture[(node, nr)] = buf[nr]


def _post_hooks(node, grads_in, buf):
    from .._tensor import _wrap
    if grads_in is None:
        grads_in = (None,) * len(node.next_functions)
    for h in node._post_hooks:
        r = h(tuple(_wrap(g) if g is not None else None for g in grads_in),
              tuple(_wrap(g) if g is not None else None for g in buf))
        if r is not None:
            grads_in = tuple(x._data if x is not None else None for x in r)
    return grads_in


def _refs_of_sole_owner():
    """``sys.getrefcount`` of a gradient array, and of its base, inside ``_accumulate`` when
    only the caller's local variable refers to it and only it refers to its base (measured
    through the same call shape and expressions, not assumed)."""
    def probe(var, g, steal=False):
        return _getrefcount(g), _getrefcount(g.base)
    g = np.empty(4)[::1]
    return probe(None, g, True)


_getrefcount = sys.getrefcount
_SOLE, _SOLE_BASE = _refs_of_sole_owner()


def _accumulate(var, g, steal=False):
    """Add ``g`` to ``var.grad``. ``steal``: the engine passes the array only through its own
    local variable, so if nothing else refers to it (reference counts: the array, and the
    array it views, if any), its memory is all its own and it is writable, it becomes
    ``.grad`` without a copy (torch's AccumulateGrad steals an unshared gradient the same
    way). Otherwise it is copied: the same array may have been handed to several inputs
    (Add's backward returns ``g`` twice) or be held elsewhere (saved values, user tensors)."""
    refs = _getrefcount(g)
    _wrap = _graph._wrap
    hooks = var.__dict__.get("_hooks")
    if hooks:
        g = _apply_tensor_hooks(hooks, g)
        steal = False
    old = var._grad
    if old is None:
        if steal and refs <= _SOLE and g.flags.writeable and g.dtype == var._data.dtype and (
                g.base is None or _sole_view(g)):
            var._grad = _wrap(g)
        else:
            var._grad = _wrap(np.array(g, dtype=var._data.dtype, copy=True))
    else:
        if old._data.shape == g.shape and old._data.flags.writeable:
            old._data += g
            old._version[0] += 1
        else:
            var._grad = _wrap(old._data + g)
    post = var.__dict__.get("_post_acc_hooks")
    if post:
        for h in list(post):
            h(var)


def _sole_view(g):
    """``g`` views all of an owning ndarray that nothing but ``g`` refers to."""
    base = g.base
    return (type(base) is np.ndarray and base.base is None and base.size == g.size
            and _getrefcount(g.base) <= _SOLE_BASE + 1)   # + 1: the local ``base``
