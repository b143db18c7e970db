"""Seed §5: loss functions, each computed and back-propagated."""
import numtorch as torch
from numtorch import nn

torch.manual_seed(0)
inputs = torch.randn(3, 5, requires_grad=True)
target = torch.empty(3, dtype=torch.long).random_(5)
for name, loss_fn, args in [
    ("CrossEntropy", nn.CrossEntropyLoss(), (inputs, target)),
    ("L1", nn.L1Loss(), (inputs, torch.randn(3, 5))),
    ("MSE", nn.MSELoss(), (inputs, torch.randn(3, 5))),
    ("SmoothL1", nn.SmoothL1Loss(), (inputs, torch.randn(3, 5))),
    ("BCE", nn.BCELoss(), (torch.sigmoid(inputs), torch.rand(3, 5))),
    ("KLDiv", nn.KLDivLoss(reduction="batchmean"), (inputs.log_softmax(1), torch.rand(3, 5))),
]:
    loss = loss_fn(*args)
    loss.backward()
    print(name, loss)
