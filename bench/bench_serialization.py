"""save/load of a ~100 MB state dict: numtorch next to torch (target: within 1.5x).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_serialization.py

Each library saves its own state dict (same shapes and values) to its own file in the same
directory and loads it back with ``weights_only=True``. numtorch.save to a path also fsyncs
(durability torch does not offer), so "save" is reported twice: to a path (with fsync) and to
an in-memory buffer (no disk flush on either side).
"""
import io
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import compare, report  # noqa: E402

import numtorch as nt  # noqa: E402
import torch  # noqa: E402


def main():
    rng = np.random.default_rng(0)
    # a ResNet-ish mix: ~100 MB over 120 tensors of very different sizes
    arrays = {}
    for i in range(40):
        arrays[f"layer{i}.conv.weight"] = rng.standard_normal((256, 256, 3, 3), np.float32)
        arrays[f"layer{i}.bn.running_mean"] = rng.standard_normal(256).astype(np.float32)
        arrays[f"layer{i}.bn.num_batches_tracked"] = np.array(7, np.int64)
    arrays["fc.weight"] = rng.standard_normal((1000, 2048), np.float32)
    total = sum(a.nbytes for a in arrays.values())
    sd_nt = {k: nt.from_numpy(v.copy()) for k, v in arrays.items()}
    sd_t = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    print(f"state dict: {len(arrays)} tensors, {total / 1e6:.1f} MB")

    d = tempfile.mkdtemp(dir=os.environ.get("BENCH_DIR"))
    p_nt, p_t = os.path.join(d, "nt.pt"), os.path.join(d, "t.pt")
    compare("save 100MB to a path (numtorch fsyncs)", lambda: nt.save(sd_nt, p_nt),
            lambda: torch.save(sd_t, p_t), reps=5, number=1, unit="ms")

    def nt_buf():
        nt.save(sd_nt, io.BytesIO())

    def t_buf():
        torch.save(sd_t, io.BytesIO())

    compare("save 100MB to BytesIO", nt_buf, t_buf, reps=5, number=1, unit="ms")
    compare("load 100MB (weights_only=True)", lambda: nt.load(p_nt),
            lambda: torch.load(p_t, weights_only=True), reps=5, number=1, unit="ms")
    nt.serialization.set_load_crc32_check(False)
    compare("load 100MB, CRC check off (as torch)", lambda: nt.load(p_nt),
            lambda: torch.load(p_t, weights_only=True), reps=5, number=1, unit="ms")
    nt.serialization.set_load_crc32_check(True)
    compare("load 100MB mmap=True", lambda: nt.load(p_nt, mmap=True),
            lambda: torch.load(p_t, weights_only=True, mmap=True), reps=5, number=3, unit="ms")
    compare("load torch's file in numtorch vs torch", lambda: nt.load(p_t),
            lambda: torch.load(p_t, weights_only=True), reps=5, number=1, unit="ms")
    sd_small = {f"p{i}": nt.ones(4) for i in range(2000)}
    sd_small_t = {f"p{i}": torch.ones(4) for i in range(2000)}
    bn, bt = io.BytesIO(), io.BytesIO()
    nt.save(sd_small, bn)
    torch.save(sd_small_t, bt)
    compare("save 2000 tiny tensors (BytesIO)", lambda: nt.save(sd_small, io.BytesIO()),
            lambda: torch.save(sd_small_t, io.BytesIO()), reps=5, number=3, unit="ms")
    compare("load 2000 tiny tensors", lambda: nt.load(io.BytesIO(bn.getvalue())),
            lambda: torch.load(io.BytesIO(bt.getvalue()), weights_only=True), reps=5, number=3,
            unit="ms")
    for p in (p_nt, p_t):
        os.unlink(p)
    os.rmdir(d)
    report()


if __name__ == "__main__":
    main()
