"""Run under mpiexec (2 or 4 ranks) by test_distributed.py: every collective against the
result computed with NumPy from all ranks' (deterministic) inputs.

Prints one JSON line on rank 0: {"size": N, "checks": [...], "failures": [...]}.
"""
import datetime
import json
import sys
import traceback

import numpy as np

import numtorch as torch
import numtorch.distributed as dist

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def data(r, shape=(2, 3), dtype=np.float32):
    """Rank r's input: distinct per rank and per element."""
    n = int(np.prod(shape))
    return (np.arange(n).reshape(shape) * (r + 1) + 10 * r).astype(dtype)


def eq(actual, expected, what):
    a = actual._data if isinstance(actual, torch.Tensor) else np.asarray(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    assert a.dtype == e.dtype, f"{what}: dtype {a.dtype} != {e.dtype}"
    np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-6, err_msg=what)


@check
def all_reduce_ops(rank, size):
    everyone = [data(r) for r in range(size)]
    table = [(dist.ReduceOp.SUM, np.sum), (dist.ReduceOp.AVG, np.mean),
             (dist.ReduceOp.MAX, np.max), (dist.ReduceOp.MIN, np.min),
             (dist.ReduceOp.PRODUCT, np.prod)]
    for op, ref in table:
        for dtype in (np.float32, np.float64):
            t = torch.from_numpy(data(rank, dtype=dtype))
            v = t._version[0]
            assert dist.all_reduce(t, op=op) is None
            eq(t, ref(np.stack(everyone).astype(dtype), axis=0).astype(dtype), f"{op} {dtype}")
            assert t._version[0] == v + 1, "all_reduce must bump the version counter"
    ti = torch.from_numpy(data(rank, dtype=np.int64))
    dist.all_reduce(ti, op=dist.ReduceOp.SUM)
    eq(ti, np.sum([data(r, dtype=np.int64) for r in range(size)], axis=0), "int64 sum")
    for op, lop in ((dist.ReduceOp.BAND, np.bitwise_and), (dist.ReduceOp.BOR, np.bitwise_or),
                    (dist.ReduceOp.BXOR, np.bitwise_xor)):
        ti = torch.from_numpy(data(rank, dtype=np.int32))
        dist.all_reduce(ti, op=op)
        eq(ti, lop.reduce([data(r, dtype=np.int32) for r in range(size)]), f"int32 {op}")
    tb = torch.tensor([rank == 0, False, True])
    dist.all_reduce(tb, op=dist.ReduceOp.SUM)
    eq(tb, np.array([True, False, True]), "bool sum is logical or")
    t0 = torch.tensor(float(rank + 1))      # 0-dim
    dist.all_reduce(t0, op=dist.ReduceOp.AVG)
    eq(t0, np.array(np.mean(np.arange(1, size + 1)), np.float32), "0-dim AVG")
    ti = torch.tensor([rank * 3 - 2, 7])
    dist.all_reduce(ti, op=dist.ReduceOp.AVG)
    eq(ti, np.trunc(np.mean([[r * 3 - 2, 7] for r in range(size)], axis=0)).astype(np.int64),
       "int64 AVG truncates")
    th = torch.from_numpy(data(rank, dtype=np.float16))
    dist.all_reduce(th)
    eq(th, np.sum([data(r, dtype=np.float16) for r in range(size)], axis=0), "float16 sum")


@check
def all_reduce_views_and_async(rank, size):
    base = torch.zeros(4, 3)
    row = base[1]                       # contiguous view: the reduction lands in base
    row.copy_(torch.from_numpy(data(rank, (3,))))
    dist.all_reduce(row)
    expect = np.zeros((4, 3), np.float32)
    expect[1] = np.sum([data(r, (3,)) for r in range(size)], axis=0)
    eq(base, expect, "all_reduce through a view")
    t = torch.from_numpy(data(rank))
    work = dist.all_reduce(t, op=dist.ReduceOp.MAX, async_op=True)
    assert work.wait() is True and work.is_completed() and work.is_success()
    eq(t, np.max([data(r) for r in range(size)], axis=0), "async all_reduce")
    assert work.result()[0] is t
    fut = dist.all_reduce(torch.ones(2), async_op=True).get_future()
    eq(fut.wait()[0], np.full(2, size, np.float32), "future value")
    # non-contiguous tensors are refused like torch
    try:
        dist.all_reduce(torch.zeros(3, 2).t())
    except ValueError as e:
        assert "contiguous" in str(e)
    else:
        raise AssertionError("non-contiguous all_reduce must raise ValueError")


@check
def broadcast_and_reduce(rank, size):
    for src in range(size):
        t = torch.from_numpy(data(rank, (5,)))
        dist.broadcast(t, src=src)
        eq(t, data(src, (5,)), f"broadcast src={src}")
    t = torch.from_numpy(data(rank, (2, 2), np.int64))
    dist.broadcast(t, group_src=size - 1, async_op=True).wait()
    eq(t, data(size - 1, (2, 2), np.int64), "async broadcast group_src")
    dst = size - 1
    t = torch.from_numpy(data(rank))
    dist.reduce(t, dst=dst, op=dist.ReduceOp.SUM)
    if rank == dst:
        eq(t, np.sum([data(r) for r in range(size)], axis=0), "reduce at dst")
    else:
        eq(t, data(rank), "reduce leaves non-dst inputs unchanged")


@check
def gathers(rank, size):
    x = torch.from_numpy(data(rank))
    out = [torch.zeros(2, 3) for _ in range(size)]
    dist.all_gather(out, x)
    for r in range(size):
        eq(out[r], data(r), f"all_gather[{r}]")
    out = [torch.zeros(2, 3) for _ in range(size)]
    work = dist.all_gather(out, x * 2, async_op=True)
    work.wait()
    eq(out[size - 1], data(size - 1) * 2, "async all_gather")
    big = torch.zeros(size * 2, 3)
    dist.all_gather_into_tensor(big, x)
    eq(big, np.concatenate([data(r) for r in range(size)]), "all_gather_into_tensor concat")
    stacked = torch.zeros(size, 2, 3)
    dist.all_gather_into_tensor(stacked, x, async_op=True).wait()
    eq(stacked, np.stack([data(r) for r in range(size)]), "all_gather_into_tensor stacked")
    dst = min(1, size - 1)
    gl = [torch.zeros(2, 3) for _ in range(size)] if rank == dst else None
    dist.gather(x, gather_list=gl, dst=dst)
    if rank == dst:
        for r in range(size):
            eq(gl[r], data(r), f"gather[{r}]")
    # strided input is fine for inputs (copied), as in torch's gather/all_gather
    out = [torch.zeros(3, 2) for _ in range(size)]
    dist.all_gather(out, x.t())
    eq(out[size - 1], data(size - 1).T, "all_gather of a transposed input")


@check
def scatters(rank, size):
    src = size - 1
    out = torch.zeros(4)
    lst = [torch.from_numpy(data(r, (4,)) + 100) for r in range(size)] if rank == src else None
    dist.scatter(out, scatter_list=lst, src=src)
    eq(out, data(rank, (4,)) + 100, "scatter")
    ins = [torch.from_numpy(data(rank, (3,)) * (j + 1)) for j in range(size)]
    o = torch.zeros(3)
    dist.reduce_scatter(o, ins, op=dist.ReduceOp.SUM)
    eq(o, np.sum([data(r, (3,)) * (rank + 1) for r in range(size)], axis=0), "reduce_scatter")
    full = torch.from_numpy(data(rank, (size * 2, 2)))
    o = torch.zeros(2, 2)
    dist.reduce_scatter_tensor(o, full, op=dist.ReduceOp.AVG)
    ref = np.mean([data(r, (size * 2, 2)) for r in range(size)], axis=0)[2 * rank:2 * rank + 2]
    eq(o, ref.astype(np.float32), "reduce_scatter_tensor avg")


@check
def all_to_all_ops(rank, size):
    inp = torch.from_numpy(data(rank, (size * 2,)))
    out = torch.zeros(size * 2)
    dist.all_to_all_single(out, inp)
    ref = np.concatenate([data(r, (size * 2,))[2 * rank:2 * rank + 2] for r in range(size)])
    eq(out, ref, "all_to_all_single")
    # uneven splits: rank r sends j+1 rows to rank j
    rows_in = sum(j + 1 for j in range(size))
    inp = torch.from_numpy(data(rank, (rows_in, 2)))
    out = torch.zeros(size * (rank + 1), 2)
    dist.all_to_all_single(out, inp, output_split_sizes=[rank + 1] * size,
                           input_split_sizes=[j + 1 for j in range(size)])
    offs = np.cumsum([0] + [j + 1 for j in range(size)])
    ref = np.concatenate([data(r, (rows_in, 2))[offs[rank]:offs[rank + 1]] for r in range(size)])
    eq(out, ref, "all_to_all_single uneven")
    ins = [torch.full((j + 1,), float(rank * 10 + j)) for j in range(size)]
    outs = [torch.zeros(rank + 1) for _ in range(size)]
    dist.all_to_all(outs, ins)
    for r in range(size):
        eq(outs[r], np.full(rank + 1, r * 10 + rank, np.float32), f"all_to_all[{r}]")


@check
def point_to_point(rank, size):
    if size == 1:
        return                        # no peer to talk to
    nxt, prv = (rank + 1) % size, (rank - 1) % size
    sbuf = torch.from_numpy(data(rank, (3,)))
    rbuf = torch.zeros(3)
    reqs = [dist.isend(sbuf, dst=nxt, tag=7), dist.irecv(rbuf, src=prv, tag=7)]
    for w in reqs:
        w.wait()
    eq(rbuf, data(prv, (3,)), "isend/irecv ring")
    if rank == 0:                     # a tag of its own: the batch below also sends to 0
        for r in range(1, size):
            t = torch.zeros(2)
            who = dist.recv(t, tag=3)
            eq(t, np.full(2, who, np.float32), "recv from any source")
    else:
        dist.send(torch.full((2,), float(rank)), dst=0, tag=3)
    ops = [dist.P2POp(dist.isend, sbuf, nxt), dist.P2POp(dist.irecv, rbuf, prv)]
    for w in dist.batch_isend_irecv(ops):
        w.wait()
    eq(rbuf, data(prv, (3,)), "batch_isend_irecv")


@check
def objects(rank, size):
    lst = [{"a": 1, "rank": rank}, "x", torch.ones(2) * rank] if rank == 0 else [None] * 3
    dist.broadcast_object_list(lst, src=0)
    assert lst[0] == {"a": 1, "rank": 0} and lst[1] == "x", lst
    eq(lst[2], np.zeros(2, np.float32), "tensor inside broadcast_object_list")
    got = [None] * size
    dist.all_gather_object(got, {"r": rank, "pad": "y" * rank})
    assert got == [{"r": r, "pad": "y" * r} for r in range(size)], got
    gl = [None] * size if rank == 0 else None
    dist.gather_object(("g", rank), gl, dst=0)
    if rank == 0:
        assert gl == [("g", r) for r in range(size)], gl
    out = [None]
    src = min(1, size - 1)
    dist.scatter_object_list(out, [("s", r) for r in range(size)] if rank == src else None,
                             src=src)
    assert out[0] == ("s", rank), out


@check
def groups(rank, size):
    assert dist.get_rank() == rank and dist.get_world_size() == size
    assert dist.is_initialized() and dist.get_backend() == "mpi"
    assert dist.group.WORLD is dist.GroupMember.WORLD
    assert dist.get_process_group_ranks(dist.group.WORLD) == list(range(size))
    odd = [r for r in range(size) if r % 2 == 1]
    g = dist.new_group(odd)
    if rank in odd:
        assert dist.get_rank(g) == odd.index(rank) and dist.get_world_size(g) == len(odd)
        assert dist.get_global_rank(g, 0) == odd[0] and dist.get_group_rank(g, rank) >= 0
        t = torch.tensor([float(rank)])
        dist.all_reduce(t, group=g)
        eq(t, np.array([float(sum(odd))], np.float32), "all_reduce in a subgroup")
        t = torch.tensor([float(rank)])
        dist.broadcast(t, src=odd[-1], group=g)
        eq(t, np.array([float(odd[-1])], np.float32), "broadcast in a subgroup (global src)")
    else:
        assert g == dist.GroupMember.NON_GROUP_MEMBER
        assert dist.get_rank(g) == -1
    dist.barrier()
    dist.barrier(async_op=True).wait()
    dist.monitored_barrier()


@check
def mismatches(rank, size):
    """Different shapes/dtypes/roots across ranks: every rank raises the same clear error."""
    if size == 1:
        return
    cases = [
        ("all_reduce", lambda: dist.all_reduce(torch.zeros(2 + rank))),
        ("all_reduce", lambda: dist.all_reduce(
            torch.zeros(2, dtype=torch.float64 if rank else torch.float32))),
        ("broadcast", lambda: dist.broadcast(torch.zeros(3, 1 + rank), src=0)),
        ("broadcast", lambda: dist.broadcast(torch.zeros(3), src=rank)),
        ("all_gather", lambda: dist.all_gather([torch.zeros(rank + 1)] * size,
                                               torch.zeros(rank + 1))),
        ("all_reduce", lambda: dist.all_reduce(torch.zeros(2), op=dist.ReduceOp.MAX)
         if rank else dist.broadcast(torch.zeros(2), src=0)),
    ]
    for name, fn in cases:
        try:
            fn()
        except RuntimeError as e:
            msg = str(e)
            assert "disagree" in msg and "rank 0" in msg and f"rank {size - 1}" in msg, msg
            assert "shape=" in msg, msg
        else:
            raise AssertionError(f"{name}: mismatched ranks must raise RuntimeError")
    # local argument errors
    for fn, exc in ((lambda: dist.all_gather([torch.zeros(2)], torch.zeros(2)), ValueError),
                    (lambda: dist.all_reduce(torch.zeros(2), op="sum"), TypeError),
                    (lambda: dist.all_reduce([1.0]), TypeError),
                    (lambda: dist.broadcast(torch.zeros(2), src=size), ValueError),
                    (lambda: dist.send(torch.zeros(1), dst=rank), ValueError)):
        try:
            fn()
        except exc:
            pass
        else:
            raise AssertionError(f"expected {exc.__name__}")
    dist.barrier()


def main():
    # a failing check must not leave the other ranks waiting for long
    dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=90))  # hang watchdog; generous for loaded CI machines
    rank, size = dist.get_rank(), dist.get_world_size()
    failures = []
    for fn in CHECKS:
        try:
            fn(rank, size)
        except Exception:
            failures.append(f"rank {rank} {fn.__name__}: {traceback.format_exc()}")
        dist.barrier()
    everyone = [None] * size
    dist.all_gather_object(everyone, failures)
    if rank == 0:
        print(json.dumps({"size": size, "checks": [f.__name__ for f in CHECKS],
                          "failures": [f for fs in everyone for f in fs]}))
        sys.stdout.flush()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
