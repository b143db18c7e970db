"""``numtorch eval``: test loss, accuracy and confusion matrix of a train checkpoint."""
from ._common import (CLIError, check_device, evaluate, load_checkpoint, load_tensors,
                      model_from_checkpoint)


def run_eval(args):
    from numtorch import nn
    from numtorch.utils.data import DataLoader, TensorDataset
    check_device(args.device)
    ckpt = load_checkpoint(args.checkpoint)
    model, meta = model_from_checkpoint(ckpt, args.checkpoint)
    dataset = args.dataset or meta["dataset"]
    if dataset != meta["dataset"]:
        raise CLIError(f"checkpoint was trained on '{meta['dataset']}', not '{dataset}'")
    x, y = load_tensors(dataset, args.data_dir, args.download, False, meta["input_size"])
    loader = DataLoader(TensorDataset(x, y), batch_size=max(args.batch_size, 256))
    loss, acc, cm = evaluate(model, loader, nn.CrossEntropyLoss(), meta["num_classes"])
    print(f"model {meta['model']} on {dataset} test set ({len(y)} images)")
    print(f"test loss {loss:.4f}  accuracy {acc:.4f}")
    classes = meta["classes"]
    width = max(5, max(len(c) for c in classes) + 1)
    print("confusion matrix (rows: true class, columns: predicted):")
    print(" " * width + "".join(f"{i:>6d}" for i in range(len(classes))))
    for i, row in enumerate(cm):
        print(f"{classes[i]:>{width}}" + "".join(f"{v:>6d}" for v in row))
    return loss, acc, cm
