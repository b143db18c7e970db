"""``Digits``: the UCI optical handwritten digits (8x8), bundled with numtorch.

Dataset credit: E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits",
UCI Machine Learning Repository (https://doi.org/10.24432/C50P49), licensed under
Creative Commons Attribution 4.0 (CC BY 4.0). numtorch ships the 1,797-image copy
distributed with scikit-learn, converted by ``tools/make_digits.py``.
"""
import os

import numpy as np

from .vision import VisionDataset

__all__ = ["Digits"]

_FILE = os.path.join(os.path.dirname(__file__), "_data", "digits.npz")


def _test_mask(labels):
    """Fixed stratified split: within each class, every 5th image (in file order) is a test
    image (355 test / 1,442 train). The file's order groups writers, so this mixes writers
    into both parts, as a random split would, without depending on any random generator."""
    rank = np.zeros(len(labels), dtype=np.int64)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rank[idx] = np.arange(len(idx))
    return rank % 5 == 4


class Digits(VisionDataset):
    """The 8x8 UCI handwritten digits: 1,797 images in 10 classes, bundled (no download).

    Split: fixed and stratified: within each class every 5th image (in the file's order) is
    in the test set, giving 1,442 training and 355 test images.
    ``dataset[i]`` is ``(image, target)``: an ``8 x 8`` uint8 NumPy array with values
    0..16 (the UCI counts of set pixels per 4x4 block) and an ``int`` label, as
    ``MNIST`` returns them; ``transforms.ToTensor()`` gives a ``1 x 8 x 8`` float tensor
    (values divided by 255, so at most 16/255: normalise accordingly).
    ``data`` is the ``N x 8 x 8`` uint8 tensor, ``targets`` the int64 labels.

    Credit: E. Alpaydin, C. Kaynak, UCI Machine Learning Repository, CC BY 4.0.

    Args:
        root: ignored (the data is inside the package); kept for torchvision's signature.
        train (bool): training split (else test).
        transform (callable, optional): applied to the image.
        target_transform (callable, optional): applied to the target.

    Example:
        >>> ds = Digits(train=False)
        >>> len(ds), ds[0][0].shape
        (355, (8, 8))
    """

    classes = [str(i) for i in range(10)]

    def __init__(self, root=None, train=True, transform=None, target_transform=None):
        super().__init__(root, transform=transform, target_transform=target_transform)
        from ..._tensor import _wrap
        self.train = train
        with np.load(_FILE) as f:
            images, labels = f["images"], f["labels"]
        part = ~_test_mask(labels) if train else _test_mask(labels)
        self.data = _wrap(np.ascontiguousarray(images[part]))
        self.targets = _wrap(labels[part].astype(np.int64))

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index):
        img = self.data._data[index].copy()
        target = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"
