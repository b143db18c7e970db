# Module printing: custom extra_repr, nested containers, ModuleDict/ParameterList, named_parameters, optimizer repr
import torch
import torch.nn as nn


class Scale(nn.Module):
    def __init__(self, factor, learnable=False):
        super().__init__()
        self.factor = factor
        self.learnable = learnable
        self.register_buffer('step', torch.zeros(()))

    def extra_repr(self):
        return f'factor={self.factor}, learnable={self.learnable}'

    def forward(self, x):
        return x * self.factor


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1, bias=False),
                                  nn.BatchNorm2d(8, momentum=0.01), nn.ReLU(inplace=True),
                                  nn.MaxPool2d(2, 2), nn.Dropout2d(0.1), nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten())
        self.heads = nn.ModuleDict({'cls': nn.Linear(8, 4), 'reg': nn.Linear(8, 1, bias=False)})
        self.blocks = nn.ModuleList([Scale(2.0), Scale(0.5, True)])
        self.extra = nn.ParameterList([nn.Parameter(torch.zeros(2)), nn.Parameter(torch.ones(3))])
        self.act = nn.Sequential(nn.LeakyReLU(0.1), nn.GELU(), nn.Softmax(dim=1), nn.Tanh(), nn.ELU(alpha=0.5),
                                 nn.Identity(), nn.LayerNorm(8), nn.GroupNorm(2, 8), nn.Embedding(5, 2, padding_idx=0),
                                 nn.Conv1d(2, 2, 3, dilation=2, groups=2), nn.AvgPool2d(3, stride=1, padding=1),
                                 nn.Upsample(scale_factor=2, mode='nearest'), nn.PReLU(), nn.InstanceNorm2d(3),
                                 nn.RNN(2, 3, num_layers=2), nn.LSTM(2, 3, batch_first=True), nn.GRU(2, 3, bidirectional=True),
                                 nn.TransformerEncoderLayer(8, 2, dim_feedforward=16) if False else nn.Hardtanh(-2, 2),
                                 nn.CrossEntropyLoss(label_smoothing=0.1), nn.MSELoss(reduction='sum'),
                                 nn.Unflatten(1, (2, 4)), nn.ConvTranspose2d(4, 2, 2, stride=2), nn.Bilinear(2, 3, 4))


net = Net()
print(net)
print([n for n, _ in net.named_parameters()])
print([n for n, _ in net.named_buffers()])
print([n for n, _ in net.named_children()])
print(sum(p.numel() for p in net.parameters()))
print(list(net.state_dict().keys())[:8])
print(net.blocks[1], net.heads['cls'])
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True)
print(opt)
print(torch.optim.Adam([{'params': net.heads.parameters()}, {'params': net.body.parameters(), 'lr': 1e-4}], lr=1e-3))
print(nn.Linear(2, 3).weight.shape, nn.Conv2d(1, 2, (3, 5)).weight.shape)
print(net.get_submodule('body.1'), net.get_parameter('heads.cls.bias').shape)
net.requires_grad_(False)
print(any(p.requires_grad for p in net.parameters()))
print(net.heads.cls.weight.dtype, net.double().heads.cls.weight.dtype)
