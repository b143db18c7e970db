# Char-RNN name classifier style: nn.RNN over one-hot letters, plus a hand-written RNN cell
import string
import torch
import torch.nn as nn
import torch.nn.functional as F

all_letters = string.ascii_letters + " .,;'"
n_letters = len(all_letters)


def letterToIndex(letter):
    return all_letters.find(letter)


def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


print(lineToTensor('Jones').size())


class CharRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(CharRNN, self).__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, line_tensor):
        rnn_out, hidden = self.rnn(line_tensor)
        output = self.h2o(hidden[0])
        output = self.softmax(output)
        return output


class HandRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = torch.tanh(self.i2h(combined))
        output = F.log_softmax(self.i2o(combined), dim=1)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


torch.manual_seed(0)
rnn = CharRNN(n_letters, 16, 4)
print(rnn)
out = rnn(lineToTensor('Albert'))
print(out)
topv, topi = out.topk(1)
print(topv, topi[0].item())
criterion = nn.NLLLoss()
opt = torch.optim.SGD(rnn.parameters(), lr=0.005)
for step in range(3):
    loss = criterion(rnn(lineToTensor('Albert')), torch.tensor([2]))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(rnn.parameters(), 3)
    opt.step()
    print(step, round(loss.item(), 4))
h = HandRNN(n_letters, 8, 4)
hidden = h.initHidden()
line = lineToTensor('Ng')
for i in range(line.size()[0]):
    output, hidden = h(line[i], hidden)
print(output, hidden.shape)
