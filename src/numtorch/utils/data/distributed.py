"""``DistributedSampler``: each of ``num_replicas`` processes reads its own slice of the data."""
import math

from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Restricts loading to the ``rank``-th of ``num_replicas`` interleaved shards.

    Shuffling is seeded with ``seed + epoch`` (call ``set_epoch`` every epoch), and the
    index list is padded by wrapping around (or truncated with ``drop_last``) so that
    every replica gets the same number of samples, exactly as torch does.

    Args:
        dataset: the dataset (only its length is used).
        num_replicas (int): number of processes. Default: the world size of the default
            process group (``numtorch.distributed``).
        rank (int): this process's rank in ``[0, num_replicas - 1]``. Default: the rank in
            the default process group.
        shuffle (bool): shuffle the indices. Default: ``True``.
        seed (int): shuffling seed, identical on all replicas. Default: ``0``.
        drop_last (bool): drop the tail instead of padding. Default: ``False``.

    Example:
        >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
        [1, 3, 0]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None or rank is None:
            from ... import distributed as dist
            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(self.dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            from ...random import Generator
            from ..._random_ops import randperm
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        assert len(indices) == self.total_size
        indices = indices[self.rank:self.total_size:self.num_replicas]
        assert len(indices) == self.num_samples
        return iter(indices)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch, which changes the shuffle order (call before each epoch's iter)."""
        self.epoch = epoch
