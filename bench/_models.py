"""The seed's models written once against the torch API, built with either library:
``make_mlp(torch)`` or ``make_mlp(numtorch)``. Shared by the benchmarks."""


def make_mlp(T):
    nn = T.nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(784, 256)
            self.act = nn.ReLU()
            self.output = nn.Linear(256, 10)

        def forward(self, x):
            return self.output(self.act(self.hidden(x)))
    return MLP()


def make_lenet(T):
    nn, F = T.nn, T.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(x.shape[0], -1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)
    return Net()


def make_alexnet(T):
    nn = T.nn

    class AlexNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Sequential(
                nn.Conv2d(1, 96, 11, 4), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(96, 256, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(),
                nn.Conv2d(384, 384, 3, 1, 1), nn.ReLU(),
                nn.Conv2d(384, 256, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(3, 2))
            self.fc = nn.Sequential(
                nn.Linear(256 * 5 * 5, 4096), nn.ReLU(), nn.Dropout(0.5),
                nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 10))

        def forward(self, img):
            return self.fc(self.conv(img).view(img.shape[0], -1))
    return AlexNet()
