"""Models shared by the MPI scripts (built on numtorch) and the torch replays in the tests."""


def build(torch):
    """The test models, defined on ``torch`` (real torch or numtorch)."""
    nn = torch.nn

    class MLP(nn.Module):
        """The seed's MLP: 784-256-10."""

        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(784, 256)
            self.output = nn.Linear(256, 10)

        def forward(self, x):
            return self.output(self.hidden(x).relu())

    class TwoHeads(nn.Module):
        """Head ``b`` is used only when asked; head ``c`` never."""

        def __init__(self):
            super().__init__()
            self.body = nn.Linear(784, 16)
            self.a = nn.Linear(16, 10)
            self.b = nn.Linear(16, 10)
            self.c = nn.Linear(16, 10)

        def forward(self, x, use_b):
            h = self.body(x).relu()
            out = self.a(h)
            return out + self.b(h) if use_b else out

    class BNNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(784, 16)
            self.bn = nn.BatchNorm1d(16)
            self.out = nn.Linear(16, 10)

        def forward(self, x):
            return self.out(self.bn(self.fc(x)).relu())

    return {"MLP": MLP, "TwoHeads": TwoHeads, "BNNet": BNNet}
