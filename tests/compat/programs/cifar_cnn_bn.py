# CIFAR-shaped CNN with BatchNorm, Sequential blocks, CrossEntropyLoss, SGD momentum + weight decay
import torch
import torch.nn as nn


def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class SmallNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(conv_block(3, 8), nn.MaxPool2d(2), conv_block(8, 16),
                                      nn.AdaptiveAvgPool2d((1, 1)))
        self.classifier = nn.Linear(16, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


torch.manual_seed(0)
net = SmallNet()
print(net)
print(sum(p.numel() for p in net.parameters() if p.requires_grad))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
inputs = torch.randn(4, 3, 8, 8)
labels = torch.tensor([1, 0, 3, 9])
running_loss = 0.0
for i in range(5):
    optimizer.zero_grad()
    outputs = net(inputs)
    loss = criterion(outputs, labels)
    loss.backward()
    optimizer.step()
    running_loss += loss.item()
print(f'loss: {running_loss / 5:.3f}')
net.eval()
with torch.no_grad():
    outputs = net(inputs)
    _, predicted = torch.max(outputs.data, 1)
    total = labels.size(0)
    correct = (predicted == labels).sum().item()
print(predicted, correct, total)
print(net.features[0][1].running_mean)
print(net.features[0][1].num_batches_tracked)
print(list(net.state_dict().keys()))
