"""What runs inside a DataLoader worker process, and how its batches reach the main process.

A worker seeds ``random``, numtorch's default generator and NumPy's global generator
from ``base_seed + worker_id`` (as torch does), then loops: take ``(task_id, index)``
from its index queue, fetch and collate, put ``(task_id, batch)`` on the shared result
queue. Exceptions travel as an ``ExceptionWrapper`` carrying the worker's traceback.

Tensors of at least ``SHM_THRESHOLD`` bytes (1 MiB) are not pickled into the pipe: while the
result is pickled, their bytes are written into a fresh POSIX shared-memory segment
(``multiprocessing.shared_memory``) and only its name travels. The main process maps
the segment, unlinks its name at once (so nothing is left in /dev/shm) and wraps the
mapping as the tensor's array without a copy; the memory is freed when the last
array viewing it dies.
"""
import itertools
import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

# How often (seconds) a waiting worker checks that its parent is alive, and a waiting
# main process checks that its workers are.
MP_STATUS_CHECK_INTERVAL = 1.0
# How often an idle worker looks at the done event: the main process may be unable to send
# it the final None (e.g. when the iterator is garbage-collected together with its queues).
_WORKER_POLL_INTERVAL = 0.1
SHM_THRESHOLD = 1 << 20  # below this, a pipe beats creating and mapping a segment

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """Information about the current DataLoader worker process.

    Attributes:
        id: the worker's id, in ``[0, num_workers - 1]``.
        num_workers: the number of workers.
        seed: the seed of this worker (``base_seed + id``).
        dataset: this worker's copy of the dataset.
    """
    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """The ``WorkerInfo`` of the DataLoader worker calling it; ``None`` in the main process.

    Example:
        >>> get_worker_info() is None
        True
    """
    return _worker_info


class _KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError shows a readable traceback."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception's type and formatted traceback, to re-raise in another process."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    seed: object = None


def _generate_state(base_seed, worker_id):
    """Four 32-bit words seeding NumPy's global generator in a worker (the SeedSequence-style
    hash torch uses, so each worker's NumPy stream differs and is reproducible)."""
    mask = 0xFFFFFFFF
    mult_a, mult_b = 0x931E8875, 0x58F38DED
    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    hash_a = [0x43B0D7E5]

    def hashmix(value):
        value = (value ^ hash_a[0]) & mask
        hash_a[0] = (hash_a[0] * mult_a) & mask
        value = (value * hash_a[0]) & mask
        return (value ^ (value >> 16)) & mask

    def mix(x, y):
        r = ((0xCA01F9DD * x) - (0x4973F715 * y)) & mask
        return (r ^ (r >> 16)) & mask

    pool = [hashmix(e) for e in entropy]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    hash_b = 0x8B51F9DD
    state = []
    for value in pool:
        value = (value ^ hash_b) & mask
        hash_b = (hash_b * mult_b) & mask
        value = (value * hash_b) & mask
        state.append((value ^ (value >> 16)) & mask)
    return state


# ---- shared-memory transport of tensors ------------------------------------------------
def _reduce_tensor_shared(t):
    """Pickle hook used in workers: big tensors travel as a shared-memory segment name."""
    from ...._tensor import _rebuild_tensor
    arr = t._data
    if arr.nbytes < SHM_THRESHOLD or arr.dtype.hasobject:
        return (_rebuild_tensor, (arr, t._rg))
    from multiprocessing import shared_memory
    name = f"{_shm_prefix}{next(_shm_counter):x}" if _shm_prefix else None
    shm = shared_memory.SharedMemory(name=name, create=True, size=arr.nbytes)
    try:
        view = np.ndarray(arr.shape, dtype=arr.dtype, buffer=shm.buf)
        np.copyto(view, arr)
        del view
    except BaseException:
        shm.close()
        shm.unlink()
        raise
    name = shm.name
    shm.close()
    return (_rebuild_shared_tensor, (name, arr.shape, arr.dtype.str, t._rg))


# Segment names are "<prefix><counter>", the prefix naming the main process, the iterator and
# the worker: after the workers are gone, the main process removes any segment with its
# prefix that no batch delivered (e.g. one pickled by a worker's feeder thread at exit).
_shm_prefix = None
_shm_counter = itertools.count()


def shm_prefix(owner_pid, iterator_seq):
    return f"psm_nt{owner_pid:x}_{iterator_seq:x}_"


def unlink_leftover_segments(prefix):
    """Remove the segments whose name starts with ``prefix`` (their workers have exited)."""
    from multiprocessing import resource_tracker
    if not os.path.isdir("/dev/shm"):
        return
    for name in os.listdir("/dev/shm"):
        if name.startswith(prefix):
            try:
                os.unlink(os.path.join("/dev/shm", name))
            except FileNotFoundError:
                continue
            resource_tracker.unregister("/" + name, "shared_memory")


def _map_segment(name, nbytes):
    """Map segment ``name`` and remove its name; returns a buffer owning the mapping."""
    from multiprocessing import resource_tracker
    path = os.path.join("/dev/shm", name)
    if os.path.isdir("/dev/shm") and os.path.exists(path):
        import mmap
        fd = os.open(path, os.O_RDWR)
        try:
            buf = mmap.mmap(fd, nbytes)
        finally:
            os.close(fd)
            os.unlink(path)
            resource_tracker.unregister("/" + name, "shared_memory")
        return buf
    # No /dev/shm (not Linux): attach through the portable API and copy out.
    from multiprocessing import shared_memory
    shm = shared_memory.SharedMemory(name=name)
    try:
        return bytearray(shm.buf[:nbytes])
    finally:
        shm.close()
        shm.unlink()


def _rebuild_shared_tensor(name, shape, dtype_str, requires_grad):
    from ...._tensor import _wrap
    dtype = np.dtype(dtype_str)
    count = int(np.prod(shape, dtype=np.int64))
    buf = _map_segment(name, count * dtype.itemsize)
    t = _wrap(np.frombuffer(buf, dtype=dtype, count=count).reshape(shape))
    t._rg = requires_grad
    return t


def _install_shared_memory_pickling():
    from multiprocessing.reduction import ForkingPickler
    from ...._tensor import Tensor
    ForkingPickler.register(Tensor, _reduce_tensor_shared)


class _ManagerWatchdog:
    """Tells whether the process that started this worker is still alive."""

    def __init__(self):
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self):
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


def _seed_worker(base_seed, worker_id):
    from .... import random as nt_random
    seed = base_seed + worker_id
    random.seed(seed)
    nt_random.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers, segment_prefix=None):
    from .fetch import _IterableDatasetFetcher, _MapDatasetFetcher
    global _worker_info, _shm_prefix
    _shm_prefix = segment_prefix
    fetcher_cls = _IterableDatasetFetcher if dataset_kind == 1 else _MapDatasetFetcher
    try:
        _install_shared_memory_pickling()
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = fetcher_cls(dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        watchdog = _ManagerWatchdog()
        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=_WORKER_POLL_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = fetcher_cls(dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:  # the main process asks us to leave
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == 1:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(
                            where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the main process
        pass                   # handles it.
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
