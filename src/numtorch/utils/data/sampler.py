"""Samplers: the order in which a ``DataLoader`` visits dataset indices.

The random ones draw through ``numtorch.randperm`` / ``randint`` / ``multinomial``
with the same calls, sizes and order as torch, so a seeded generator yields
torch's exact index order once numtorch's random streams match torch's.
"""
import itertools

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices or lists of indices) and
    usually ``__len__``."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError

    def __class_getitem__(cls, item):
        return cls


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


class RandomSampler(Sampler):
    """Random order; with ``replacement=True`` draws ``num_samples`` indices independently.

    Args:
        data_source (Sized): the dataset (only its length is used).
        replacement (bool): draw with replacement. Default: ``False``.
        num_samples (int): how many indices to yield. Default: ``len(data_source)``.
        generator (Generator): where the randomness comes from. Default: a fresh generator
            seeded from the default one at every ``iter()``, as torch does.

    Example:
        >>> import numtorch as torch
        >>> sorted(RandomSampler(range(5), generator=torch.Generator().manual_seed(0)))
        [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self):
        from ... import _random_ops as R
        from ..._creation import empty
        from ... import _dtype
        from ...random import Generator
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            seed = int(empty((), dtype=_dtype.int64).random_().item())
            generator = Generator()
            generator.manual_seed(seed)
        total = self.num_samples
        if self.replacement:
            for _ in range(total // 32):
                yield from R.randint(n, (32,), dtype=_dtype.int64, generator=generator).tolist()
            yield from R.randint(n, (total % 32,), dtype=_dtype.int64,
                                 generator=generator).tolist()
        else:
            for _ in range(total // n):
                yield from R.randperm(n, generator=generator).tolist()
            yield from R.randperm(n, generator=generator).tolist()[:total % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in random order (without replacement)."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        from ..._random_ops import randperm
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in ``[0, len(weights))`` drawn with probability proportional
    to ``weights`` (via ``numtorch.multinomial``)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        from ..._creation import as_tensor
        from ... import _dtype
        if not _is_int(num_samples) or num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        weights_tensor = as_tensor(weights, dtype=_dtype.float64)
        if len(weights_tensor.shape) != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        from ..._random_ops import multinomial
        drawn = multinomial(self.weights, self.num_samples, self.replacement,
                            generator=self.generator)
        yield from iter(drawn.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size``.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not _is_int(batch_size) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        if self.drop_last:
            for batch in zip(*([it] * self.batch_size)):
                yield list(batch)
            return
        batch = list(itertools.islice(it, self.batch_size))
        while batch:
            yield batch
            batch = list(itertools.islice(it, self.batch_size))

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
