"""Tensor.untyped_storage(): storage identity from NumPy memory, as torch's views share it."""
import numpy as np
import pytest

import numtorch as nt
from numtorch import _storage
from ..conftest import torch

VIEWS = [
    ("self", lambda t: t),
    ("row", lambda t: t[1]),
    ("transpose", lambda t: t.t()),
    ("reshape_view", lambda t: t.reshape(-1)),
    ("narrow", lambda t: t.narrow(1, 1, 2)),
    ("detach", lambda t: t.detach()),
    ("expand", lambda t: t[:1].expand(4, 3)),
]


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_share_storage_like_torch(name, fn):
    x = nt.arange(12, dtype=nt.int16).reshape(4, 3)
    tx = torch.arange(12, dtype=torch.int16).reshape(4, 3)
    s, ts = fn(x).untyped_storage(), fn(tx).untyped_storage()
    assert s.data_ptr() == x.untyped_storage().data_ptr()
    assert (ts.data_ptr() == tx.untyped_storage().data_ptr()) is True
    assert s.nbytes() == ts.nbytes() == 24 and len(s) == len(ts) and s.size() == ts.size()
    assert s.tolist() == ts.tolist()
    assert repr(s) == repr(ts)


def test_copies_do_not_share():
    x = nt.ones(3)
    assert x.clone().untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
    assert (x + 0).untyped_storage().data_ptr() != x.untyped_storage().data_ptr()


def test_storage_access_and_errors_like_torch():
    for lib in (nt, torch):
        s = lib.arange(3, dtype=lib.uint8).untyped_storage()
        assert s[1] == 1 and s.element_size() == 1 and s.device == lib.device("cpu")
        s[0] = 9
        assert s.tolist() == [9, 1, 2]
        c = s.clone()
        c.fill_(0)
        assert s.tolist() == [9, 1, 2] and c.tolist() == [0, 0, 0]
        assert s[1:].tolist() == [1, 2]
        assert s.copy_(c).tolist() == [0, 0, 0]
    with pytest.raises(RuntimeError, match="size mismatch"):
        nt.ones(2).untyped_storage().copy_(nt.ones(3).untyped_storage())
    assert nt.UntypedStorage(4).tolist() == [0] * 4 == torch.UntypedStorage(4).fill_(0).tolist()


def test_typed_storage_classes():
    s = nt.FloatStorage([1, 2, 3])
    ts = torch.FloatStorage([1, 2, 3])
    assert s.size() == ts.size() and s.tolist() == ts.tolist() and s.element_size() == 4
    assert s.dtype is nt.float32
    assert repr(s) == repr(ts)


def test_root_of_numpy_memory():
    a = np.arange(10.)
    assert _storage._root(a[2:][::2]) is a
    f = np.asfortranarray(np.ones((2, 3)))
    assert _storage._root_bytes(f).nbytes == f.nbytes
    assert _storage._root_bytes(np.ones((4, 4))[:, ::2]) is None  # not one memory block
