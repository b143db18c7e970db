"""Seed §2: basic configuration, tensors and autograd."""
import numtorch as torch

torch.manual_seed(0)
batch_size, lr, max_epochs = 16, 1e-4, 100
device = torch.device("cuda:1" if torch.cuda.is_available() else "cpu")
print(device, batch_size, lr, max_epochs)

x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
w = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True)
y = (x @ w).relu().sum()
y.backward()
print(y)
print(x.grad)
print(w.grad)
print((1, 1) + x.shape, x.dtype, x.mean(), x.std(dim=0))
