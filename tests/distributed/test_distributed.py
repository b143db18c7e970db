"""numtorch.distributed and DistributedDataParallel on 2 and 4 MPI ranks (mpiexec subprocesses).

Each launch runs a script of this folder that batches many checks (MPI start-up is the slow
part). DDP training is replayed here in one torch process on the union of the ranks'
batches, and the parameters are compared. Skipped when mpi4py or mpiexec is missing.
"""
import os

import numpy as np
import pytest

from ..conftest import torch, assert_close
from . import _launch
from ._models import build

pytestmark = pytest.mark.skipif(_launch.mpiexec() is None,
                                reason="mpi4py and an MPI launcher (mpiexec) are needed")

SIZES = [2, 4]


def _check_run(rc, out, err, what):
    res = _launch.json_line(out)
    assert rc == 0 and res is not None, f"{what} failed (rc={rc}):\n{out[-3000:]}\n{err[-5000:]}"
    assert not res["failures"], f"{what}:\n" + "\n".join(res["failures"])
    return res


@pytest.mark.parametrize("n", [0] + SIZES)
def test_collectives(n):
    """n=0: plain `python script` without mpiexec, a world of one."""
    rc, out, err, _ = _launch.run(n, "mpi_collectives.py")
    res = _check_run(rc, out, err, f"mpi_collectives.py on {n} ranks")
    assert res["size"] == max(n, 1) and len(res["checks"]) >= 10


# ---- DDP against single-process torch ----------------------------------------------------

def _inputs(n, rng):
    N = 64
    X = (rng.standard_normal((N, 784)) * 0.5).astype(np.float32)
    y = rng.integers(0, 10, N).astype(np.int64)
    perm = rng.permutation(N)
    return {
        "X": X, "y": y,
        "plain_rows": perm[:3 * n * 4].reshape(3, n, 4),
        "no_sync_rows": rng.permutation(N)[:2 * 3 * n * 2].reshape(2, 3, n, 2),
        "unused_rows": rng.permutation(N)[:2 * n * 4].reshape(2, n, 4),
        "sampler_n": np.array(24),
    }


# scenario -> (model, SGD kwargs, steps(d, out) -> [[rows of each rank] per micro-batch] per step,
#              loss over the union of the ranks' batches (True) or mean of per-rank losses)
SCENARIOS = {
    "plain": ("MLP", dict(lr=0.05, momentum=0.9),
              lambda d, o: [[list(step)] for step in d["plain_rows"]], True),
    "sampler": ("MLP", dict(lr=0.05),
                lambda d, o: [[list(o[f"sampler/rows/{k}"])]
                              for k in range(len([x for x in o if x.startswith("sampler/rows/")]))],
                True),
    "no_sync": ("MLP", dict(lr=0.05, momentum=0.5),
                lambda d, o: [list(list(m) for m in step) for step in d["no_sync_rows"]], True),
    "unused": ("TwoHeads", dict(lr=0.1, momentum=0.9),
               lambda d, o: [[list(step)] for step in d["unused_rows"]], False),
}


def _replay(name, d, o):
    """Train the scenario's model in one torch process; returns its final parameters."""
    import torch.nn.functional as F
    model_name, sgd, steps, union = SCENARIOS[name]
    model = build(torch)[model_name]()
    init = {k.split("/", 2)[2]: torch.from_numpy(v) for k, v in o.items()
            if k.startswith(f"{name}/init/")}
    model.load_state_dict(init, strict=True)
    opt = torch.optim.SGD(model.parameters(), **sgd)
    X, y = torch.from_numpy(d["X"]), torch.from_numpy(d["y"])
    for micro_batches in steps(d, o):
        opt.zero_grad()
        for ranks_rows in micro_batches:
            if union:
                rows = torch.from_numpy(np.concatenate([np.asarray(r) for r in ranks_rows]))
                loss = F.cross_entropy(model(X[rows]), y[rows])
            else:   # TwoHeads: rank 0 uses head b, the others do not
                losses = [F.cross_entropy(model(X[torch.from_numpy(np.asarray(r))], use_b=i == 0),
                                          y[torch.from_numpy(np.asarray(r))])
                          for i, r in enumerate(ranks_rows)]
                loss = sum(losses) / len(losses)
            loss.backward()
        opt.step()
    return model


@pytest.mark.parametrize("n", [0] + SIZES)
def test_ddp_matches_single_process_training(n, tmp_path):
    """n=0: one rank started without mpiexec."""
    d = _inputs(max(n, 1), np.random.default_rng(n))
    inp, outp = tmp_path / "in.npz", tmp_path / "out.npz"
    np.savez(inp, **d)
    rc, out, err, _ = _launch.run(n, "mpi_ddp.py", str(inp), str(outp))
    _check_run(rc, out, err, f"mpi_ddp.py on {n} ranks")
    o = dict(np.load(outp))
    for name in SCENARIOS:
        ref = _replay(name, d, o)
        got = {k.split("/", 2)[2]: v for k, v in o.items() if k.startswith(f"{name}/final/")}
        assert sorted(got) == sorted(n_ for n_, _ in ref.named_parameters()), name
        for pname, p in ref.named_parameters():
            init = o[f"{name}/init/{pname}"]
            frozen = name == "unused" and pname.startswith("c.")   # head c is never used
            assert np.array_equal(init, p.detach().numpy()) == frozen, f"{name}: {pname}"
            assert_close(got[pname], p, rtol=1e-5, atol=1e-6)


# ---- failures end the job -------------------------------------------------------------------

@pytest.mark.parametrize("mode,n,needle", [
    ("raise", 4, "rank 3 of 4 failed with ValueError"),
    ("kill", 2, "BAD TERMINATION"),
    ("exit", 2, "rank 1 has exited while this rank waits"),
    ("sys_exit", 2, "rank 1 has exited while this rank waits"),
    ("stall", 2, "timed out after 3 s"),
    ("mismatch", 4, "rank 3: all_reduce(shape=[4]"),
])
def test_failing_rank_ends_job(mode, n, needle):
    rc, out, err, seconds = _launch.run(n, "mpi_failure.py", mode, timeout=90)
    text = out + err
    assert rc != 0, f"{mode}: the job must fail\n{text[-3000:]}"
    assert seconds < 60, f"{mode}: took {seconds:.1f} s"
    assert "unexpectedly finished" not in text
    assert needle in text, f"{mode}: {needle!r} not in output:\n{text[-3000:]}"


def test_init_checks_world_size():
    """Without mpiexec, a requested world of 4 is refused with a message naming mpiexec."""
    import subprocess
    import sys
    code = ("import numtorch.distributed as dist\n"
            "try:\n    dist.init_process_group('gloo', world_size=4, rank=0)\n"
            "except RuntimeError as e:\n    print('ERR', e)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMI_", "HYDRA_", "MPI"))}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env=env)
    assert "ERR" in p.stdout and "mpiexec -n 4" in p.stdout, p.stdout + p.stderr
