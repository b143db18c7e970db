"""``default_collate`` / ``default_convert``: turn a list of samples into a batch.

Dispatch is a type -> function map (``default_collate_fn_map``), as in torch, so users
can extend it with ``collate(batch, collate_fn_map={...})``.
"""
import collections.abc
import copy
import re

import numpy as np

from ...._tensor import Tensor, _wrap

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, "
                                  "numbers, dicts or lists; found {}")


def _as_tensor(x):
    from ...._creation import as_tensor
    return as_tensor(x)


def _rebuild_mapping(data, convert):
    """A mapping of the same type with ``convert(key)`` as values (plain dict if impossible)."""
    try:
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update({key: convert(key) for key in data})
            return clone
        return type(data)({key: convert(key) for key in data})
    except TypeError:  # the mapping type cannot be rebuilt this way
        return {key: convert(key) for key in data}


def default_convert(data):
    """Convert NumPy arrays (also inside sequences and mappings) into tensors; leave the rest.

    Used when the ``DataLoader`` does no batching (``batch_size=None``).

    Example:
        >>> import numpy as np
        >>> default_convert(np.array([0, 1]))
        tensor([0, 1])
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if isinstance(data, np.ndarray) and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        if isinstance(data, np.generic) and not isinstance(data, np.object_):
            return _wrap(np.asarray(data))  # a NumPy scalar keeps its dtype
        return _as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, lambda key: default_convert(data[key]))
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a list of samples) following ``collate_fn_map``: exact element type
    first, then the first key the element is an instance of; containers recurse."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(
            elem, lambda key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map))
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map)
                              for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _stack_arrays(arrays):
    """``np.stack`` of same-shape, same-dtype arrays; ``None`` when they differ (the caller
    then goes through ``numtorch.stack`` for its promotion rules and error messages)."""
    first = arrays[0]
    shape, dtype = first.shape, first.dtype
    for a in arrays:
        if a.shape != shape or a.dtype != dtype:
            return None
    out = np.empty((len(arrays),) + shape, dtype=dtype)
    return np.stack(arrays, out=out)


def collate_tensor_fn(batch, *, collate_fn_map=None):
    from ....autograd import grad_mode
    if not (grad_mode._enabled[0] and any(t._rg for t in batch)):
        out = _stack_arrays([t._data for t in batch])
        if out is not None:
            return _wrap(out)
    from ....ops.shape import stack
    return stack(list(batch), 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    out = _stack_arrays(batch)
    if out is not None:
        from ...._dtype import from_numpy_dtype
        from_numpy_dtype(out.dtype)  # raises for dtypes numtorch has no tensor type for
        return _wrap(out)
    return collate([_as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    if all(type(b) is type(batch[0]) for b in batch) and not isinstance(batch[0], np.object_):
        return _wrap(np.array(batch))  # keeps the scalars' dtype (int16 stays int16)
    return _as_tensor(batch)


def _plain_scalars(batch, kind, np_dtype):
    """One NumPy conversion when every element is exactly ``kind`` (no bools among ints, no
    subclasses); None otherwise or on overflow (``tensor()`` then gives torch's error)."""
    for b in batch:
        if type(b) is not kind:
            return None
    try:
        return _wrap(np.array(batch, dtype=np_dtype))
    except OverflowError:
        return None


def collate_float_fn(batch, *, collate_fn_map=None):
    out = _plain_scalars(batch, float, np.float64)
    if out is not None:
        return out
    from ...._creation import tensor
    from ...._dtype import float64
    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    out = _plain_scalars(batch, int, np.int64)
    if out is not None:
        return out
    from ...._creation import tensor
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch, recursing into tuples, lists, dicts and
    namedtuples: tensors and arrays gain a leading batch dimension, Python floats become a
    float64 tensor, ints an int64 tensor, strings stay a list.

    Example:
        >>> default_collate([(1, 0.5, "a"), (2, 1.5, "b")])
        [tensor([1, 2]), tensor([0.5000, 1.5000], dtype=numtorch.float64), ('a', 'b')]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
