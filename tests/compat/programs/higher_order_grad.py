# xfail: create_graph=True (higher-order gradients) is not supported by numtorch yet
# Gradient penalty / Hessian-vector product style code needs create_graph=True
import torch

x = torch.tensor([1., 2.], requires_grad=True)
y = (x ** 3).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
print(g)
g2, = torch.autograd.grad(g.sum(), x)
print(g2)
