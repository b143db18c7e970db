"""nn hot paths, numtorch next to torch (CPU), interleaved: conv/pool ops, the seed's LeNet and
AlexNet (forward + backward, and a full SGD step), and AlexNet's peak memory per step.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_nn.py [--quick]

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


def make_lenet(T):
    nn, F = T.nn, T.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(x.shape[0], -1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)
    return Net()


def make_alexnet(T):
    nn = T.nn

    class AlexNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Sequential(
                nn.Conv2d(1, 96, 11, 4), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(96, 256, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(),
                nn.Conv2d(384, 384, 3, 1, 1), nn.ReLU(),
                nn.Conv2d(384, 256, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(3, 2))
            self.fc = nn.Sequential(
                nn.Linear(256 * 5 * 5, 4096), nn.ReLU(), nn.Dropout(0.5),
                nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                nn.Linear(4096, 10))

        def forward(self, img):
            feature = self.conv(img)
            return self.fc(feature.view(img.shape[0], -1))
    return AlexNet()


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", nargs=4)
    ap.add_argument("--time-child", nargs=4)
    args = ap.parse_args()
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
