"""The backward engine: accumulation, retain_graph, freed graphs, deep graphs, in-place checks."""
import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch, assert_close


def test_accumulates_into_leaf_grad():
    x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert_close(x.grad, torch.tensor([5.0, 7.0, 9.0]))


def test_shared_subexpression_gradient_sums():
    x = nt.tensor([1.5, -2.0], requires_grad=True)
    y = x * 2
    z = (y * y + y).sum()
    z.backward()
    tx = torch.tensor([1.5, -2.0], requires_grad=True)
    ty = tx * 2
    (ty * ty + ty).sum().backward()
    assert_close(x.grad, tx.grad)


def test_broadcast_gradient_is_unbroadcast_by_engine():
    a = nt.ones(3, 1, requires_grad=True)
    b = nt.ones(4, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    assert_close(a.grad, torch.full((3, 1), 4.0))
    assert_close(b.grad, torch.full((4,), 3.0))


def test_second_backward_through_freed_graph_raises():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert_close(x.grad, torch.tensor([4.0, 8.0]))


def test_deep_chain_is_iterative():
    x = nt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 0.0
    y.backward()
    assert x.grad.item() == 1.0


def test_inplace_modification_of_saved_tensor_raises():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_leaf_inplace_raises():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)


def test_inplace_on_view_of_nonleaf_updates_base_graph():
    a = nt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    ta = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for lib, x in ((nt, a), (torch, ta)):
        y = x * 1
        y[:, 0] *= 3
        (y * y).sum().backward()
    assert_close(a.grad, ta.grad)


def test_autograd_grad_does_not_touch_leaf_grad():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    g, = nt.autograd.grad((x ** 3).sum(), x)
    assert x.grad is None
    assert_close(g, torch.tensor([3.0, 12.0]))


def test_non_scalar_backward_needs_gradient():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()


def test_hooks_and_retain_grad():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert_close(y.grad, torch.tensor([10.0, 10.0]))
    assert_close(x.grad, torch.tensor([20.0, 20.0]))


def test_custom_function():
    class Exp(nt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    x = nt.tensor([0.5, 1.0], requires_grad=True, dtype=nt.float64)
    y = Exp.apply(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.0]))
    assert nt.autograd.gradcheck(Exp.apply, (nt.tensor([0.3, -0.2], dtype=nt.float64,
                                                       requires_grad=True),))


def test_create_graph_is_a_clear_error():
    x = nt.tensor([1.0], requires_grad=True)
    with pytest.raises(NotImplementedError):
        nt.autograd.grad((x * x).sum(), x, create_graph=True)
