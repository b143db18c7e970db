"""Process groups and collectives with ``torch.distributed``'s API, carried by MPI (mpi4py).

Every process of the job is an MPI rank (``mpiexec -n 4 python train.py``); a process group
wraps an MPI communicator. Collectives work in place on the tensor's NumPy buffer
(``Tensor._data``) through mpi4py's buffer interface, so no data is pickled or copied on the
way to MPI. Each collective is started non-blocking (``Iallreduce``...) and waited on by
polling, so that a peer that never arrives ends in an error after the group's ``timeout``
instead of a hang; ``async_op=True`` returns the ``Work`` handle instead of waiting.

Before a tensor collective, the ranks exchange a few integers describing the call (which
collective, dtype, shape, root, op) and all raise the same ``RuntimeError`` when they differ,
naming each rank's shape; set ``NUMTORCH_DISTRIBUTED_CHECKS=0`` to skip that exchange.

``init_process_group`` installs an excepthook: a rank that dies of an uncaught exception
prints its traceback and calls ``MPI_Abort``, which ends every rank of the job at once.
"""
import atexit
import datetime
import os
import pickle
import sys
import time
import traceback
import warnings
import zlib

import numpy as np

from ._reduce_op import ReduceOp, RedOpType, _as_op

__all__ = [
    "Backend", "ProcessGroup", "Work", "GroupMember", "group", "DistError", "DistBackendError",
    "is_available", "is_initialized", "is_mpi_available", "is_gloo_available",
    "is_nccl_available", "is_torchelastic_launched", "init_process_group",
    "destroy_process_group", "get_rank", "get_world_size", "get_backend", "get_group_rank",
    "get_global_rank", "get_process_group_ranks", "new_group", "barrier", "monitored_barrier",
    "all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor",
    "reduce_scatter", "reduce_scatter_tensor", "gather", "scatter", "all_to_all",
    "all_to_all_single", "send", "recv", "isend", "irecv", "P2POp", "batch_isend_irecv",
    "broadcast_object_list", "all_gather_object", "gather_object", "scatter_object_list",
]

_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")
default_pg_timeout = datetime.timedelta(minutes=30)
_NOTICE_TAG = 77
_EXIT_GRACE_S = 1.0      # a collective still unfinished this long after a member exited fails


class DistError(RuntimeError):
    """Base of numtorch.distributed's errors (torch.distributed.DistError)."""

    __module__ = "numtorch.distributed"


class DistBackendError(DistError):
    """A collective failed in the communication layer (timeout, peer gone)."""

    __module__ = "numtorch.distributed"


# ---- MPI access ---------------------------------------------------------------------------

_MPI = None


def _mpi():
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise RuntimeError(
                "numtorch.distributed runs on MPI and needs mpi4py and an MPI library: "
                "pip install 'numtorch[distributed]' (mpi4py + MPICH)") from e
        _MPI = MPI
    return _MPI


def is_available():
    """True: the API exists; ``init_process_group`` additionally needs mpi4py."""
    return True


def is_mpi_available():
    import importlib.util
    return importlib.util.find_spec("mpi4py") is not None


def is_gloo_available():
    return False


def is_nccl_available():
    return False


def is_torchelastic_launched():
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


class Backend(str):
    """Backend names as in torch (``Backend.MPI == "mpi"``); numtorch serves all of them by MPI."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    backend_list = ["undefined", "gloo", "nccl", "ucc", "mpi"]

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got {name!r}")
        return str.__new__(cls, name.lower())


# ---- process groups -----------------------------------------------------------------------

class ProcessGroup:
    """A set of ranks that run collectives together; wraps an MPI communicator."""

    def __init__(self, comm, ranks, timeout, name):
        self._comm = comm
        self._ranks = list(ranks)
        self._rank = comm.Get_rank()
        self._size = comm.Get_size()
        self._timeout = timeout
        self.group_name = name

    def rank(self):
        return self._rank

    def size(self):
        return self._size

    def name(self):
        return "mpi"

    @property
    def group_desc(self):
        return self.group_name

    def __repr__(self):
        return f"<numtorch.distributed.ProcessGroup {self.group_name!r} ranks={self._ranks}>"


class _State:
    default_pg = None
    groups = []           # every ProcessGroup created, for destroy_process_group()
    prev_excepthook = None
    world_comm = None
    ctl = None            # communicator for "rank exiting" notices
    notice = None
    notice_req = None
    departed = set()
    atexit_registered = False


_state = _State()


class _WorldMeta(type):
    @property
    def WORLD(cls):
        return _state.default_pg


class GroupMember(metaclass=_WorldMeta):
    """``GroupMember.WORLD`` is the default group; ranks outside a new group get
    ``NON_GROUP_MEMBER``."""

    NON_GROUP_MEMBER = -100


class group(metaclass=_WorldMeta):
    """``dist.group.WORLD``: the default process group."""


def is_initialized():
    return _state.default_pg is not None


def _default():
    if _state.default_pg is None:
        raise ValueError(_NOT_INIT)
    return _state.default_pg


def _resolve(grp, what):
    """The ProcessGroup for ``grp`` (None = WORLD); None when this rank is not a member."""
    if grp is None or grp is _state.default_pg:
        return _default()
    if isinstance(grp, int) and grp == GroupMember.NON_GROUP_MEMBER:
        _default()
        warnings.warn(f"Running {what} on global rank {get_rank()} which does not belong to the "
                      "given group.", stacklevel=3)
        return None
    if not isinstance(grp, ProcessGroup):
        raise TypeError(f"group should be a ProcessGroup, but got {type(grp).__name__}")
    if grp not in _state.groups:
        raise ValueError(f"{grp!r} has been destroyed or belongs to another initialization")
    return grp


def _to_seconds(timeout):
    if timeout is None:
        return None
    if isinstance(timeout, datetime.timedelta):
        return timeout.total_seconds()
    raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, "
                    f"got {type(timeout).__name__}")


def _excepthook_for(rank, size, comm_world):
    prev = sys.excepthook

    def hook(etype, value, tb):
        try:
            if prev is not sys.__excepthook__:
                prev(etype, value, tb)       # a hook the user installed still runs
            # The real stderr: other hooks (torch's) may have redirected sys.stderr to a buffer.
            err = sys.__stderr__ or sys.stderr
            err.write(f"[rank {rank}] uncaught exception:\n"
                      + "".join(traceback.format_exception(etype, value, tb))
                      + f"numtorch.distributed: rank {rank} of {size} failed with "
                      f"{etype.__name__}: {value}; calling MPI_Abort so that every rank of the "
                      f"job stops.\n")
            err.flush()
            time.sleep(0.2)  # let the launcher forward this rank's stderr before the abort
        finally:
            comm_world.Abort(1)

    return hook


def _env_int(name):
    v = os.environ.get(name)
    if v is None or v == "":
        return None
    try:
        return int(v)
    except ValueError:
        raise ValueError(f"environment variable {name} should be an integer, but got {v!r}")


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the job's default process group: rank and world size come from MPI.

    ``backend`` may be ``"mpi"``, ``"gloo"``, ``"nccl"`` or None; all are served by MPI, so
    a torch script runs unchanged under ``mpiexec -n N python script.py``. ``world_size``,
    ``rank`` (or the ``WORLD_SIZE``/``RANK`` environment variables a launcher sets) are
    checked against MPI's. ``timeout`` (a ``datetime.timedelta``, default 30 minutes) bounds
    every wait of a collective; a rank that waits longer raises ``DistBackendError``.

    Example::

        >>> import numtorch.distributed as dist
        >>> dist.init_process_group("mpi")          # doctest: +SKIP
        >>> dist.get_rank(), dist.get_world_size()  # doctest: +SKIP
        (0, 4)
    """
    if _state.default_pg is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None:
        for part in str(backend).split(","):
            name = part.split(":")[-1].strip().lower()
            if name not in Backend.backend_list:
                raise ValueError(f"Invalid backend: '{backend}'")
    if store is not None and (world_size == -1 or rank == -1):
        raise ValueError("world_size and rank must be specified when a store is given")
    MPI = _mpi()
    world = MPI.COMM_WORLD
    mpi_rank, mpi_size = world.Get_rank(), world.Get_size()
    want_size = world_size if world_size != -1 else _env_int("WORLD_SIZE")
    want_rank = rank if rank != -1 else _env_int("RANK")
    if want_size is not None and want_size != mpi_size:
        if mpi_size == 1:
            raise RuntimeError(
                f"world_size={want_size} was requested but this process is a lone MPI rank: "
                f"numtorch's process groups run on MPI, so start the job with "
                f"`mpiexec -n {want_size} python script.py` (see docs/distributed.md)")
        raise ValueError(f"world_size={want_size} does not match the MPI job's size {mpi_size}")
    if want_rank is not None and want_rank != mpi_rank:
        raise ValueError(f"rank={want_rank} does not match this process's MPI rank {mpi_rank}")
    seconds = _to_seconds(timeout) or default_pg_timeout.total_seconds()
    comm = world.Dup()
    _state.ctl = world.Dup()
    _state.notice = np.zeros(1, dtype=np.int64)
    _state.notice_req = _state.ctl.Irecv(_state.notice, MPI.ANY_SOURCE, _NOTICE_TAG)
    _state.departed = set()
    if not _state.atexit_registered:
        atexit.register(_at_exit)        # runs before mpi4py's MPI_Finalize (LIFO)
        _state.atexit_registered = True
    pg = ProcessGroup(comm, range(mpi_size), seconds, group_name or "0")
    _state.default_pg = pg
    _state.groups = [pg]
    _state.world_comm = world
    _state.prev_excepthook = sys.excepthook
    sys.excepthook = _excepthook_for(mpi_rank, mpi_size, world)
    os.environ.setdefault("RANK", str(mpi_rank))
    os.environ.setdefault("WORLD_SIZE", str(mpi_size))
    if "LOCAL_RANK" not in os.environ:
        node = world.Split_type(MPI.COMM_TYPE_SHARED)
        os.environ["LOCAL_RANK"] = str(node.Get_rank())
        os.environ.setdefault("LOCAL_WORLD_SIZE", str(node.Get_size()))
        node.Free()


def destroy_process_group(group=None):
    """Free ``group``'s communicator; with no argument, every group and the default one."""
    if group is None or group is _state.default_pg:
        if _state.default_pg is None:
            raise AssertionError("Process group cannot be None")   # torch's error here
        for pg in _state.groups:
            pg._comm.Free()
        _cancel_notices()
        _state.ctl.Free()
        _state.ctl = None
        _state.groups = []
        _state.default_pg = None
        if _state.prev_excepthook is not None:
            sys.excepthook = _state.prev_excepthook
            _state.prev_excepthook = None
        return
    pg = _resolve(group, "destroy_process_group")
    if pg is not None:
        pg._comm.Free()
        _state.groups.remove(pg)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None, device_id=None):
    """A new group of the given global ``ranks`` (every rank of WORLD must call it).

    Ranks outside the group get ``GroupMember.NON_GROUP_MEMBER``, as in torch.
    """
    world = _default()
    if ranks is None:
        ranks = list(range(world._size))
    ranks = sorted(int(r) for r in ranks)
    for r in ranks:
        if not 0 <= r < world._size:
            raise ValueError(f"new_group: rank {r} is out of range for a world of size "
                             f"{world._size}")
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks contain duplicates: {ranks}")
    me = world._rank
    MPI = _mpi()
    member = me in ranks
    comm = world._comm.Split(0 if member else MPI.UNDEFINED, ranks.index(me) if member else 0)
    if not member:
        return GroupMember.NON_GROUP_MEMBER
    seconds = _to_seconds(timeout) or world._timeout
    pg = ProcessGroup(comm, ranks, seconds, group_desc or str(len(_state.groups)))
    _state.groups.append(pg)
    return pg


def get_rank(group=None):
    """This process's rank in ``group`` (-1 when it is not a member)."""
    pg = _default() if group is None else group
    if isinstance(pg, int) and pg == GroupMember.NON_GROUP_MEMBER:
        return -1
    return _resolve(pg, "get_rank")._rank


def get_world_size(group=None):
    """Number of ranks in ``group`` (-1 when this process is not a member)."""
    pg = _default() if group is None else group
    if isinstance(pg, int) and pg == GroupMember.NON_GROUP_MEMBER:
        return -1
    return _resolve(pg, "get_world_size")._size


def get_backend(group=None):
    _resolve(group, "get_backend")
    return Backend.MPI


def get_process_group_ranks(group):
    pg = _resolve(group, "get_process_group_ranks")
    return list(pg._ranks)


def get_group_rank(group, global_rank):
    pg = _resolve(group, "get_group_rank")
    if global_rank not in pg._ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {pg!r}")
    return pg._ranks.index(global_rank)


def get_global_rank(group, group_rank):
    pg = _resolve(group, "get_global_rank")
    if not 0 <= group_rank < pg._size:
        raise ValueError(f"Group rank {group_rank} is not part of group {pg!r}")
    return pg._ranks[group_rank]


def _root(pg, glob, grp, name):
    """Group rank of a root given as a global rank (``src``) or a group rank (``group_src``)."""
    if glob is not None and grp is not None:
        raise ValueError(f"Can not specify both {name} and group_{name}")
    if grp is not None:
        if not 0 <= grp < pg._size:
            raise ValueError(f"group_{name}={grp} is out of range for a group of size {pg._size}")
        return grp
    if glob is None:
        glob = 0
    if glob not in pg._ranks:
        raise ValueError(f"Global rank {glob} is not part of group {pg!r}")
    return pg._ranks.index(glob)


# ---- work handles ----------------------------------------------------------------------

def _wait_requests(reqs, seconds, what, pg, statuses=None):
    """Poll ``reqs`` to completion; DistBackendError after ``seconds`` or on an MPI error."""
    try:
        _poll(reqs, seconds, what, pg, statuses)
    except _MPI.Exception as e:
        detail = e.Get_error_string()
        for st in statuses or ():
            if st.Get_error():
                detail = _MPI.Get_error_string(st.Get_error())
        raise DistBackendError(f"[rank {get_rank()}] {what} failed in MPI: {detail.strip()}") \
            from None


def _check_notices():
    """Collect the "I am exiting" notices that ranks send from their atexit handler."""
    req = _state.notice_req
    while req is not None and req.Test():
        _state.departed.add(int(_state.notice[0]))
        req = _state.notice_req = _state.ctl.Irecv(_state.notice, _MPI.ANY_SOURCE, _NOTICE_TAG)


def _departed_member(pg):
    _check_notices()
    for r in pg._ranks:
        if r in _state.departed:
            return r
    return None


def _at_exit():
    """This process leaves with the process group alive: tell the other ranks, so that a
    rank waiting for it in a collective fails at once instead of after the timeout."""
    pg = _state.default_pg
    if pg is None or _state.ctl is None:
        return
    me = pg._rank
    msg = np.array([me], dtype=np.int64)
    reqs = [_state.ctl.Isend(msg, r, _NOTICE_TAG) for r in range(pg._size) if r != me]
    deadline = time.monotonic() + 1.0
    while reqs and not _MPI.Request.Testall(reqs) and time.monotonic() < deadline:
        time.sleep(0.001)
    _cancel_notices()


def _cancel_notices():
    req, _state.notice_req = _state.notice_req, None
    if req is not None:
        req.Cancel()
        req.Wait()


def _poll(reqs, seconds, what, pg, statuses):
    Testall = _MPI.Request.Testall
    if Testall(reqs, statuses):
        return
    start = time.monotonic()
    spins = 0
    next_check = 0.1          # look for "exiting" notices from the group's ranks
    gone = None
    while not Testall(reqs, statuses):
        spins += 1
        if spins & 63:
            continue
        waited = time.monotonic() - start
        if waited > seconds:
            raise DistBackendError(
                f"[rank {get_rank()}] {what} timed out after {seconds:g} s waiting for the "
                f"other ranks of {pg!r}: a rank has stopped, exited or is stuck before this "
                f"collective")
        if waited > next_check:
            next_check = waited + 0.1
            if gone is None:
                gone = _departed_member(pg)
                gone_at = waited
            elif waited - gone_at > _EXIT_GRACE_S:    # it will not take part any more
                raise DistBackendError(
                    f"[rank {get_rank()}] {what}: rank {gone} has exited while this rank "
                    f"waits for it in a collective of {pg!r}")
        # Leave the core to ranks that still compute when the wait is long (oversubscription).
        if waited > 0.01:
            time.sleep(0.0002)
        else:
            os.sched_yield()


class _Future:
    """The ``torch.futures.Future`` of a Work: ``wait()``/``value()`` give its output tensors."""

    def __init__(self, work):
        self._work = work

    def wait(self):
        self._work.wait()
        return self._work.result()

    def value(self):
        return self.wait()

    def done(self):
        return self._work.is_completed()

    def then(self, callback):
        self._work.wait()
        fut = _Future(self._work)
        fut._value = callback(self)
        fut.wait = lambda: fut._value
        fut.value = fut.wait
        return fut


class Work:
    """Handle of a collective started with ``async_op=True``: ``wait()`` blocks until done."""

    def __init__(self, pg, reqs, what, finish=None, result=(), keep=(), statuses=None):
        self._pg = pg
        self._reqs = reqs
        self._what = what
        self._finish = finish
        self._result = list(result)
        self._keep = keep          # buffers MPI still reads or writes: alive until done
        self._statuses = statuses
        self._done = False

    def _complete(self):
        self._done = True
        self._keep = None
        if self._finish is not None:
            f, self._finish = self._finish, None
            f()

    def is_completed(self):
        if not self._done and _MPI.Request.Testall(self._reqs, self._statuses):
            self._complete()
        return self._done

    def wait(self, timeout=None):
        if not self._done:
            seconds = self._pg._timeout if timeout is None else _to_seconds(timeout)
            _wait_requests(self._reqs, seconds, self._what, self._pg, self._statuses)
            self._complete()
        return True

    synchronize = wait

    def is_success(self):
        return self._done

    def exception(self):
        return None

    def result(self):
        return self._result

    def source_rank(self):
        if not self._statuses:
            raise RuntimeError("source_rank() is only available on the Work of a recv")
        self.wait()
        return self._pg._ranks[self._statuses[0].Get_source()]

    _source_rank = source_rank

    def get_future(self):
        return _Future(self)


def _run(pg, req, what, async_op, finish=None, result=(), keep=(), statuses=None):
    reqs = req if isinstance(req, list) else [req]
    work = Work(pg, reqs, what, finish, result, keep, statuses)
    if async_op:
        return work
    work.wait()
    return None


# ---- argument checks ------------------------------------------------------------------

def _tensor_cls():
    from .._tensor import Tensor
    return Tensor


def _out(t, what, arg="tensor"):
    """The writable contiguous buffer of an output tensor."""
    if not isinstance(t, _tensor_cls()):
        raise TypeError(f"{what}: {arg} should be a Tensor, but got {type(t).__name__}")
    a = t._data
    if not a.flags.c_contiguous:
        raise ValueError(f"{what}: Tensors must be contiguous ({arg} has shape "
                         f"{list(a.shape)} and strides {t.stride()})")
    if not a.flags.writeable:
        raise RuntimeError(f"{what}: {arg} is a read-only (expanded) tensor; clone() it first")
    return a


def _in(t, what, arg="tensor"):
    """A contiguous array of an input tensor (a copy only when it is strided)."""
    if not isinstance(t, _tensor_cls()):
        raise TypeError(f"{what}: {arg} should be a Tensor, but got {type(t).__name__}")
    return np.ascontiguousarray(t._data)


def _bump(*tensors):
    for t in tensors:
        t._version[0] += 1


def _checks_enabled():
    return os.environ.get("NUMTORCH_DISTRIBUTED_CHECKS", "1") != "0"


_OPS = ["all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor",
        "reduce_scatter", "reduce_scatter_tensor", "gather", "scatter", "all_to_all",
        "all_to_all_single", "barrier", "broadcast_object_list", "all_gather_object",
        "gather_object", "scatter_object_list", "DistributedDataParallel"]
_DESC = 16
_MAXDIMS = _DESC - 5


def _describe(what, arr, root=-1, op=-1):
    d = np.full(_DESC, -1, dtype=np.int64)
    d[0] = _OPS.index(what)
    d[1] = ord(arr.dtype.char) if arr is not None else -1
    d[2] = root
    d[3] = int(op)
    if arr is not None:
        shape = arr.shape
        d[4] = len(shape)
        d[5:5 + min(len(shape), _MAXDIMS)] = shape[:_MAXDIMS]
        if len(shape) > _MAXDIMS:
            d[_DESC - 1] = zlib.crc32(repr(shape[_MAXDIMS - 1:]).encode())
    return d


def _fmt(row):
    what = _OPS[row[0]] if 0 <= row[0] < len(_OPS) else f"<op {row[0]}>"
    s = f"{what}("
    if row[1] >= 0:
        nd = int(row[4])
        shape = [int(x) for x in row[5:5 + min(nd, _MAXDIMS)]]
        s += f"shape={shape}{'...' if nd > _MAXDIMS else ''}, dtype={np.dtype(chr(row[1])).name}"
    if row[2] >= 0:
        s += f", root={int(row[2])}"
    if row[3] >= 0:
        s += f", op={RedOpType(int(row[3])).name}"
    return s + ")"


def _validate(pg, what, arr, root=-1, op=-1, force=False):
    """All ranks exchange what they are about to do; all raise the same error if it differs."""
    if pg._size == 1 or not (force or _checks_enabled()):
        return
    mine = _describe(what, arr, root, op)
    everyone = np.empty((pg._size, _DESC), dtype=np.int64)
    Work(pg, [pg._comm.Iallgather(mine, everyone)], what + " (validation)").wait()
    if (everyone == everyone[0]).all():
        return
    lines = [f"  rank {pg._ranks[r]}: {_fmt(everyone[r])}" for r in range(pg._size)]
    kind = "tensor shapes or dtypes" if (everyone[:, [0, 2, 3]] == everyone[0, [0, 2, 3]]).all() \
        else "calls"
    raise RuntimeError(f"{what}: the ranks of {pg!r} disagree on the {kind} of this "
                       f"collective:\n" + "\n".join(lines))


def _mpi_op(op, dtype, what):
    """MPI reduction for a ReduceOp and dtype (bools reduce logically, as torch's)."""
    MPI = _MPI
    kind = dtype.kind
    if op == RedOpType.PREMUL_SUM:
        raise NotImplementedError(f"{what}: ReduceOp.PREMUL_SUM is not supported by numtorch")
    if kind == "b":
        return {RedOpType.SUM: MPI.LOR, RedOpType.AVG: MPI.LOR, RedOpType.MAX: MPI.LOR,
                RedOpType.BOR: MPI.LOR, RedOpType.MIN: MPI.LAND, RedOpType.PRODUCT: MPI.LAND,
                RedOpType.BAND: MPI.LAND, RedOpType.BXOR: MPI.LXOR}[op]
    if op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR) and kind not in "iu":
        raise RuntimeError(f"{what}: ReduceOp.{op.name} needs an integer or bool tensor, "
                           f"but got {dtype.name}")
    if op in (RedOpType.MIN, RedOpType.MAX) and kind == "c":
        raise RuntimeError(f"{what}: ReduceOp.{op.name} is not defined for complex tensors")
    return {RedOpType.SUM: MPI.SUM, RedOpType.AVG: MPI.SUM, RedOpType.PRODUCT: MPI.PROD,
            RedOpType.MIN: MPI.MIN, RedOpType.MAX: MPI.MAX, RedOpType.BAND: MPI.BAND,
            RedOpType.BOR: MPI.BOR, RedOpType.BXOR: MPI.BXOR}[op]


def _average(arr, n):
    if arr.dtype.kind == "b" or n == 1:
        return
    if arr.dtype.kind in "iu":
        np.copyto(arr, np.trunc(arr / n).astype(arr.dtype))
    else:
        arr /= arr.dtype.type(n)


# ---- tensor collectives ---------------------------------------------------------------

def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across the group, in place, so that every rank holds the result.

    Example::

        >>> t = numtorch.ones(3) * (dist.get_rank() + 1)  # doctest: +SKIP
        >>> dist.all_reduce(t)  # with 2 ranks: tensor([3., 3., 3.])  # doctest: +SKIP
    """
    pg = _resolve(group, "all_reduce")
    if pg is None:
        return None
    op = _as_op(op)
    arr = _out(tensor, "all_reduce")
    mop = _mpi_op(op, arr.dtype, "all_reduce")
    _validate(pg, "all_reduce", arr, op=op)
    req = pg._comm.Iallreduce(_MPI.IN_PLACE, arr, mop)

    def finish():
        if op == RedOpType.AVG:
            _average(arr, pg._size)
        _bump(tensor)

    return _run(pg, req, "all_reduce", async_op, finish, [tensor])


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` of rank ``src`` into ``tensor`` of every rank of the group."""
    pg = _resolve(group, "broadcast")
    if pg is None:
        return None
    root = _root(pg, src, group_src, "src")
    arr = _out(tensor, "broadcast")
    _validate(pg, "broadcast", arr, root=root)
    req = pg._comm.Ibcast(arr, root)
    return _run(pg, req, "broadcast", async_op, lambda: _bump(tensor), [tensor])


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` across the group into ``tensor`` of rank ``dst`` only."""
    pg = _resolve(group, "reduce")
    if pg is None:
        return None
    root = _root(pg, dst, group_dst, "dst")
    op = _as_op(op)
    arr = _out(tensor, "reduce")
    mop = _mpi_op(op, arr.dtype, "reduce")
    _validate(pg, "reduce", arr, root=root, op=op)
    is_root = pg._rank == root
    if is_root:
        req = pg._comm.Ireduce(_MPI.IN_PLACE, arr, mop, root)
    else:
        req = pg._comm.Ireduce(arr, None, mop, root)

    def finish():
        if is_root:
            if op == RedOpType.AVG:
                _average(arr, pg._size)
            _bump(tensor)

    return _run(pg, req, "reduce", async_op, finish, [tensor])


def _check_list(tensors, n, like, what, arg):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{what}: {arg} should be a list of Tensors, but got "
                        f"{type(tensors).__name__}")
    if len(tensors) != n:
        raise ValueError(f"{what}: {arg} has {len(tensors)} tensors but the group has {n} ranks")
    T = _tensor_cls()
    for i, t in enumerate(tensors):
        if not isinstance(t, T):
            raise TypeError(f"{what}: {arg}[{i}] should be a Tensor, but got {type(t).__name__}")
        if t._data.shape != like.shape or t._data.dtype != like.dtype:
            raise ValueError(
                f"{what}: {arg}[{i}] has shape {list(t._data.shape)} and dtype "
                f"{t._data.dtype.name}, but tensor has shape {list(like.shape)} and dtype "
                f"{like.dtype.name}")


def _copy_rows(buf, tensors):
    for i, t in enumerate(tensors):
        np.copyto(t._data, buf[i])
        _bump(t)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[r]`` with ``tensor`` of rank ``r``, on every rank."""
    pg = _resolve(group, "all_gather")
    if pg is None:
        return None
    arr = _in(tensor, "all_gather")
    _check_list(tensor_list, pg._size, arr, "all_gather", "tensor_list")
    _validate(pg, "all_gather", arr)
    buf = np.empty((pg._size,) + arr.shape, dtype=arr.dtype)
    req = pg._comm.Iallgather(arr, buf)
    return _run(pg, req, "all_gather", async_op, lambda: _copy_rows(buf, tensor_list),
                tensor_list, keep=(arr, buf))


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Gather every rank's ``input_tensor`` into ``output_tensor`` (concatenated or stacked)."""
    pg = _resolve(group, "all_gather_into_tensor")
    if pg is None:
        return None
    arr = _in(input_tensor, "all_gather_into_tensor", "input_tensor")
    out = _out(output_tensor, "all_gather_into_tensor", "output_tensor")
    if out.dtype != arr.dtype:
        raise TypeError(f"all_gather_into_tensor: output dtype {out.dtype.name} differs from "
                        f"input dtype {arr.dtype.name}")
    if out.size != arr.size * pg._size:
        raise ValueError(
            f"all_gather_into_tensor: output tensor of shape {list(out.shape)} must have "
            f"world_size ({pg._size}) times the elements of the input of shape "
            f"{list(arr.shape)}")
    _validate(pg, "all_gather_into_tensor", arr)
    req = pg._comm.Iallgather(arr, out)
    return _run(pg, req, "all_gather_into_tensor", async_op, lambda: _bump(output_tensor),
                [output_tensor], keep=(arr,))


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[r]`` across ranks and leave the result in ``output`` of rank ``r``."""
    pg = _resolve(group, "reduce_scatter")
    if pg is None:
        return None
    op = _as_op(op)
    out = _out(output, "reduce_scatter", "output")
    _check_list(input_list, pg._size, out, "reduce_scatter", "input_list")
    mop = _mpi_op(op, out.dtype, "reduce_scatter")
    _validate(pg, "reduce_scatter", out, op=op)
    send = np.stack([t._data for t in input_list])
    req = pg._comm.Ireduce_scatter_block(send, out, mop)

    def finish():
        if op == RedOpType.AVG:
            _average(out, pg._size)
        _bump(output)

    return _run(pg, req, "reduce_scatter", async_op, finish, [output], keep=(send,))


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """``reduce_scatter`` where the inputs are the world_size chunks of one tensor."""
    pg = _resolve(group, "reduce_scatter_tensor")
    if pg is None:
        return None
    op = _as_op(op)
    out = _out(output, "reduce_scatter_tensor", "output")
    arr = _in(input, "reduce_scatter_tensor", "input")
    if arr.dtype != out.dtype:
        raise TypeError(f"reduce_scatter_tensor: input dtype {arr.dtype.name} differs from "
                        f"output dtype {out.dtype.name}")
    if arr.size != out.size * pg._size:
        raise ValueError(
            f"reduce_scatter_tensor: input tensor of shape {list(arr.shape)} must have "
            f"world_size ({pg._size}) times the elements of the output of shape "
            f"{list(out.shape)}")
    mop = _mpi_op(op, out.dtype, "reduce_scatter_tensor")
    _validate(pg, "reduce_scatter_tensor", arr, op=op)
    req = pg._comm.Ireduce_scatter_block(arr, out, mop)

    def finish():
        if op == RedOpType.AVG:
            _average(out, pg._size)
        _bump(output)

    return _run(pg, req, "reduce_scatter_tensor", async_op, finish, [output], keep=(arr,))


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Collect every rank's ``tensor`` into ``gather_list`` on rank ``dst``."""
    pg = _resolve(group, "gather")
    if pg is None:
        return None
    root = _root(pg, dst, group_dst, "dst")
    arr = _in(tensor, "gather")
    is_root = pg._rank == root
    if is_root:
        _check_list(gather_list, pg._size, arr, "gather", "gather_list")
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination "
                         "ranks.")
    _validate(pg, "gather", arr, root=root)
    buf = np.empty((pg._size,) + arr.shape, dtype=arr.dtype) if is_root else None
    req = pg._comm.Igather(arr, buf, root)
    finish = (lambda: _copy_rows(buf, gather_list)) if is_root else None
    return _run(pg, req, "gather", async_op, finish, gather_list or [], keep=(arr, buf))


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Give ``scatter_list[r]`` of rank ``src`` to ``tensor`` of rank ``r``."""
    pg = _resolve(group, "scatter")
    if pg is None:
        return None
    root = _root(pg, src, group_src, "src")
    out = _out(tensor, "scatter")
    is_root = pg._rank == root
    if is_root:
        _check_list(scatter_list, pg._size, out, "scatter", "scatter_list")
        send = np.stack([t._data for t in scatter_list])
    else:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source "
                             "ranks.")
        send = None
    _validate(pg, "scatter", out, root=root)
    req = pg._comm.Iscatter(send, out, root)
    return _run(pg, req, "scatter", async_op, lambda: _bump(tensor), [tensor], keep=(send,))


def _splits(sizes, rows, n, what, arg):
    if sizes is None or len(sizes) == 0:
        if rows % n:
            raise ValueError(f"{what}: dim 0 of {arg} ({rows}) is not divisible by the group "
                             f"size {n}; pass {arg}_split_sizes")
        return [rows // n] * n
    sizes = [int(s) for s in sizes]
    if len(sizes) != n or sum(sizes) != rows:
        raise ValueError(f"{what}: {arg}_split_sizes {sizes} must have {n} entries summing to "
                         f"dim 0 of {arg} ({rows})")
    return sizes


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Rank ``r`` sends split ``j`` of ``input`` (along dim 0) to rank ``j``, whose ``output``
    receives the splits of all ranks in rank order."""
    pg = _resolve(group, "all_to_all_single")
    if pg is None:
        return None
    out = _out(output, "all_to_all_single", "output")
    arr = _in(input, "all_to_all_single", "input")
    if arr.dtype != out.dtype:
        raise TypeError(f"all_to_all_single: input dtype {arr.dtype.name} differs from output "
                        f"dtype {out.dtype.name}")
    row_in = arr[0].size if arr.ndim and arr.shape[0] else int(np.prod(arr.shape[1:]))
    row_out = out[0].size if out.ndim and out.shape[0] else int(np.prod(out.shape[1:]))
    n = pg._size
    sin = _splits(input_split_sizes, arr.shape[0] if arr.ndim else 1, n, "all_to_all_single",
                  "input")
    sout = _splits(output_split_sizes, out.shape[0] if out.ndim else 1, n,
                   "all_to_all_single", "output")
    _validate(pg, "all_to_all_single", None)
    cin = [s * row_in for s in sin]
    cout = [s * row_out for s in sout]
    din = np.concatenate([[0], np.cumsum(cin)[:-1]]).tolist()
    dout = np.concatenate([[0], np.cumsum(cout)[:-1]]).tolist()
    req = pg._comm.Ialltoallv([arr, (cin, din)], [out, (cout, dout)])
    return _run(pg, req, "all_to_all_single", async_op, lambda: _bump(output), [output],
                keep=(arr,))


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Rank ``r`` sends ``input_tensor_list[j]`` to rank ``j``, which stores it in its
    ``output_tensor_list[r]``."""
    pg = _resolve(group, "all_to_all")
    if pg is None:
        return None
    n = pg._size
    for arg, lst in (("input_tensor_list", input_tensor_list),
                     ("output_tensor_list", output_tensor_list)):
        if not isinstance(lst, (list, tuple)) or len(lst) != n:
            raise ValueError(f"all_to_all: {arg} must be a list of {n} tensors")
    ins = [_in(t, "all_to_all", "input_tensor_list") for t in input_tensor_list]
    outs = [_out(t, "all_to_all", "output_tensor_list") for t in output_tensor_list]
    dt = ins[0].dtype
    if any(a.dtype != dt for a in ins + outs):
        raise TypeError("all_to_all: every input and output tensor must have the same dtype")
    _validate(pg, "all_to_all", None)
    send = np.concatenate([a.ravel() for a in ins])
    recv = np.empty(sum(a.size for a in outs), dtype=dt)
    cin = [a.size for a in ins]
    cout = [a.size for a in outs]
    din = np.concatenate([[0], np.cumsum(cin)[:-1]]).tolist()
    dout = np.concatenate([[0], np.cumsum(cout)[:-1]]).tolist()
    req = pg._comm.Ialltoallv([send, (cin, din)], [recv, (cout, dout)])

    def finish():
        for t, a, off, c in zip(output_tensor_list, outs, dout, cout):
            a.reshape(-1)[...] = recv[off:off + c]
            _bump(t)

    return _run(pg, req, "all_to_all", async_op, finish, output_tensor_list, keep=(send, recv))


def barrier(group=None, async_op=False, device_ids=None):
    """Block until every rank of the group has reached the barrier."""
    pg = _resolve(group, "barrier")
    if pg is None:
        return None
    req = pg._comm.Ibarrier()
    return _run(pg, req, "barrier", async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """A barrier that raises ``DistBackendError`` when a rank does not arrive within ``timeout``."""
    pg = _resolve(group, "monitored_barrier")
    if pg is None:
        return None
    work = Work(pg, [pg._comm.Ibarrier()], "monitored_barrier")
    work.wait(timeout)


# ---- point to point -------------------------------------------------------------------

def _peer(pg, glob, grp, name, what):
    r = _root(pg, glob, grp, name)
    if r == pg._rank:
        raise ValueError(f"{what}: Invalid {'destination' if name == 'dst' else 'source'} "
                         f"rank: should not be the same as the rank of the current process.")
    return r


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to rank ``dst``; returns a ``Work``."""
    pg = _resolve(group, "isend")
    if pg is None:
        return None
    peer = _peer(pg, dst, group_dst, "dst", "isend")
    arr = _in(tensor, "isend")
    return Work(pg, [pg._comm.Isend(arr, peer, tag)], f"send to rank {pg._ranks[peer]}",
                keep=(arr,))


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor`` from rank ``src`` (any rank when None); returns a Work."""
    pg = _resolve(group, "irecv")
    if pg is None:
        return None
    if src is None and group_src is None:
        peer = _MPI.ANY_SOURCE
    else:
        peer = _peer(pg, src, group_src, "src", "irecv")
    arr = _out(tensor, "irecv")
    statuses = [_MPI.Status()]
    return Work(pg, [pg._comm.Irecv(arr, peer, tag)], "recv", lambda: _bump(tensor),
                [tensor], statuses=statuses)


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` (blocks until it is delivered or buffered)."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from ``src`` (any rank when None); returns the sender's rank."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return work.source_rank()


class P2POp:
    """One send or receive for ``batch_isend_irecv``: ``P2POp(dist.isend, tensor, peer)``."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed."
                             "isend`` or ``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer, self.group, self.tag = op, tensor, peer, group, tag
        self.group_peer = group_peer


def batch_isend_irecv(p2p_op_list):
    """Start every P2POp of the list; returns their Works."""
    if not p2p_op_list or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError("Invalid ``p2p_op_list``. Each op is expected to to be of type "
                         "``torch.distributed.P2POp``.")
    works = []
    for p in p2p_op_list:
        if p.op is isend:
            works.append(isend(p.tensor, p.peer, p.group, p.tag, p.group_peer))
        else:
            works.append(irecv(p.tensor, p.peer, p.group, p.tag, p.group_peer))
    return works


# ---- object collectives (pickled) ----------------------------------------------------------

def _dumps(obj):
    return np.frombuffer(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), dtype=np.uint8)


def _loads(buf):
    return pickle.loads(buf.tobytes())


def _wait(pg, req, what):
    Work(pg, [req], what).wait()


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s items on every rank with those of rank ``src`` (pickled)."""
    pg = _resolve(group, "broadcast_object_list")
    if pg is None:
        return
    root = _root(pg, src, group_src, "src")
    _validate(pg, "broadcast_object_list", None, root=root)
    comm = pg._comm
    payload = _dumps(list(object_list)) if pg._rank == root else None
    n = np.array([payload.size if payload is not None else 0], dtype=np.int64)
    _wait(pg, comm.Ibcast(n, root), "broadcast_object_list")
    if payload is None:
        payload = np.empty(int(n[0]), dtype=np.uint8)
    _wait(pg, comm.Ibcast(payload, root), "broadcast_object_list")
    if pg._rank != root:
        objs = _loads(payload)
        if len(objs) != len(object_list):
            raise ValueError(f"broadcast_object_list: rank {pg._ranks[root]} sent {len(objs)} "
                             f"objects but object_list here has {len(object_list)} entries")
        object_list[:] = objs


def _gather_bytes(pg, payload, what, root=None):
    comm = pg._comm
    counts = np.empty(pg._size, dtype=np.int64)
    n = np.array([payload.size], dtype=np.int64)
    if root is None:
        _wait(pg, comm.Iallgather(n, counts), what)
    else:
        _wait(pg, comm.Igather(n, counts if pg._rank == root else None, root), what)
    if root is not None and pg._rank != root:
        _wait(pg, comm.Igatherv(payload, None, root), what)
        return None
    displs = np.concatenate([[0], np.cumsum(counts)[:-1]])
    recv = np.empty(int(counts.sum()), dtype=np.uint8)
    spec = [recv, (counts.tolist(), displs.tolist())]
    if root is None:
        _wait(pg, comm.Iallgatherv(payload, spec), what)
    else:
        _wait(pg, comm.Igatherv(payload, spec, root), what)
    return [_loads(recv[d:d + c]) for d, c in zip(displs, counts)]


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list[r]`` with rank ``r``'s (picklable) ``obj`` on every rank."""
    pg = _resolve(group, "all_gather_object")
    if pg is None:
        return
    if len(object_list) != pg._size:
        raise ValueError(f"all_gather_object: object_list has {len(object_list)} entries but "
                         f"the group has {pg._size} ranks")
    _validate(pg, "all_gather_object", None)
    object_list[:] = _gather_bytes(pg, _dumps(obj), "all_gather_object")


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Collect every rank's ``obj`` into ``object_gather_list`` on rank ``dst``."""
    pg = _resolve(group, "gather_object")
    if pg is None:
        return
    root = _root(pg, dst, group_dst, "dst")
    if pg._rank == root and (object_gather_list is None
                             or len(object_gather_list) != pg._size):
        raise ValueError(f"gather_object: object_gather_list on the destination rank must have "
                         f"{pg._size} entries")
    _validate(pg, "gather_object", None, root=root)
    objs = _gather_bytes(pg, _dumps(obj), "gather_object", root)
    if objs is not None:
        object_gather_list[:] = objs


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    """Put ``scatter_object_input_list[r]`` of rank ``src`` into
    ``scatter_object_output_list[0]`` of rank ``r``."""
    pg = _resolve(group, "scatter_object_list")
    if pg is None:
        return
    root = _root(pg, src, group_src, "src")
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at "
                         "least 1.")
    _validate(pg, "scatter_object_list", None, root=root)
    comm = pg._comm
    count = np.empty(1, dtype=np.int64)
    if pg._rank == root:
        if scatter_object_input_list is None or len(scatter_object_input_list) != pg._size:
            raise ValueError(f"scatter_object_list: scatter_object_input_list on the source "
                             f"rank must have {pg._size} entries")
        parts = [_dumps(o) for o in scatter_object_input_list]
        counts = np.array([p.size for p in parts], dtype=np.int64)
        displs = np.concatenate([[0], np.cumsum(counts)[:-1]])
        send = np.concatenate(parts)
        _wait(pg, comm.Iscatter(counts, count, root), "scatter_object_list")
        spec = [send, (counts.tolist(), displs.tolist())]
    else:
        _wait(pg, comm.Iscatter(None, count, root), "scatter_object_list")
        spec = None
    recv = np.empty(int(count[0]), dtype=np.uint8)
    _wait(pg, comm.Iscatterv(spec, recv, root), "scatter_object_list")
    scatter_object_output_list[0] = _loads(recv)
