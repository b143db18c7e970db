"""User-defined differentiable functions with torch's protocol.

    class Exp(numtorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp(); ctx.save_for_backward(y); return y
        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors; return g * y

``Function.apply`` runs ``forward`` on tensors with grad mode off and records a
``BackwardCFunction`` node whose ``backward`` wraps/unwraps arrays around the
user's ``backward``.
"""
import numpy as np

from . import grad_mode
from .graph import Node, _record, _FREED_MSG, _inplace_msg

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The ``ctx`` object handed to forward/backward (mixed into the graph node)."""

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        self._to_save_fwd = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self._materialize = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """Graph node of a custom Function application."""

    _materialize = True
    _to_save = ()
    _non_diff = ()
    _dirty = ()

    save_for_backward = FunctionCtx.save_for_backward

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        for t, v in zip(self._to_save, self._saved_ver):
            if t is not None and t._version[0] != v:
                raise RuntimeError(_inplace_msg(self, t._version[0], v, t._data.shape, None))
        return self._to_save

    @property
    def saved_variables(self):
        return self.saved_tensors

    def _release(self):
        if self._to_save:
            self._to_save = ()
            self._freed = True

    def name(self):
        return self._fn_cls.__name__ + "Backward"

    def backward(self, *grads):
        from .._tensor import _wrap
        gs = []
        for g, shape_dt in zip(grads, self._out_meta):
            if g is None:
                if self._materialize and shape_dt is not None:
                    g = np.zeros(shape_dt[0], dtype=shape_dt[1])
                    gs.append(_wrap(g))
                else:
                    gs.append(None)
            else:
                gs.append(_wrap(g))
        with grad_mode.no_grad():
            res = self._fn_cls.backward(self, *gs)
        if not isinstance(res, tuple):
            res = (res,)
        n_in = len(self.next_functions)
        if len(res) < n_in:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{n_in}, got {len(res)})")
        out = []
        for i, r in enumerate(res[:n_in]):
            if r is None:
                out.append(None)
            elif hasattr(r, "_data"):
                out.append(r._data)
            else:
                raise TypeError(f"function {self.name()} returned a gradient of type "
                                f"{type(r).__name__} at position {i}; expected a Tensor or None")
        for i, r in enumerate(res[n_in:]):
            if r is not None:
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients (expected "
                    f"{n_in}, got {len(res)})")
        return tuple(out)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Base class for custom autograd functions: define static ``forward`` and ``backward``."""

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor, _wrap
        node = BackwardCFunction()
        node._fn_cls = cls
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        req = grad_mode._enabled[0] and any(a._rg for a in tensor_args)
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        custom_setup = cls.setup_context is not Function.setup_context
        with grad_mode.no_grad():
            if custom_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, output)
            else:
                output = cls.forward(node, *args, **kwargs)
        single = not isinstance(output, tuple)
        outs = (output,) if single else output
        # An input returned as-is becomes a new tensor sharing its data (a view).
        fixed = []
        for o in outs:
            if isinstance(o, Tensor) and any(o is a for a in args) and o not in node._dirty:
                v = _wrap(o._data)
                v._version = o._version
                v._base = o if o._base is None else o._base
                o = v
            fixed.append(o)
        outs = tuple(fixed)
        node._saved_ver = tuple(t._version[0] if t is not None else 0 for t in node._to_save)
        if req:
            _record(node, args, [a._data if isinstance(a, Tensor) else a for a in args])
            node.n_outputs = len(outs)
            node._out_meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, Tensor)
                                   else None for o in outs)
            nondiff = node._non_diff
            for i, o in enumerate(outs):
                if not isinstance(o, Tensor):
                    continue
                if any(o is n for n in nondiff) or o._data.dtype.kind not in "fc":
                    continue
                if o in node._dirty:
                    o._version[0] += 1
                o._rg = True
                o.grad_fn = node
                o._output_nr = i
        return outs[0] if single else outs


def once_differentiable(fn):
    return fn
