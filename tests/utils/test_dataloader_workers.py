"""DataLoader worker processes: faults end in the right exception within seconds, no worker
outlives its loader, and shared-memory batches leave nothing behind in /dev/shm."""
import gc
import os
import time

import numpy as np
import pytest

from numtorch.utils import data as ntd

from ._workers_helpers import Faulty, Images

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX worker processes")


def _gone(pids, within=5.0):
    """True when none of ``pids`` exists any more (exited and reaped: no zombie)."""
    deadline = time.time() + within
    while time.time() < deadline:
        alive = []
        for pid in pids:
            try:
                os.kill(pid, 0)
                alive.append(pid)
            except ProcessLookupError:
                pass
        if not alive:
            return True
        time.sleep(0.05)
    return False


def _segments():
    return {n for n in os.listdir("/dev/shm") if n.startswith("psm_")} if os.path.isdir(
        "/dev/shm") else set()


def _no_new_segments(before, within=3.0):
    deadline = time.time() + within
    while time.time() < deadline:  # other tests' batches in flight vanish within ms
        if not (_segments() - before):
            return True
        time.sleep(0.05)
    return False


def _pids(it):
    return [w.pid for w in it._workers]


@pytest.mark.parametrize("ctx", [None, "spawn"])
def test_batches_through_shared_memory_in_order_and_no_leak(ctx):
    before = _segments()
    loader = ntd.DataLoader(Images(40, side=256), batch_size=8, num_workers=2,
                            multiprocessing_context=ctx)
    it = iter(loader)
    pids = _pids(it)
    got = list(it)
    assert [b[1].tolist() for b in got] == [list(range(i, i + 8)) for i in range(0, 40, 8)]
    x = got[2][0]
    assert x.shape == (8, 1, 256, 256) and str(x.dtype) == "numtorch.float32"
    assert isinstance(x._data.base, np.ndarray)  # a view of the mapped segment, not a copy
    assert np.array_equal(x._data[:, 0, 0, 0], np.arange(16, 24, dtype=np.float32))
    x._data[0] = -1  # batches are writable
    del it, got, x
    assert _gone(pids)
    assert _no_new_segments(before)


def test_worker_exception_reraised_with_type_and_traceback():
    loader = ntd.DataLoader(Faulty(8, 5, "raise"), batch_size=2, num_workers=2)
    it = iter(loader)
    pids = _pids(it)
    t0 = time.time()
    with pytest.raises(ValueError) as e:
        list(it)
    msg = str(e.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 0.")
    assert "Original Traceback" in msg and "bad item 5" in msg
    assert time.time() - t0 < 10
    del it, e
    gc.collect()
    assert _gone(pids)


def test_killed_worker_gives_runtime_error_naming_pid():
    loader = ntd.DataLoader(Faulty(8, 3, "kill"), batch_size=2, num_workers=2)
    it = iter(loader)
    pids = _pids(it)
    t0 = time.time()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           r"unexpectedly") as e:
        list(it)
    assert str(pids[1]) in str(e.value)  # item 3 is in the second batch: worker 1
    assert time.time() - t0 < 10
    del it, e
    gc.collect()
    assert _gone(pids)


def test_timeout_raises_and_cleans_up():
    loader = ntd.DataLoader(Faulty(4, 0, "sleep"), batch_size=1, num_workers=1, timeout=0.5)
    it = iter(loader)
    pids = _pids(it)
    t0 = time.time()
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.5 seconds"):
        next(it)
    assert time.time() - t0 < 5
    assert _gone(pids)


def test_early_break_and_del_leave_no_process():
    before = _segments()
    loader = ntd.DataLoader(Images(64, side=256), batch_size=4, num_workers=2)
    it = iter(loader)
    pids = _pids(it)
    for i, _ in enumerate(it):
        if i == 1:
            break
    del it, loader
    gc.collect()
    assert _gone(pids)
    assert _no_new_segments(before)
