"""vision.models: the seed's models match torch given the same weights; the standard
architectures have torchvision's parameter counts and key names."""
import numpy as np
import pytest

import numtorch as nt
from numtorch.vision import models
from ..conftest import torch, assert_close


def _torch_twin(name):
    tnn, F = torch.nn, torch.nn.functional
    if name == "mlp":
        class MLP(tnn.Module):
            def __init__(self):
                super().__init__()
                self.hidden, self.act, self.output = tnn.Linear(784, 256), tnn.ReLU(), \
                    tnn.Linear(256, 10)

            def forward(self, x):
                return self.output(self.act(self.hidden(x.flatten(1))))
        return MLP(), (3, 784)

    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = tnn.Conv2d(1, 6, 5), tnn.Conv2d(6, 16, 5)
            self.fc1, self.fc2, self.fc3 = tnn.Linear(400, 120), tnn.Linear(120, 84), \
                tnn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2).flatten(1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
    return Net(), (2, 1, 32, 32)


@pytest.mark.parametrize("name", ["mlp", "lenet"])
def test_seed_models_match_torch(name):
    tm, shape = _torch_twin(name)
    m = models.get_model(name)
    m.load_state_dict({k: nt.from_numpy(v.detach().numpy().copy())
                       for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    tx = torch.from_numpy(x).requires_grad_()
    nx = nt.from_numpy(x.copy()).requires_grad_()
    tout, nout = tm(tx), m(nx)
    assert_close(nout, tout, rtol=1e-5, atol=1e-5)
    tout.sum().backward()
    nout.sum().backward()
    assert_close(nx.grad, tx.grad, rtol=1e-4, atol=1e-5)
    for (k, p), (_, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert_close(p.grad, tp.grad, rtol=1e-4, atol=1e-5)


def test_fashion_alexnet_shapes_and_count():
    m = models.FashionAlexNet().eval()
    with nt.no_grad():
        assert m.conv(nt.rand(1, 1, 224, 224)).shape == (1, 256, 5, 5)
    assert sum(p.numel() for p in m.parameters()) == 46764746  # the count the seed prints


# Parameter counts published in torchvision's model documentation.
@pytest.mark.parametrize("name,count,keys", [
    ("alexnet", 61100840, ["features.0.weight", "classifier.6.bias"]),
    ("resnet18", 11689512, ["layer1.0.conv1.weight", "layer2.0.downsample.1.running_mean",
                            "bn1.num_batches_tracked", "fc.weight"]),
    ("resnet50", 25557032, ["layer4.2.conv3.weight", "layer1.0.bn3.weight"]),
    ("mobilenet_v2", 3504872, ["features.0.0.weight", "features.1.conv.0.0.weight",
                               "features.2.conv.3.running_var", "classifier.1.weight"]),
])
def test_standard_models_match_torchvision(name, count, keys):
    m = models.get_model(name)
    assert sum(p.numel() for p in m.parameters()) == count
    sd = m.state_dict()
    for k in keys:
        assert k in sd, k


def test_resnet18_forward_and_num_classes():
    m = models.resnet18(num_classes=7, in_channels=1).eval()
    with nt.no_grad():
        assert m(nt.randn(2, 1, 64, 64)).shape == (2, 7)


def test_unknown_model_and_weights():
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model("nope")
    with pytest.raises(ValueError, match="does not download"):
        models.resnet18(weights="IMAGENET1K_V1")
