"""One-off: convert scikit-learn's copy of the UCI 8x8 digits into numtorch's bundled file.

    pip install scikit-learn          # only for this script; not a numtorch dependency
    python tools/make_digits.py

Writes src/numtorch/vision/datasets/_data/digits.npz: ``images`` (1797, 8, 8) uint8 with
values 0..16 and ``labels`` (1797,) uint8, in the original order (numtorch's Digits uses the
first 1,437 as train, the last 360 as test). Dataset: E. Alpaydin, C. Kaynak, "Optical
Recognition of Handwritten Digits", UCI Machine Learning Repository, CC BY 4.0.
"""
import pathlib

import numpy as np
from sklearn.datasets import load_digits

OUT = (pathlib.Path(__file__).resolve().parents[1] / "src" / "numtorch" / "vision" / "datasets"
       / "_data" / "digits.npz")


def main():
    d = load_digits()
    images = d.images.astype(np.uint8)
    assert images.shape == (1797, 8, 8) and images.max() == 16
    assert np.array_equal(images.astype(np.float64), d.images)
    labels = d.target.astype(np.uint8)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, images=images, labels=labels)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
