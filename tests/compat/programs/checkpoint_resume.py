# Save/resume a training checkpoint (model + optimizer + epoch), state_dict round trips
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
optimizer = optim.Adam(model.parameters(), lr=0.01)
x, y = torch.randn(10, 3), torch.randn(10, 1)
for epoch in range(3):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
torch.save({'epoch': epoch, 'model_state_dict': model.state_dict(),
            'optimizer_state_dict': optimizer.state_dict(), 'loss': loss}, 'ckpt.pt')
model2 = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
optimizer2 = optim.Adam(model2.parameters(), lr=0.01)
checkpoint = torch.load('ckpt.pt')
print(model2.load_state_dict(checkpoint['model_state_dict']))
optimizer2.load_state_dict(checkpoint['optimizer_state_dict'])
print(checkpoint['epoch'], checkpoint['loss'])
model2.train()
for m, opt in ((model, optimizer), (model2, optimizer2)):
    opt.zero_grad()
    l = nn.functional.mse_loss(m(x), y)
    l.backward()
    opt.step()
    print(f"{l.item():.6f}", m[0].weight[0])
torch.save(model.state_dict(), 'weights.pth')
sd = torch.load('weights.pth', weights_only=True)
print(type(sd).__name__, list(sd.keys()))
print(sd['0.bias'])
torch.save(model, 'full.pt')
m3 = torch.load('full.pt', weights_only=False)
m3.eval()
print(m3)
print(torch.equal(m3(x), model(x)))
missing = nn.Linear(3, 4).load_state_dict({'weight': torch.zeros(4, 3)}, strict=False)
print(missing)
print(missing.missing_keys)
torch.save([torch.arange(3), {'a': 1.5}], 'misc.pt')
print(torch.load('misc.pt'))
