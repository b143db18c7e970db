# Scaled dot-product attention written by hand: bmm, softmax, masked_fill, causal mask, multi-head
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def attention(q, k, v, mask=None):
    d_k = q.size(-1)
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    p_attn = scores.softmax(dim=-1)
    return torch.matmul(p_attn, v), p_attn


class MultiHead(nn.Module):
    def __init__(self, h, d_model):
        super().__init__()
        self.d_k = d_model // h
        self.h = h
        self.linears = nn.ModuleList([nn.Linear(d_model, d_model) for _ in range(4)])

    def forward(self, query, key, value, mask=None):
        nbatches = query.size(0)
        query, key, value = [lin(x).view(nbatches, -1, self.h, self.d_k).transpose(1, 2)
                             for lin, x in zip(self.linears, (query, key, value))]
        x, attn = attention(query, key, value, mask=mask)
        x = x.transpose(1, 2).contiguous().view(nbatches, -1, self.h * self.d_k)
        return self.linears[-1](x), attn


def subsequent_mask(size):
    attn_shape = (1, size, size)
    mask = torch.triu(torch.ones(attn_shape), diagonal=1).type(torch.uint8)
    return mask == 0


print(subsequent_mask(4))
x = torch.randn(2, 4, 8, requires_grad=True)
mha = MultiHead(2, 8)
out, attn = mha(x, x, x, mask=subsequent_mask(4).unsqueeze(1))
print(out.shape, attn.shape)
print(attn[0, 0])
out.sum().backward()
print(x.grad[0])
q = torch.randn(3, 5, 4)
k = torch.randn(3, 6, 4)
v = torch.randn(3, 6, 2)
w = F.softmax(torch.bmm(q, k.transpose(1, 2)) / 2.0, dim=2)
print(torch.bmm(w, v)[0])
pad = torch.tensor([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]]).bool()
s = torch.bmm(q, k.transpose(1, 2)).masked_fill(~pad.unsqueeze(1), float('-inf'))
print(torch.softmax(s, -1)[0, 0])
print(F.scaled_dot_product_attention(q, k, v, is_causal=False)[1])
