"""Automatic differentiation: backward(), grad(), custom Functions, grad modes, gradcheck."""
import numpy as np

from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                        is_grad_enabled, is_inference_mode_enabled)
from .function import Function, FunctionCtx, once_differentiable
from .graph import Node
from . import engine as _engine
from . import graph
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["backward", "grad", "Function", "FunctionCtx", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "gradcheck",
           "gradgradcheck", "once_differentiable", "Node", "graph"]


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def _make_roots(outputs, grad_outputs):
    Tensor = graph.Tensor
    roots, grads = [], []
    if len(grad_outputs) != len(outputs) and grad_outputs:
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs"
                           if not grad_outputs else
                           f"Mismatch in number of gradients: expected {len(outputs)} "
                           f"but got {len(grad_outputs)}")
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"outputs must be Tensors, got {type(out).__name__}")
        g = grad_outputs[i] if grad_outputs else None
        if not out._rg:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {out.dtype}")
            g = np.ones(out._data.shape, dtype=out._data.dtype)
        else:
            if isinstance(g, Tensor):
                g = g._data
            else:
                g = np.asarray(g, dtype=out._data.dtype)
            if g.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{_shape_str(g.shape)} and output[{i}] has a shape of "
                    f"{_shape_str(out._data.shape)}.")
            if g.dtype != out._data.dtype:
                g = g.astype(out._data.dtype)
        node = out.grad_fn
        roots.append((node, out._output_nr) if node is not None
                     else (graph.grad_accumulator(out), 0))
        grads.append(g)
    return roots, grads


def _shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_create_graph(create_graph):
    if create_graph:
        raise NotImplementedError(
            "numtorch does not support higher-order gradients yet (create_graph=True); "
            "gradients are computed once, without building a graph of the backward pass.")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of graph leaves."""
    _check_create_graph(create_graph)
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = _make_roots(outputs, grads)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        capture = {_input_key(t): None for t in inputs}
        _engine.run_backward(roots, root_grads, retain_graph, capture=capture, accumulate=False)
        from .._tensor import _wrap
        for t in inputs:
            g = capture[_input_key(t)]
            if g is not None:
                _engine._accumulate(t, g)
        return
    _engine.run_backward(roots, root_grads, retain_graph)


def _input_key(t):
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if not t._rg:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return (graph.grad_accumulator(t), 0)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""
    from .._tensor import _wrap
    _check_create_graph(create_graph)
    inputs = _as_tuple(inputs)
    outputs = _as_tuple(outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = _make_roots(outputs, _as_tuple(grad_outputs))
    keys = [_input_key(t) for t in inputs]
    capture = {k: None for k in keys}
    _engine.run_backward(roots, root_grads, retain_graph, capture=capture, accumulate=False)
    result = []
    for i, (t, k) in enumerate(zip(inputs, keys)):
        g = capture[k]
        if g is None:
            if materialize_grads:
                result.append(_wrap(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
            result.append(None)
        else:
            result.append(_wrap(np.array(g, copy=True) if g.base is not None else g))
    return tuple(result)
