"""Random streams vs live torch: the bits of every output AND the whole generator state
(torch.get_rng_state(), 5056 bytes) after every call must be identical.

The grid (issue "RNG"): seeds 0-20, sizes 1, 2, 15, 16, 17, 100, 1000, 12345 and (256, 784),
float32/float64 and the integer types. It is sampled: every size for seeds 0 and 1, and sizes
1, 17 and 1000 for every seed (a wrong draw count shows up in the state on the first call).
"""
import numpy as np
import pytest

import numtorch as nt

from .conftest import torch

SIZES = [1, 2, 15, 16, 17, 100, 1000, 12345, (256, 784)]
FLOATS = ["float32", "float64"]
INTS = ["int64", "int32", "int16", "int8", "uint8", "bool"]


def _arr(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if isinstance(x, nt.Tensor):
        return x._data
    return np.asarray(x)


def _same_bits(a, b):
    if isinstance(a, list):
        return (isinstance(b, list) and len(a) == len(b)
                and all(_same_bits(x, y) for x, y in zip(a, b)))
    a, b = np.ascontiguousarray(_arr(a)), np.ascontiguousarray(_arr(b))
    return (a.dtype == b.dtype and a.shape == b.shape
            and a.view(np.uint8).tobytes() == b.view(np.uint8).tobytes())


def _same_state():
    return np.array_equal(torch.get_rng_state().numpy(), nt.get_rng_state()._data)


def _check(fn, seed, what=""):
    """Run ``fn(module)`` with torch and numtorch from the same seed; compare bits and state."""
    torch.manual_seed(seed)
    nt.manual_seed(seed)
    a, b = fn(torch), fn(nt)
    assert _same_bits(a, b), (f"{what} seed={seed}: values differ\n torch    "
                              f"{_arr(a).ravel()[:6]}\n numtorch {_arr(b).ravel()[:6]}")
    assert _same_state(), f"{what} seed={seed}: generator state differs after the call"


def _dt(X, name):
    return getattr(X, name)


def _p_tensor(X, size, dt):
    """A deterministic probability tensor of ``size`` (values spread over [0, 1])."""
    n = int(np.prod(size))
    p = ((np.arange(n) * 0.6180339887) % 1.0).astype(dt).reshape(size)
    return X.from_numpy(p)


# name -> (fn(X, size, dtype_name), dtypes)
CASES = {
    "rand": (lambda X, s, d: X.rand(s, dtype=_dt(X, d)), FLOATS),
    "randn": (lambda X, s, d: X.randn(s, dtype=_dt(X, d)), FLOATS),
    "normal_": (lambda X, s, d: X.empty(s, dtype=_dt(X, d)).normal_(0.5, 2.0), FLOATS),
    "uniform_": (lambda X, s, d: X.empty(s, dtype=_dt(X, d)).uniform_(-0.3, 0.7), FLOATS),
    "uniform_kaiming": (lambda X, s, d: X.empty(s, dtype=_dt(X, d)).uniform_(-0.0357, 0.0357),
                        ["float32"]),
    "randint": (lambda X, s, d: X.randint(-3, 1000, s if isinstance(s, tuple) else (s,),
                                          dtype=_dt(X, d)),
                ["int64", "int32", "int16", "float32", "float64"]),
    "randint_2**40": (lambda X, s, d: X.randint(0, 2 ** 40, s if isinstance(s, tuple) else (s,),
                                                dtype=_dt(X, d)), ["int64", "float64"]),
    "random_": (lambda X, s, d: X.empty(s, dtype=_dt(X, d)).random_(), INTS + FLOATS),
    "random_(to)": (lambda X, s, d: X.empty(s, dtype=_dt(X, d)).random_(100),
                    ["int64", "int8", "uint8", "float32", "float64"]),
    "bernoulli_(p)": (lambda X, s, d: X.empty(s, dtype=_dt(X, d)).bernoulli_(0.3),
                      FLOATS + ["int64"]),
    "bernoulli(P)": (lambda X, s, d: X.bernoulli(_p_tensor(X, s, d)), FLOATS),
    "exponential_": (lambda X, s, d: X.empty(s, dtype=_dt(X, d)).exponential_(1.5), FLOATS),
    "randperm": (lambda X, s, d: X.randperm(s if isinstance(s, int) else 5000), ["int64"]),
}
COMBOS = [(name, d) for name, (_, dts) in CASES.items() for d in dts]


@pytest.mark.parametrize("name,dtype", COMBOS, ids=[f"{n}-{d}" for n, d in COMBOS])
def test_all_sizes(name, dtype):
    fn = CASES[name][0]
    for size in SIZES:
        for seed in (0, 1):
            _check(lambda X: fn(X, size, dtype), seed, f"{name} {dtype} size={size}")


@pytest.mark.parametrize("name,dtype", COMBOS, ids=[f"{n}-{d}" for n, d in COMBOS])
def test_all_seeds(name, dtype):
    fn = CASES[name][0]
    for seed in range(2, 21):
        for size in (1, 17, 1000):
            _check(lambda X: fn(X, size, dtype), seed, f"{name} {dtype} size={size}")


def test_seed_aliasing_and_negative_seeds():
    for seed in (2 ** 32 + 5, -1, -(2 ** 63), 2 ** 64 - 1, 67280421310721):
        _check(lambda X: X.rand(5), seed, "rand")
        torch.manual_seed(seed)
        nt.manual_seed(seed)
        assert torch.initial_seed() == nt.initial_seed()


def test_mixed_call_sequences():
    """Random sequences of calls (with the Box-Muller cache crossing calls): bits and state are
    compared after every call, from a single seed."""
    rng = np.random.default_rng(1234)
    names = [(n, d) for n, d in COMBOS]
    sizes = [1, 2, 3, 5, 15, 16, 17, 33, 100]
    for seed in (0, 5):
        torch.manual_seed(seed)
        nt.manual_seed(seed)
        for step in range(120):
            name, dtype = names[rng.integers(len(names))]
            size = sizes[rng.integers(len(sizes))]
            fn = CASES[name][0]
            a, b = fn(torch, size, dtype), fn(nt, size, dtype)
            assert _same_bits(a, b), f"step {step}: {name} {dtype} {size}"
            assert _same_state(), f"step {step}: state after {name} {dtype} {size}"


@pytest.mark.parametrize("calls", [
    ["randn(3)", "randn(1)", "randn(5)", "randn(2, dtype=X.float64)"],
    ["randn(3)", "randn(100)", "rand(7)", "randn(1)"],
    ["randn(5, dtype=X.float64)", "randn(3)", "empty(4).normal_(2.0, 3.0)"],
    ["empty(3).normal_(-1.0, 0.5)", "empty(20).normal_(1.0, 0.1)", "randn(1)"],
])
def test_box_muller_cache_across_calls(calls):
    torch.manual_seed(3)
    nt.manual_seed(3)
    for c in calls:
        a, b = eval("X." + c, {"X": torch}), eval("X." + c, {"X": nt})
        assert _same_bits(a, b), c
        assert _same_state(), c


# ---- memory order: non-contiguous targets ------------------------------------------------------
TARGETS = {
    "transposed": lambda X, d: X.zeros(30, 20, dtype=d).t(),
    "sliced": lambda X, d: X.zeros(20, 30, dtype=d)[:, ::3],
    "permuted": lambda X, d: X.zeros(4, 5, 6, dtype=d).permute(2, 0, 1),
    "small_t": lambda X, d: X.zeros(3, 4, dtype=d).t(),
}
FILLS = {
    "normal_": lambda t: t.normal_(0.2, 1.5),
    "uniform_": lambda t: t.uniform_(-2.0, 3.0),
    "random_": lambda t: t.random_(0, 1000),
    "bernoulli_(p)": lambda t: t.bernoulli_(0.4),
    "exponential_": lambda t: t.exponential_(),
}


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("fill", list(FILLS))
@pytest.mark.parametrize("dtype", FLOATS)
def test_fill_non_contiguous_writes_through_view_in_memory_order(target, fill, dtype):
    def run(X):
        view = TARGETS[target](X, _dt(X, dtype))
        base = view._base if isinstance(view, nt.Tensor) else view._base
        out = FILLS[fill](view)
        assert out is view
        return base if base is not None else view
    _check(run, 11, f"{fill} on {target}")


@pytest.mark.parametrize("dtype", FLOATS)
def test_bernoulli_tensor_p_broadcast_into_transposed(dtype):
    def run(X):
        t = X.empty(12, 8, dtype=_dt(X, dtype)).t()
        p = _p_tensor(X, (1, 12), dtype)
        t.bernoulli_(p)
        return t.contiguous()
    _check(run, 4, "bernoulli_(P) broadcast")


@pytest.mark.parametrize("fn", ["rand_like", "randn_like"])
def test_like_of_transposed_input_follows_memory_order(fn):
    def run(X):
        src = X.zeros(40, 30).t()
        out = getattr(X, fn)(src)
        return out.contiguous()
    _check(run, 9, fn)


# ---- other dtypes, other entry points ----------------------------------------------------------
@pytest.mark.parametrize("call", [
    "rand(100, dtype=X.float16)", "randn(100, dtype=X.float16)", "randn(10, dtype=X.float16)",
    "randn(48, dtype=X.float16)", "empty(50, dtype=X.float16).random_()",
    "empty(50, dtype=X.float16).random_(0, 100)", "empty(30, dtype=X.float16).exponential_()",
    "empty(30, dtype=X.float16).uniform_(-3.0, 5.0)", "empty(20, dtype=X.float16).normal_(1., 2.)",
    "rand(20, dtype=X.complex64)", "randn(20, dtype=X.complex64)",
    "randn(5, dtype=X.complex128)", "empty(10, dtype=X.complex64).normal_(1.0, 2.0)",
    "empty(40).uniform_(16777214.0, 16777216.0)",
    "rand(30, generator=X.Generator().manual_seed(8))",
    "randint(10, (30,))", "randint(low=5, high=9, size=(3, 4))", "randint(3, 10, (2, 2))",
    "empty(5, dtype=X.int64).random_(-2**63, None)", "empty(9, dtype=X.int8).random_(-5, None)",
    "empty(9, dtype=X.float64).random_(2**20, None)", "empty(12).random_(-100, 10**9)",
    "randperm(10, dtype=X.float32)", "randperm(0)", "randperm(1)",
    "randint_like(X.zeros(3, 4), 10)", "randint_like(X.zeros(5), 3, 8)",
    "normal(X.zeros(20), X.ones(20) * 2)", "normal(X.zeros(7), 3.0)",
    "normal(2.0, X.ones(3, 10) * 3)", "normal(X.arange(20.), X.arange(20.) / 10)",
    "normal(1.0, 2.0, (4, 5))", "normal(1.0, 2.0, size=(40,))",
    "multinomial(X.tensor([0.1, 0.2, 0.7]), 12, True)",
    "multinomial(X.tensor([0.1, 0.2, 0.7]), 3)", "multinomial(X.tensor([0.1, 0.2, 0.7]), 1)",
    "multinomial(X.tensor([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]]), 2)",
    "multinomial(X.tensor([[1., 2., 3., 4.], [4., 3., 2., 1.]], dtype=X.float64), 9, True)",
    "multinomial(X.rand(3, 50), 20)", "multinomial(X.tensor([0., 1.]), 2)",
    "empty(9).geometric_(0.3)", "empty(9).cauchy_(1.0, 2.0)", "empty(9).log_normal_(0.5, 0.3)",
    "empty(9, dtype=X.float64).log_normal_()", "empty(7, dtype=X.bool).bernoulli_(0.5)",
    "empty(40, dtype=X.float64).uniform_(-1e-300, 1e300)", "empty(40).uniform_(1e-3, 1e-3)",
    "empty(0).normal_()", "empty(0, 5).uniform_()",
    "poisson(X.linspace(0., 30., 40))", "poisson(X.full((3, 4), 12.5, dtype=X.float64))",
    "poisson(X.tensor([0.5, 1e4, 9.99, 10.0]))",
])
@pytest.mark.filterwarnings("ignore:.*out of bounds:UserWarning")
def test_calls(call):
    _check(lambda X: eval("X." + call, {"X": X}), 13, call)


def test_random_full_ranges_for_each_dtype():
    for d in INTS + FLOATS:
        _check(lambda X: X.empty(2000, dtype=_dt(X, d)).random_(), 2, d)


# ---- generator state ---------------------------------------------------------------------------
def test_state_bytes_and_interchange_with_torch():
    for seed in (0, 3, 2 ** 40):
        torch.manual_seed(seed)
        nt.manual_seed(seed)
        assert _same_state()                                   # just seeded: next = 0
        for call in ("randn(3)", "rand(1000)", "randn(5, dtype=X.float64)"):
            eval("X." + call, {"X": torch})
            eval("X." + call, {"X": nt})
            assert _same_state()
    # torch state -> numtorch, continue identically (mid-stream, cached normal present)
    torch.manual_seed(7)
    torch.randn(3)
    torch.rand(700)
    nt.set_rng_state(nt.from_numpy(torch.get_rng_state().numpy().copy()))
    assert _same_state()
    assert _same_bits(torch.randn(5), nt.randn(5))
    # numtorch state -> torch
    nt.manual_seed(8)
    nt.randn(7)
    torch.set_rng_state(torch.from_numpy(nt.get_rng_state()._data.copy()))
    assert _same_bits(torch.randn(9), nt.randn(9))
    assert _same_state()


def test_generator_objects():
    gt, gn = torch.Generator(), nt.Generator()
    assert gt.initial_seed() == gn.initial_seed() == 67280421310721
    assert np.array_equal(gt.get_state().numpy(), gn.get_state()._data)
    assert gn.manual_seed(5) is gn
    gt.manual_seed(5)
    assert _same_bits(torch.randn(20, generator=gt), nt.randn(20, generator=gn))
    st_t, st_n = gt.get_state(), gn.get_state()
    assert np.array_equal(st_t.numpy(), st_n._data)
    a_t = torch.rand(4, generator=gt)
    a_n = nt.rand(4, generator=gn)
    gt.set_state(st_t)
    gn.set_state(st_n)
    assert _same_bits(torch.rand(4, generator=gt), a_t)
    assert _same_bits(nt.rand(4, generator=gn), a_n)
    # the default generator is untouched by explicit generators
    torch.manual_seed(1)
    nt.manual_seed(1)
    torch.rand(3, generator=gt)
    nt.rand(3, generator=gn)
    assert _same_state()
    s = nt.seed()
    assert nt.initial_seed() == s and 0 <= s < 2 ** 64
    import pickle
    gn.manual_seed(9)
    gn.randn_probe = None
    g2 = pickle.loads(pickle.dumps(gn))
    assert _same_bits(nt.rand(5, generator=g2), nt.rand(5, generator=gn))


def test_fork_rng_restores_state():
    nt.manual_seed(3)
    before = nt.get_rng_state()._data.copy()
    with nt.random.fork_rng():
        nt.randn(100)
    assert np.array_equal(before, nt.get_rng_state()._data)


# ---- errors: same exception type as torch --------------------------------------------------------
ERRORS = [
    "empty(2, dtype=X.int8).random_(-100000, 100000)",
    "empty(2, dtype=X.uint8).random_(0, 1000)",
    "empty(3).random_(5, 3)", "randint(5, 3, (2,))", "empty(3).uniform_(2, 1)",
    "empty(2).uniform_(-3e38, 3e38)", "empty(3).normal_(0, -1)",
    "empty(3, dtype=X.int64).normal_()", "empty(3, dtype=X.int64).uniform_()",
    "empty(3, dtype=X.int64).exponential_()", "empty(3).exponential_(-1)",
    "empty(3).bernoulli_(1.5)", "bernoulli(X.full((3,), 1.5))", "bernoulli(X.tensor([0.5]), 2.)",
    "empty(2).bernoulli_(X.tensor([1, 0]))", "randn(3, dtype=X.int64)",
    "rand(3, dtype=X.int64)", "empty(2).geometric_(1.5)", "empty(2).log_normal_(0, -1)",
    "empty(2).cauchy_(0, -1)", "multinomial(X.tensor([1, 2]), 1)",
    "multinomial(X.tensor([0., 0.]), 1)", "multinomial(X.tensor([-1., 1.]), 2, True)",
    "multinomial(X.tensor([-1., 1.]), 1)", "multinomial(X.tensor([0., 1.]), 3)",
    "multinomial(X.tensor([0., 1.]), 0)", "multinomial(X.ones(2, 2, 2), 1)", "randperm(-1)",
    "normal(X.zeros(2), X.tensor([1., -1.]))", "normal(X.zeros(2), -1.0)",
    "poisson(X.tensor([1.0, -1.0]))",
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match_torch(call):
    with pytest.raises(Exception) as et:
        eval("X." + call, {"X": torch})
    with pytest.raises(Exception) as en:
        eval("X." + call, {"X": nt})
    assert type(en.value) is type(et.value), (en.value, et.value)


def test_set_state_errors():
    with pytest.raises(RuntimeError):
        nt.set_rng_state(nt.zeros(10, dtype=nt.uint8))
    with pytest.raises(TypeError):
        nt.set_rng_state(nt.zeros(5056, dtype=nt.int64))
    bad = nt.get_rng_state()
    bad._data[12] = 0
    with pytest.raises(RuntimeError):
        nt.set_rng_state(bad)
    with pytest.raises(ValueError):
        nt.manual_seed(2 ** 64)


def test_leaf_requiring_grad_rejects_inplace_fill():
    for X in (torch, nt):
        w = X.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError):
            w.uniform_()
        with X.no_grad():
            w.normal_()


# ---- end to end: what nn / data build on these -------------------------------------------------
def _need(*names):
    for name in names:
        obj = nt
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                pytest.skip(f"numtorch.{name} not available yet")


@pytest.mark.parametrize("args", [(784, 256), (3, 2), (1000, 10)])
def test_linear_init_matches_torch(args):
    _need("nn.Linear")
    for seed in (0, 1):
        torch.manual_seed(seed)
        nt.manual_seed(seed)
        a, b = torch.nn.Linear(*args), nt.nn.Linear(*args)
        assert _same_bits(a.weight, b.weight) and _same_bits(a.bias, b.bias)
        assert _same_state()


def test_conv_init_matches_torch():
    _need("nn.Conv2d")
    torch.manual_seed(0)
    nt.manual_seed(0)
    for args in [(1, 2, 2), (3, 16, 3), (16, 32, (3, 5))]:
        a, b = torch.nn.Conv2d(*args), nt.nn.Conv2d(*args)
        assert _same_bits(a.weight, b.weight) and _same_bits(a.bias, b.bias)
    assert _same_state()


def test_dropout_masks_match_torch():
    _need("nn.Dropout", "nn.functional.dropout")
    for p in (0.5, 0.3, 0.021):
        _check(lambda X: X.nn.functional.dropout(X.ones(64, 33), p), 1, f"dropout p={p}")

    def module(X):
        d = X.nn.Dropout(0.2)
        d.train()
        x = X.ones(10, 20, requires_grad=True)
        return d(x)
    _check(module, 2, "nn.Dropout")


def test_random_sampler_and_random_split_match_torch():
    _need("utils.data.RandomSampler", "utils.data.random_split")
    _check(lambda X: list(X.utils.data.RandomSampler(range(100))), 0, "RandomSampler")
    _check(lambda X: [list(s) for s in X.utils.data.random_split(range(50), [0.3, 0.7])], 1,
           "random_split")
    g = lambda X: X.Generator().manual_seed(42)  # noqa: E731
    _check(lambda X: list(X.utils.data.RandomSampler(range(30), generator=g(X))), 0,
           "RandomSampler(generator)")


def test_dataloader_shuffle_order_matches_torch():
    _need("utils.data.DataLoader", "utils.data.TensorDataset")

    def run(X):
        ds = X.utils.data.TensorDataset(X.arange(40))
        dl = X.utils.data.DataLoader(ds, batch_size=8, shuffle=True)
        return [b[0].tolist() for _ in range(2) for b in dl]
    _check(run, 5, "DataLoader(shuffle=True)")


def test_normal_with_tensor_parameters_has_zero_gradient():
    res = {}
    for X in (torch, nt):
        X.manual_seed(0)
        m, s = X.zeros(3, requires_grad=True), X.ones(3, requires_grad=True)
        outs = [X.normal(m, 2.0), X.normal(0.5, s), X.normal(m, s)]
        sum(o.sum() for o in outs).backward()
        res[X] = ([o.grad_fn.name() for o in outs], outs, m.grad, s.grad)
    (nt_names, nt_outs, nt_gm, nt_gs), (t_names, t_outs, t_gm, t_gs) = res[nt], res[torch]
    assert nt_names == t_names == ["NormalBackward1", "NormalBackward2", "NormalBackward3"]
    for a, b in zip(t_outs, nt_outs):
        assert _same_bits(a, b)
    assert _same_bits(t_gm, nt_gm) and _same_bits(t_gs, nt_gs)


def test_threaded_normal_fill_matches_torch(monkeypatch):
    """Large float32 fills are split across threads: same bits as one thread and as torch."""
    from numtorch import random as R
    monkeypatch.setattr(R, "_num_threads", lambda: 3)
    monkeypatch.setattr(R, "_PARALLEL_MIN", 1)
    monkeypatch.setattr(R, "_CHUNK", 4096)
    _check(lambda X: X.randn(100003), 21, "randn threaded")
    _check(lambda X: X.empty(70000).normal_(-1.0, 0.25), 22, "normal_ threaded")
