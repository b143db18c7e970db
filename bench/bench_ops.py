"""Per-op overhead and matmul throughput, numtorch vs torch (CPU), side by side.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_ops.py

Prints median time per call and the ratio numtorch/torch; JSON to bench/results/bench_ops.json.
Targets: small-op fwd+bwd within 2x of torch (1.5x later), 512x512 matmul fwd+bwd within 1.2x.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import compare, report  # noqa: E402

import numtorch as nt  # noqa: E402
import torch  # noqa: E402


def _pair(shape, seed=0):
    rng = np.random.default_rng(seed)
    arr = rng.standard_normal(shape).astype(np.float32)
    return (nt.from_numpy(arr.copy()).requires_grad_(),
            torch.from_numpy(arr.copy()).requires_grad_())


def small_ops():
    (a, ta), (b, tb) = _pair((4, 4), 1), _pair((4, 4), 2)
    cases = {
        "add": lambda m, x, y: x + y,
        "mul": lambda m, x, y: x * y,
        "exp": lambda m, x, y: x.exp(),
        "tanh": lambda m, x, y: x.tanh(),
        "matmul": lambda m, x, y: x @ y,
        "sum(1)": lambda m, x, y: x.sum(1),
        "x[0]": lambda m, x, y: x[0],
        "view": lambda m, x, y: x.view(16),
    }
    for name, f in cases.items():
        def nt_fn(f=f):
            f(nt, a, b).sum().backward()

        def th_fn(f=f):
            f(torch, ta, tb).sum().backward()
        compare(f"4x4 {name} (+sum) fwd+bwd", nt_fn, th_fn, reps=7, number=300)

    def nt_chain():
        ((a * b + a).relu() - b).sum().backward()

    def th_chain():
        ((ta * tb + ta).relu() - tb).sum().backward()
    compare("4x4 mul,add,relu,sub,sum fwd+bwd", nt_chain, th_chain, reps=7, number=300)

    def nt_fwd():
        return a + b

    def th_fwd():
        return ta + tb
    compare("4x4 add fwd only (grad mode)", nt_fwd, th_fwd, reps=7, number=2000)
    with nt.no_grad(), torch.no_grad():
        compare("4x4 add fwd only (no_grad)", nt_fwd, th_fwd, reps=7, number=2000)


def matmul_512():
    (a, ta), (b, tb) = _pair((512, 512), 3), _pair((512, 512), 4)

    def nt_fn():
        (a @ b).sum().backward()

    def th_fn():
        (ta @ tb).sum().backward()
    compare("512x512 matmul fwd+bwd", nt_fn, th_fn, reps=7, number=10, unit="ms")


if __name__ == "__main__":
    print(f"torch threads: {torch.get_num_threads()}, numpy {np.__version__}")
    small_ops()
    matmul_512()
    report()
