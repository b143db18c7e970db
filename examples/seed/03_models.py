"""Seed §4: an MLP, a layer without parameters, ParameterList/ParameterDict, Conv2d, LeNet."""
import numtorch as torch
from numtorch import nn
import numtorch.nn.functional as F

torch.manual_seed(0)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 256)
        self.act = nn.ReLU()
        self.output = nn.Linear(256, 10)

    def forward(self, x):
        return self.output(self.act(self.hidden(x)))


class MyLayer(nn.Module):
    def forward(self, x):
        return x - x.mean()


class MyListDense(nn.Module):
    def __init__(self):
        super().__init__()
        self.params = nn.ParameterList([nn.Parameter(torch.ones(4, 4)) for _ in range(3)])
        self.params.append(nn.Parameter(torch.ones(4, 1)))

    def forward(self, x):
        for p in self.params:
            x = torch.mm(x, p)
        return x


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
        x = x.view(-1, 16 * 5 * 5)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


net = MLP()
print(net)
print(net(torch.rand(2, 784)).shape)
print(MyLayer()(torch.tensor([1, 2, 3, 4, 5], dtype=torch.float)))
print(MyListDense())
print(MyListDense()(torch.ones(1, 4)))
conv = nn.Conv2d(1, 1, kernel_size=3, padding=1)
print(conv(torch.rand(1, 1, 8, 8)).shape)
lenet = Net()
print(lenet)
out = lenet(torch.randn(1, 1, 32, 32))
lenet.zero_grad()
out.backward(torch.randn(1, 10))
print([tuple(p.grad.shape) for p in lenet.parameters()])
