"""numtorch.vision.datasets: MNIST, FashionMNIST, KMNIST, CIFAR10/100, ImageFolder and the
bundled 8x8 Digits, with torchvision's API."""
from .vision import VisionDataset as VisionDataset
from .mnist import MNIST as MNIST
from .mnist import FashionMNIST as FashionMNIST
from .mnist import KMNIST as KMNIST
from .cifar import CIFAR10 as CIFAR10
from .cifar import CIFAR100 as CIFAR100
from .folder import DatasetFolder as DatasetFolder
from .folder import ImageFolder as ImageFolder
from .digits import Digits as Digits
from . import utils as utils

__all__ = ["VisionDataset", "MNIST", "FashionMNIST", "KMNIST", "CIFAR10", "CIFAR100",
           "DatasetFolder", "ImageFolder", "Digits", "utils"]
