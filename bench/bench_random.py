"""Random functions, numtorch vs torch on CPU (same seeds, bit-identical outputs).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_random.py [--quick]

Targets (issue "RNG"): randn(1e6) float32 within 3x of torch; rand / randint / uniform_
within 1.5x.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import numtorch as nt  # noqa: E402
from _harness import compare, report  # noqa: E402

N = 10 ** 6
QUICK = "--quick" in sys.argv
REPS = 5 if QUICK else 9


def main():
    nt.manual_seed(0)
    torch.manual_seed(0)
    x_nt, x_th = nt.empty(N), torch.empty(N)
    x64_nt, x64_th = nt.empty(N, dtype=nt.float64), torch.empty(N, dtype=torch.float64)
    cases = [
        ("rand(1e6) f32", lambda: nt.rand(N), lambda: torch.rand(N)),
        ("rand(1e6) f64", lambda: nt.rand(N, dtype=nt.float64),
         lambda: torch.rand(N, dtype=torch.float64)),
        ("randn(1e6) f32", lambda: nt.randn(N), lambda: torch.randn(N)),
        ("randn(1e6) f64", lambda: nt.randn(N, dtype=nt.float64),
         lambda: torch.randn(N, dtype=torch.float64)),
        ("uniform_(-b, b) 1e6 f32", lambda: x_nt.uniform_(-0.05, 0.05),
         lambda: x_th.uniform_(-0.05, 0.05)),
        ("uniform_(-0.3, 0.7) 1e6 f64", lambda: x64_nt.uniform_(-0.3, 0.7),
         lambda: x64_th.uniform_(-0.3, 0.7)),
        ("normal_(0.5, 2) 1e6 f32", lambda: x_nt.normal_(0.5, 2.0),
         lambda: x_th.normal_(0.5, 2.0)),
        ("randint(0, 1000, (1e6,))", lambda: nt.randint(0, 1000, (N,)),
         lambda: torch.randint(0, 1000, (N,))),
        ("randint(0, 2**40, (1e6,))", lambda: nt.randint(0, 2 ** 40, (N,)),
         lambda: torch.randint(0, 2 ** 40, (N,))),
        ("randperm(60000)", lambda: nt.randperm(60000), lambda: torch.randperm(60000)),
        ("randperm(1e6)", lambda: nt.randperm(N), lambda: torch.randperm(N)),
        ("bernoulli_(0.5) 1e6 f32", lambda: x_nt.bernoulli_(0.5), lambda: x_th.bernoulli_(0.5)),
        ("exponential_() 1e6 f32", lambda: x_nt.exponential_(), lambda: x_th.exponential_()),
        ("randn(8) x1000 (serial path)", lambda: [nt.randn(8) for _ in range(1000)],
         lambda: [torch.randn(8) for _ in range(1000)]),
    ]
    try:
        import numtorch.nn as nnt
        import numtorch.nn.functional as F_nt
        import torch.nn.functional as F_th
        cases += [
            ("nn.Linear(1024, 1024) init", lambda: nnt.Linear(1024, 1024),
             lambda: torch.nn.Linear(1024, 1024)),
            ("dropout(p=0.5) 1e6 f32", lambda: F_nt.dropout(x_nt, 0.5),
             lambda: F_th.dropout(x_th, 0.5)),
        ]
    except (ImportError, AttributeError):
        pass
    for name, f_nt, f_th in cases:
        compare(name, f_nt, f_th, reps=REPS, number=3, unit="ms")
    report()


if __name__ == "__main__":
    main()
