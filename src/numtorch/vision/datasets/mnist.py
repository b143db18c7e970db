"""MNIST, Fashion-MNIST and KMNIST, read from the original IDX files (plain or gzipped)."""
import gzip
import os

import numpy as np

from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "read_sn3_pascalvincent_tensor",
           "read_image_file", "read_label_file"]

# IDX type byte -> big-endian NumPy dtype
_IDX_TYPES = {8: np.dtype(np.uint8), 9: np.dtype(np.int8), 11: np.dtype(">i2"),
              12: np.dtype(">i4"), 13: np.dtype(">f4"), 14: np.dtype(">f8")}


def _read_bytes(path):
    if os.path.exists(path):
        opener = gzip.open if path.endswith(".gz") else open
    elif os.path.exists(path + ".gz"):
        path, opener = path + ".gz", gzip.open
    else:
        raise FileNotFoundError(f"No such file: '{path}' (nor '{path}.gz')")
    with opener(path, "rb") as f:
        return f.read()


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an IDX file (the MNIST format): magic ``0 0 type ndim``, big-endian int32 sizes,
    then the data. Returns a numtorch tensor in native byte order."""
    from ..._tensor import _wrap
    data = _read_bytes(os.fspath(path))
    if len(data) < 4:
        raise ValueError(f"{path} is not an IDX file: only {len(data)} bytes")
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if not 1 <= nd <= 3 or ty not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file (magic number {magic:#010x})")
    shape = tuple(int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd))
    dtype = _IDX_TYPES[ty]
    offset = 4 * (nd + 1)
    count = int(np.prod(shape, dtype=np.int64))
    if strict and len(data) - offset != count * dtype.itemsize:
        raise ValueError(f"{path}: the header announces shape {shape} ({count * dtype.itemsize} "
                         f"bytes) but the file holds {len(data) - offset} bytes of data")
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape)
    return _wrap(arr.astype(dtype.newbyteorder("="), copy=True))


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x._data.dtype != np.uint8 or x._data.ndim != 1:
        raise ValueError(f"{path}: expected 1-d uint8 labels, got shape {tuple(x.shape)} "
                         f"{x.dtype}")
    return x.long()


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x._data.dtype != np.uint8 or x._data.ndim != 3:
        raise ValueError(f"{path}: expected 3-d uint8 images, got shape {tuple(x.shape)} "
                         f"{x.dtype}")
    return x


class MNIST(VisionDataset):
    """The MNIST handwritten digits (60,000 train / 10,000 test, 28x28 grayscale).

    Files live in ``root/MNIST/raw`` as the original IDX files (gzipped or not).
    ``dataset[i]`` is ``(image, target)``: the image is a ``28 x 28`` uint8 NumPy array
    (numtorch's stand-in for torchvision's PIL image: ``transforms.ToTensor()`` turns it into
    a ``1 x 28 x 28`` float tensor), the target an ``int``.

    Args:
        root (str): folder holding ``MNIST/raw``.
        train (bool): training split (else test).
        transform (callable, optional): applied to the image.
        target_transform (callable, optional): applied to the target.
        download (bool): fetch the files from the mirrors (MD5-checked) if missing.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(f"Dataset not found in {self.raw_folder}. You can use "
                               "download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def _files(self):
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _check_exists(self):
        def present(stem):
            path = os.path.join(self.raw_folder, stem)
            return os.path.isfile(path) or os.path.isfile(path + ".gz")
        return all(present(os.path.splitext(name)[0]) for name, _ in self.resources)

    def _load_data(self):
        images, labels = self._files()
        data = read_image_file(os.path.join(self.raw_folder, images))
        targets = read_label_file(os.path.join(self.raw_folder, labels))
        if len(data) != len(targets):
            raise RuntimeError(f"{self.raw_folder}: {len(data)} images but {len(targets)} labels")
        return data, targets

    def download(self):
        """Fetch every missing file, trying each mirror in turn (MD5-verified)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    download_and_extract_archive(url, download_root=self.raw_folder,
                                                 filename=filename, md5=md5)
                except RuntimeError as error:
                    print(f"Failed to download (trying next):\n{error}")
                    errors.append(str(error))
                    continue
                break
            else:
                raise RuntimeError(f"Error downloading {filename} into {self.raw_folder}:\n"
                                   + "\n".join(errors))

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


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST (same format and API as ``MNIST``; 10 clothing classes)."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST (same format and API as ``MNIST``; 10 hiragana classes)."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
                 ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
                 ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
                 ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134")]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
