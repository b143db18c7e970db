"""Leaf gradients never alias each other, the user's arrays or saved values.

The engine hands a freshly computed, unshared gradient array to ``.grad`` without a copy;
everything that could be shared must still be copied. Each case builds a graph in numtorch
and torch, runs backward, then adds 1 in place to every leaf's ``.grad``: values (of the
grads, and of anything that could alias them) must still match torch's.
"""
import numpy as np
import pytest

import numtorch as nt

from ..conftest import torch, assert_close, to_torch


def _leaves(lib, n=3, shape=(3, 4)):
    rng = np.random.default_rng(1)
    return [lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
            for _ in range(n)]


CASES = {
    # Add's backward passes one gradient array to both inputs.
    "add_shared": lambda T, a, b, c: ((a + b) * c).sum(),
    # the same leaf used twice: its two contributions are summed.
    "reuse": lambda T, a, b, c: (a * b + a * c).sum(),
    # pass-through chains (clone, sub, neg) down to leaves that also get other grads.
    "chain": lambda T, a, b, c: ((a.clone() - b) * c + (-a)).sum(),
    # a view in the middle: the grad reaching the leaf is a view of another array.
    "view": lambda T, a, b, c: (a.reshape(4, 3).t() * b.t().reshape(4, 3).t() * c).sum(),
    # matmul backward produces fresh arrays (the stolen case).
    "matmul": lambda T, a, b, c: ((a @ b.t()) @ c).sum(),
    # the broadcast gradient of sum reaches a leaf directly.
    "sum_direct": lambda T, a, b, c: a.sum() + (b * c).sum(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_leaf_grads_are_independent_buffers(name):
    got, want = _leaves(nt), _leaves(torch)
    CASES[name](nt, *got).backward()
    CASES[name](torch, *want).backward()
    for g, w in zip(got, want):
        g.grad.add_(1.0)
        w.grad.add_(1.0)
    for g, w in zip(got, want):
        assert_close(g.grad, w.grad)
        assert_close(g.detach(), w.detach())


def test_user_gradient_and_retained_grads_are_not_stolen():
    gx = nt.ones(3, 4) * 2
    tgx = torch.ones(3, 4) * 2
    got, want = _leaves(nt, 1), _leaves(torch, 1)
    y, ty = got[0].clone(), want[0].clone()
    y.retain_grad()
    ty.retain_grad()
    y.backward(gx)
    ty.backward(tgx)
    got[0].grad.mul_(3.0)
    want[0].grad.mul_(3.0)
    assert_close(gx, tgx)
    assert_close(y.grad, ty.grad)
    assert_close(got[0].grad, want[0].grad)


def test_hooks_and_autograd_grad_see_unaliased_arrays():
    kept = []
    got, want = _leaves(nt, 2), _leaves(torch, 2)
    for (a, b), k in ((got, kept), (want, [])):
        a.register_hook(lambda g, k=k: k.append(g) or None)
    (got[0] * got[1]).sum().backward()
    (want[0] * want[1]).sum().backward()
    got[0].grad.add_(1.0)
    want[0].grad.add_(1.0)
    assert_close(got[0].grad, want[0].grad)
    assert_close(kept[0], want[1].detach())
    gx = nt.autograd.grad((got[0] * got[1]).sum(), got[0])[0]
    tgx = torch.autograd.grad((want[0] * want[1]).sum(), want[0])[0]
    gx.add_(1.0)
    tgx.add_(1.0)
    assert_close(got[1], want[1].detach())
    assert_close(gx, tgx)


def test_second_backward_accumulates_into_the_stolen_buffer():
    got, want = _leaves(nt, 2), _leaves(torch, 2)
    for _ in range(3):
        (got[0] @ got[1].t()).sum().backward()
        (want[0] @ want[1].t()).sum().backward()
    for g, w in zip(got, want):
        assert_close(g.grad, w.grad)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_weight_grad_layout_matches_torch(bias):
    x = np.random.default_rng(2).standard_normal((5, 6)).astype(np.float32)
    for lib in (nt, torch):
        lib.manual_seed(0)
    lin, tlin = nt.nn.Linear(6, 3, bias=bias), torch.nn.Linear(6, 3, bias=bias)
    tlin.load_state_dict({k: to_torch(v) for k, v in lin.state_dict().items()})
    lin(nt.from_numpy(x)).sum().backward()
    tlin(torch.from_numpy(x)).sum().backward()
    assert lin.weight.grad.stride() == tlin.weight.grad.stride()
    assert_close(lin.weight.grad, tlin.weight.grad)
