"""nn hot paths, numtorch next to torch (CPU), interleaved: conv/pool ops, the seed's LeNet and
AlexNet (forward + backward, and a full SGD step), and AlexNet's peak memory per step.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_nn.py [--quick]
    ... bench/bench_nn.py --layers alexnet|lenet [--cpu]   (per-layer fwd/bwd table)

Targets (issue "nn"): LeNet training <= 2x torch, AlexNet step <= 1.3x torch, AlexNet peak
memory <= 1.3x torch. Model steps are timed twice: interleaved in one process (the shared
harness), and each library alone in its own process (in one process, torch's OpenMP workers
keep spinning after each torch call and slow down whatever runs next). Results go to
bench/results/bench_nn.json.
"""
import argparse
import importlib
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import compare, report  # noqa: E402


from _models import make_alexnet, make_lenet  # noqa: E402  (shared benchmark models)


def _pair(make, batch, shape, train_step):
    """(numtorch fn, torch fn) running fwd+bwd (or a full SGD step) of the same model."""
    import numtorch
    import torch
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch,) + shape).astype(np.float32)
    y = rng.integers(0, 10, size=batch)
    fns = []
    torch.manual_seed(0)
    tm = make(torch)
    nm = make(numtorch)
    nm.load_state_dict({k: numtorch.from_numpy(v.numpy().copy())
                        for k, v in tm.state_dict().items()})
    for T, m in ((numtorch, nm), (torch, tm)):
        xt, yt = T.from_numpy(x.copy()), T.from_numpy(y.copy())
        opt = T.optim.SGD(m.parameters(), lr=0.01, momentum=0.9) if train_step else None
        loss_fn = T.nn.CrossEntropyLoss()

        def step(T=T, m=m, xt=xt, yt=yt, opt=opt, loss_fn=loss_fn):
            if opt is not None:
                opt.zero_grad()
            else:
                m.zero_grad()
            loss = loss_fn(m(xt), yt)
            loss.backward()
            if opt is not None:
                opt.step()
        fns.append(step)
    return fns


def _op_pair(fn, shapes, grad=True):
    import numtorch
    import torch
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    out = []
    for T in (numtorch, torch):
        ts = [T.from_numpy(a.copy()).requires_grad_(grad) for a in arrs]

        def run(T=T, ts=ts):
            y = fn(T.nn.functional, *ts)
            if grad:
                y.sum().backward()
        out.append(run)
    return out


def _rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def peak_memory_child(lib, model, batch, steps):
    """Run in a child process: peak RSS above the pre-step baseline (MiB) over ``steps``
    training steps, sampled every millisecond by a background thread."""
    import threading
    import time
    T = importlib.import_module(lib)
    make = {"alexnet": make_alexnet, "lenet": make_lenet}[model]
    shape = (1, 224, 224) if model == "alexnet" else (1, 32, 32)
    T.manual_seed(0)
    m = make(T)
    opt = T.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    loss_fn = T.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = T.from_numpy(rng.standard_normal((batch,) + shape).astype(np.float32))
    y = T.from_numpy(rng.integers(0, 10, size=batch))
    base = _rss_mib()
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mib())
            time.sleep(0.001)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(m(x), y).backward()
        opt.step()
    done.set()
    th.join()
    peak[0] = max(peak[0], _rss_mib())
    print(json.dumps({"extra_peak_mib": peak[0] - base, "base_mib": base}))


def peak_memory(model, batch, steps=2):
    res = {}
    for lib in ("numtorch", "torch"):
        out = subprocess.run([sys.executable, __file__, "--child", lib, model, str(batch),
                              str(steps)], capture_output=True, text=True, check=True)
        res[lib] = json.loads(out.stdout.strip().splitlines()[-1])["extra_peak_mib"]
    ratio = res["numtorch"] / res["torch"]
    print(f"{model} b{batch} peak memory of a step (extra RSS)      numtorch "
          f"{res['numtorch']:8.1f} MiB   torch {res['torch']:8.1f} MiB   ratio {ratio:5.2f}")
    return {"name": f"{model} peak memory", "numtorch_mib": res["numtorch"],
            "torch_mib": res["torch"], "ratio": ratio}


def step_time_child(lib, model, batch, steps):
    """Run in a child process: median seconds of one SGD training step of ``model``."""
    import time
    T = importlib.import_module(lib)
    make = {"alexnet": make_alexnet, "lenet": make_lenet}[model]
    shape = (1, 224, 224) if model == "alexnet" else (1, 32, 32)
    T.manual_seed(0)
    m = make(T)
    opt = T.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    loss_fn = T.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = T.from_numpy(rng.standard_normal((batch,) + shape).astype(np.float32))
    y = T.from_numpy(rng.integers(0, 10, size=batch))
    times = []
    for i in range(steps + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(m(x), y).backward()
        opt.step()
        if i:
            times.append(time.perf_counter() - t0)
    print(json.dumps({"median_s": sorted(times)[len(times) // 2]}))


def separate_processes(model, batch, steps, rounds=3):
    """Each library alone in its own process (no thread-pool interference between the two),
    alternating, ``rounds`` times; medians of the per-process medians."""
    res = {"numtorch": [], "torch": []}
    for _ in range(rounds):
        for lib in ("numtorch", "torch"):
            out = subprocess.run([sys.executable, __file__, "--time-child", lib, model,
                                  str(batch), str(steps)], capture_output=True, text=True,
                                 check=True)
            res[lib].append(json.loads(out.stdout.strip().splitlines()[-1])["median_s"])
    a = sorted(res["numtorch"])[rounds // 2]
    b = sorted(res["torch"])[rounds // 2]
    print(f"{model} b{batch} SGD step, separate processes       numtorch {a * 1e3:10.2f} ms"
          f"   torch {b * 1e3:10.2f} ms   ratio {a / b:5.2f}")
    return {"name": f"{model} b{batch} SGD step (separate processes)", "numtorch_s": a,
            "torch_s": b, "ratio": a / b}


LAYERS = {
    "alexnet": [  # (name, kind, input shape, args) at batch 16, as in the seed's AlexNet
        ("conv1 1->96 k11 s4", "conv", (16, 1, 224, 224), (96, 11, 4, 0), False),
        ("relu1", "relu", (16, 96, 54, 54), ()),
        ("pool1 k3 s2", "pool", (16, 96, 54, 54), (3, 2)),
        ("conv2 96->256 k5 p2", "conv", (16, 96, 26, 26), (256, 5, 1, 2)),
        ("relu2", "relu", (16, 256, 26, 26), ()),
        ("pool2 k3 s2", "pool", (16, 256, 26, 26), (3, 2)),
        ("conv3 256->384 k3 p1", "conv", (16, 256, 12, 12), (384, 3, 1, 1)),
        ("conv4 384->384 k3 p1", "conv", (16, 384, 12, 12), (384, 3, 1, 1)),
        ("conv5 384->256 k3 p1", "conv", (16, 384, 12, 12), (256, 3, 1, 1)),
        ("pool3 k3 s2", "pool", (16, 256, 12, 12), (3, 2)),
        ("fc1 6400->4096", "linear", (16, 6400), (4096,)),
        ("fc2 4096->4096", "linear", (16, 4096), (4096,)),
        ("fc3 4096->10", "linear", (16, 4096), (10,)),
    ],
    "lenet": [
        ("conv1 1->6 k5", "conv", (64, 1, 32, 32), (6, 5, 1, 0), False),
        ("relu1", "relu", (64, 6, 28, 28), ()),
        ("pool1 k2", "pool", (64, 6, 28, 28), (2, 2)),
        ("conv2 6->16 k5", "conv", (64, 6, 14, 14), (16, 5, 1, 0)),
        ("relu2", "relu", (64, 16, 10, 10), ()),
        ("pool2 k2", "pool", (64, 16, 10, 10), (2, 2)),
        ("fc1 400->120", "linear", (64, 400), (120,)),
        ("fc2 120->84", "linear", (64, 120), (84,)),
        ("fc3 84->10", "linear", (64, 84), (10,)),
    ],
}


def _layer_fns(T, kind, shape, args, input_grad):
    """(forward fn, forward+backward fn) of one layer in library ``T``."""
    F = T.nn.functional
    rng = np.random.default_rng(0)
    x = T.from_numpy(rng.standard_normal(shape).astype(np.float32)).requires_grad_(input_grad)
    params = []
    if kind == "conv":
        o, k, s, p = args
        w = T.from_numpy(rng.standard_normal((o, shape[1], k, k)).astype(np.float32) * 0.05)
        b = T.from_numpy(rng.standard_normal(o).astype(np.float32))
        params = [w.requires_grad_(), b.requires_grad_()]

        def f():
            return F.conv2d(x, w, b, stride=s, padding=p)
    elif kind == "linear":
        w = T.from_numpy(rng.standard_normal((args[0], shape[1])).astype(np.float32) * 0.01)
        b = T.from_numpy(rng.standard_normal(args[0]).astype(np.float32))
        params = [w.requires_grad_(), b.requires_grad_()]

        def f():
            return F.linear(x, w, b)
    elif kind == "pool":
        def f():
            return F.max_pool2d(x, args[0], args[1])
    else:
        def f():
            return F.relu(x)
    y0 = f()
    g = T.from_numpy(rng.standard_normal(tuple(y0.shape)).astype(np.float32))

    def fwd():  # grad mode on (the training forward); the graph is dropped
        f()

    def fwdbwd():
        for t in params + [x]:
            t.grad = None
        f().backward(g)
    return fwd, fwdbwd


def layer_profile(model, reps, cpu):
    """Per-layer forward and backward (fwd+bwd minus fwd) medians, numtorch next to torch."""
    import statistics
    import time
    import numtorch
    import torch
    clock = time.process_time if cpu else time.perf_counter
    rows = []
    print(f"{model}: per layer, median of {reps} ({'CPU' if cpu else 'wall'} time, "
          f"torch threads {torch.get_num_threads()})")
    print(f"{'layer':<24s} {'fwd nt':>8s} {'fwd th':>8s} {'ratio':>6s}   "
          f"{'bwd nt':>8s} {'bwd th':>8s} {'ratio':>6s}   (ms)")
    tot = [0.0] * 4
    for spec in LAYERS[model]:
        name, kind, shape, args = spec[:4]
        input_grad = spec[4] if len(spec) > 4 else True
        fns = [_layer_fns(T, kind, shape, args, input_grad) for T in (numtorch, torch)]
        number = max(1, int(2e6 // np.prod(shape)))
        meds = []
        for which in (0, 1):
            ts = [[], []]
            for _ in range(reps):
                for li in (0, 1):
                    fn = fns[li][which]
                    fn()
                    t0 = clock()
                    for _ in range(number):
                        fn()
                    ts[li].append((clock() - t0) / number)
            meds.append([statistics.median(t) for t in ts])
        fnt, fth = meds[0]
        bnt, bth = meds[1][0] - fnt, meds[1][1] - fth
        for i, v in enumerate((fnt, fth, bnt, bth)):
            tot[i] += v
        print(f"{name:<24s} {fnt * 1e3:8.2f} {fth * 1e3:8.2f} {fnt / fth:6.2f}   "
              f"{bnt * 1e3:8.2f} {bth * 1e3:8.2f} {bnt / max(bth, 1e-9):6.2f}", flush=True)
        rows.append({"layer": name, "fwd_nt": fnt, "fwd_torch": fth, "bwd_nt": bnt,
                     "bwd_torch": bth})
    print(f"{'total':<24s} {tot[0] * 1e3:8.2f} {tot[1] * 1e3:8.2f} {tot[0] / tot[1]:6.2f}   "
          f"{tot[2] * 1e3:8.2f} {tot[3] * 1e3:8.2f} {tot[2] / tot[3]:6.2f}")
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", nargs=4)
    ap.add_argument("--time-child", nargs=4)
    ap.add_argument("--layers", choices=["alexnet", "lenet"],
                    help="per-layer forward/backward table only")
    ap.add_argument("--cpu", action="store_true", help="with --layers: CPU time, not wall")
    args = ap.parse_args()
    if args.layers:
        layer_profile(args.layers, 3 if args.quick else 5, args.cpu)
        return
    if args.time_child:
        lib, model, batch, steps = args.time_child
        step_time_child(lib, model, int(batch), int(steps))
        return
    if args.child:
        lib, model, batch, steps = args.child
        peak_memory_child(lib, model, int(batch), int(steps))
        return
    reps = 3 if args.quick else 7
    import torch
    print(f"torch threads: {torch.get_num_threads()}")
    ops = [
        ("conv2d 16x32x28x28 k3 p1 fwd+bwd", lambda F, x, w: F.conv2d(x, w, padding=1),
         [(16, 32, 28, 28), (64, 32, 3, 3)]),
        ("conv2d 16x1x224x224 k11 s4 fwd+bwd", lambda F, x, w: F.conv2d(x, w, stride=4),
         [(16, 1, 224, 224), (96, 1, 11, 11)]),
        ("max_pool2d 16x96x54x54 k3 s2 fwd+bwd", lambda F, x: F.max_pool2d(x, 3, 2),
         [(16, 96, 54, 54)]),
        ("avg_pool2d 16x64x28x28 k2 fwd+bwd", lambda F, x: F.avg_pool2d(x, 2),
         [(16, 64, 28, 28)]),
        ("batch_norm 16x64x28x28 train fwd+bwd",
         lambda F, x: F.batch_norm(x, None, None, training=True), [(16, 64, 28, 28)]),
        ("log_softmax 256x1000 fwd+bwd", lambda F, x: F.log_softmax(x, 1), [(256, 1000)]),
    ]
    for name, fn, shapes in ops:
        a, b = _op_pair(fn, shapes)
        compare(name, a, b, reps=reps, number=5, unit="ms")
    a, b = _pair(make_lenet, 1, (1, 32, 32), False)
    compare("LeNet b1 fwd+bwd (seed)", a, b, reps=reps, number=50, unit="ms")
    a, b = _pair(make_lenet, 64, (1, 32, 32), True)
    compare("LeNet b64 SGD training step", a, b, reps=reps, number=10, unit="ms")
    a, b = _pair(make_alexnet, 16, (1, 224, 224), False)
    compare("AlexNet b16 fwd+bwd (seed)", a, b, reps=3 if args.quick else 5, number=1,
            unit="ms")
    a, b = _pair(make_alexnet, 16, (1, 224, 224), True)
    compare("AlexNet b16 SGD training step", a, b, reps=3 if args.quick else 5, number=1,
            unit="ms")
    results = report()
    sep = [separate_processes("lenet", 64, 20 if args.quick else 50),
           separate_processes("alexnet", 16, 3 if args.quick else 5)]
    mem = peak_memory("alexnet", 16)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "bench_nn.json")
    with open(path) as f:
        data = json.load(f)
    data["results"] = results + sep + [mem]
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


if __name__ == "__main__":
    main()
