"""DataLoader throughput, numtorch vs torch: 60,000 x 1 x 28 x 28 float32 samples (an
MNIST-sized map-style dataset) with a light per-sample transform ((x - 0.5) / 0.5), batch
size 64, shuffled, one epoch per call, num_workers 0 and 2.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_data.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import compare, report  # noqa: E402

import numtorch as nt  # noqa: E402
import torch  # noqa: E402

N = 60_000


class Images:
    """Map-style dataset over an in-memory image tensor; works for both libraries."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return (self.images[i] - 0.5) / 0.5, self.labels[i]


def _epoch(loader):
    def run():
        n = 0
        for x, y in loader:
            n += x.shape[0]
        assert n == N
    return run


def main(reps=3):
    rng = np.random.default_rng(0)
    x = rng.random((N, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, N).astype(np.int64)
    ds_nt = Images(nt.from_numpy(x), nt.from_numpy(y))
    ds_t = Images(torch.from_numpy(x), torch.from_numpy(y))
    torch.set_num_threads(1)
    for workers in (0, 2):
        kw = dict(batch_size=64, shuffle=True, num_workers=workers,
                  persistent_workers=workers > 0)
        l_nt = nt.utils.data.DataLoader(ds_nt, **kw)
        l_t = torch.utils.data.DataLoader(ds_t, **kw)
        r = compare(f"DataLoader epoch, num_workers={workers}", _epoch(l_nt), _epoch(l_t),
                    reps=reps, number=1, warmup=1, unit="s")
        print(f"{'':44s} numtorch {N / r['numtorch_s']:10.0f} samples/s   torch "
              f"{N / r['torch_s']:10.0f} samples/s")
        r["numtorch_samples_per_s"] = N / r["numtorch_s"]
        r["torch_samples_per_s"] = N / r["torch_s"]
    report()


if __name__ == "__main__":
    main()
