"""The batch-at-once fetch of a plain TensorDataset gives exactly torch's per-sample batches."""
import numpy as np
import pytest

import numtorch as nt

from ..conftest import torch, assert_close


def _columns(lib):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 3, 2)).astype(np.float32)
    y = rng.integers(0, 5, 10).astype(np.int64)
    z = rng.integers(0, 255, (10, 4)).astype(np.uint8)
    return [lib.from_numpy(a.copy()) for a in (x, y, z)]


INDEX_CASES = [
    [[0, 1, 2], [3, 4, 5, 6], [9]],            # ordinary batches
    [[-1, -10, 4], [2, 2, 2]],                 # negative and repeated indices
    [[np.int64(3), np.int32(1)]],              # NumPy integer indices
]


@pytest.mark.parametrize("batches", INDEX_CASES)
def test_tensor_dataset_batches_match_torch(batches):
    got = list(nt.utils.data.DataLoader(nt.utils.data.TensorDataset(*_columns(nt)),
                                        batch_sampler=batches))
    want = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*_columns(torch)),
                                            batch_sampler=batches))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert type(g) is type(w) and len(g) == len(w)
        for a, b in zip(g, w):
            assert_close(a, b)
            assert a._data.flags.c_contiguous


def test_batch_is_a_copy_like_torch_stack():
    cols = _columns(nt)
    before = cols[0]._data.copy()
    xb, _, _ = next(iter(nt.utils.data.DataLoader(nt.utils.data.TensorDataset(*cols),
                                                  batch_size=4)))
    xb.add_(1.0)
    np.testing.assert_array_equal(cols[0]._data, before)


@pytest.mark.parametrize("batches", [[[0, 10]], [[-11]], [[0.5, 1.0]]])
def test_bad_indices_raise_like_torch(batches):
    with pytest.raises(Exception) as want:
        list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*_columns(torch)),
                                         batch_sampler=batches))
    with pytest.raises(want.type):
        list(nt.utils.data.DataLoader(nt.utils.data.TensorDataset(*_columns(nt)),
                                      batch_sampler=batches))


def test_requires_grad_columns_keep_the_graph():
    cols = [c.float().requires_grad_() for c in _columns(nt)[:2]]
    tcols = [c.float().requires_grad_() for c in _columns(torch)[:2]]
    got = next(iter(nt.utils.data.DataLoader(nt.utils.data.TensorDataset(*cols),
                                             batch_size=3)))
    want = next(iter(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*tcols),
                                                 batch_size=3)))
    for a, b in zip(got, want):
        assert_close(a, b)
        assert a.grad_fn.name() == b.grad_fn.name()


@pytest.mark.parametrize("batch", [[1, 2, 3], [1.5, -2.0], [True, 1], [1, 2.5], [2 ** 62, -3],
                                   [0.1, 1e300], [np.float64(0.5), 1.0]])
def test_collate_python_scalars_match_torch(batch):
    got = nt.utils.data.default_collate(batch)
    want = torch.utils.data.default_collate(batch)
    assert_close(got, want)
