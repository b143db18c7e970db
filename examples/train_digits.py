"""Train the seed's LeNet on the bundled 8x8 digits (upsampled to 32x32), with numtorch or torch.

    python examples/train_digits.py                  # numtorch
    python examples/train_digits.py --backend torch  # the same script on real PyTorch

The data come from numtorch's bundled copy of the UCI digits (read with NumPy), so both
backends see identical inputs; the model, loss, optimizer, epochs and batch size are the same
as the default ``numtorch train``.
"""
import argparse
import importlib
import time

import numpy as np


def load_digits_arrays(train):
    from numtorch.vision.datasets import Digits
    ds = Digits(train=train)
    x = np.asarray(ds.data.numpy() if hasattr(ds.data, "numpy") else ds.data, np.float32) / 16.0
    y = np.asarray(ds.targets.numpy() if hasattr(ds.targets, "numpy") else ds.targets, np.int64)
    return (x[:, None] - 0.3051) / 0.3762, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["numtorch", "torch"], default="numtorch")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch = importlib.import_module(args.backend)
    nn, F = torch.nn, torch.nn.functional
    from torch_compatible_models import LeNet  # noqa: E402  (same file for both backends)

    torch.manual_seed(args.seed)
    xtr, ytr = load_digits_arrays(True)
    xte, yte = load_digits_arrays(False)
    with torch.no_grad():
        up = lambda a: F.interpolate(torch.from_numpy(np.ascontiguousarray(a)), size=(32, 32),
                                     mode="bilinear", align_corners=False)
        xtr, xte = up(xtr), up(xte)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    g = torch.Generator()
    g.manual_seed(args.seed)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xtr, ytr),
                                         batch_size=args.batch_size, shuffle=True, generator=g)
    model = LeNet(nn, F)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            out = model(xte)
            acc = (out.argmax(1) == yte).float().mean().item()
            vloss = loss_fn(out, yte).item()
        print(f"epoch {epoch + 1:2d}  val loss {vloss:.4f}  acc {acc:.4f}")
    print(f"{args.backend}: final test accuracy {acc:.4f} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
