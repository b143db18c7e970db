"""Fetchers: turn an index (or a list of indices) into a collated batch."""
import numpy as np


def _tensor_gatherer(dataset, auto_collation, collate_fn):
    """A batch-at-once fetch for a plain ``TensorDataset`` under ``default_collate``.

    ``default_collate([ds[i] for i in idx])`` is ``[t[idx] for t in ds.tensors]``: one
    NumPy gather per tensor instead of ``len(idx)`` index ops and a stack (same values,
    dtypes and shapes; a fresh contiguous array per batch, like torch's stack). Returns
    None (use the per-sample path) for subclasses, custom collate functions, tensors that
    require grad (the per-sample path records their graph) and indices NumPy rejects (the
    per-sample path raises torch's error).
    """
    from ..dataset import TensorDataset
    from .collate import default_collate
    if not auto_collation or collate_fn is not default_collate or \
            type(dataset) is not TensorDataset:
        return None
    from ...._tensor import _wrap

    def gather(indices):
        tensors = dataset.tensors   # read per batch: the tensors may be replaced meanwhile
        for t in tensors:
            if t._rg:
                return None
        try:
            idx = np.array(indices)
        except (TypeError, ValueError, OverflowError):
            return None
        if idx.ndim != 1 or idx.dtype.kind not in "iu" or not idx.size:
            return None
        n = tensors[0]._data.shape[0]
        if idx.max() >= n or idx.min() < -n:
            return None
        return [_wrap(t._data.take(idx, axis=0)) for t in tensors]
    return gather


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in possibly_batched_index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
            raise StopIteration
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self._gather = _tensor_gatherer(dataset, auto_collation, collate_fn)

    def fetch(self, possibly_batched_index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[possibly_batched_index])
        gather = self._gather
        if gather is not None:
            batch = gather(possibly_batched_index)
            if batch is not None:
                return batch
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems:
            data = getitems(possibly_batched_index)
        else:
            data = [self.dataset[i] for i in possibly_batched_index]
        return self.collate_fn(data)
