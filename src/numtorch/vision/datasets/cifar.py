"""CIFAR-10 and CIFAR-100 from the original "python version" pickle batches.

The batches are pickles; they are read with an unpickler that can only build what they
contain (dicts, lists, strings, bytes, numbers and NumPy arrays) and refuses every other
global, so a tampered file cannot run code.
"""
import io
import os
import pickle

import numpy as np

from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "load_pickle"]


def _array_reconstructor():
    # the function ndarray pickles are rebuilt with (numpy.core / numpy._core .multiarray)
    return np.empty(0).__reduce__()[0]


def _safe_encode(obj, encoding="latin1"):
    import codecs
    if not isinstance(obj, str):
        raise pickle.UnpicklingError("_codecs.encode may only encode a str here")
    return codecs.encode(obj, encoding)


class _RestrictedUnpickler(pickle.Unpickler):
    """Resolves only the globals a CIFAR batch needs."""

    def find_class(self, module, name):
        allowed = {
            ("numpy.core.multiarray", "_reconstruct"): _array_reconstructor,
            ("numpy._core.multiarray", "_reconstruct"): _array_reconstructor,
            ("numpy", "ndarray"): lambda: np.ndarray,
            ("numpy", "dtype"): lambda: np.dtype,
            ("_codecs", "encode"): lambda: _safe_encode,
        }
        factory = allowed.get((module, name))
        if factory is None:
            raise pickle.UnpicklingError(f"global '{module}.{name}' is forbidden in a CIFAR "
                                         "batch file")
        return factory()


def load_pickle(path):
    """Load a CIFAR batch file (latin1 strings, as the Python 2 originals need)."""
    with open(path, "rb") as f:
        return _RestrictedUnpickler(io.BufferedReader(f), encoding="latin1").load()


def _get(d, key):
    return d[key] if key in d else d[key.encode("latin1")]


class CIFAR10(VisionDataset):
    """CIFAR-10: 50,000 train / 10,000 test 32x32 colour images in 10 classes.

    Files live in ``root/cifar-10-batches-py`` (the extracted "python version" archive).
    ``dataset[i]`` is ``(image, target)``: the image is a ``32 x 32 x 3`` uint8 NumPy array
    (HWC, like a PIL image; ``transforms.ToTensor()`` makes it ``3 x 32 x 32``), the target
    an ``int``. ``data`` is the ``N x 32 x 32 x 3`` uint8 array, ``targets`` a list.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [["data_batch_1", "c99cafc152244af753f735de768cd75f"],
                  ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
                  ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
                  ["data_batch_4", "634d18415352ddfa80567beed471001a"],
                  ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"]]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(f"Dataset not found or corrupted in "
                               f"{os.path.join(self.root, self.base_folder)}. You can use "
                               "download=True to download it")
        chunks, self.targets = [], []
        for name, _ in (self.train_list if self.train else self.test_list):
            entry = load_pickle(os.path.join(self.root, self.base_folder, name))
            chunks.append(np.asarray(_get(entry, "data"), dtype=np.uint8))
            key = "labels" if ("labels" in entry or b"labels" in entry) else "fine_labels"
            self.targets.extend(int(v) for v in _get(entry, key))
        self.data = np.vstack(chunks).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self.data = np.ascontiguousarray(self.data)
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError("Dataset metadata file not found or corrupted. You can use "
                               "download=True to download it")
        self.classes = list(_get(load_pickle(path), self.meta["key"]))
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _check_integrity(self):
        for name, md5 in self.train_list + self.test_list:
            path = os.path.join(self.root, self.base_folder, name)
            if not check_integrity(path, md5):
                return False
        return True

    def download(self):
        if self._check_integrity():
            print("Files already downloaded and verified")
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename,
                                     md5=self.tgz_md5)

    def __getitem__(self, index):
        img, target = self.data[index].copy(), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: like ``CIFAR10`` with 100 fine classes (``fine_labels``)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names",
            "md5": "7973b15100ade9c7d40fb424638fde48"}
