"""Seed §6: the Optimizer API on SGD(momentum=0.9)."""
import numtorch as torch

torch.manual_seed(0)
weight = torch.randn((2, 2), requires_grad=True)
weight.grad = torch.ones((2, 2))
optimizer = torch.optim.SGD([weight], lr=0.1, momentum=0.9)
optimizer.step()
print(weight.data)
optimizer.zero_grad()
print(weight.grad)
weight2 = torch.randn((3, 3), requires_grad=True)
optimizer.add_param_group({"params": weight2, "lr": 0.0001, "nesterov": True})
print(optimizer.param_groups)
for _ in range(50):
    optimizer.step()
print(optimizer.state_dict())
print(optimizer.defaults)
