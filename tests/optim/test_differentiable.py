"""differentiable=True: gradients through optimizer.step() match torch's."""
import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.2, maximize=True)),
    ("Adam", dict(lr=0.1)),
    ("Adam", dict(lr=0.1, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.1, centered=True, momentum=0.9, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.1)),
]


def _run(mod, name, opts, steps=3):
    rng = np.random.default_rng(0)
    p0 = mod.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    gs = [mod.tensor(rng.standard_normal((2, 3)), requires_grad=True) for _ in range(3)]
    w = mod.tensor(rng.standard_normal((2, 3)))
    p = p0.clone()
    opt = getattr(mod.optim, name)([p], differentiable=True, **opts)
    for g in gs[:steps]:
        p.grad = g * 1.0
        opt.step()
    loss = (p * w).sum() + (p * p).sum()
    loss.backward()
    return [p.detach().numpy().copy(), p0.grad.numpy().copy()] + [
        None if g.grad is None else g.grad.numpy().copy() for g in gs]


@pytest.mark.parametrize("name,opts", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_gradients_through_step_match_torch(name, opts):
    try:
        b = _run(torch, name, opts)
    except RuntimeError as e:
        # torch cannot backpropagate through several steps of some variants either (amsgrad's
        # maximum and centered RMSprop save state that the next step modifies in place)
        assert "modified by an inplace operation" in str(e)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            _run(nt, name, opts)
        return
    a = _run(nt, name, opts)
    for x, y in zip(a, b):
        assert (x is None) == (y is None)
        if y is not None:
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,opts", [("Adam", dict(lr=0.1, amsgrad=True, weight_decay=0.1)),
                                       ("RMSprop", dict(lr=0.1, centered=True, momentum=0.9))])
def test_one_differentiable_step_of_stateful_variants(name, opts):
    a = _run(nt, name, opts, steps=1)
    b = _run(torch, name, opts, steps=1)
    for x, y in zip(a, b):
        assert (x is None) == (y is None)
        if y is not None:
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)


def test_non_leaf_parameters_are_accepted_only_when_differentiable():
    p = nt.zeros(2, requires_grad=True) * 2
    nt.optim.SGD([p], lr=0.1, differentiable=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        nt.optim.SGD([p], lr=0.1)


def test_unsupported_algorithms_say_so():
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        nt.optim.NAdam([nt.zeros(2, requires_grad=True)], differentiable=True)


def _lr_run(mod, name, opts):
    rng = np.random.default_rng(1)
    lr = mod.tensor(0.05, dtype=mod.float64, requires_grad=True)
    p = mod.tensor(rng.standard_normal(4)).requires_grad_().clone()
    opt = getattr(mod.optim, name)([p], lr=lr, differentiable=True, **opts)
    for _ in range(3):
        p.grad = mod.tensor(rng.standard_normal(4))
        opt.step()
    (p * p).sum().backward()
    return lr.grad.item(), p.detach().numpy().copy()


@pytest.mark.parametrize("name,opts", [("SGD", dict()), ("SGD", dict(momentum=0.9)),
                                       ("Adam", dict()), ("AdamW", dict(weight_decay=0.1))])
def test_learning_rate_tensor_gets_a_gradient(name, opts):
    try:
        b = _lr_run(torch, name, opts)
    except RuntimeError as e:  # SGD with momentum: the buffer saved for lr's gradient changes
        assert "modified by an inplace operation" in str(e)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            _lr_run(nt, name, opts)
        return
    a = _lr_run(nt, name, opts)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-10)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-10)
