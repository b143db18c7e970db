"""optimizer.step() (and zero_grad, and a scheduler step) overhead: numtorch vs torch on CPU.

A 10-parameter model (5 weight matrices 32x32 and 5 bias vectors of 32, as in a small MLP),
gradients set once; each timed call is one ``optimizer.step()``. Run:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_optim.py
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numtorch as nt  # noqa: E402
from _harness import compare, report  # noqa: E402

torch.set_num_threads(1)

SHAPES = [(32, 32), (32,)] * 5
CASES = [
    ("SGD", dict(lr=0.01)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=1e-3)),
    ("AdamW", dict(lr=1e-3)),
    ("Adam", dict(lr=1e-3, amsgrad=True)),
    ("RMSprop", dict(lr=1e-3, momentum=0.9)),
    ("Adagrad", dict(lr=1e-2)),
    ("Adadelta", dict()),
    ("Adamax", dict(lr=1e-3)),
    ("NAdam", dict(lr=1e-3)),
    ("RAdam", dict(lr=1e-3)),
    ("ASGD", dict(lr=1e-3)),
    ("Rprop", dict(lr=1e-3)),
]


def _params(mod, shapes=SHAPES):
    rng = np.random.default_rng(0)
    ps = []
    for s in shapes:
        p = mod.from_numpy(rng.standard_normal(s).astype(np.float32)).requires_grad_()
        p.grad = mod.from_numpy(0.01 * rng.standard_normal(s).astype(np.float32))
        ps.append(p)
    return ps


def main():
    for name, kw in CASES:
        opt_nt = getattr(nt.optim, name)(_params(nt), **kw)
        opt_th = getattr(torch.optim, name)(_params(torch), **kw)
        label = name + ("" if len(kw) <= 1 else "(" + ",".join(k for k in kw if k != "lr") + ")")
        compare(f"{label} step, 10 params", opt_nt.step, opt_th.step, reps=7, number=200)
    for name, kw in (("SGD", dict(lr=0.01, momentum=0.9)), ("Adam", dict(lr=1e-3))):
        big_nt = getattr(nt.optim, name)(_params(nt, [(1000, 1000), (1000,)]), **kw)
        big_th = getattr(torch.optim, name)(_params(torch, [(1000, 1000), (1000,)]), **kw)
        compare(f"{name} step, 1M params (memory bound)", big_nt.step, big_th.step, reps=5,
                number=10, unit="ms")
    opt_nt = nt.optim.SGD(_params(nt), lr=0.1)
    opt_th = torch.optim.SGD(_params(torch), lr=0.1)
    compare("zero_grad(set_to_none=False), 10 params", lambda: opt_nt.zero_grad(False),
            lambda: opt_th.zero_grad(False), reps=7, number=500)
    s_nt = nt.optim.lr_scheduler.StepLR(opt_nt, 10)
    s_th = torch.optim.lr_scheduler.StepLR(opt_th, 10)
    opt_nt.step()
    opt_th.step()
    compare("StepLR.step()", s_nt.step, s_th.step, reps=7, number=500)
    report()


if __name__ == "__main__":
    main()
