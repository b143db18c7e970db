"""Model zoo: the seed's MLP, LeNet and Fashion-MNIST AlexNet, and torchvision's standard
architectures with torchvision's module names (so a torchvision state dict loads by key)."""
from .seed import MLP, LeNet, FashionAlexNet, mlp, lenet, fashion_alexnet
from .alexnet import AlexNet, alexnet
from .vgg import VGG, vgg11, vgg11_bn, vgg16, vgg16_bn
from .resnet import ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50
from .mobilenetv2 import MobileNetV2, InvertedResidual, mobilenet_v2

__all__ = ["MLP", "LeNet", "FashionAlexNet", "mlp", "lenet", "fashion_alexnet", "AlexNet",
           "alexnet", "VGG", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn", "ResNet", "BasicBlock",
           "Bottleneck", "resnet18", "resnet34", "resnet50", "MobileNetV2", "InvertedResidual",
           "mobilenet_v2", "get_model", "list_models"]

_REGISTRY = {
    "mlp": mlp, "lenet": lenet, "fashion_alexnet": fashion_alexnet, "alexnet": alexnet,
    "vgg11": vgg11, "vgg11_bn": vgg11_bn, "vgg16": vgg16, "vgg16_bn": vgg16_bn,
    "resnet18": resnet18, "resnet34": resnet34, "resnet50": resnet50,
    "mobilenet_v2": mobilenet_v2,
}


def list_models():
    return sorted(_REGISTRY)


def get_model(name, **kwargs):
    """Build a model by name (``get_model('lenet', num_classes=10)``)."""
    try:
        fn = _REGISTRY[name.lower()]
    except KeyError:
        raise ValueError(f"Unknown model {name!r}; choose one of {', '.join(list_models())}") \
            from None
    return fn(**kwargs)
