"""Pieces shared by train/eval/predict: data, models, checkpoints, progress display."""
import os
import sys
import time

import numpy as np


class CLIError(Exception):
    """A user error reported as one clear line with its remedy (exit status 2)."""


# ---- data --------------------------------------------------------------------------
# Per dataset: classes, channels, native size, normalisation (mean, std) of [0, 1] pixels.
DATASET_INFO = {
    "digits": dict(classes=[str(i) for i in range(10)], channels=1, size=8,
                   mean=(0.3051,), std=(0.3762,)),
    "mnist": dict(classes=[str(i) for i in range(10)], channels=1, size=28,
                  mean=(0.1307,), std=(0.3081,)),
    "fashion-mnist": dict(classes=["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
                          channels=1, size=28, mean=(0.2860,), std=(0.3530,)),
    "kmnist": dict(classes=[str(i) for i in range(10)], channels=1, size=28,
                   mean=(0.1918,), std=(0.3483,)),
    "cifar10": dict(classes=["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                             "horse", "ship", "truck"], channels=3, size=32,
                    mean=(0.4914, 0.4822, 0.4465), std=(0.2470, 0.2435, 0.2616)),
}

# Input size each model wants (images are resized to it once, up front).
MODEL_INPUT = {"lenet": 32, "mlp": None, "fashion_alexnet": 224, "alexnet": 224, "vgg11": 224,
               "vgg11_bn": 224, "vgg16": 224, "vgg16_bn": 224, "resnet18": None,
               "resnet34": None, "resnet50": None, "mobilenet_v2": None}


def input_size(model_name, dataset):
    size = MODEL_INPUT[model_name]
    return DATASET_INFO[dataset]["size"] if size is None else size


def _raw_split(dataset, data_dir, download, train):
    """(images uint8 N x H x W [x C], labels int64 N) of one split of a dataset."""
    from ..vision import datasets as D
    if dataset == "digits":
        ds = D.Digits(train=train)
        imgs = np.asarray(_as_np(ds.data), dtype=np.float32) / 16.0
        return imgs, np.asarray(_as_np(ds.targets), dtype=np.int64)
    cls = {"mnist": D.MNIST, "fashion-mnist": D.FashionMNIST, "kmnist": D.KMNIST,
           "cifar10": D.CIFAR10}[dataset]
    try:
        ds = cls(root=data_dir, train=train, download=download)
    except RuntimeError as e:
        if not download and "not found" in str(e).lower():
            raise CLIError(
                f"dataset '{dataset}' not found in '{data_dir}'. Add --download to fetch it "
                f"there, or point --data-dir at a folder that has it.") from None
        raise CLIError(f"could not load dataset '{dataset}' from '{data_dir}': {e}") from None
    imgs = np.asarray(_as_np(ds.data), dtype=np.float32) / 255.0
    return imgs, np.asarray(_as_np(ds.targets), dtype=np.int64)


def _as_np(x):
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def load_tensors(dataset, data_dir, download, train, size):
    """Normalised float32 images (N, C, size, size) and int64 labels, as numtorch tensors."""
    import numtorch as torch
    from numtorch.nn import functional as F
    info = DATASET_INFO[dataset]
    imgs, labels = _raw_split(dataset, data_dir, download, train)
    if imgs.ndim == 3:
        imgs = imgs[:, None]
    else:
        imgs = imgs.transpose(0, 3, 1, 2)
    mean = np.asarray(info["mean"], np.float32).reshape(1, -1, 1, 1)
    std = np.asarray(info["std"], np.float32).reshape(1, -1, 1, 1)
    x = torch.from_numpy(np.ascontiguousarray((imgs - mean) / std, dtype=np.float32))
    if x.shape[-1] != size:
        with torch.no_grad():
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return x, torch.from_numpy(labels)


def build_model(name, dataset, num_classes=None):
    from ..vision import models
    info = DATASET_INFO[dataset]
    n = num_classes or len(info["classes"])
    size = input_size(name, dataset)
    if name == "mlp":
        return models.mlp(num_classes=n, in_channels=info["channels"], input_size=size)
    if name == "lenet":
        return models.lenet(num_classes=n, in_channels=info["channels"])
    return models.get_model(name, num_classes=n, in_channels=info["channels"])


def check_device(device):
    import numtorch as torch
    try:
        d = torch.device(device)
    except RuntimeError as e:
        raise CLIError(f"unknown --device {device!r}: {e}") from None
    if d.type != "cpu" and not torch.cuda.is_available():
        raise CLIError(f"--device {device}: no GPU backend is available in numtorch yet; "
                       "use --device cpu")
    return d


# ---- checkpoints ---------------------------------------------------------------------
def load_checkpoint(path):
    import numtorch as torch
    if not os.path.exists(path):
        raise CLIError(f"checkpoint '{path}' does not exist")
    try:
        return torch.load(path, weights_only=True)
    except Exception as e:  # corrupted or not a checkpoint
        raise CLIError(f"cannot read checkpoint '{path}': {e}") from None


def model_from_checkpoint(ckpt, path, dataset=None):
    meta = ckpt.get("meta") if isinstance(ckpt, dict) else None
    if not meta or "model" not in meta:
        raise CLIError(f"'{path}' is not a numtorch train checkpoint (no 'meta' entry); "
                       "use a last.pt/best.pt written by 'numtorch train'")
    model = build_model(meta["model"], meta["dataset"], meta.get("num_classes"))
    try:
        model.load_state_dict(ckpt["model"])
    except RuntimeError as e:
        raise CLIError(f"checkpoint '{path}' does not fit model '{meta['model']}': {e}") \
            from None
    return model, meta


def check_writable_dir(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise CLIError(f"cannot create output directory '{path}': {e.strerror}; choose another "
                       "--output-dir") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise CLIError(f"output directory '{path}' is not writable; choose another --output-dir "
                       "or fix its permissions")


# ---- progress -------------------------------------------------------------------------
class Progress:
    """tqdm when installed and stderr is a terminal; a plain one-line counter otherwise;
    silent when not a terminal."""

    def __init__(self, total, desc, enabled=True):
        self.total, self.desc, self.n = total, desc, 0
        self.enabled = enabled and sys.stderr.isatty()
        self._bar = None
        if self.enabled:
            try:
                from tqdm import tqdm
                self._bar = tqdm(total=total, desc=desc, leave=False, file=sys.stderr)
            except ImportError:
                self._bar = None
        self._t0 = time.perf_counter()

    def update(self, loss=None):
        self.n += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(1)
            if loss is not None:
                self._bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        elif self.n == self.total or self.n % max(1, self.total // 20) == 0:
            msg = f"\r{self.desc} {self.n}/{self.total}"
            if loss is not None:
                msg += f" loss {loss:.4f}"
            sys.stderr.write(msg)
            sys.stderr.flush()

    def close(self):
        if self._bar is not None:
            self._bar.close()
        elif self.enabled:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def evaluate(model, loader, loss_fn, num_classes=None):
    """Mean loss, accuracy and (optionally) confusion matrix over ``loader``."""
    import numtorch as torch
    model.eval()
    total, correct, loss_sum = 0, 0, 0.0
    cm = np.zeros((num_classes, num_classes), dtype=np.int64) if num_classes else None
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss_sum += loss_fn(out, y).item() * x.size(0)
            pred = out.argmax(1)
            correct += (pred == y).sum().item()
            total += x.size(0)
            if cm is not None:
                np.add.at(cm, (y.numpy(), pred.numpy()), 1)
    return loss_sum / max(total, 1), correct / max(total, 1), cm
