# Fully-connected and convolutional autoencoders (ConvTranspose2d, Sigmoid, MSE/BCE)
import torch
import torch.nn as nn

torch.manual_seed(0)


class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 4))
        self.decoder = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 64), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


class ConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(),
                                 nn.Conv2d(4, 8, 3, stride=2, padding=1))
        self.dec = nn.Sequential(nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1),
                                 nn.ReLU(),
                                 nn.ConvTranspose2d(4, 1, 3, stride=2, padding=1, output_padding=1),
                                 nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x))


x = torch.rand(8, 64)
model = AE()
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)
for epoch in range(5):
    recon = model(x)
    loss = nn.MSELoss()(recon, x)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print('epoch [{}/{}], loss:{:.4f}'.format(epoch + 1, 5, loss.item()))
img = torch.rand(2, 1, 8, 8)
cae = ConvAE()
print(cae)
out = cae(img)
print(out.shape)
loss = nn.BCELoss()(out, img)
loss.backward()
print(f"{loss.item():.5f}", cae.dec[0].weight.grad.abs().sum())
with torch.no_grad():
    z = model.encoder(x[:2])
print(z)
