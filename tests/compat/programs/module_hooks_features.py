# Feature extraction with forward hooks, freezing layers, parameter counting, children slicing
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 2))
activation = {}


def get_activation(name):
    def hook(model, input, output):
        activation[name] = output.detach()
    return hook


h = model[2].register_forward_hook(get_activation('conv2'))
x = torch.randn(1, 1, 6, 6)
out = model(x)
print(activation['conv2'].shape, activation['conv2'][0, 0])
h.remove()
for param in list(model.parameters())[:4]:
    param.requires_grad = False
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
total = sum(p.numel() for p in model.parameters())
print(trainable, total)
opt = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1)
model(x).sum().backward()
opt.step()
print(model[0].weight.grad, model[5].bias)
backbone = nn.Sequential(*list(model.children())[:-1])
print(backbone, backbone(x).shape)
grads = []
model[5].register_full_backward_hook(lambda m, gi, go: grads.append(go[0].shape))
model(x).sum().backward()
print(grads)
pre = model.register_forward_pre_hook(lambda m, inp: (inp[0] * 0,))
print(model(x))
pre.remove()
print(model[5].weight.requires_grad, model[0].weight.requires_grad, model[0].weight.is_leaf)
model.zero_grad()
print(model[5].weight.grad)
