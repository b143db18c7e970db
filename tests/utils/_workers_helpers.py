"""Datasets used by the worker-process tests. Kept free of torch imports: with the 'spawn'
start method every worker re-imports this module, and importing torch there would cost
seconds per worker."""
import math
import os
import random
import signal
import time

import numtorch as nt
from numtorch.utils import data as ntd


class Range(ntd.IterableDataset):
    """start..end-1, split between workers by get_worker_info()."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = ntd.get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per = int(math.ceil((self.end - self.start) / info.num_workers))
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))

    def __len__(self):
        return self.end - self.start


class Seeds(ntd.Dataset):
    """Each item: a draw from numtorch's default generator, one from Python's random, and
    the worker's seed."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return (nt.rand(1).item(), random.random(), ntd.get_worker_info().seed)


class Faulty(ntd.Dataset):
    """Item ``bad`` raises (mode 'raise'), kills its worker (mode 'kill') or stalls (mode
    'sleep'); other items are their index."""

    def __init__(self, n, bad, mode):
        self.n, self.bad, self.mode = n, bad, mode

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.bad:
            if self.mode == "raise":
                raise ValueError(f"bad item {i}")
            if self.mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.mode == "sleep":
                time.sleep(30)
        return i


class Images(ntd.Dataset):
    """n float32 1 x side x side images whose pixels all equal the index (at side 256, a batch
    of 4 is 1 MiB: it travels through shared memory)."""

    def __init__(self, n, side=28):
        self.n, self.side = n, side

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return nt.full((1, self.side, self.side), float(i)), i
