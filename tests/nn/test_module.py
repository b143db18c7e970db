"""Module machinery against torch: registration and its errors, traversal, state_dict /
load_state_dict, train/eval, to/float/double, zero_grad, hooks, containers, deepcopy, pickle,
repr."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import numtorch as nt

from ..conftest import torch, assert_close
from ._common import copy_state


def _net(nn):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)
            self.register_buffer("steps", (nt if nn is nt.nn else torch).zeros(1))
            self.register_buffer("tmp", (nt if nn is nt.nn else torch).ones(2),
                                 persistent=False)

        def forward(self, x):
            return self.fc(x).relu()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = Block()
            self.b = Block()
            self.shared = self.a.fc          # the same module twice
            self.scale = nn.Parameter((nt if nn is nt.nn else torch).ones(1))
            self.head = nn.Sequential(nn.Linear(3, 2), nn.ReLU())

        def forward(self, x):
            return self.head(self.b(self.a(x))) * self.scale
    return Net()


def _names(it):
    return [n for n, _ in it]


def test_traversal_matches_torch():
    tm, nm = _net(torch.nn), _net(nt.nn)
    assert _names(nm.named_parameters()) == _names(tm.named_parameters())
    assert _names(nm.named_parameters(remove_duplicate=False)) == \
        _names(tm.named_parameters(remove_duplicate=False))
    assert _names(nm.named_parameters(prefix="m", recurse=False)) == \
        _names(tm.named_parameters(prefix="m", recurse=False))
    assert _names(nm.named_buffers()) == _names(tm.named_buffers())
    assert _names(nm.named_modules()) == _names(tm.named_modules())
    assert _names(nm.named_modules(prefix="root", remove_duplicate=False)) == \
        _names(tm.named_modules(prefix="root", remove_duplicate=False))
    assert _names(nm.named_children()) == _names(tm.named_children())
    assert len(list(nm.parameters())) == len(list(tm.parameters()))
    assert len(list(nm.modules())) == len(list(tm.modules()))
    assert list(nm.state_dict().keys()) == list(tm.state_dict().keys())
    assert nm.get_submodule("a.fc") is nm.a.fc
    assert nm.get_parameter("a.fc.weight") is nm.a.fc.weight
    assert nm.get_buffer("b.steps") is nm.b.steps
    assert repr(nm).replace("numtorch", "torch") == repr(tm)
    for name in ("fc", "scale", "head"):
        assert (name in dir(nm)) == (name in dir(tm))


@pytest.mark.parametrize("fn", [
    lambda m, nn, T: m.get_submodule("a.nope"),
    lambda m, nn, T: m.get_submodule("scale.x"),
    lambda m, nn, T: m.get_parameter("a.fc.nope"),
    lambda m, nn, T: m.get_parameter("a.steps"),
    lambda m, nn, T: setattr(m, "scale", T.ones(1)),
    lambda m, nn, T: setattr(m, "head", 3),
    lambda m, nn, T: m.register_buffer("a", T.ones(1)),
    lambda m, nn, T: m.register_buffer("x.y", T.ones(1)),
    lambda m, nn, T: m.register_buffer("", T.ones(1)),
    lambda m, nn, T: m.register_buffer(1, T.ones(1)),
    lambda m, nn, T: m.register_buffer("q", 3),
    lambda m, nn, T: m.register_parameter("p", T.ones(1)),
    lambda m, nn, T: m.register_parameter("p.q", nn.Parameter(T.ones(1))),
    lambda m, nn, T: m.register_parameter("p", nn.Parameter(T.ones(1)) * 2),
    lambda m, nn, T: m.add_module("x", 3),
    lambda m, nn, T: m.add_module("x.y", nn.ReLU()),
    lambda m, nn, T: m.add_module("scale", nn.ReLU()),
    lambda m, nn, T: m.nope,
    lambda m, nn, T: m.train("yes"),
    lambda m, nn, T: m.to(T.int64),
    lambda m, nn, T: m.load_state_dict([1, 2]),
    lambda m, nn, T: m(T.ones(2, 4)),
    lambda m, nn, T: nn.Module()(T.ones(1)),
    lambda m, nn, T: m.register_full_backward_hook(lambda *a: None) and
    m.register_backward_hook(lambda *a: None),
])
def test_errors_match_torch(fn):
    def exc(m, nn, T):
        try:
            fn(m, nn, T)
        except Exception as e:  # noqa: BLE001 (the type is what is compared)
            return type(e).__name__
        return None
    te = exc(_net(torch.nn), torch.nn, torch)
    ne = exc(_net(nt.nn), nt.nn, nt)
    assert te is not None and ne == te


def test_setattr_before_init_raises():
    for nn in (torch.nn, nt.nn):
        class Bad(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(nt.ones(1) if nn is nt.nn else torch.ones(1))
        with pytest.raises(AttributeError):
            Bad()


def test_state_dict_round_trip_and_strictness():
    tm, nm = _net(torch.nn), _net(nt.nn)
    copy_state(tm, nm)
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    assert_close(nm(nt.tensor(x)), tm(torch.tensor(x)))
    sd = nm.state_dict()
    assert "a.tmp" not in sd and all(not v.requires_grad for v in sd.values())
    assert all(v.requires_grad for k, v in nm.state_dict(keep_vars=True).items()
               if k.endswith(("weight", "bias", "scale")))
    assert list(nm.state_dict(prefix="p.").keys())[0] == "p.scale"
    # strict=False reports missing and unexpected keys as torch does
    t_sd = {k: v for k, v in tm.state_dict().items() if k != "scale"}
    t_sd["extra.w"] = torch.ones(1)
    n_sd = {k: nt.from_numpy(v.numpy().copy()) for k, v in t_sd.items()}
    tr = tm.load_state_dict(t_sd, strict=False)
    nr = nm.load_state_dict(n_sd, strict=False)
    assert nr.missing_keys == tr.missing_keys and nr.unexpected_keys == tr.unexpected_keys
    assert repr(nm.load_state_dict(nm.state_dict())) == repr(tm.load_state_dict(
        tm.state_dict()))
    with pytest.raises(RuntimeError, match="Missing key"):
        nm.load_state_dict(n_sd)
    bad = dict(nm.state_dict())
    bad["a.fc.weight"] = nt.zeros(2, 3)
    with pytest.raises(RuntimeError, match="size mismatch for a.fc.weight"):
        nm.load_state_dict(bad)


def test_load_into_existing_parameters_in_place():
    nm = nt.nn.Linear(3, 2)
    w = nm.weight
    nm.load_state_dict({"weight": nt.ones(2, 3), "bias": nt.zeros(2)})
    assert nm.weight is w and float(w.sum()) == 6.0
    assert nm.weight.requires_grad


def test_train_eval_requires_grad_zero_grad():
    nm = _net(nt.nn)
    nm.eval()
    assert not any(m.training for m in nm.modules())
    nm.train()
    assert all(m.training for m in nm.modules())
    nm(nt.ones(2, 3)).sum().backward()
    assert all(p.grad is not None for p in nm.parameters())
    nm.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in nm.parameters())
    nm.zero_grad()
    assert all(p.grad is None for p in nm.parameters())
    nm.requires_grad_(False)
    assert not any(p.requires_grad for p in nm.parameters())


def test_to_and_casts_keep_parameter_identity():
    nm = _net(nt.nn)
    p = nm.a.fc.weight
    nm.double()
    assert nm.a.fc.weight is p and p.dtype == nt.float64 and nm.a.steps.dtype == nt.float64
    nm.to(nt.float32)
    assert p.dtype == nt.float32
    nm.to("cpu")
    nm.to(nt.zeros(1, dtype=nt.float64))
    assert p.dtype == nt.float64
    bn = nt.nn.BatchNorm1d(2).double()
    assert bn.num_batches_tracked.dtype == nt.int64
    assert nm.cpu() is nm
    with pytest.raises(AssertionError):
        nm.cuda()


def test_apply_and_init_order():
    names = []
    nm = _net(nt.nn)
    nm.apply(lambda m: names.append(type(m).__name__))
    tnames = []
    _net(torch.nn).apply(lambda m: tnames.append(type(m).__name__))
    assert names == tnames


def test_forward_hooks_match_torch():
    def run(nn, T):
        m = nn.Linear(3, 2)
        calls = []
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
        h3 = m.register_forward_hook(lambda mod, args, kwargs, out: calls.append(kwargs),
                                     with_kwargs=True, prepend=True)
        x = T.ones(1, 3)
        with T.no_grad():
            m.weight.fill_(0.5)
            m.bias.fill_(0.0)
        y1 = m(x)
        h1.remove()
        h2.remove()
        h3.remove()
        y2 = m(x)
        return y1.detach().numpy(), y2.detach().numpy(), calls
    t = run(torch.nn, torch)
    n = run(nt.nn, nt)
    np.testing.assert_allclose(n[0], t[0])
    np.testing.assert_allclose(n[1], t[1])
    assert n[2] == t[2]


def test_full_backward_hooks_match_torch():
    def run(nn, T):
        m = nn.Linear(3, 2)
        with T.no_grad():
            m.weight.copy_(T.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]))
        seen = {}

        def pre(mod, grad_output):
            seen["pre"] = grad_output[0].numpy().copy()
            return (grad_output[0] * 2,)

        def hook(mod, grad_input, grad_output):
            seen["gi"] = grad_input[0].numpy().copy()
            seen["go"] = grad_output[0].numpy().copy()
            return (grad_input[0] * 3,)
        m.register_full_backward_pre_hook(pre)
        m.register_full_backward_hook(hook)
        x = T.tensor([[1.0, -1.0, 2.0]], requires_grad=True)
        y = m(x)
        (y * T.tensor([[1.0, 2.0]])).sum().backward()
        return seen, x.grad.numpy(), m.weight.grad.numpy(), y.grad_fn.name()
    (ts, tx, tw, tn), (ns, nx, nw, nn_) = run(torch.nn, torch), run(nt.nn, nt)
    for k in ("pre", "gi", "go"):
        np.testing.assert_allclose(ns[k], ts[k], rtol=1e-6)
    np.testing.assert_allclose(nx, tx, rtol=1e-6)
    np.testing.assert_allclose(nw, tw, rtol=1e-6)
    assert nn_ == tn


def test_backward_hook_without_input_grad():
    for nn, T in ((torch.nn, torch), (nt.nn, nt)):
        m = nn.Linear(2, 2)
        got = []
        m.register_full_backward_hook(lambda mod, gi, go: got.append((gi, go[0].shape)))
        m(T.ones(1, 2)).sum().backward()
        assert got[0][0] == (None,) and tuple(got[0][1]) == (1, 2)


def test_global_forward_hook():
    from numtorch.nn.modules.module import register_module_forward_hook
    seen = []
    h = register_module_forward_hook(lambda m, a, o: seen.append(type(m).__name__))
    try:
        nt.nn.Sequential(nt.nn.Linear(2, 2), nt.nn.ReLU())(nt.ones(1, 2))
    finally:
        h.remove()
    assert seen == ["Linear", "ReLU", "Sequential"]


class _PBlock(nt.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nt.nn.Linear(3, 3)
        self.register_buffer("steps", nt.zeros(1))

    def forward(self, x):
        return self.fc(x).relu()


class _PNet(nt.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = _PBlock()
        self.shared = self.a.fc
        self.scale = nt.nn.Parameter(nt.ones(1))
        self.head = nt.nn.Sequential(nt.nn.Linear(3, 2), nt.nn.ReLU())

    def forward(self, x):
        return self.head(self.a(x)) * self.scale


def test_deepcopy_and_pickle():
    nm = _PNet()
    for clone in (copy.deepcopy(nm), pickle.loads(pickle.dumps(nm))):
        assert repr(clone) == repr(nm)
        assert clone.shared is clone.a.fc  # sharing survives
        assert isinstance(clone.scale, nt.nn.Parameter)
        for (k, a), (_, b) in zip(clone.state_dict().items(), nm.state_dict().items()):
            np.testing.assert_array_equal(a._data, b._data)
            assert not np.shares_memory(a._data, b._data)
        x = nt.ones(2, 3)
        np.testing.assert_allclose(clone(x)._data, nm(x)._data)


def test_parameter_repr_and_pickle():
    p = nt.nn.Parameter(nt.tensor([1.0, 2.0]))
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == repr(tp)
    q = pickle.loads(pickle.dumps(p))
    assert isinstance(q, nt.nn.Parameter) and q.requires_grad
    r = nt.nn.Parameter(nt.ones(2), requires_grad=False)
    assert not r.requires_grad and repr(r).startswith("Parameter containing:")
    assert nt.nn.Parameter().shape == (0,)


def test_sequential_api_matches_torch():
    def build(nn):
        return nn.Sequential(OrderedDict([("l1", nn.Linear(2, 3)), ("act", nn.ReLU()),
                                          ("l2", nn.Linear(3, 1))]))
    ts, ns = build(torch.nn), build(nt.nn)
    assert repr(ns[1:]).replace("numtorch", "torch") == repr(ts[1:])
    assert type(ns[-1]).__name__ == "Linear" and len(ns) == 3
    ts = torch.nn.Sequential(*list(ts))
    ns = nt.nn.Sequential(*list(ns))
    for s, nn in ((ts, torch.nn), (ns, nt.nn)):
        s.append(nn.Tanh())
        s.insert(1, nn.Identity())
        s.extend([nn.Sigmoid()])
        del s[0]
        s[0] = nn.ReLU6()
    assert repr(ns).replace("numtorch", "torch") == repr(ts)
    assert _names(ns.named_children()) == _names(ts.named_children())
    assert repr(ns + ns).replace("numtorch", "torch") == repr(ts + ts)
    with pytest.raises(IndexError):
        ns[10]


def test_module_list_dict_repr_and_api():
    def build(nn):
        ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
        ml.append(nn.ReLU())
        ml.insert(0, nn.Tanh())
        ml.extend([nn.Tanh()])
        md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 1)})
        md["c"] = nn.Tanh()
        md.update([("d", nn.Sigmoid())])
        return ml, md
    (tl, td), (nl, nd) = build(torch.nn), build(nt.nn)
    assert repr(nl).replace("numtorch", "torch") == repr(tl)
    assert repr(nl[1:3]).replace("numtorch", "torch") == repr(tl[1:3])
    assert repr(nd).replace("numtorch", "torch") == repr(td)
    assert list(nd.keys()) == list(td.keys())
    assert nd.pop("b").__class__.__name__ == "ReLU" and "b" not in nd
    del nl[0]
    del tl[0]
    assert repr(nl).replace("numtorch", "torch") == repr(tl)
    with pytest.raises(TypeError):
        nl.extend(3)


def test_parameter_list_and_dict_match_torch():
    def build(nn, T):
        pl = nn.ParameterList([nn.Parameter(T.ones(2, 2)), T.zeros(3)])
        pl.append(nn.Parameter(T.ones(1), requires_grad=False))
        pd = nn.ParameterDict({"b": nn.Parameter(T.ones(2)), "a": T.zeros(1, 3)})
        pd["c"] = nn.Parameter(T.ones(4, dtype=T.float64))
        return pl, pd
    (tl, td), (nl, nd) = build(torch.nn, torch), build(nt.nn, nt)
    assert repr(nl).replace("numtorch", "torch") == repr(tl)
    assert repr(nd).replace("numtorch", "torch") == repr(td)
    assert list(nd.keys()) == list(td.keys())
    assert _names(nl.named_parameters()) == _names(tl.named_parameters())
    assert isinstance(nl[1], nt.nn.Parameter) and len(nl) == 3
    with pytest.raises(TypeError):
        nd[1] = nt.ones(1)
    with pytest.raises(RuntimeError):
        nl(nt.ones(1))


def test_extra_state_and_state_dict_hooks():
    class WithExtra(nt.nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 1

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]
    m = WithExtra()
    sd = m.state_dict()
    assert sd["_extra_state"] == {"value": 1}
    m2 = WithExtra()
    m2.value = 5
    m2.load_state_dict(sd)
    assert m2.value == 1
    seen = []
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(keys))
    m.load_state_dict(sd)
    assert seen and seen[0].missing_keys == []
