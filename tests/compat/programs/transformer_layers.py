# nn.MultiheadAttention and nn.TransformerEncoder in eval mode, positional encoding buffer
import math
import torch
import torch.nn as nn


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=50):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer('pe', pe)

    def forward(self, x):
        x = x + self.pe[:x.size(0)]
        return self.dropout(x)


torch.manual_seed(0)
pos = PositionalEncoding(8)
print(pos.pe[:3, 0])
mha = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True)
q = torch.randn(2, 3, 8)
out, w = mha(q, q, q)
print(out.shape, w.shape)
print(w[0])
mask = nn.Transformer.generate_square_subsequent_mask(3)
print(mask)
out2, w2 = mha(q, q, q, attn_mask=mask, need_weights=True, average_attn_weights=False)
print(w2.shape, w2[0, 0])
layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, batch_first=True)
enc = nn.TransformerEncoder(layer, num_layers=2)
enc.eval()
with torch.no_grad():
    y = enc(pos(q.transpose(0, 1)).transpose(0, 1))
print(y[0, 0])
kpm = torch.tensor([[False, False, True], [False, False, False]])
loss = mha(q, q, q, key_padding_mask=kpm)[0].sum()
loss.backward()
print(mha.in_proj_weight.grad.shape, mha.out_proj.weight.grad[0])
