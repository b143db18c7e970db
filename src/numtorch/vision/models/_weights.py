"""Pretrained weights cannot be downloaded by numtorch (offline by design): load a
torchvision state dict file with ``numtorch.load`` and ``model.load_state_dict`` instead."""


def check_weights(weights):
    if weights is not None:
        raise ValueError(
            "numtorch.vision.models does not download pretrained weights; build the model with "
            "weights=None and load a torchvision checkpoint with "
            "model.load_state_dict(numtorch.load(path))")
