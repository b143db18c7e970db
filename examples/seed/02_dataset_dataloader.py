"""Seed §3: a custom Dataset and a DataLoader with batch_size, shuffle and drop_last."""
import numtorch as torch
from numtorch.utils.data import Dataset, DataLoader


class MyDataset(Dataset):
    def __init__(self, n):
        self.x = torch.arange(n * 2, dtype=torch.float32).reshape(n, 2)
        self.y = torch.arange(n) % 3

    def __getitem__(self, index):
        return self.x[index], self.y[index]

    def __len__(self):
        return len(self.y)


loader = DataLoader(MyDataset(10), batch_size=4, shuffle=False, drop_last=True)
for xb, yb in loader:
    print(xb, yb)
print(len(loader))
