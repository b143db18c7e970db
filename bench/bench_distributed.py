"""Data-parallel training throughput: numtorch DDP (MPI) next to torch DDP (gloo), 1 and 2 ranks.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_distributed.py

For W1 (MLP 784-256-10) and W2 (LeNet, 1x32x32), batch 64 per rank, SGD with momentum, it
launches ``mpiexec -n 1`` and ``mpiexec -n 2`` of this script in worker mode. Each rank builds
both a numtorch DDP model (on numtorch.distributed / MPI) and a torch DDP model (gloo over
TCP on localhost) and times, interleaved over several repetitions:

* a synchronised step (forward, backward with gradient averaging, optimizer step), and
* the same step inside ``no_sync()`` (no communication).

Reported per library and world size (medians; per repetition the slowest rank counts):
step time, samples/s (world x batch / step), scaling efficiency (samples/s at N ranks over N x
samples/s at 1 rank), and the communication share of a step, 1 - t(no_sync) / t(sync).
Every rank is single-threaded (OMP_NUM_THREADS=1, torch.set_num_threads(1)), so a 2-core
machine can show at best a 2x speed-up. Results go to bench/results/bench_distributed.json.
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BATCH = 64


from _models import make_lenet, make_mlp  # noqa: E402  (bench/ is on sys.path)


WORKLOADS = [("W1", "MLP 784-256-10", make_mlp, (784,)),
             ("W2", "LeNet 1x32x32", make_lenet, (1, 32, 32))]


# ---- worker (one MPI rank) ----------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker(reps, steps):
    import numtorch
    import numtorch.distributed as ntd
    import torch
    import torch.distributed as thd
    torch.set_num_threads(1)
    ntd.init_process_group("mpi")
    rank, world = ntd.get_rank(), ntd.get_world_size()
    port = [_free_port() if rank == 0 else None]
    ntd.broadcast_object_list(port, src=0)
    thd.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port[0]}", rank=rank,
                           world_size=world)
    rng = np.random.default_rng(rank)
    results = []
    for wid, desc, make, shape in WORKLOADS:
        x_np = rng.standard_normal((BATCH,) + shape).astype(np.float32)
        y_np = rng.integers(0, 10, BATCH).astype(np.int64)
        fns = {}
        for name, T in (("numtorch", numtorch), ("torch", torch)):
            T.manual_seed(0)
            model = T.nn.parallel.DistributedDataParallel(make(T))
            opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            x, y = T.from_numpy(x_np.copy()), T.from_numpy(y_np.copy())
            ce = T.nn.functional.cross_entropy

            def step(model=model, opt=opt, x=x, y=y, ce=ce):
                opt.zero_grad()
                ce(model(x), y).backward()
                opt.step()

            def local(model=model, step=step):
                with model.no_sync():
                    step()

            fns[name] = {"sync": step, "local": local}
        for name in fns:
            for _ in range(3):
                fns[name]["sync"]()
                fns[name]["local"]()
        times = {(n, m): [] for n in fns for m in ("sync", "local")}
        for _ in range(reps):
            for name in fns:
                for mode in ("sync", "local"):
                    ntd.barrier()
                    t0 = time.perf_counter()
                    for _ in range(steps):
                        fns[name][mode]()
                    t = np.array([(time.perf_counter() - t0) / steps])
                    tt = numtorch.from_numpy(t)
                    ntd.all_reduce(tt, op=ntd.ReduceOp.MAX)
                    times[(name, mode)].append(float(tt.item()))
        for name in fns:
            sync = statistics.median(times[(name, "sync")])
            loc = statistics.median(times[(name, "local")])
            results.append({"workload": wid, "desc": desc, "lib": name, "world": world,
                            "batch_per_rank": BATCH, "step_s": sync, "no_sync_step_s": loc,
                            "samples_per_s": world * BATCH / sync,
                            "comm_share": max(0.0, 1.0 - loc / sync)})
    if rank == 0:
        print(json.dumps(results), flush=True)
    thd.destroy_process_group()
    ntd.destroy_process_group()


# ---- driver ----------------------------------------------------------------------------

def launch(world, reps, steps):
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if exe is None:
        sys.exit("mpiexec not found: pip install 'numtorch[distributed]'")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [exe, "-n", str(world), sys.executable, os.path.abspath(__file__), "--worker",
           "--reps", str(reps), "--steps", str(steps)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode:
        sys.exit(f"world {world} failed:\n{p.stdout}\n{p.stderr}")
    return json.loads([ln for ln in p.stdout.splitlines() if ln.startswith("[")][-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--worlds", default="1,2")
    args = ap.parse_args()
    if args.worker:
        worker(args.reps, args.steps)
        return
    rows = []
    for world in [int(w) for w in args.worlds.split(",")]:
        rows += launch(world, args.reps, args.steps)
    base = {(r["workload"], r["lib"]): r["samples_per_s"] for r in rows if r["world"] == 1}
    step = {(r["workload"], r["lib"], r["world"]): r["step_s"] for r in rows}
    print(f"{'workload':<22s} {'lib':<9s} {'ranks':>5s} {'step ms':>9s} {'samples/s':>10s} "
          f"{'efficiency':>10s} {'comm share':>10s} {'nt/torch':>8s}")
    for r in rows:
        b = base.get((r["workload"], r["lib"]))
        r["efficiency"] = r["samples_per_s"] / (r["world"] * b) if b else None
        other = step.get((r["workload"], "torch", r["world"]))
        r["ratio_vs_torch"] = r["step_s"] / other if r["lib"] == "numtorch" and other else None
        eff = f"{r['efficiency']:.2f}" if r["efficiency"] is not None else "-"
        ratio = f"{r['ratio_vs_torch']:.2f}" if r["ratio_vs_torch"] is not None else ""
        print(f"{r['workload'] + ' ' + r['desc']:<22s} {r['lib']:<9s} {r['world']:>5d} "
              f"{r['step_s'] * 1e3:9.2f} {r['samples_per_s']:10.0f} {eff:>10s} "
              f"{r['comm_share'] * 100:9.1f}% {ratio:>8s}")
    out_dir = os.path.join(HERE, "results")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "bench_distributed.json")
    with open(path, "w") as f:
        json.dump({"script": "bench_distributed", "time": time.time(), "cpus": os.cpu_count(),
                   "results": rows}, f, indent=1)
    print(f"results written to {path}")


if __name__ == "__main__":
    main()
