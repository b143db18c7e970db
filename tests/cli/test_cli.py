"""End-to-end tests of ``numtorch train/eval/predict`` on the bundled digits (small settings)."""
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

import numtorch as nt
from numtorch.cli import main
from numtorch.cli.predict import read_image


def _train(out, *extra):
    return main(["train", "--output-dir", str(out), "--no-progress", "--no-plot",
                 "--model", "mlp", "--batch-size", "64", *extra])


def test_train_writes_outputs_and_resume_gives_identical_weights(tmp_path, capsys):
    straight, split = tmp_path / "straight", tmp_path / "split"
    assert _train(straight, "--epochs", "2") == 0
    assert _train(split, "--epochs", "1") == 0
    assert _train(split, "--epochs", "2", "--resume") == 0
    out = capsys.readouterr().out
    assert "resuming from" in out
    for name in ("last.pt", "best.pt", "metrics.csv", "metrics.json"):
        assert (straight / name).exists()
    a = nt.load(straight / "last.pt")
    b = nt.load(split / "last.pt")
    assert a["epoch"] == b["epoch"] == 2
    for k in a["model"]:
        np.testing.assert_array_equal(a["model"][k].numpy(), b["model"][k].numpy())
    assert [h["val_acc"] for h in a["history"]] == [h["val_acc"] for h in b["history"]]
    lines = (straight / "metrics.csv").read_text().splitlines()
    assert lines[0].startswith("epoch,train_loss") and len(lines) == 3


def test_checkpoint_loads_in_torch(tmp_path):
    torch = pytest.importorskip("torch")
    assert _train(tmp_path, "--epochs", "1") == 0
    ck = torch.load(tmp_path / "last.pt", weights_only=True)
    assert ck["meta"]["model"] == "mlp"
    assert ck["model"]["hidden.weight"].shape == (256, 64)


def test_eval_and_predict(tmp_path, capsys):
    assert _train(tmp_path, "--epochs", "1") == 0
    capsys.readouterr()
    assert main(["eval", "--checkpoint", str(tmp_path / "best.pt")]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "confusion matrix" in out
    from numtorch.vision.datasets import Digits
    img = Digits(train=False).data.numpy()[0].astype(np.uint8) * 15
    np.save(tmp_path / "img.npy", img)
    _write_png(tmp_path / "img.png", img)
    assert main(["predict", "--checkpoint", str(tmp_path / "best.pt"),
                 str(tmp_path / "img.npy"), str(tmp_path / "img.png")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].split(":")[1] == lines[1].split(":")[1]


def _write_png(path, img):
    """A minimal grayscale PNG (filter type 1, 'Sub', to exercise un-filtering)."""
    h, w = img.shape
    rows = []
    for r in img.astype(np.int32):
        sub = (r - np.concatenate([[0], r[:-1]])) & 255
        rows.append(b"\x01" + sub.astype(np.uint8).tobytes())
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
    path.write_bytes(data)


def test_png_reader_roundtrip(tmp_path):
    img = (np.arange(40).reshape(5, 8) * 6).astype(np.uint8)
    _write_png(tmp_path / "a.png", img)
    np.testing.assert_array_equal(read_image(str(tmp_path / "a.png")), img)


def test_missing_dataset_error_names_the_remedy(tmp_path, capsys):
    rc = main(["train", "--dataset", "mnist", "--data-dir", str(tmp_path / "none"),
               "--output-dir", str(tmp_path / "o"), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "--download" in err and "mnist" in err


def test_checkpoint_from_another_model(tmp_path, capsys):
    assert _train(tmp_path, "--epochs", "1") == 0
    rc = main(["train", "--output-dir", str(tmp_path), "--model", "lenet", "--resume",
               "--no-progress", "--epochs", "2"])
    assert rc == 2 and "written for model 'mlp'" in capsys.readouterr().err
    ck = nt.load(tmp_path / "last.pt")
    ck["meta"]["model"] = "lenet"
    nt.save(ck, tmp_path / "wrong.pt")
    rc = main(["eval", "--checkpoint", str(tmp_path / "wrong.pt")])
    assert rc == 2 and "does not fit model 'lenet'" in capsys.readouterr().err


def test_unknown_option_value_and_unwritable_output(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["train", "--optimizer", "nope"])
    assert e.value.code == 2 and "invalid choice: 'nope'" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc = main(["train", "--output-dir", str(blocker / "sub"), "--no-progress"])
    assert rc == 2 and "cannot create output directory" in capsys.readouterr().err


def test_python_dash_m_entry_point(tmp_path):
    r = subprocess.run([sys.executable, "-m", "numtorch", "train", "--help"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "--resume" in r.stdout
