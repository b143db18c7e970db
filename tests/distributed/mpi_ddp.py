"""Run under mpiexec by test_distributed.py: DistributedDataParallel scenarios.

Usage: mpi_ddp.py INPUT.npz OUTPUT.npz

INPUT holds the data (X, y) and, per scenario, which rows each rank trains on at each step
(chosen by the test). Rank 0 writes the parameters before and after training to OUTPUT; the
test replays the same training in one torch process on the union of the ranks' batches and
compares. Checks that need no replay (parameters identical on every rank, buffers,
state_dict, error messages) run here; rank 0 prints one JSON line with the failures.
"""
import contextlib
import datetime
import json
import sys
import traceback

import numpy as np

import numtorch as torch
import numtorch.distributed as dist
import numtorch.nn.functional as F
from numtorch import optim
from numtorch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _models import build  # noqa: E402

M = build(torch)
OUT = {}


def params_of(module):
    return {n: p.detach().numpy().copy() for n, p in module.named_parameters()}


def save(prefix, module):
    for n, a in params_of(module).items():
        OUT[f"{prefix}/{n}"] = a


def same_everywhere(arrays, what):
    """Every rank holds bit-identical ``arrays`` (a list of ndarrays)."""
    mine = b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, mine)
    assert all(e == everyone[0] for e in everyone), f"{what}: ranks differ"


def same_params(module, what):
    same_everywhere([p.detach().numpy() for p in module.parameters()], what)


def batch(d, rows):
    return torch.from_numpy(d["X"][rows]), torch.from_numpy(d["y"][rows])


def scenario_plain(d, rank, size):
    torch.manual_seed(100 + rank)             # different on purpose: DDP must broadcast rank 0's
    model = M["MLP"]()
    ddp = DDP(model)
    same_params(model, "after construction")
    save("plain/init", model)
    opt = optim.SGD(ddp.parameters(), lr=0.05, momentum=0.9)
    for rows in d["plain_rows"]:
        x, y = batch(d, rows[rank])
        opt.zero_grad()
        F.cross_entropy(ddp(x), y).backward()
        same_everywhere([p.grad.numpy() for p in model.parameters()], "grads after backward")
        opt.step()
        same_params(model, "after step")
    save("plain/final", model)


def scenario_sampler(d, rank, size):
    from numtorch.utils.data import DataLoader, TensorDataset
    from numtorch.utils.data.distributed import DistributedSampler
    torch.manual_seed(7)
    model = M["MLP"]()
    ddp = DDP(model, bucket_cap_mb=0.01, gradient_as_bucket_view=True)
    assert len(ddp.reducer.buckets) >= 2, ddp.reducer.bucket_sizes()
    launches = []                  # parameters ready when each bucket's all-reduce starts
    launch = ddp.reducer._launch_ready

    def spy():
        launches.append(int(ddp.reducer.ready.sum()))
        launch()
    ddp.reducer._launch_ready = spy
    save("sampler/init", model)
    n = int(d["sampler_n"])
    ds = TensorDataset(torch.from_numpy(d["X"][:n]), torch.from_numpy(d["y"][:n]),
                       torch.arange(n))
    sampler = DistributedSampler(ds, shuffle=True, seed=3)   # rank, world from dist
    loader = DataLoader(ds, batch_size=4, sampler=sampler)
    opt = optim.SGD(ddp.parameters(), lr=0.05)
    steps = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        seen = []
        for x, y, idx in loader:
            opt.zero_grad()
            F.cross_entropy(ddp(x), y).backward()
            flats = [b.flat for b in ddp.reducer.buckets]
            for p in model.parameters():      # gradient_as_bucket_view: grads live in buckets
                # (one rank needs no buckets: its gradients are the average already)
                assert any(np.shares_memory(p.grad.numpy(), f) for f in flats) == (size > 1)
            opt.step()
            everyone = [None] * size
            dist.all_gather_object(everyone, idx.tolist())
            steps.append(everyone)
            seen += idx.tolist()
        everyone = [None] * size
        dist.all_gather_object(everyone, seen)
        flat = sorted(i for e in everyone for i in e)
        assert flat == list(range(n)), f"epoch {epoch}: ranks' shards do not partition: {flat}"
        OUT[f"sampler/epoch{epoch}_rank0"] = np.array(everyone[0])
    assert not np.array_equal(OUT["sampler/epoch0_rank0"], OUT["sampler/epoch1_rank0"]), \
        "set_epoch must reshuffle"
    same_params(model, "sampler training")
    assert launches and min(launches) < len(ddp.reducer.params), \
        f"the first bucket must start reducing while backward still runs: {launches}"
    for k, s in enumerate(steps):
        OUT[f"sampler/rows/{k}"] = np.array(s)
    save("sampler/final", model)


def scenario_no_sync(d, rank, size):
    torch.manual_seed(11)
    model = M["MLP"]()
    ddp = DDP(model, bucket_cap_mb=0.5)
    save("no_sync/init", model)
    opt = optim.SGD(ddp.parameters(), lr=0.05, momentum=0.5)
    for micro in d["no_sync_rows"]:           # (micro, rank, batch)
        opt.zero_grad()
        for m, rows in enumerate(micro):
            x, y = batch(d, rows[rank])
            last = m == len(micro) - 1
            with contextlib.nullcontext() if last else ddp.no_sync():
                F.cross_entropy(ddp(x), y).backward()
            if m == 0 and size > 1:
                g = model.output.bias.grad.numpy()
                everyone = [None] * size
                dist.all_gather_object(everyone, g.copy())
                assert not all(np.array_equal(e, everyone[0]) for e in everyone), \
                    "no_sync backward must not communicate"
        same_everywhere([p.grad.numpy() for p in model.parameters()], "grads after sync")
        opt.step()
    same_params(model, "no_sync training")
    save("no_sync/final", model)


def scenario_unused(d, rank, size):
    torch.manual_seed(5)
    model = M["TwoHeads"]()
    ddp = DDP(model, find_unused_parameters=True)
    save("unused/init", model)
    opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    for rows in d["unused_rows"]:
        x, y = batch(d, rows[rank])
        opt.zero_grad()
        F.cross_entropy(ddp(x, use_b=rank == 0), y).backward()
        assert model.c.weight.grad is None and model.c.bias.grad is None, \
            "a parameter unused on every rank keeps grad None"
        assert model.b.weight.grad is not None, "head b is used on rank 0: averaged everywhere"
        same_everywhere([model.b.weight.grad.numpy(), model.a.bias.grad.numpy()], "grads")
        opt.step()
    same_params(model, "unused training")
    save("unused/final", model)


def scenario_buffers(d, rank, size):
    torch.manual_seed(rank)
    model = M["BNNet"]()
    with torch.no_grad():
        model.bn.running_mean.fill_(float(rank))
    ddp = DDP(model)
    assert np.all(model.bn.running_mean.numpy() == 0), "construction broadcasts rank 0's buffers"
    opt = optim.SGD(ddp.parameters(), lr=0.05)
    for rows in d["plain_rows"][:2]:
        x, y = batch(d, rows[rank])
        opt.zero_grad()
        F.cross_entropy(ddp(x), y).backward()
        opt.step()
    bufs = [b.numpy().copy() for b in model.buffers()]
    if size > 1:
        mine = bufs[0]
        everyone = [None] * size
        dist.all_gather_object(everyone, mine)
        assert not all(np.array_equal(e, everyone[0]) for e in everyone), \
            "each rank updates its running stats with its own batch"
    root = [bufs]
    dist.broadcast_object_list(root, src=0)
    ddp.eval()
    with torch.no_grad():
        ddp(torch.from_numpy(d["X"][:3]))     # forward broadcasts rank 0's buffers first
    for b, want in zip(model.buffers(), root[0]):
        assert np.array_equal(b.numpy(), want), "buffers must equal rank 0's after forward"
    assert ddp.require_forward_param_sync is False
    same_params(model, "BN training")


def scenario_state_dict(d, rank, size):
    model = M["MLP"]()
    ddp = DDP(model)
    keys = list(ddp.state_dict())
    assert keys == ["module." + k for k in model.state_dict()], keys
    plain = M["MLP"]()
    plain.load_state_dict(ddp.module.state_dict())
    for (n, a), (_, b) in zip(plain.state_dict().items(), model.state_dict().items()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy()), n
    again = DDP(M["MLP"]())
    again.load_state_dict(ddp.state_dict())
    assert all(np.array_equal(a.detach().numpy(), b.detach().numpy())
               for a, b in zip(again.parameters(), ddp.parameters()))


def expect_error(fn, exc, *fragments):
    try:
        fn()
    except exc as e:
        for f in fragments:
            assert f in str(e), f"{f!r} not in error message: {e}"
        return
    raise AssertionError(f"expected {exc.__name__}")


def scenario_errors(d, rank, size):
    x, y = batch(d, d["plain_rows"][0][rank])
    ddp = DDP(M["TwoHeads"]())
    F.cross_entropy(ddp(x, use_b=False), y).backward()
    expect_error(lambda: ddp(x, use_b=False), RuntimeError, "find_unused_parameters",
                 "b.weight", "c.bias")
    if size > 1:
        bad = torch.nn.Linear(3, 2 + (rank == size - 1))
        expect_error(lambda: DDP(bad), RuntimeError, "same model", "rank 0",
                     f"rank {size - 1}")
    ddp = DDP(M["MLP"]())
    loss = F.cross_entropy(ddp(x), y)
    loss.backward(retain_graph=True)
    expect_error(lambda: loss.backward(), RuntimeError, "only once")
    expect_error(lambda: DDP(torch.nn.Linear(2, 2), device_ids=[0]), ValueError, "device_ids")
    frozen = torch.nn.Linear(2, 2).requires_grad_(False)
    expect_error(lambda: DDP(frozen), RuntimeError, "is not needed")


SCENARIOS = [scenario_plain, scenario_sampler, scenario_no_sync, scenario_unused,
             scenario_buffers, scenario_state_dict, scenario_errors]


def main(inp, out):
    # a failing check must not leave the other ranks waiting for long
    dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=90))  # hang watchdog; generous for loaded CI machines
    rank, size = dist.get_rank(), dist.get_world_size()
    d = dict(np.load(inp))
    only = d.get("only")
    failures = []
    for fn in SCENARIOS:
        if only is not None and fn.__name__ not in str(only):
            continue
        try:
            fn(d, rank, size)
        except Exception:
            failures.append(f"rank {rank} {fn.__name__}: {traceback.format_exc()}")
        dist.barrier()
    everyone = [None] * size
    dist.all_gather_object(everyone, failures)
    if rank == 0:
        np.savez(out, **OUT)
        print(json.dumps({"size": size, "scenarios": [f.__name__ for f in SCENARIOS],
                          "failures": [f for fs in everyone for f in fs]}), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
