# Weight initialisation loops: model.apply(fn), isinstance checks, nn.init.* and named_modules
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                      nn.Linear(4 * 6 * 6, 10), nn.Linear(10, 2))


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


model.apply(weights_init)
for m in model.modules():
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
for name, m in model.named_modules():
    print(repr(name), type(m).__name__)
print(model[0].weight[0, 0])
print(model[1].weight)
print(model[4].weight[0, :5])
w = torch.empty(3, 5)
print(nn.init.kaiming_normal_(w, mode='fan_out', nonlinearity='relu'))
print(nn.init.kaiming_uniform_(torch.empty(2, 4), a=0.1))
print(nn.init.xavier_normal_(torch.empty(2, 3), gain=nn.init.calculate_gain('tanh')))
print(nn.init.trunc_normal_(torch.empty(2, 3), std=0.02))
print(nn.init.orthogonal_(torch.empty(3, 3)).shape)
print(nn.init.ones_(torch.empty(2)), nn.init.eye_(torch.empty(2, 3)))
print(nn.init.calculate_gain('leaky_relu', 0.2))
print(nn.init.uniform_(torch.empty(2, 2), a=-1, b=1))
