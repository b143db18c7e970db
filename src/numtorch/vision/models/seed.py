"""The seed's models: the MLP (784-256-10), LeNet (the seed's ``Net``) and the AlexNet variant
for Fashion-MNIST (1x224x224 input), with the seed's attribute names."""
from ... import nn
from ...nn import functional as F


class MLP(nn.Module):
    """784-256-10 perceptron with one ReLU hidden layer (``hidden``/``act``/``output``)."""

    def __init__(self, in_features=784, hidden_features=256, num_classes=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.act = nn.ReLU()
        self.output = nn.Linear(hidden_features, num_classes)

    def forward(self, x):
        return self.output(self.act(self.hidden(x.flatten(1))))


class LeNet(nn.Module):
    """LeNet-5 as in the seed (conv 5x5 -> pool -> conv 5x5 -> pool -> 120 -> 84 -> classes).

    Expects 32x32 inputs; ``input_size=28`` pads the first convolution by 2 (classic MNIST
    LeNet) so the layer sizes stay the same.
    """

    def __init__(self, in_channels=1, num_classes=10, input_size=32):
        super().__init__()
        if input_size not in (28, 32):
            raise ValueError(f"LeNet expects input_size 28 or 32, got {input_size}")
        self.conv1 = nn.Conv2d(in_channels, 6, 5, padding=2 if input_size == 28 else 0)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class FashionAlexNet(nn.Module):
    """The seed's AlexNet for Fashion-MNIST: 1x224x224 input, 10 classes (``conv``/``fc``)."""

    def __init__(self, in_channels=1, num_classes=10, dropout=0.5):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, 96, 11, 4), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.fc = nn.Sequential(
            nn.Linear(256 * 5 * 5, 4096), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(4096, num_classes))

    def forward(self, img):
        feature = self.conv(img)
        return self.fc(feature.view(img.shape[0], -1))


def mlp(num_classes=10, in_channels=1, input_size=28, **kwargs):
    return MLP(in_features=in_channels * input_size * input_size, num_classes=num_classes,
               **kwargs)


def lenet(num_classes=10, in_channels=1, input_size=32, **kwargs):
    return LeNet(in_channels=in_channels, num_classes=num_classes, input_size=input_size)


def fashion_alexnet(num_classes=10, in_channels=1, **kwargs):
    return FashionAlexNet(in_channels=in_channels, num_classes=num_classes, **kwargs)
