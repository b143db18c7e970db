"""numtorch.vision.transforms: torchvision.transforms' image transforms on NumPy arrays,
numtorch tensors and (with Pillow installed) PIL images."""
from .transforms import Compose as Compose
from .transforms import ToTensor as ToTensor
from .transforms import PILToTensor as PILToTensor
from .transforms import ConvertImageDtype as ConvertImageDtype
from .transforms import Normalize as Normalize
from .transforms import Resize as Resize
from .transforms import CenterCrop as CenterCrop
from .transforms import RandomCrop as RandomCrop
from .transforms import RandomResizedCrop as RandomResizedCrop
from .transforms import RandomHorizontalFlip as RandomHorizontalFlip
from .transforms import RandomVerticalFlip as RandomVerticalFlip
from .transforms import RandomRotation as RandomRotation
from .transforms import Pad as Pad
from .transforms import Lambda as Lambda
from .transforms import Grayscale as Grayscale
from .transforms import ColorJitter as ColorJitter
from .functional import InterpolationMode as InterpolationMode
from . import functional as functional

__all__ = ["Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "Normalize", "Resize",
           "CenterCrop", "RandomCrop", "RandomResizedCrop", "RandomHorizontalFlip",
           "RandomVerticalFlip", "RandomRotation", "Pad", "Lambda", "Grayscale", "ColorJitter",
           "InterpolationMode", "functional"]
