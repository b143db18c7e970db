"""``numtorch`` command line: ``numtorch train``, ``numtorch eval``, ``numtorch predict``.

The seed's workflow as one command: data through a DataLoader, a model, a loss and an
optimizer, ``model.train()`` epochs, validation under ``no_grad()`` with ``model.eval()``,
checkpoints and metrics written to an output directory.
"""
import argparse
import sys

__all__ = ["main", "build_parser"]

MODELS = ["lenet", "mlp", "fashion_alexnet", "alexnet", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn",
          "resnet18", "resnet34", "resnet50", "mobilenet_v2"]
DATASETS = ["digits", "mnist", "fashion-mnist", "kmnist", "cifar10"]
OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad"]
SCHEDULERS = ["none", "step", "cosine", "exponential", "onecycle", "plateau"]


def _add_data_args(p):
    p.add_argument("--dataset", choices=DATASETS, default=None,
                   help="dataset (default: the checkpoint's, or 'digits', bundled and offline)")
    p.add_argument("--data-dir", default="data", help="where mnist/fashion-mnist/cifar10 live")
    p.add_argument("--download", action="store_true",
                   help="download the dataset into --data-dir if it is missing")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--num-workers", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu (cuda needs a GPU backend)")


def build_parser():
    parser = argparse.ArgumentParser(prog="numtorch", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model and write checkpoints and metrics")
    t.add_argument("--model", choices=MODELS, default="lenet")
    _add_data_args(t)
    t.add_argument("--epochs", type=int, default=15)
    t.add_argument("--lr", type=float, default=None,
                   help="learning rate (default: 1e-3 for adam/adamw/rmsprop, 0.05 for sgd)")
    t.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    t.add_argument("--momentum", type=float, default=0.9, help="SGD/RMSprop momentum")
    t.add_argument("--nesterov", action="store_true")
    t.add_argument("--betas", type=float, nargs=2, default=(0.9, 0.999), metavar=("B1", "B2"))
    t.add_argument("--weight-decay", type=float, default=0.0)
    t.add_argument("--scheduler", choices=SCHEDULERS, default="none")
    t.add_argument("--step-size", type=int, default=5, help="StepLR step size (epochs)")
    t.add_argument("--gamma", type=float, default=0.5, help="StepLR/ExponentialLR decay")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--output-dir", default="runs/train")
    t.add_argument("--resume", action="store_true",
                   help="continue from OUTPUT_DIR/last.pt (model, optimizer, scheduler, RNG)")
    t.add_argument("--max-steps", type=int, default=None, help=argparse.SUPPRESS)
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.add_argument("--no-plot", action="store_true", help="do not write curves.png")
    t.add_argument("--distributed", action="store_true",
                   help="data-parallel over MPI ranks (launch with mpirun -n N)")

    e = sub.add_parser("eval", help="test loss, accuracy and confusion matrix of a checkpoint")
    e.add_argument("--checkpoint", required=True)
    _add_data_args(e)

    pr = sub.add_parser("predict", help="top classes of image files")
    pr.add_argument("--checkpoint", required=True)
    pr.add_argument("images", nargs="+", help="image files (PNG/PGM/NPY; others need Pillow)")
    pr.add_argument("--topk", type=int, default=3)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    from ._common import CLIError
    try:
        if args.command == "train":
            from .train import run_train
            run_train(args)
        elif args.command == "eval":
            from .evaluate import run_eval
            run_eval(args)
        else:
            from .predict import run_predict
            run_predict(args)
    except CLIError as e:
        print(f"numtorch {args.command}: error: {e}", file=sys.stderr)
        return 2
    return 0


def _console():
    """Console-script entry point (exit status from main)."""
    sys.exit(main())
