"""autograd API vs torch: backward/grad arguments, grad modes, custom Functions, hooks,
saved-array release, version checks and gradcheck."""
import gc
import weakref

import numpy as np
import pytest

import numtorch as nt
from ..conftest import torch, assert_close


def _pair(values, dtype=np.float32):
    arr = np.asarray(values, dtype)
    return nt.from_numpy(arr.copy()).requires_grad_(), torch.from_numpy(arr.copy()).requires_grad_()


def test_backward_with_gradient_and_retain_graph():
    (x, tx) = _pair([1.0, 2.0, 3.0])
    for lib, v in ((nt, x), (torch, tx)):
        y = v * v
        y.backward(lib.tensor([1.0, 0.5, 2.0]), retain_graph=True)
        y.backward(lib.tensor([1.0, 1.0, 1.0]))
    assert_close(x.grad, tx.grad)


def test_autograd_grad_variants():
    (x, tx), (z, tz) = _pair([1.0, -2.0]), _pair([3.0])
    g = nt.autograd.grad((x ** 3).sum(), [x, z], allow_unused=True)
    tg = torch.autograd.grad((tx ** 3).sum(), [tx, tz], allow_unused=True)
    assert_close(g[0], tg[0])
    assert g[1] is None and tg[1] is None
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        nt.autograd.grad((x * 2).sum(), [x, z])
    g = nt.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    assert g[1].tolist() == [0.0]
    go = nt.tensor([1.0, 3.0])
    g, = nt.autograd.grad(x * x, x, grad_outputs=go)
    tg, = torch.autograd.grad(tx * tx, tx, grad_outputs=torch.tensor([1.0, 3.0]))
    assert_close(g, tg)
    assert x.grad is None


def test_backward_inputs_argument():
    (x, tx), (y, ty) = _pair([1.0, 2.0]), _pair([3.0, 4.0])
    (x * y).sum().backward(inputs=[x])
    (tx * ty).sum().backward(inputs=[tx])
    assert_close(x.grad, tx.grad)
    assert y.grad is None and ty.grad is None


@pytest.mark.parametrize("mode", ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode"])
def test_grad_modes_as_context_and_decorator(mode):
    for lib in (nt, torch):
        x = lib.ones(2, requires_grad=True)
        ctx = {"no_grad": lib.no_grad, "enable_grad": lib.enable_grad,
               "inference_mode": lib.inference_mode,
               "set_grad_enabled": lambda: lib.set_grad_enabled(False)}[mode]
        with ctx():
            r1 = (x * 2).requires_grad
            e1 = lib.is_grad_enabled()

        @ctx()
        def f():
            return (x * 2).requires_grad, lib.is_grad_enabled()
        r2, e2 = f()
        after = lib.is_grad_enabled()
        if lib is nt:
            res = (r1, e1, r2, e2, after)
        else:
            assert res == (r1, e1, r2, e2, after)


def test_nested_grad_modes():
    x = nt.ones(1, requires_grad=True)
    with nt.no_grad():
        with nt.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    nt.set_grad_enabled(False)
    assert not nt.is_grad_enabled()
    nt.set_grad_enabled(True)
    assert nt.is_grad_enabled()


def _make_function(lib):
    class MulConst(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, idx):
            ctx.save_for_backward(x)
            ctx.k = k
            out = x * k
            arg = x.argmax()
            ctx.mark_non_differentiable(arg)
            ctx.flags = ctx.needs_input_grad
            return out, arg

        @staticmethod
        def backward(ctx, g, g_arg):
            x, = ctx.saved_tensors
            return g * ctx.k + 0 * x, None, None
    return MulConst


def test_custom_function_matches_torch():
    (x, tx) = _pair([1.0, 5.0, 2.0])
    out, arg = _make_function(nt).apply(x, 3.0, 1)
    tout, targ = _make_function(torch).apply(tx, 3.0, 1)
    assert_close(out, tout)
    assert arg.item() == targ.item() and not arg.requires_grad and not targ.requires_grad
    assert out.grad_fn.name() == tout.grad_fn.name()
    out.sum().backward()
    tout.sum().backward()
    assert_close(x.grad, tx.grad)
    assert out.grad_fn.flags == tout.grad_fn.flags == (True, False, False)


def test_custom_function_gradcheck_and_wrong_arity():
    class Sq(nt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = nt.tensor([0.3, -1.2], dtype=nt.float64, requires_grad=True)
    assert nt.autograd.gradcheck(Sq.apply, (x,))

    class Bad(nt.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(nt.ones(2, requires_grad=True), nt.ones(2)).sum().backward()


def test_gradcheck_detects_wrong_gradient():
    class Wrong(nt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g

    x = nt.tensor([0.3, -1.2], dtype=nt.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        nt.autograd.gradcheck(Wrong.apply, (x,))
    assert nt.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_saved_arrays_are_freed_after_backward():
    x = nt.ones(1000, requires_grad=True)
    y = x.exp()
    saved = y.grad_fn._saved[0]
    ref = weakref.ref(saved)
    del saved
    z = (y * 2).sum()
    node = y.grad_fn
    z.backward()
    assert node._saved == ()
    del y, z
    gc.collect()
    assert ref() is None


def test_modified_saved_tensor_error_matches_torch():
    for lib in (nt, torch):
        x = lib.ones(3, requires_grad=True)
        y = x.sigmoid()
        y.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
        x2 = lib.ones(3, requires_grad=True)
        a = x2 * 1
        b = a * a
        a.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


def test_hooks_match_torch():
    (x, tx) = _pair([1.0, 2.0])
    seen = []
    for lib, v in ((nt, x), (torch, tx)):
        v.register_hook(lambda g: g * 3)
        y = v * v
        h = y.register_hook(lambda g, lib=lib: seen.append((lib.__name__, g.tolist())))
        y.retain_grad()
        y.sum().backward()
        h.remove()
        (v * v).sum().backward()
    assert_close(x.grad, tx.grad)
    assert seen == [("numtorch", [1.0, 1.0]), ("torch", [1.0, 1.0])]


def test_post_accumulate_hook_and_leaf_accumulation():
    x = nt.ones(2, requires_grad=True)
    calls = []
    x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.tolist()))
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    assert calls == [[2.0, 2.0], [5.0, 5.0]]


def test_backward_errors_match_torch():
    for lib in (nt, torch):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            (x * 2).backward()
        with pytest.raises(RuntimeError):
            lib.ones(2).sum().backward()
        with pytest.raises(RuntimeError):
            (x * 2).backward(lib.ones(3))
        y = (x * x).sum()
        y.backward()
        with pytest.raises(RuntimeError):
            y.backward()


def test_int_leaf_cannot_require_grad_and_detach():
    with pytest.raises(RuntimeError):
        nt.tensor([1, 2], requires_grad=True)
    x = nt.ones(2, requires_grad=True)
    d = x.detach()
    assert d._data is x._data and not d.requires_grad
