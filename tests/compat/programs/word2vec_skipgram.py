# Skip-gram word embeddings: Embedding lookups, bmm with negatives, logsigmoid loss, SparseAdam-free Adam
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
corpus = "we are about to study the idea of a computational process".split()
vocab = sorted(set(corpus))
w2i = {w: i for i, w in enumerate(vocab)}
pairs = []
for i, w in enumerate(corpus):
    for j in (i - 1, i + 1):
        if 0 <= j < len(corpus):
            pairs.append((w2i[w], w2i[corpus[j]]))
print(len(vocab), len(pairs), pairs[:4])


class SkipGram(nn.Module):
    def __init__(self, n, d):
        super().__init__()
        self.u = nn.Embedding(n, d)
        self.v = nn.Embedding(n, d)
        initrange = 0.5 / d
        self.u.weight.data.uniform_(-initrange, initrange)
        self.v.weight.data.uniform_(-0, 0)

    def forward(self, c, o, neg):
        eu = self.u(c)
        ev = self.v(o)
        en = self.v(neg)
        pos = F.logsigmoid(torch.sum(eu * ev, dim=1))
        negs = F.logsigmoid(-torch.bmm(en, eu.unsqueeze(2)).squeeze(2)).sum(1)
        return -(pos + negs).mean()


model = SkipGram(len(vocab), 6)
opt = torch.optim.Adam(model.parameters(), lr=0.05)
c = torch.tensor([p[0] for p in pairs])
o = torch.tensor([p[1] for p in pairs])
for step in range(20):
    neg = torch.randint(0, len(vocab), (len(pairs), 3))
    loss = model(c, o, neg)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 5 == 0:
        print(step, f"{loss.item():.5f}")
emb = model.u.weight.detach()
sim = F.cosine_similarity(emb[w2i['study']].unsqueeze(0), emb, dim=1)
print(sim.topk(3))
print(nn.Embedding.from_pretrained(torch.eye(3), freeze=True)(torch.tensor([2])), model.u.weight.grad.shape)
