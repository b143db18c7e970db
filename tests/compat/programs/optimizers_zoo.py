# A handful of optimizers stepping the same tiny problem; param groups, zero_grad(set_to_none)
import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.randn(16, 3)
y = x @ torch.tensor([[1.], [-2.], [0.5]]) + 0.1
base = nn.Linear(3, 1)
init = {k: v.clone() for k, v in base.state_dict().items()}
makers = {
    'SGD': lambda p: torch.optim.SGD(p, lr=0.1),
    'SGDm': lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-3),
    'Adam': lambda p: torch.optim.Adam(p, lr=0.05),
    'AdamAMS': lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True),
    'AdamW': lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1),
    'RMSprop': lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
    'Adagrad': lambda p: torch.optim.Adagrad(p, lr=0.1),
    'Adadelta': lambda p: torch.optim.Adadelta(p),
    'Adamax': lambda p: torch.optim.Adamax(p, lr=0.05),
    'NAdam': lambda p: torch.optim.NAdam(p, lr=0.05),
    'RAdam': lambda p: torch.optim.RAdam(p, lr=0.05),
    'ASGD': lambda p: torch.optim.ASGD(p, lr=0.05),
    'Rprop': lambda p: torch.optim.Rprop(p, lr=0.01),
}
for name, make in makers.items():
    model = nn.Linear(3, 1)
    model.load_state_dict(init)
    opt = make(model.parameters())
    for _ in range(5):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
    print(f"{name:9s} {loss.item():.6f}", model.weight.data)
model = nn.Linear(3, 1)
opt = torch.optim.SGD([{'params': [model.weight]}, {'params': [model.bias], 'lr': 0.5}], lr=0.01)
model(x).sum().backward()
opt.step()
opt.zero_grad(set_to_none=True)
print(model.weight.grad, len(opt.param_groups), opt.param_groups[1]['lr'], opt.defaults['lr'])
opt.add_param_group({'params': nn.Parameter(torch.zeros(2)), 'lr': 0.3})
print([g['lr'] for g in opt.param_groups])
for g in opt.param_groups:
    g['lr'] *= 0.1
print([round(g['lr'], 4) for g in opt.param_groups])
lbfgs_model = nn.Linear(3, 1)
lbfgs_model.load_state_dict(init)
lbfgs = torch.optim.LBFGS(lbfgs_model.parameters(), lr=0.5, max_iter=5)


def closure():
    lbfgs.zero_grad()
    l = nn.functional.mse_loss(lbfgs_model(x), y)
    l.backward()
    return l


print(f"{lbfgs.step(closure).item():.5f}", lbfgs_model.bias)
