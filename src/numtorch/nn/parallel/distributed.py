"""DistributedDataParallel: data-parallel training over numtorch.distributed (MPI).

How gradients are synchronised (the same contract as torch's Reducer):

* At construction the wrapped module's parameters and buffers are broadcast from rank 0,
  after checking that every rank holds the same parameter shapes. Parameters that require
  grad are assigned, in reverse registration order (roughly the order backward produces
  their gradients), to buckets of at most ``bucket_cap_mb`` (the first one 1 MiB), one flat
  NumPy array per bucket and dtype.
* A forward in grad mode (outside ``no_sync()``) arms the reducer. During backward a
  post-accumulate-grad hook on every parameter copies its ``.grad`` into its bucket slot;
  when all slots of a bucket are filled the bucket is divided by the world size and handed
  to a non-blocking ``MPI_Iallreduce``, so communication overlaps the rest of backward.
  Buckets are launched strictly in bucket order (MPI needs every rank to start collectives
  in the same order); later hooks poll the outstanding requests to drive MPI's progress.
* The hook of the last parameter to become ready launches the last bucket, then waits for
  every outstanding reduction and copies the averaged buckets back into ``.grad``: when
  ``loss.backward()`` returns, the gradients are synchronised (no engine callback needed;
  ``optimizer.step()`` needs nothing special).
* After the first synchronised iteration, the buckets are rebuilt in the order the
  gradients actually arrived on rank 0 (broadcast so every rank agrees), as torch does.
* ``find_unused_parameters=True`` walks the autograd graph from the forward outputs to find
  parameters that cannot get a gradient; they are marked ready (zero, or their accumulated
  grad) at the first hook, and a small all-reduce of a used-flag bitmap leaves the ``.grad``
  of parameters unused on every rank untouched, as torch does.
* ``no_sync()`` skips the hooks: gradients accumulate locally and are averaged by the first
  synchronised backward after it.
* ``broadcast_buffers=True`` broadcasts rank 0's buffers (BatchNorm running statistics) at
  the start of forward, like torch.
"""
import contextlib
import weakref
import zlib

import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode as _gm
from ...autograd.graph import AccumulateGrad
from ..modules.module import Module
from ... import distributed as _dist
from ...distributed import distributed_c10d as _c10d

__all__ = ["DistributedDataParallel"]

_MiB = 1024 * 1024
_DEFAULT_FIRST_BUCKET_BYTES = _MiB
_DEFAULT_BUCKET_CAP_MB = 25

_IDLE, _ARMED, _BACKWARD, _DONE = range(4)

_UNFINISHED_MSG = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing "
    "loss. You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `numtorch.nn.parallel.DistributedDataParallel`, and by "
    "making sure all `forward` function outputs participate in calculating loss. Parameters "
    "that did not receive a gradient on rank {rank}: {names}")


def _coalesced_broadcast(pg, tensors, src_group_rank, what):
    """Broadcast ``tensors`` from ``src_group_rank``: one Ibcast per dtype, copied back in place."""
    if pg._size == 1 or not tensors:
        return
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    works = []
    for dt, ts in by_dtype.items():
        flat = np.concatenate([t._data.reshape(-1) for t in ts])
        req = pg._comm.Ibcast(flat, src_group_rank)
        works.append((_c10d.Work(pg, [req], what, keep=(flat,)), flat, ts))
    for work, flat, ts in works:
        work.wait()
        off = 0
        for t in ts:
            n = t._data.size
            np.copyto(t._data, flat[off:off + n].reshape(t._data.shape))
            t._version[0] += 1
            off += n


def _output_tensors(obj, out):
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _output_tensors(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _output_tensors(o, out)
    return out


def _reachable_leaves(outputs):
    """ids of the leaf tensors whose gradient the graph of ``outputs`` can reach."""
    seen_nodes = set()
    leaves = set()
    stack = []
    for t in _output_tensors(outputs, []):
        if t.grad_fn is not None:
            stack.append(t.grad_fn)
        elif t._rg:
            leaves.add(id(t))
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if type(node) is AccumulateGrad:
            leaves.add(id(node.variable))
            continue
        for nx, _ in node.next_functions:
            if nx is not None and id(nx) not in seen_nodes:
                stack.append(nx)
    return leaves


class _Bucket:
    __slots__ = ("members", "flat", "pending", "work")

    def __init__(self, members, flat):
        self.members = members      # parameter indices, in slot order
        self.flat = flat
        self.pending = len(members)
        self.work = None


class _Reducer:
    """Bucketed, overlapped gradient averaging for one DDP instance (see the module doc)."""

    def __init__(self, params, names, pg, bucket_cap_bytes, first_bucket_bytes,
                 find_unused, grad_as_view):
        self.params = params
        self.names = names
        self.pg = pg
        self.cap = bucket_cap_bytes
        self.first_cap = first_bucket_bytes
        self.find_unused = find_unused
        self.solo = pg._size == 1          # one rank: gradients are already the average
        self.grad_as_view = grad_as_view and not self.solo
        self.state = _IDLE
        self.iterations = 0
        self.rebuilt = False
        self.ready = np.zeros(len(params), dtype=bool)
        self.used = np.ones(len(params), dtype=bool)
        self.unused = []
        self.arrival = []
        self._build(list(reversed(range(len(params)))))
        ref = weakref.ref(self)
        self.handles = [p.register_post_accumulate_grad_hook(_make_hook(ref, i))
                        for i, p in enumerate(params)]

    # ---- buckets -----------------------------------------------------------------------
    def _build(self, order):
        groups = {}       # dtype -> [members, bytes, limit index]
        assigned = []
        for i in order:
            a = self.params[i]._data
            g = groups.setdefault(a.dtype, [[], 0, 0])
            g[0].append(i)
            g[1] += a.nbytes
            limit = self.first_cap if g[2] == 0 else self.cap
            if g[1] >= limit:
                assigned.append((a.dtype, g[0]))
                groups[a.dtype] = [[], 0, g[2] + 1]
        for dt, g in groups.items():
            if g[0]:
                assigned.append((dt, g[0]))
        self.buckets = []
        self.loc = [None] * len(self.params)
        self.views = [None] * len(self.params)
        for b, (dt, members) in enumerate(assigned):
            flat = np.zeros(sum(self.params[i]._data.size for i in members), dtype=dt)
            off = 0
            for i in members:
                shape = self.params[i]._data.shape
                n = self.params[i]._data.size
                self.loc[i] = (b, off, n)
                self.views[i] = flat[off:off + n].reshape(shape)
                off += n
            self.buckets.append(_Bucket(members, flat))
            if self.grad_as_view:
                for i in members:
                    p = self.params[i]
                    if p._grad is not None:
                        np.copyto(self.views[i], p._grad._data)
                        p._grad = _wrap(self.views[i])

    def bucket_sizes(self):
        """Parameter indices per bucket (for inspection and tests)."""
        return [list(b.members) for b in self.buckets]

    # ---- per iteration ----------------------------------------------------------------
    def prepare_for_backward(self, outputs):
        if self.state == _BACKWARD:
            missing = [self.names[i] for i in np.flatnonzero(~self.ready)]
            raise RuntimeError(_UNFINISHED_MSG.format(rank=self.pg._rank,
                                                      names=", ".join(missing)))
        self.ready[:] = False
        for b in self.buckets:
            b.pending = len(b.members)
            b.work = None
        self.next_bucket = 0
        self.arrival = []
        if self.find_unused:
            reach = _reachable_leaves(outputs)
            self.used = np.array([id(p) in reach for p in self.params], dtype=bool)
            self.unused = [int(i) for i in np.flatnonzero(~self.used)]
        self.state = _ARMED

    def disarm(self):
        if self.state != _BACKWARD:
            self.state = _IDLE

    def on_grad_ready(self, i):
        st = self.state
        if st == _IDLE:
            return
        if st == _DONE:
            raise RuntimeError(
                f"Expected to mark a variable ready only once: parameter {self.names[i]} got "
                "a second gradient after DistributedDataParallel already reduced this "
                "iteration's gradients (backward twice after one forward?). Run forward "
                "again, or accumulate inside `no_sync()`.")
        if st == _ARMED:
            self.state = _BACKWARD
            for j in self.unused:
                self._mark(j)
        if self.ready[i]:
            raise RuntimeError(f"Expected to mark a variable ready only once: parameter "
                               f"{self.names[i]} was marked ready twice in one iteration")
        self._mark(i)

    def _mark(self, i):
        self.ready[i] = True
        self.arrival.append(i)
        bucket = self.buckets[self.loc[i][0]]
        if not self.solo:
            g = self.params[i]._grad
            view = self.views[i]
            if g is None:
                view[...] = 0
            elif g._data is not view:
                np.copyto(view, g._data)
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_ready()
        elif self.next_bucket and self.buckets[self.next_bucket - 1].work is not None:
            self.buckets[self.next_bucket - 1].work.is_completed()   # drive MPI progress

    def _launch_ready(self):
        buckets = self.buckets
        size = self.pg._size
        while self.next_bucket < len(buckets) and buckets[self.next_bucket].pending == 0:
            bucket = buckets[self.next_bucket]
            if size > 1:
                np.divide(bucket.flat, size, out=bucket.flat)
                req = self.pg._comm.Iallreduce(_c10d._MPI.IN_PLACE, bucket.flat, _c10d._MPI.SUM)
                bucket.work = _c10d.Work(self.pg, [req], "DistributedDataParallel all_reduce")
            self.next_bucket += 1
        if self.next_bucket == len(buckets):
            self._finalize()

    def _finalize(self):
        for bucket in self.buckets:
            if bucket.work is not None:
                bucket.work.wait()
                bucket.work = None
        if self.solo:
            self._done()
            return
        write = np.ones(len(self.params), dtype=bool)
        if self.find_unused:
            flags = self.used.astype(np.uint8)
            if self.pg._size > 1:
                req = self.pg._comm.Iallreduce(_c10d._MPI.IN_PLACE, flags, _c10d._MPI.MAX)
                _c10d.Work(self.pg, [req], "DistributedDataParallel unused-parameter map").wait()
            write = flags.astype(bool)
        for i, p in enumerate(self.params):
            g = p._grad
            if g is None and not write[i]:
                continue
            view = self.views[i]
            if self.grad_as_view:
                if g is None or g._data is not view:
                    p._grad = _wrap(view)
                else:
                    g._version[0] += 1
            elif g is None:
                p._grad = _wrap(view.copy())
            else:
                np.copyto(g._data, view)
                g._version[0] += 1
        self._done()

    def _done(self):
        self.state = _DONE
        self.iterations += 1
        if not self.rebuilt:
            self._rebuild_from_arrival()

    def _rebuild_from_arrival(self):
        """Re-bucket in the order gradients arrived on rank 0 (same on every rank)."""
        self.rebuilt = True
        n = len(self.params)
        order = np.full(n, -1, dtype=np.int64)
        seen = list(dict.fromkeys(self.arrival))
        order[:len(seen)] = seen
        if self.pg._size > 1:
            _c10d.Work(self.pg, [self.pg._comm.Ibcast(order, 0)], "DDP bucket order").wait()
        got = [int(i) for i in order if i >= 0]
        have = set(got)
        rest = [i for i in reversed(range(n)) if i not in have]
        new = got + rest
        old = [i for b in self.buckets for i in b.members]
        if new != old:
            self._build(new)


def _make_hook(ref, i):
    def hook(param):
        reducer = ref()
        if reducer is not None:
            reducer.on_grad_ready(i)
    return hook


class DistributedDataParallel(Module):
    """Data parallelism across the ranks of a process group: each rank runs the module on
    its share of the batch, and backward leaves the gradients averaged over all ranks.

    Args:
        module (Module): the model (the same architecture on every rank).
        device_ids, output_device: only ``None`` is meaningful on CPU (as in torch for CPU
            modules).
        broadcast_buffers (bool): broadcast rank 0's buffers at the start of every forward.
            Default: True.
        process_group (ProcessGroup, optional): the group to average over (default WORLD).
        bucket_cap_mb (float, optional): bucket size in MiB. Default: 25.
        find_unused_parameters (bool): detect parameters that get no gradient in an
            iteration (walks the autograd graph after each forward). Default: False.
        gradient_as_bucket_view (bool): make ``.grad`` views of the flat buckets (saves a
            copy per step). Default: False.
        init_sync (bool): broadcast rank 0's parameters and buffers at construction.

    Example::

        >>> dist.init_process_group("mpi")                        # doctest: +SKIP
        >>> model = DistributedDataParallel(nn.Linear(4, 2))       # doctest: +SKIP
        >>> model(torch.randn(8, 4)).sum().backward()              # doctest: +SKIP
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=True, init_sync=True, process_group=None,
                 bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel expects an nn.Module, but got "
                            f"{type(module).__name__}")
        if device_ids or output_device is not None:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters "
                "{device(type='cpu')}.")
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        pg = _c10d._resolve(process_group, "DistributedDataParallel")
        if pg is None:
            raise RuntimeError("DistributedDataParallel: this rank is not a member of "
                               "process_group")
        self.module = module
        self.device_ids = None
        self.output_device = None
        self.dim = dim
        self.process_group = pg
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        cap_mb = _DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap_mb * _MiB)
        first = (_DEFAULT_FIRST_BUCKET_BYTES if bucket_cap_mb is None
                 else min(_DEFAULT_FIRST_BUCKET_BYTES, self.bucket_bytes_cap))
        self._verify_same_model(module, pg)
        if init_sync:
            with _gm.no_grad():
                _coalesced_broadcast(pg, list(module.parameters()) + list(module.buffers()), 0,
                                     "DistributedDataParallel initial broadcast")
        self.reducer = _Reducer([p for _, p in named], [n for n, _ in named], pg,
                                self.bucket_bytes_cap, first, find_unused_parameters,
                                gradient_as_bucket_view)

    @staticmethod
    def _verify_same_model(module, pg):
        if pg._size == 1:
            return
        shapes = [(n, tuple(p.shape), p._data.dtype.str) for n, p in module.named_parameters()]
        crc = zlib.crc32(repr([(s, d) for _, s, d in shapes]).encode())
        digest = np.array([len(shapes), crc], dtype=np.int64)
        everyone = np.empty((pg._size, 2), dtype=np.int64)
        _c10d.Work(pg, [pg._comm.Iallgather(digest, everyone)], "DDP model check").wait()
        if (everyone == everyone[0]).all():
            return
        all_shapes = [None] * pg._size
        _dist.all_gather_object(all_shapes, shapes, group=pg)
        lines = []
        for r, s in enumerate(all_shapes):
            if s != all_shapes[0] or r == 0:
                lines.append(f"  rank {pg._ranks[r]}: {len(s)} params: "
                             + ", ".join(f"{n} {list(sh)}" for n, sh, _ in s))
        raise RuntimeError("DDP expects the same model on every rank, but the parameters "
                           "differ:\n" + "\n".join(lines))

    def forward(self, *inputs, **kwargs):
        grad_sync = _gm._enabled[0] and self.require_backward_grad_sync
        if grad_sync and self.reducer.state == _BACKWARD:
            self.reducer.prepare_for_backward(None)      # raises: prior reduction unfinished
        if self.broadcast_buffers and self.require_forward_param_sync:
            buffers = list(self.module.buffers())
            if buffers:
                with _gm.no_grad():
                    _coalesced_broadcast(self.process_group, buffers, 0,
                                         "DistributedDataParallel buffer broadcast")
        output = self.module(*inputs, **kwargs)
        if grad_sync:
            self.require_forward_param_sync = True
            self.reducer.prepare_for_backward(output)
        else:
            self.require_forward_param_sync = False
            self.reducer.disarm()
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """Inside this context, backward accumulates gradients locally without communication;
        the first synchronised backward after it averages the accumulated gradients."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def _set_static_graph(self):
        self.static_graph = True

    def _get_ddp_logging_data(self):
        return {"world_size": self.process_group._size,
                "bucket_sizes": [int(b.flat.nbytes) for b in self.reducer.buckets],
                "iteration": self.reducer.iterations,
                "find_unused_parameters": self.find_unused_parameters}
