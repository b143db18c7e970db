# Data loading tutorial: custom Dataset, transforms as callables, DataLoader, random_split
import torch
from torch.utils.data import Dataset, DataLoader, random_split, TensorDataset


class ToyDataset(Dataset):
    def __init__(self, n, transform=None):
        g = torch.Generator().manual_seed(42)
        self.x = torch.randn(n, 3, generator=g)
        self.y = (self.x.sum(dim=1) > 0).long()
        self.transform = transform

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        if torch.is_tensor(idx):
            idx = idx.tolist()
        sample = {'x': self.x[idx], 'y': self.y[idx]}
        if self.transform:
            sample = self.transform(sample)
        return sample


class Scale(object):
    def __init__(self, factor):
        assert isinstance(factor, (int, float))
        self.factor = factor

    def __call__(self, sample):
        return {'x': sample['x'] * self.factor, 'y': sample['y']}


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, s):
        for t in self.transforms:
            s = t(s)
        return s


ds = ToyDataset(10, transform=Compose([Scale(2), Scale(0.5)]))
print(len(ds), ds[0])
loader = DataLoader(ds, batch_size=4, shuffle=False)
for i, batch in enumerate(loader):
    print(i, batch['x'].size(), batch['y'])
torch.manual_seed(0)
loader = DataLoader(ds, batch_size=3, shuffle=True, drop_last=True)
for batch in loader:
    print(batch['y'].tolist())
print(len(loader))
train, val = random_split(ds, [7, 3], generator=torch.Generator().manual_seed(1))
print(len(train), len(val), train.indices, val.indices)
tds = TensorDataset(torch.arange(6).float().view(3, 2), torch.tensor([0, 1, 0]))
print(tds[1])
for xb, yb in DataLoader(tds, batch_size=2):
    print(xb, yb)
def collate(batch):
    xs, ys = zip(*batch)
    return torch.stack(xs), torch.tensor(ys)
print(next(iter(DataLoader(tds, batch_size=3, collate_fn=collate))))
