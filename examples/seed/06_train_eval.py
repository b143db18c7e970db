"""Seed §7: train/validate loops (model.train(), model.eval(), no_grad, accuracy)."""
import numtorch as torch
from numtorch import nn
from numtorch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
templates = torch.randn(10, 784)
labels = torch.randint(0, 10, (2000,))
images = templates[labels] + 0.8 * torch.randn(2000, 784)
train_loader = DataLoader(TensorDataset(images[:1600], labels[:1600]), batch_size=16,
                          shuffle=True)
val_loader = DataLoader(TensorDataset(images[1600:], labels[1600:]), batch_size=16)
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(3):
    model.train()
    train_loss = 0.0
    for data, label in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(data), label)
        loss.backward()
        optimizer.step()
        train_loss += loss.item() * data.size(0)
    model.eval()
    correct = 0
    with torch.no_grad():
        for data, label in val_loader:
            correct += (model(data).argmax(1) == label).sum().item()
    print(f"epoch {epoch} train loss {train_loss / 1600:.4f} val acc {correct / 400:.4f}")
