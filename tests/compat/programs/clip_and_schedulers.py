# Gradient clipping and the common LR schedulers
import torch
import torch.nn as nn
from torch.optim import lr_scheduler

torch.manual_seed(0)
model = nn.Linear(4, 2)
x = torch.randn(8, 4) * 10
y = torch.randn(8, 2)
loss = ((model(x) - y) ** 2).mean()
loss.backward()
total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
print(total)
print(model.weight.grad)
nn.utils.clip_grad_value_(model.parameters(), clip_value=0.05)
print(model.bias.grad)
print(nn.utils.parameters_to_vector(model.parameters()))


def lrs(make, steps=6, **kw):
    opt = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1, momentum=0.9)
    s = make(opt, **kw)
    out = []
    for _ in range(steps):
        opt.step()
        s.step()
        out.append(round(opt.param_groups[0]['lr'], 6))
    return out


print(lrs(lr_scheduler.StepLR, step_size=2, gamma=0.5))
print(lrs(lr_scheduler.MultiStepLR, milestones=[1, 4], gamma=0.1))
print(lrs(lr_scheduler.ExponentialLR, gamma=0.9))
print(lrs(lr_scheduler.CosineAnnealingLR, T_max=4, eta_min=0.001))
print(lrs(lr_scheduler.LambdaLR, lr_lambda=lambda epoch: 0.95 ** epoch))
print(lrs(lr_scheduler.OneCycleLR, max_lr=1.0, total_steps=6))
print(lrs(lr_scheduler.LinearLR, start_factor=0.5, total_iters=3))
print(lrs(lr_scheduler.CyclicLR, base_lr=0.01, max_lr=0.1, step_size_up=2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
plateau = lr_scheduler.ReduceLROnPlateau(opt, 'min', patience=1, factor=0.5)
for val in [1.0, 0.9, 0.95, 0.96, 0.97, 0.5]:
    plateau.step(val)
    print(opt.param_groups[0]['lr'])
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
warm = lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=2)
cos = lr_scheduler.CosineAnnealingLR(opt, T_max=3)
seq = lr_scheduler.SequentialLR(opt, schedulers=[warm, cos], milestones=[2])
for _ in range(5):
    opt.step()
    seq.step()
    print(f"{seq.get_last_lr()[0]:.6f}")
