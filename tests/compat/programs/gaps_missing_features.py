# xfail: not implemented in numtorch yet: bfloat16, autograd.functional.jacobian, matmul(out=), polygamma grad, special.zeta/gammainc
# Features user code reaches for that numtorch still lacks (each line is one gap)
import torch

print(torch.tensor([1., 2.]).to(torch.bfloat16))
print(torch.autograd.functional.jacobian(lambda t: t ** 2, torch.tensor([1., 2.])))
y = torch.empty(2, 2)
torch.matmul(torch.ones(2, 2), torch.ones(2, 2), out=y)
print(y)
x = torch.tensor([0.5, 1.5], requires_grad=True)
torch.special.polygamma(1, x).sum().backward()
print(x.grad)
print(torch.special.zeta(torch.tensor([2., 3.]), torch.tensor([1.])), torch.special.gammainc(torch.tensor([1.]), torch.tensor([2.])))
