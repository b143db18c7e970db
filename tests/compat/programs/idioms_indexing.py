# Tensor indexing idioms: slicing, boolean masks, fancy indexing, index_select, nonzero, where
import torch

x = torch.arange(24).reshape(2, 3, 4)
print(x[1, :, ::2])
print(x[..., 1])
print(x[:, [0, 2]])
print(x[x % 5 == 0])
print(x[0, torch.tensor([2, 0])])
print(x[None, 0, 1:, None].shape)
print(x.index_select(2, torch.tensor([3, 0])))
print(torch.nonzero(x[0] > 8))
print((x[0] > 8).nonzero(as_tuple=True))
print(torch.where(x[0] > 5, x[0], -x[0]))
print(torch.where(x[0] > 5))
y = x.clone().float()
y[y > 20] = 0
y[0, 0] = torch.tensor([9., 8., 7., 6.])
y[:, :, 0] += 100
print(y)
mask = torch.tensor([True, False, True])
print(x[:, mask].shape, x[1][mask])
idx = torch.tensor([[0, 1], [2, 0]])
print(x[0][idx])
print(x[torch.tensor([1, 0]), torch.tensor([2, 1]), torch.tensor([3, 3])])
print(x.flatten()[-3:], x.view(-1)[5].item())
print(x[-1, -1, -1], x[0].T)
t = torch.zeros(5)
t[torch.tensor([0, 0, 2])] = 1
t.index_put_((torch.tensor([1, 1]),), torch.tensor([2., 3.]), accumulate=True)
print(t)
print(torch.masked_select(x[0], x[0] > 9))
print(torch.take(x, torch.tensor([0, 23, 7])))
