"""numtorch.vision.datasets: readers on small files written in the real formats (IDX, CIFAR
pickle batches, image folders), downloads against a local HTTP server, the bundled Digits."""
import gzip
import hashlib
import http.server
import io
import os
import pickle
import threading

import numpy as np
import pytest

import numtorch as nt
from numtorch.utils.data import DataLoader
from numtorch.vision import datasets, transforms as T
from numtorch.vision.datasets import utils as dsutils

from ..conftest import torch, assert_close


def _idx_bytes(arr):
    codes = {np.dtype(np.uint8): 8, np.dtype(np.int8): 9, np.dtype(">i2"): 11,
             np.dtype(">i4"): 12, np.dtype(">f4"): 13, np.dtype(">f8"): 14}
    big = arr.astype(arr.dtype.newbyteorder(">")) if arr.dtype.itemsize > 1 else arr
    header = bytes([0, 0, codes[big.dtype], arr.ndim])
    header += b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    return header + big.tobytes()


def _write_mnist(root, cls="MNIST", n_train=12, n_test=5, gz=True):
    raw = os.path.join(root, cls, "raw")
    os.makedirs(raw, exist_ok=True)
    rng = np.random.default_rng(1)
    out = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        imgs = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        for kind, arr in (("images-idx3", imgs), ("labels-idx1", labels)):
            name = os.path.join(raw, f"{prefix}-{kind}-ubyte")
            data = _idx_bytes(arr)
            if gz:
                with gzip.open(name + ".gz", "wb") as f:
                    f.write(data)
            else:
                with open(name, "wb") as f:
                    f.write(data)
        out[prefix] = (imgs, labels)
    return out


@pytest.mark.parametrize("cls,gz", [("MNIST", True), ("FashionMNIST", False), ("KMNIST", True)])
def test_mnist_family_reads_idx(tmp_path, cls, gz):
    ref = _write_mnist(str(tmp_path), cls, gz=gz)
    ds = getattr(datasets, cls)(str(tmp_path), train=True)
    imgs, labels = ref["train"]
    assert len(ds) == 12 and ds.data.dtype == nt.uint8 and ds.targets.dtype == nt.int64
    img, target = ds[3]
    assert isinstance(img, np.ndarray) and img.shape == (28, 28) and target == int(labels[3])
    np.testing.assert_array_equal(img, imgs[3])
    test = getattr(datasets, cls)(str(tmp_path), train=False,
                                  transform=T.Compose([T.ToTensor(), T.Normalize((0.5,),
                                                                                 (0.5,))]))
    x, y = test[1]
    expect = (torch.from_numpy(ref["t10k"][0][1]).float().div(255)[None] - 0.5) / 0.5
    assert_close(x, expect)
    assert repr(test).startswith(f"Dataset {cls}\n    Number of datapoints: 5\n    Root "
                                 f"location: {tmp_path}\n    Split: Test\n    StandardTransform")
    xb, yb = next(iter(DataLoader(test, batch_size=4)))
    assert xb.shape == (4, 1, 28, 28) and yb.dtype == nt.int64


def test_idx_reader_dtypes_and_errors(tmp_path):
    for arr in (np.arange(6, dtype=np.int16).reshape(2, 3) - 3, np.linspace(0, 1, 4,
                                                                          dtype=np.float32),
                np.arange(8, dtype=np.int32).reshape(2, 2, 2)):
        p = tmp_path / "f.idx"
        p.write_bytes(_idx_bytes(arr))
        out = datasets.mnist.read_sn3_pascalvincent_tensor(str(p))
        np.testing.assert_array_equal(out._data, arr)
        assert out._data.dtype == arr.dtype
    p = tmp_path / "bad.idx"
    p.write_bytes(b"\x00\x00\x07\x01" + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(ValueError, match="not an IDX file"):
        datasets.mnist.read_sn3_pascalvincent_tensor(str(p))
    p.write_bytes(_idx_bytes(np.arange(5, dtype=np.uint8))[:-2])
    with pytest.raises(ValueError, match="holds 3 bytes"):
        datasets.mnist.read_sn3_pascalvincent_tensor(str(p))
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.MNIST(str(tmp_path / "none"))


def _cifar_files(root, hundred=False):
    """Batches as the original 'python version' (str keys, numpy uint8 data, protocol 2)."""
    folder = os.path.join(root, "cifar-100-python" if hundred else "cifar-10-batches-py")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(2)
    names = (["train"], ["test"]) if hundred else (
        [f"data_batch_{i}" for i in range(1, 6)], ["test_batch"])
    ref = {}
    for name in names[0] + names[1]:
        data = rng.integers(0, 256, (3, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, 3)]
        key = "fine_labels" if hundred else "labels"
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump({"batch_label": name, key: labels, "data": data,
                         "filenames": ["a.png", "b.png", "c.png"]}, f, protocol=2)
        ref[name] = (data, labels)
    meta_name, meta_key = ("meta", "fine_label_names") if hundred else ("batches.meta",
                                                                       "label_names")
    with open(os.path.join(folder, meta_name), "wb") as f:
        pickle.dump({meta_key: [f"class{i}" for i in range(10)]}, f, protocol=2)

    def md5(name):
        return hashlib.md5(open(os.path.join(folder, name), "rb").read()).hexdigest()
    base = datasets.CIFAR100 if hundred else datasets.CIFAR10
    local = type("Local" + base.__name__, (base,), {
        "train_list": [[n, md5(n)] for n in names[0]],
        "test_list": [[n, md5(n)] for n in names[1]],
        "meta": {"filename": meta_name, "key": meta_key, "md5": md5(meta_name)}})
    return local, ref


@pytest.mark.parametrize("hundred", [False, True])
def test_cifar_reads_python_batches(tmp_path, hundred):
    cls, ref = _cifar_files(str(tmp_path), hundred)
    train = cls(str(tmp_path), train=True)
    first = "train" if hundred else "data_batch_1"
    assert len(train) == (3 if hundred else 15) and train.classes[2] == "class2"
    img, target = train[1]
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8
    np.testing.assert_array_equal(img, ref[first][0][1].reshape(3, 32, 32).transpose(1, 2, 0))
    assert target == ref[first][1][1]
    x = T.ToTensor()(img)
    assert_close(x, torch.from_numpy(ref[first][0][1].reshape(3, 32, 32)).float().div(255))
    test = cls(str(tmp_path), train=False)
    assert len(test) == 3 and "Split: Test" in repr(test)


def test_cifar_unpickler_refuses_other_globals(tmp_path):
    cls, _ = _cifar_files(str(tmp_path))

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    path = os.path.join(str(tmp_path), "cifar-10-batches-py", "data_batch_1")
    with open(path, "wb") as f:
        pickle.dump({"data": Evil()}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="forbidden"):
        datasets.cifar.load_pickle(path)
    with pytest.raises(RuntimeError, match="not found or corrupted"):
        cls(str(tmp_path))  # the tampered file no longer has its MD5


def test_image_folder(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(3)
    arrays = {}
    for cls in ("cat", "dog"):
        os.makedirs(tmp_path / cls)
        for i in range(2):
            a = rng.integers(0, 256, (5, 6, 3), dtype=np.uint8)
            Image.fromarray(a).save(tmp_path / cls / f"{i}.png")
            arrays[(cls, i)] = a
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    ds = datasets.ImageFolder(str(tmp_path), transform=T.ToTensor())
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert len(ds) == 4 and ds.targets == [0, 0, 1, 1]
    x, y = ds[2]
    assert y == 1
    assert_close(x, torch.from_numpy(arrays[("dog", 0)].transpose(2, 0, 1).copy()).float() / 255)
    os.makedirs(tmp_path / "empty")
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(str(tmp_path))


# ---- downloads --------------------------------------------------------------------------
PAYLOAD = os.urandom(50_000)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/missing":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        if self.path == "/truncated":
            self.wfile.write(PAYLOAD[:20_000])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(PAYLOAD)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _listing(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_download_good_file(server, tmp_path):
    md5 = hashlib.md5(PAYLOAD).hexdigest()
    dsutils.download_url(f"{server}/good.bin", str(tmp_path), md5=md5)
    assert (tmp_path / "good.bin").read_bytes() == PAYLOAD
    assert _listing(tmp_path) == ["good.bin"]
    dsutils.download_url(f"{server}/missing", str(tmp_path), "good.bin", md5=md5)  # cached


@pytest.mark.parametrize("path,match", [("/good.bin", "Checksum mismatch"),
                                        ("/truncated", "truncated|IncompleteRead|Could not "
                                                       "download"),
                                        ("/missing", "Could not download")])
def test_download_failures_leave_nothing(server, tmp_path, path, match):
    with pytest.raises(RuntimeError, match=match) as e:
        dsutils.download_url(f"{server}{path}", str(tmp_path), "file.bin", md5="0" * 32)
    assert _listing(tmp_path) == []  # no file, not even a partial one
    if "Could not" in str(e.value):
        assert f"{server}{path}" in str(e.value) and str(tmp_path) in str(e.value)


def test_download_offline_error_names_url_and_root(tmp_path):
    with pytest.raises(RuntimeError) as e:
        dsutils.download_url("http://127.0.0.1:9/none.gz", str(tmp_path), md5="0" * 32)
    assert "http://127.0.0.1:9/none.gz" in str(e.value) and str(tmp_path) in str(e.value)


def test_mnist_download_from_mirror(server, tmp_path, monkeypatch):
    src = tmp_path / "src"
    ref = _write_mnist(str(src), gz=True)
    files = {}
    for name, _ in datasets.MNIST.resources:
        files[name] = (src / "MNIST" / "raw" / name).read_bytes()

    class Files(_Handler):
        def do_GET(self):
            body = files.get(self.path.rsplit("/", 1)[-1])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        local = type("LocalMNIST", (datasets.MNIST,), {
            "mirrors": ["http://127.0.0.1:9/", url],  # the first mirror is down
            "resources": [(n, hashlib.md5(b).hexdigest()) for n, b in files.items()]})
        ds = local(str(tmp_path / "dl"), download=True)
    finally:
        httpd.shutdown()
        httpd.server_close()
    np.testing.assert_array_equal(ds.data._data, ref["train"][0])
    raw = tmp_path / "dl" / "LocalMNIST" / "raw"
    assert not [n for n in os.listdir(raw) if n.endswith(".part")]


# ---- bundled digits ---------------------------------------------------------------------
def test_digits_bundled():
    train, test = datasets.Digits(), datasets.Digits(train=False)
    assert len(train) == 1442 and len(test) == 355
    img, y = train[0]
    assert img.shape == (8, 8) and img.dtype == np.uint8 and 0 <= img.max() <= 16
    assert isinstance(y, int) and 0 <= y <= 9
    assert sorted(set(train.targets.tolist())) == list(range(10))
    x = T.ToTensor()(img)
    assert x.shape == (1, 8, 8) and x.dtype == nt.float32
    assert_close(x, torch.from_numpy(img).float()[None] / 255)
    loader = DataLoader(datasets.Digits(train=False, transform=T.ToTensor()), batch_size=100)
    assert [b[0].shape[0] for b in loader] == [100, 100, 100, 55]
    assert repr(test) == "Dataset Digits\n    Number of datapoints: 355\n    Split: Test"
