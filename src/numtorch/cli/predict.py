"""``numtorch predict``: top classes of image files for a train checkpoint.

Images: PNG (8-bit gray/RGB/RGBA, non-interlaced) and binary PGM are read with the standard
library; ``.npy`` arrays directly; anything else through Pillow when it is installed.
"""
import os
import struct
import zlib

import numpy as np

from ._common import CLIError, load_checkpoint, model_from_checkpoint


def _read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = hdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError("only 8-bit non-interlaced gray/RGB(A) PNGs are supported without "
                         "Pillow")
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    stride = w * channels
    rows = raw.reshape(h, stride + 1)
    out = np.zeros((h, stride), np.int32)
    prev = np.zeros(stride, np.int32)
    for y in range(h):
        ft, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        cur = np.zeros(stride, np.int32)
        for x in range(stride):
            a = cur[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ft == 0:
                p = 0
            elif ft == 1:
                p = a
            elif ft == 2:
                p = b
            elif ft == 3:
                p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[x] = (line[x] + p) & 255
        out[y] = cur
        prev = cur
    img = out.reshape(h, w, channels).astype(np.uint8)
    return img[..., 0] if channels in (1, 2) else img[..., :3]


def _read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    if parts[0] != b"P5":
        raise ValueError("only binary PGM (P5) is supported")
    w, h, maxval = int(parts[1]), int(parts[2]), int(parts[3])
    arr = np.frombuffer(parts[4][:w * h], np.uint8).reshape(h, w)
    return (arr.astype(np.float32) * (255.0 / maxval)).astype(np.uint8)


def read_image(path):
    """An image file as a uint8 array (H, W) or (H, W, 3)."""
    if not os.path.exists(path):
        raise CLIError(f"image '{path}' does not exist")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".npy":
            return np.load(path, allow_pickle=False)
        if ext == ".png":
            return _read_png(path)
        if ext == ".pgm":
            return _read_pgm(path)
        try:
            from PIL import Image
        except ImportError:
            raise CLIError(f"cannot read '{path}': only PNG, PGM and NPY are supported without "
                           "Pillow (pip install Pillow)") from None
        return np.asarray(Image.open(path).convert("RGB"))
    except (ValueError, OSError, zlib.error) as e:
        raise CLIError(f"cannot read image '{path}': {e}") from None


def _prepare(img, meta):
    import numtorch as torch
    from numtorch.nn import functional as F
    img = np.asarray(img, np.float32)
    if img.max() > 1.0:
        img = img / (16.0 if meta["dataset"] == "digits" and img.max() <= 16 else 255.0)
    if meta["channels"] == 1 and img.ndim == 3:
        img = img.mean(-1)
    if meta["channels"] == 3 and img.ndim == 2:
        img = np.stack([img] * 3, -1)
    x = img[None, None] if img.ndim == 2 else img.transpose(2, 0, 1)[None]
    mean = np.asarray(meta["mean"], np.float32).reshape(1, -1, 1, 1)
    std = np.asarray(meta["std"], np.float32).reshape(1, -1, 1, 1)
    x = torch.from_numpy(np.ascontiguousarray((x - mean) / std, dtype=np.float32))
    s = meta["input_size"]
    if x.shape[-2:] != (s, s):
        x = F.interpolate(x, size=(s, s), mode="bilinear", align_corners=False)
    return x


def run_predict(args):
    import numtorch as torch
    ckpt = load_checkpoint(args.checkpoint)
    model, meta = model_from_checkpoint(ckpt, args.checkpoint)
    model.eval()
    classes = meta["classes"]
    k = max(1, min(args.topk, len(classes)))
    results = []
    with torch.no_grad():
        for path in args.images:
            probs = model(_prepare(read_image(path), meta)).softmax(dim=1)[0]
            top = probs.topk(k)
            pairs = [(classes[i], p) for p, i in zip(top.values.tolist(), top.indices.tolist())]
            results.append((path, pairs))
            print(f"{path}: " + ", ".join(f"{c} ({p:.3f})" for c, p in pairs))
    return results
