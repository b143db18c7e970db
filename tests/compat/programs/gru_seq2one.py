# GRU / bidirectional LSTM sequence regression with batch_first and packed-free padding
import torch
import torch.nn as nn

torch.manual_seed(0)


class SeqModel(nn.Module):
    def __init__(self, n_in, n_hidden, n_layers=2):
        super().__init__()
        self.gru = nn.GRU(n_in, n_hidden, num_layers=n_layers, batch_first=True, dropout=0.0)
        self.lstm = nn.LSTM(n_in, n_hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(3 * n_hidden, 1)

    def forward(self, x):
        g, h = self.gru(x)
        l, (hn, cn) = self.lstm(x)
        feat = torch.cat([g[:, -1, :], l[:, -1, :]], dim=-1)
        return self.head(feat).squeeze(-1), h.shape, hn.shape


model = SeqModel(4, 5)
print(model)
x = torch.randn(3, 7, 4)
y = torch.randn(3)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(5):
    pred, hs, hns = model(x)
    loss = nn.functional.mse_loss(pred, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, f"{loss.item():.5f}")
print(hs, hns)
print([(n, tuple(p.shape)) for n, p in model.gru.named_parameters()])
cell = nn.GRUCell(4, 5)
hx = torch.zeros(3, 5)
for t in range(x.size(1)):
    hx = cell(x[:, t], hx)
print(hx)
lcell = nn.LSTMCell(4, 2)
h, c = lcell(x[:, 0])
print(h, c)
