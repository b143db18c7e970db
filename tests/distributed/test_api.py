"""numtorch.distributed's surface against torch.distributed, in one process (no MPI started)."""
import pytest

import numtorch as nt
import numtorch.distributed as ndist

from ..conftest import torch

tdist = pytest.importorskip("torch.distributed")

OPS = ["SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR", "PREMUL_SUM"]


@pytest.mark.parametrize("name", OPS)
def test_reduce_op_prints_like_torch(name):
    a, b = getattr(ndist.ReduceOp, name), getattr(tdist.ReduceOp, name)
    assert repr(a) == repr(b) and str(a) == str(b)
    assert int(a) == int(b) and a == getattr(ndist.ReduceOp.RedOpType, name)


# (call, args): functions that need the default process group
BEFORE_INIT = [
    ("get_rank", lambda d, T: d.get_rank()),
    ("get_world_size", lambda d, T: d.get_world_size()),
    ("barrier", lambda d, T: d.barrier()),
    ("all_reduce", lambda d, T: d.all_reduce(T.zeros(2))),
    ("broadcast", lambda d, T: d.broadcast(T.zeros(2), src=0)),
    ("all_gather_object", lambda d, T: d.all_gather_object([None], 1)),
    ("new_group", lambda d, T: d.new_group([0])),
    ("destroy_process_group", lambda d, T: d.destroy_process_group()),
]


def _one_param_module(T):
    class Scale(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = T.nn.Parameter(T.arange(2.0))

        def forward(self, x):
            return x * self.w

    return Scale()


@pytest.mark.parametrize("name,call", BEFORE_INIT, ids=[n for n, _ in BEFORE_INIT])
def test_errors_before_init_match_torch(name, call):
    assert not ndist.is_initialized() and not tdist.is_initialized()
    with pytest.raises(Exception) as want:
        call(tdist, torch)
    with pytest.raises(type(want.value)) as got:
        call(ndist, nt)
    assert str(got.value) == str(want.value)


def test_module_level_flags():
    assert ndist.is_available() is tdist.is_available() is True
    assert ndist.is_initialized() is False
    assert ndist.Backend("GLOO") == tdist.Backend("GLOO") == "gloo"
    assert ndist.Backend.MPI == tdist.Backend.MPI
    assert ndist.GroupMember.NON_GROUP_MEMBER == tdist.GroupMember.NON_GROUP_MEMBER
    assert ndist.group.WORLD is None and tdist.group.WORLD is None
    assert nt.distributed is ndist and nt.nn.parallel.DistributedDataParallel is not None


def test_data_parallel_like_torch():
    got, want = nt.nn.DataParallel(_one_param_module(nt)), torch.nn.DataParallel(
        _one_param_module(torch))
    assert list(got.state_dict()) == list(want.state_dict()) == ["module.w"]
    out_nt, out_t = got(nt.full((2,), 3.0)), want(torch.full((2,), 3.0))
    assert out_nt.tolist() == out_t.tolist()
    out_nt.sum().backward()
    out_t.sum().backward()
    assert got.module.w.grad.tolist() == want.module.w.grad.tolist()
