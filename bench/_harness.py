"""Shared benchmark helper: time numtorch and torch side by side, interleaved.

    from _harness import compare, report
    compare("add 4x4 fwd+bwd", nt_fn, torch_fn, reps=7, number=200)

Each repetition times ``number`` calls of the numtorch function, then of the
torch function (interleaved so that machine noise hits both); the medians
are compared. Results are printed and appended to ``bench/results/<script>.json``
by ``report()`` (the folder is git-ignored).
"""
import json
import os
import statistics
import sys
import time

_RESULTS = []


def _time(fn, number):
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def compare(name, nt_fn, torch_fn, reps=7, number=100, warmup=3, unit="us"):
    """Median seconds per call of ``nt_fn`` and ``torch_fn`` and their ratio (numtorch/torch)."""
    for _ in range(warmup):
        nt_fn()
        torch_fn()
    nt_times, th_times = [], []
    for _ in range(reps):
        nt_times.append(_time(nt_fn, number))
        th_times.append(_time(torch_fn, number))
    nt_med = statistics.median(nt_times)
    th_med = statistics.median(th_times)
    ratio = nt_med / th_med if th_med else float("inf")
    scale = {"us": 1e6, "ms": 1e3, "s": 1.0}[unit]
    print(f"{name:<44s} numtorch {nt_med * scale:10.2f} {unit}   torch {th_med * scale:10.2f} "
          f"{unit}   ratio {ratio:5.2f}", flush=True)
    res = {"name": name, "numtorch_s": nt_med, "torch_s": th_med, "ratio": ratio,
           "reps": reps, "number": number}
    _RESULTS.append(res)
    return res


def report(script=None):
    """Write the collected results to bench/results/<script>.json and return them."""
    script = script or os.path.splitext(os.path.basename(sys.argv[0]))[0]
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, script + ".json")
    with open(path, "w") as f:
        json.dump({"script": script, "time": time.time(), "results": _RESULTS}, f, indent=1)
    print(f"results written to {path}")
    return list(_RESULTS)
