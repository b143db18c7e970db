# Inference idioms: model.eval(), torch.no_grad / inference_mode, softmax probabilities, argmax
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))
x = torch.randn(4, 5)
model.train()
print(model.training, model[3].training)
y1 = model(x)
model.eval()
print(model.training, model[3].training)
with torch.no_grad():
    logits = model(x)
    probs = torch.nn.functional.softmax(logits, dim=1)
    conf, pred = torch.max(probs, 1)
print(probs)
print(conf, pred)
print(logits.requires_grad, y1.requires_grad)
with torch.inference_mode():
    out = model(x)
print(out.requires_grad)
print(torch.is_grad_enabled())


@torch.no_grad()
def predict(m, inp):
    return m(inp).argmax(dim=-1)


print(predict(model, x), torch.is_grad_enabled())
torch.set_grad_enabled(False)
print(model(x).requires_grad)
torch.set_grad_enabled(True)
with torch.enable_grad():
    print(model(x).requires_grad)
print(model[1].running_var)
print(model[1])
print(model.state_dict()['1.running_mean'])
