"""numtorch.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader.

Orders drawn from random generators are compared with torch exactly when numtorch's random
streams match torch's (checked by ``RNG_PARITY``); otherwise the loader's batches are checked
against the index sequence numtorch's own sampler produces for the same seed.
"""
import collections
import math
import warnings

import numpy as np
import pytest

import numtorch as nt
from numtorch.utils import data as ntd

from ..conftest import torch, assert_close
from ._workers_helpers import Range, Seeds

tud = torch.utils.data


def _rng_parity():
    nt.manual_seed(0)
    torch.manual_seed(0)
    same = nt.randperm(10).tolist() == torch.randperm(10).tolist()
    same = same and (nt.empty((), dtype=nt.int64).random_().item()
                     == torch.empty((), dtype=torch.int64).random_().item())
    g1, g2 = nt.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    same = same and nt.randint(0, 7, (40,), generator=g1).tolist() == torch.randint(
        0, 7, (40,), generator=g2).tolist()
    return same


RNG_PARITY = _rng_parity()


def _pair(n=23, feat=3):
    x = np.arange(n * feat, dtype=np.float32).reshape(n, feat)
    y = np.arange(n, dtype=np.int64) % 5
    return (ntd.TensorDataset(nt.from_numpy(x.copy()), nt.from_numpy(y.copy())),
            tud.TensorDataset(torch.from_numpy(x.copy()), torch.from_numpy(y.copy())))


def _batches_equal(nt_batches, t_batches):
    assert len(nt_batches) == len(t_batches)
    for a, b in zip(nt_batches, t_batches):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_close(x, y, rtol=0, atol=0)


# ---- datasets ---------------------------------------------------------------------------
def test_tensor_concat_subset_stack_chain():
    nds, tds = _pair(7)
    for i in (0, 3, -1):
        _batches_equal([nds[i]], [tds[i]])
    assert len(nds) == len(tds) == 7
    with pytest.raises(AssertionError, match="Size mismatch"):
        ntd.TensorDataset(nt.zeros(3), nt.zeros(4))
    cat_n, cat_t = nds + nds, tds + tds
    assert isinstance(cat_n, ntd.ConcatDataset) and cat_n.cumulative_sizes == cat_t.cumulative_sizes
    for i in (0, 6, 7, 13, -1, -14):
        _batches_equal([cat_n[i]], [cat_t[i]])
    with pytest.raises(ValueError, match="absolute value"):
        cat_n[-15]
    sub_n, sub_t = ntd.Subset(nds, [4, 0, 2]), tud.Subset(tds, [4, 0, 2])
    _batches_equal(sub_n.__getitems__([0, 2]), sub_t.__getitems__([0, 2]))
    st = ntd.StackDataset(a=range(3), b=range(10, 13))
    assert st[1] == tud.StackDataset(a=range(3), b=range(10, 13))[1] == {"a": 1, "b": 11}
    assert ntd.StackDataset(range(3), range(3)).__getitems__([0, 2]) == [(0, 0), (2, 2)]
    with pytest.raises(ValueError, match="Size mismatch"):
        ntd.StackDataset(range(3), range(4))

    class Stream(ntd.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n
    chain = Stream(2) + Stream(3)
    assert isinstance(chain, ntd.ChainDataset) and list(chain) == [0, 1, 0, 1, 2]
    assert len(chain) == 5


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.25, 0.25], [0.34, 0.33, 0.33]])
def test_random_split_matches_torch(lengths):
    g_nt, g_t = nt.Generator().manual_seed(42), torch.Generator().manual_seed(42)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts_nt = ntd.random_split(range(10), lengths, generator=g_nt)
        parts_t = tud.random_split(range(10), lengths, generator=g_t)
    assert [len(p) for p in parts_nt] == [len(p) for p in parts_t]
    flat = sorted(i for p in parts_nt for i in p.indices)
    assert flat == list(range(10))
    if RNG_PARITY:
        assert [p.indices for p in parts_nt] == [p.indices for p in parts_t]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        ntd.random_split(range(10), [3, 3])


# ---- samplers ---------------------------------------------------------------------------
def _sampler_cases():
    return [
        ("seq", lambda m, ds, g: m.SequentialSampler(ds)),
        ("rand", lambda m, ds, g: m.RandomSampler(ds, generator=g)),
        ("rand_repl", lambda m, ds, g: m.RandomSampler(ds, replacement=True, num_samples=70,
                                                      generator=g)),
        ("rand_more", lambda m, ds, g: m.RandomSampler(ds, num_samples=25, generator=g)),
        ("subset", lambda m, ds, g: m.SubsetRandomSampler([5, 3, 9, 1], generator=g)),
        ("weighted", lambda m, ds, g: m.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0], 6,
                                                              generator=g)),
        ("batch", lambda m, ds, g: m.BatchSampler(m.SequentialSampler(ds), 3, False)),
        ("batch_drop", lambda m, ds, g: m.BatchSampler(m.SequentialSampler(ds), 3, True)),
    ]


@pytest.mark.parametrize("name,make", _sampler_cases(), ids=[c[0] for c in _sampler_cases()])
def test_sampler_matches_torch(name, make):
    ds = range(10)
    s_nt = make(ntd, ds, nt.Generator().manual_seed(7))
    s_t = make(tud, ds, torch.Generator().manual_seed(7))
    a, b = list(s_nt), list(s_t)
    assert len(s_nt) == len(s_t) == len(a) == len(b)
    if RNG_PARITY or name in ("seq", "batch", "batch_drop"):
        if name != "weighted":  # multinomial parity is the RNG work's, checked separately
            assert a == b
    if name in ("rand", "subset"):
        assert sorted(a) == sorted(b)
    flat = [i for x in a for i in (x if isinstance(x, list) else [x])]
    assert all(0 <= i < 10 for i in flat)


def test_random_sampler_without_generator_draws_like_torch():
    nt.manual_seed(5)
    torch.manual_seed(5)
    a, b = list(ntd.RandomSampler(range(12))), list(tud.RandomSampler(range(12)))
    assert sorted(a) == list(range(12))
    if RNG_PARITY:
        assert a == b


@pytest.mark.parametrize("kw", [dict(shuffle=False), dict(shuffle=True, seed=3),
                                dict(drop_last=True, shuffle=True), dict(shuffle=False,
                                                                         drop_last=True)])
def test_distributed_sampler(kw):
    n, reps = 11, 3
    out_nt, out_t = [], []
    for rank in range(reps):
        s_nt = ntd.DistributedSampler(range(n), num_replicas=reps, rank=rank, **kw)
        s_t = tud.DistributedSampler(range(n), num_replicas=reps, rank=rank, **kw)
        s_nt.set_epoch(2)
        s_t.set_epoch(2)
        out_nt.append(list(s_nt))
        out_t.append(list(s_t))
        assert len(s_nt) == len(s_t) == len(out_nt[-1])
    if RNG_PARITY or not kw.get("shuffle"):
        assert out_nt == out_t
    with pytest.raises(ValueError, match="Invalid rank 3"):
        ntd.DistributedSampler(range(n), num_replicas=3, rank=3)


@pytest.mark.parametrize("make,exc,msg", [
    (lambda m: m.RandomSampler(range(3), replacement=1), TypeError, "replacement should be"),
    (lambda m: m.RandomSampler(range(3), num_samples=0), ValueError, "num_samples should be"),
    (lambda m: m.BatchSampler(range(3), 0, False), ValueError, "batch_size should be"),
    (lambda m: m.BatchSampler(range(3), 2, 1), ValueError, "drop_last should be"),
    (lambda m: m.WeightedRandomSampler([[1.0]], 2), ValueError, "weights should be a 1d"),
    (lambda m: m.WeightedRandomSampler([1.0], -1), ValueError, "num_samples should be"),
])
def test_sampler_errors_match_torch(make, exc, msg):
    with pytest.raises(exc) as e_t:
        make(tud)
    with pytest.raises(exc, match=msg) as e_nt:
        make(ntd)
    assert str(e_nt.value) == str(e_t.value)


# ---- collation --------------------------------------------------------------------------
Point = collections.namedtuple("Point", "x y")


def _collate_cases(m):
    T = nt if m is ntd else torch
    return [
        [0, 1, 2],
        [0.5, 1.5],
        [True, False],
        ["a", "b"],
        [b"a", b"b"],
        [np.float32(1.5), np.float32(2.5)],
        [np.int16(3), np.int16(4)],
        [np.arange(6, dtype=np.uint8).reshape(2, 3)] * 3,
        [T.arange(4).reshape(2, 2).float(), T.ones(2, 2)],
        [(1, 0.5, "x"), (2, 1.5, "y")],
        [[1, 2], [3, 4]],
        [{"a": 1, "b": T.zeros(2)}, {"a": 2, "b": T.ones(2)}],
        [Point(1, 2.0), Point(3, 4.0)],
    ]


def _compare(a, b):
    if isinstance(b, torch.Tensor):
        assert isinstance(a, nt.Tensor)
        assert_close(a, b, rtol=0, atol=0)
    elif isinstance(b, dict):
        assert type(a) is type(b) and a.keys() == b.keys()
        for k in b:
            _compare(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a).__name__ == type(b).__name__ and len(a) == len(b)
        for x, y in zip(a, b):
            _compare(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("i", range(len(_collate_cases(tud))))
def test_default_collate_and_convert_match_torch(i):
    _compare(ntd.default_collate(_collate_cases(ntd)[i]),
             tud.default_collate(_collate_cases(tud)[i]))
    _compare(ntd.default_convert(_collate_cases(ntd)[i]),
             tud.default_convert(_collate_cases(tud)[i]))


@pytest.mark.parametrize("batch", [[object(), object()], [np.array(["a"]), np.array(["b"])],
                                   [[1, 2], [3]]])
def test_default_collate_errors_match_torch(batch):
    with pytest.raises(Exception) as e_t:
        tud.default_collate(batch)
    with pytest.raises(type(e_t.value)) as e_nt:
        ntd.default_collate(batch)
    assert str(e_nt.value) == str(e_t.value).replace("torch", "numtorch") or \
        str(e_nt.value) == str(e_t.value)


# ---- DataLoader -------------------------------------------------------------------------
_LOADER_CASES = [
    dict(batch_size=4),
    dict(batch_size=4, drop_last=True),
    dict(batch_size=None),
    dict(batch_size=5, shuffle=True, gen=11),
    dict(batch_size=5, shuffle=True),
    dict(sampler="rand_repl", batch_size=6, gen=2),
    dict(batch_sampler="batches"),
    dict(batch_size=3, sampler="subset", gen=4, drop_last=True),
]


def _make_loader(m, ds, case, num_workers):
    kw = dict(case)
    seed = kw.pop("gen", None)
    gen = None if seed is None else (nt if m is ntd else torch).Generator().manual_seed(seed)
    if kw.get("sampler") == "rand_repl":
        kw["sampler"] = m.RandomSampler(ds, replacement=True, num_samples=17, generator=gen)
    elif kw.get("sampler") == "subset":
        kw["sampler"] = m.SubsetRandomSampler(list(range(3, 20)), generator=gen)
    if kw.get("batch_sampler") == "batches":
        kw["batch_sampler"] = [[0, 5], [2, 3, 9], [22]]
    return m.DataLoader(ds, num_workers=num_workers, generator=gen, **kw)


def _seed_both(s=1234):
    nt.manual_seed(s)
    torch.manual_seed(s)


def _check_loader(case, num_workers):
    nds, tds = _pair()
    l_nt = _make_loader(ntd, nds, case, num_workers)
    l_t = _make_loader(tud, tds, case, 0)
    assert len(l_nt) == len(l_t)
    _seed_both()
    got = list(l_nt)
    expect = list(l_t) if RNG_PARITY else None
    _seed_both()
    if RNG_PARITY:
        _batches_equal(got, expect)
        return
    # Without torch-identical streams: the batches must follow numtorch's own index order,
    # drawn the same way the loader draws it (base seed first, then the sampler).
    nt.empty((), dtype=nt.int64).random_(generator=l_nt.generator)
    order = list(l_nt._index_sampler)
    assert len(got) == len(order)
    for batch, idx in zip(got, order):
        ref = ntd.default_collate([nds[i] for i in idx]) if l_nt.batch_size is not None or \
            l_nt.batch_sampler is not None else ntd.default_convert(nds[idx])
        for x, y in zip(batch, ref):
            assert np.array_equal(x._data, y._data)


@pytest.mark.parametrize("ci", range(len(_LOADER_CASES)))
def test_dataloader_single_process_matches_torch(ci):
    _check_loader(_LOADER_CASES[ci], 0)


@pytest.mark.parametrize("ci", [3, 6])
def test_dataloader_two_workers_matches_torch(ci):
    _check_loader(_LOADER_CASES[ci], 2)


class _TRange(tud.IterableDataset):
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        return iter(range(self.start, self.end))


def test_iterable_dataset_sharded_by_worker():
    ds = Range(3, 10)
    assert [b.tolist() for b in ntd.DataLoader(ds, batch_size=2)] == [[3, 4], [5, 6], [7, 8],
                                                                      [9]]
    got = [b.tolist() for b in ntd.DataLoader(ds, batch_size=2, num_workers=2)]
    # worker 0 holds 3..6, worker 1 holds 7..9; batches alternate between workers
    assert got == [[3, 4], [7, 8], [5, 6], [9]]
    assert len(ntd.DataLoader(ds, batch_size=2, drop_last=True)) == 3


def _both_raise(make, exc=ValueError):
    with pytest.raises(exc) as e_t:
        make(tud)
    with pytest.raises(exc) as e_nt:
        make(ntd)
    assert str(e_nt.value) == str(e_t.value)


@pytest.mark.parametrize("kw", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True), dict(shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True), dict(multiprocessing_context="fork"),
    dict(num_workers=1, multiprocessing_context="nonsense"),
])
def test_dataloader_argument_errors_match_torch(kw):
    _both_raise(lambda m: m.DataLoader(list(range(4)), **kw))


def test_dataloader_iterable_errors_and_setattr():
    _both_raise(lambda m: m.DataLoader((Range if m is ntd else _TRange)(0, 3), shuffle=True))
    l_nt = ntd.DataLoader(list(range(4)))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after "
                                         "DataLoader is initialized"):
        l_nt.batch_size = 3
    with pytest.warns(UserWarning, match="pin_memory"):
        list(ntd.DataLoader(list(range(2)), pin_memory=True))


def test_worker_seeding_persistent_workers_and_spawn():
    g = nt.Generator().manual_seed(99)
    base = nt.empty((), dtype=nt.int64).random_(generator=nt.Generator().manual_seed(99)).item()
    loader = ntd.DataLoader(Seeds(), batch_size=None, num_workers=2, generator=g,
                            persistent_workers=True)
    first = list(loader)
    # tasks go round-robin: items 0, 2 on worker 0, items 1, 3 on worker 1
    assert [int(x[2]) for x in first] == [base, base + 1, base, base + 1]
    assert first[0][0] != first[1][0] and first[0][1] != first[1][1]
    again = list(loader)  # same workers, resumed: their streams go on
    assert [int(x[2]) for x in again] == [int(x[2]) for x in first]
    assert again[0][0] != first[0][0]
    loader._iterator._shutdown_workers()
    # spawn start method: the same seeds give the same first draws
    g2 = nt.Generator().manual_seed(99)
    spawned = list(ntd.DataLoader(Seeds(), batch_size=None, num_workers=2, generator=g2,
                                  multiprocessing_context="spawn"))
    assert [tuple(x) for x in spawned] == [tuple(x) for x in first]
