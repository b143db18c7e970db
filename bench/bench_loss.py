"""Losses, forward + backward, numtorch vs torch on CPU (interleaved, medians).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_loss.py

Targets: cross entropy within 1.5x of torch, CTC within 3x.
"""
import os
import sys

import numpy as np
import torch

import numtorch as nt
import numtorch.nn.functional as NF

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import compare, report  # noqa: E402

TF = torch.nn.functional


def pair(*arrays, grad=(0,)):
    """The same arrays as numtorch and torch tensors; those at ``grad`` require grad."""
    n = [nt.from_numpy(a.copy()) for a in arrays]
    t = [torch.from_numpy(a.copy()) for a in arrays]
    for i in grad:
        n[i].requires_grad_()
        t[i].requires_grad_()
    return n, t


def fwd_bwd(F, name, args, kwargs=None):
    kwargs = kwargs or {}
    x = args[0]

    def run():
        x.grad = None
        getattr(F, name)(*args, **kwargs).backward()
    return run


def bench_cross_entropy(n, c, number):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c)).astype(np.float32)
    t = rng.integers(0, c, n)
    (nx, nt_t), (tx, tt) = pair(x, t)
    compare(f"cross_entropy fwd+bwd ({n}, {c})", fwd_bwd(NF, "cross_entropy", (nx, nt_t)),
            fwd_bwd(TF, "cross_entropy", (tx, tt)), reps=7, number=number)


def bench_ctc(T=50, N=16, C=20, S=30, S_min=10, number=20):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((T, N, C)).astype(np.float32)
    lp = logits - np.log(np.exp(logits).sum(2, keepdims=True))
    tg = rng.integers(1, C, (N, S))
    il = np.full(N, T)
    tl = rng.integers(S_min, S, N)
    (nlp, ntg, nil, ntl), (tlp, ttg, til, ttl) = pair(lp.astype(np.float32), tg, il, tl)
    compare(f"ctc_loss fwd+bwd T={T} N={N} C={C} S={S}",
            fwd_bwd(NF, "ctc_loss", (nlp, ntg, nil, ntl)),
            fwd_bwd(TF, "ctc_loss", (tlp, ttg, til, ttl)), reps=7, number=number)


def bench_pointwise(name, n, c, target, number=200, **kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c)).astype(np.float32)
    (nx, ntg), (tx, ttg) = pair(x, target(rng, (n, c)))
    compare(f"{name} fwd+bwd ({n}, {c})", fwd_bwd(NF, name, (nx, ntg), kw),
            fwd_bwd(TF, name, (tx, ttg), kw), reps=7, number=number)


if __name__ == "__main__":
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, numpy {np.__version__}")
    bench_cross_entropy(64, 10, number=500)
    bench_cross_entropy(256, 1000, number=50)
    bench_ctc()
    rnd = lambda rng, s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    bits = lambda rng, s: rng.integers(0, 2, s).astype(np.float32)  # noqa: E731
    bench_pointwise("mse_loss", 256, 1000, rnd, number=50)
    bench_pointwise("smooth_l1_loss", 256, 1000, rnd, number=50)
    bench_pointwise("huber_loss", 256, 1000, rnd, number=50)
    bench_pointwise("binary_cross_entropy_with_logits", 256, 1000, bits, number=50)
    bench_pointwise("nll_loss", 256, 1000,
                    lambda rng, s: rng.integers(0, s[1], s[0]), number=100)
    report()
