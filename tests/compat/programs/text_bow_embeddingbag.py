# Text classification with EmbeddingBag (offsets) and a bag-of-words logistic regression
import torch
from torch import nn

torch.manual_seed(0)


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


text_list = [torch.tensor([1, 2, 4, 5]), torch.tensor([4, 3, 2, 9, 8, 7]), torch.tensor([0])]
offsets = [0] + [len(t) for t in text_list[:-1]]
offsets = torch.tensor(offsets).cumsum(dim=0)
text = torch.cat(text_list)
print(offsets, text)
model = TextClassificationModel(10, 4, 3)
print(model)
label = torch.tensor([0, 2, 1])
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
for epoch in range(3):
    predicted_label = model(text, offsets)
    loss = criterion(predicted_label, label)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    optimizer.step()
    acc = (predicted_label.argmax(1) == label).sum().item()
    print(epoch, f"{loss.item():.4f}", acc, scheduler.get_last_lr())
    scheduler.step()

data = [("me gusta comer en la cafeteria".split(), "SPANISH"),
        ("Give it to me".split(), "ENGLISH")]
word_to_ix = {}
for sent, _ in data:
    for word in sent:
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)


class BoWClassifier(nn.Module):
    def __init__(self, num_labels, vocab_size):
        super(BoWClassifier, self).__init__()
        self.linear = nn.Linear(vocab_size, num_labels)

    def forward(self, bow_vec):
        return torch.nn.functional.log_softmax(self.linear(bow_vec), dim=1)


def make_bow_vector(sentence, word_to_ix):
    vec = torch.zeros(len(word_to_ix))
    for word in sentence:
        vec[word_to_ix[word]] += 1
    return vec.view(1, -1)


bow = BoWClassifier(2, len(word_to_ix))
for param in bow.parameters():
    print(param)
with torch.no_grad():
    print(bow(make_bow_vector(data[0][0], word_to_ix)))
emb = nn.Embedding(10, 3, padding_idx=0)
print(emb(torch.LongTensor([[0, 2, 0, 5]])))
