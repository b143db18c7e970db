"""Small models trained a few steps with the same initial weights in numtorch and torch:
the loss curves and final weights agree (conv/bn/pool/linear CNN, embedding+LSTM model)."""
import numpy as np
import pytest

import numtorch as nt

from ..conftest import torch, assert_close
from ._common import copy_state


def _cnn(T):
    nn = T.nn
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3), nn.GELU(), nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(),
        nn.Linear(24, 10), nn.LogSoftmax(dim=1))


def _rnn(T):
    nn = T.nn

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(12, 5, padding_idx=0)
            self.lstm = nn.LSTM(5, 6, batch_first=True, bidirectional=True)
            self.norm = nn.LayerNorm(12)
            self.out = nn.Linear(12, 3)

        def forward(self, idx):
            h, _ = self.lstm(self.emb(idx))
            return self.out(self.norm(h)).mean(1).log_softmax(-1)
    return Tagger()


@pytest.mark.parametrize("make,shape,ints", [(_cnn, (4, 1, 8, 8), False),
                                             (_rnn, (3, 5), True)])
def test_short_training_matches_torch(make, shape, ints):
    torch.manual_seed(0)
    tm, nm = make(torch), make(nt)
    copy_state(tm, nm)
    rng = np.random.default_rng(0)
    losses = []
    for T, m in ((torch, tm), (nt, nm)):
        opt = T.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        curve = []
        r = np.random.default_rng(0)
        for _ in range(3):
            x = (r.integers(0, 12, size=shape) if ints
                 else r.standard_normal(shape).astype(np.float32))
            y = r.integers(0, 3, size=shape[0])
            opt.zero_grad()
            loss = T.nn.functional.nll_loss(m(T.from_numpy(x)), T.from_numpy(y))
            loss.backward()
            opt.step()
            curve.append(loss.item())
        losses.append(curve)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4, atol=1e-5)
    for (k, a), (_, b) in zip(nm.state_dict().items(), tm.state_dict().items()):
        assert_close(a, b, rtol=1e-4, atol=1e-5)
    tm.eval()
    nm.eval()
    x = rng.integers(0, 12, size=shape) if ints else rng.standard_normal(shape).astype(np.float32)
    assert_close(nm(nt.from_numpy(x)), tm(torch.from_numpy(x)), rtol=1e-4, atol=1e-5)
