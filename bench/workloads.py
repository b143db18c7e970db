"""The performance suite (W1-W6 and scaling): numtorch next to PyTorch in one invocation.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/workloads.py [--quick]

Each workload is written once against the torch API and run with both libraries, interleaved
(numtorch, torch, numtorch, torch, ...), several repetitions; the table shows medians and the
ratio numtorch/torch against the targets of the performance issue. Results go to
bench/results/workloads.json and bench/results/workloads.md. Synthetic float32 data shaped like
Fashion-MNIST (no download).
"""
import argparse
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = {"W1": 0.8, "W2": 2.0, "W3": 1.3, "W3-mem": 1.3, "W4": 1.5, "W5": 1.2, "W6": 1.5}


def lib(name):
    return importlib.import_module(name)


from _models import make_alexnet, make_lenet, make_mlp  # noqa: E402  (bench/ is on sys.path)


def synthetic(n, shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n,) + shape).astype(np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    return x, y


def train_epoch_fn(T, make, x, y, batch):
    """A closure that trains one epoch (DataLoader, CE, SGD momentum 0.9)."""
    T.manual_seed(0)
    model = make(T)
    ds = T.utils.data.TensorDataset(T.from_numpy(x), T.from_numpy(y))
    loader = T.utils.data.DataLoader(ds, batch_size=batch, shuffle=True)
    opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = T.nn.CrossEntropyLoss()

    def run():
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
    return run


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleave(name, fns, reps, unit="s", per=1.0, note=""):
    """fns: {'numtorch': fn, 'torch': fn}; returns a result row (medians, ratio)."""
    for f in fns.values():
        f()  # warm-up
    times = {k: [] for k in fns}
    for _ in range(reps):
        for k, f in fns.items():
            times[k].append(timed(f) / per)
    med = {k: statistics.median(v) for k, v in times.items()}
    row = {"name": name, "numtorch": med["numtorch"], "torch": med["torch"],
           "ratio": med["numtorch"] / med["torch"], "unit": unit, "reps": reps, "note": note}
    scale = {"s": 1, "ms": 1e3, "us": 1e6}[unit]
    print(f"{name:<46s} numtorch {med['numtorch'] * scale:10.3f} {unit}  torch "
          f"{med['torch'] * scale:10.3f} {unit}  ratio {row['ratio']:5.2f}", flush=True)
    return row


def w1_w2(quick, reps, only=("W1", "W2")):
    rows = []
    n = 12000 if quick else 60000
    for wid, make, shape in (("W1", make_mlp, (784,)), ("W2", make_lenet, (1, 32, 32))):
        if wid not in only:
            continue
        x, y = synthetic(n, shape)
        fns = {name: train_epoch_fn(lib(name), make, x, y, 64) for name in ("numtorch", "torch")}
        r = interleave(f"{wid} {'MLP' if wid == 'W1' else 'LeNet'} epoch ({n} samples, b64)",
                       fns, reps, "s")
        r["id"] = wid
        rows.append(r)
    return rows


def scaling(quick, reps, only=("W1", "W2")):
    rows = []
    n = 4096 if quick else 16384
    for wid, make, shape in (("W1", make_mlp, (784,)), ("W2", make_lenet, (1, 32, 32))):
        if wid not in only:
            continue
        x, y = synthetic(n, shape)
        for b in (16, 64, 256):
            fns = {name: train_epoch_fn(lib(name), make, x, y, b)
                   for name in ("numtorch", "torch")}
            r = interleave(f"{wid}-scaling batch {b} (per sample)", fns, reps, "us", per=n)
            r["id"] = f"{wid}-b{b}"
            rows.append(r)
    return rows


def w3(reps):
    x, y = synthetic(16, (1, 224, 224))
    fns = {}
    for name in ("numtorch", "torch"):
        T = lib(name)
        T.manual_seed(0)
        model = make_alexnet(T)
        opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        xb, yb = T.from_numpy(x), T.from_numpy(y)
        loss_fn = T.nn.CrossEntropyLoss()

        def step(model=model, opt=opt, xb=xb, yb=yb, loss_fn=loss_fn):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        fns[name] = step
    r = interleave("W3 AlexNet train step (b16, 1x224x224)", fns, reps, "s")
    r["id"] = "W3"
    return [r]


_MEM_SCRIPT = r"""
import resource, sys, importlib, numpy as np
sys.path.insert(0, {here!r})
import workloads as W
T = importlib.import_module({name!r})
if {name!r} == "torch":
    T.set_num_threads({threads})
x, y = W.synthetic(16, (1, 224, 224))
T.manual_seed(0)
model = W.make_alexnet(T)
opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
xb, yb = T.from_numpy(x), T.from_numpy(y)
def hwm():  # peak RSS of this process image in kB (VmHWM; ru_maxrss survives exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
base = hwm()
for _ in range(3):
    opt.zero_grad(); T.nn.functional.cross_entropy(model(xb), yb).backward(); opt.step()
peak = hwm()
print(base, peak)
"""


def w3_memory():
    out = {}
    for name in ("numtorch", "torch"):
        code = _MEM_SCRIPT.format(here=HERE, name=name, threads=os.cpu_count() or 1)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=os.environ.copy())
        if r.returncode:
            raise RuntimeError(r.stderr)
        base, peak = (int(v) for v in r.stdout.split())
        out[name] = (base * 1024, peak * 1024)
    row = {"name": "W3-mem AlexNet peak RSS (MB)", "numtorch": out["numtorch"][1] / 2 ** 20,
           "torch": out["torch"][1] / 2 ** 20, "unit": "MB", "id": "W3-mem",
           "note": "training-step growth: numtorch %.0f MB, torch %.0f MB" % (
               (out["numtorch"][1] - out["numtorch"][0]) / 2 ** 20,
               (out["torch"][1] - out["torch"][0]) / 2 ** 20)}
    row["ratio"] = row["numtorch"] / row["torch"]
    print(f"{row['name']:<46s} numtorch {row['numtorch']:10.1f} MB  torch {row['torch']:10.1f} "
          f"MB  ratio {row['ratio']:5.2f}  ({row['note']})", flush=True)
    return [row]


def w4(reps):
    rows = []
    fns, fns2 = {}, {}
    for name in ("numtorch", "torch"):
        T = lib(name)
        a = T.randn(4, 4, requires_grad=True)
        b = T.randn(4, 4, requires_grad=True)

        def small(T=T, a=a, b=b):
            for _ in range(200):
                (a * b).sum().backward()
        fns[name] = small
        T.manual_seed(0)
        model = T.nn.Sequential(*[T.nn.Linear(4, 4) for _ in range(5)])  # 10 parameters
        opt = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        for p in model.parameters():
            p.grad = T.ones_like(p)

        def step(opt=opt):
            for _ in range(200):
                opt.step()
        fns2[name] = step
    r = interleave("W4 small op (4x4 mul+sum) fwd+bwd", fns, reps, "us", per=200)
    r["id"] = "W4"
    rows.append(r)
    r = interleave("W4 optimizer.step() SGD, 10 params", fns2, reps, "us", per=200)
    r["id"] = "W4-step"
    rows.append(r)
    return rows


class _LightDataset:
    def __init__(self, T, x, y):
        self.T, self.x, self.y = T, x, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        img = self.T.from_numpy(self.x[i]) * 2.0 - 1.0   # a light transform
        return img, int(self.y[i])


def w5(quick, reps):
    rows = []
    n = 12000 if quick else 60000
    x, y = synthetic(n, (1, 28, 28))
    for workers in (0, 2):
        fns = {}
        for name in ("numtorch", "torch"):
            T = lib(name)
            loader = T.utils.data.DataLoader(_LightDataset(T, x, y), batch_size=64,
                                             shuffle=True, num_workers=workers)

            def run(loader=loader):
                for _ in loader:
                    pass
            fns[name] = run
        r = interleave(f"W5 DataLoader {n} samples, workers={workers}", fns, reps, "s")
        r["id"] = f"W5-w{workers}"
        rows.append(r)
    return rows


def w6(reps):
    rows = []
    for mname, make, shape in (("LeNet", make_lenet, (1, 32, 32)),
                               ("AlexNet", make_alexnet, (1, 224, 224))):
        for b in (1, 64) if mname == "LeNet" else (1, 16):
            fns = {}
            x, _ = synthetic(b, shape)
            for name in ("numtorch", "torch"):
                T = lib(name)
                T.manual_seed(0)
                model = make(T).eval()
                xb = T.from_numpy(x)

                def infer(T=T, model=model, xb=xb):
                    with T.no_grad():
                        model(xb)
                fns[name] = infer
            r = interleave(f"W6 {mname} inference batch {b}", fns, reps, "ms")
            r["id"] = f"W6-{mname}-b{b}"
            rows.append(r)
    return rows


def environment():
    import torch
    env = {"python": platform.python_version(), "machine": platform.machine(),
           "cpus": os.cpu_count(), "numpy": np.__version__, "torch": torch.__version__,
           "torch_threads": torch.get_num_threads(),
           "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
           "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}
    try:
        from threadpoolctl import threadpool_info
        env["numpy_blas"] = [{k: i.get(k) for k in ("internal_api", "version", "architecture",
                                                      "num_threads")} for i in threadpool_info()]
    except ImportError:
        env["numpy_blas"] = "threadpoolctl not installed (pip install threadpoolctl)"
    return env


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller epochs, fewer repetitions")
    ap.add_argument("--only", default="W1,W2,W3,W4,W5,W6,scaling",
                    help="comma-separated subset of W1..W6,scaling (scaling runs the models "
                    "among W1,W2 named, both if neither is)")
    ap.add_argument("--reps", type=int, default=None)
    args = ap.parse_args()
    reps = args.reps or (3 if args.quick else 5)
    only = set(args.only.split(","))
    env = environment()
    print(json.dumps(env, indent=1))
    rows = []
    if only & {"W1", "W2"}:
        rows += w1_w2(args.quick, reps, only)
    if "W3" in only:
        rows += w3(max(2, reps - 2))
        rows += w3_memory()
    if "W4" in only:
        rows += w4(reps)
    if "W5" in only:
        rows += w5(args.quick, reps)
    if "W6" in only:
        rows += w6(reps)
    if "scaling" in only:   # scaling of the models asked for (both when neither is)
        models = [w for w in ("W1", "W2") if w in only] or ["W1", "W2"]
        rows += scaling(args.quick, max(2, reps - 2), models)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "workloads.json"), "w") as f:
        json.dump({"environment": env, "results": rows}, f, indent=1)
    lines = ["| workload | numtorch | torch | ratio | target | met |", "|---|---|---|---|---|---|"]
    for r in rows:
        base = r["id"].split("-")[0] if not r["id"].startswith("W3-mem") else "W3-mem"
        tgt = TARGETS.get(base) if "scaling" not in r["name"] and r["id"] != "W4-step" \
            else (TARGETS["W4"] if r["id"] == "W4-step" else None)
        met = "" if tgt is None else ("yes" if r["ratio"] <= tgt else "no")
        scale = {"s": 1, "ms": 1e3, "us": 1e6, "MB": 1}[r["unit"]]
        lines.append(f"| {r['name']} | {r['numtorch'] * scale:.4g} {r['unit']} | "
                     f"{r['torch'] * scale:.4g} {r['unit']} | {r['ratio']:.2f} | "
                     f"{'' if tgt is None else '<= %.1f' % tgt} | {met} |")
    table = "\n".join(lines)
    with open(os.path.join(HERE, "results", "workloads.md"), "w") as f:
        f.write(table + "\n")
    print()
    print(table)


if __name__ == "__main__":
    main()
