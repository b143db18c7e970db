"""``numtorch train``: the seed's train/validate loop with checkpoints, metrics and resume."""
import csv
import json
import os
import time

from ._common import (CLIError, DATASET_INFO, Progress, build_model, check_device,
                      check_writable_dir, evaluate, input_size, load_checkpoint, load_tensors)

DEFAULT_LR = {"sgd": 0.05, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3, "adagrad": 1e-2}


def make_optimizer(args, params):
    from numtorch import optim
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    if lr <= 0:
        raise CLIError(f"--lr must be positive, got {lr}")
    wd = args.weight_decay
    if args.optimizer == "sgd":
        return optim.SGD(params, lr=lr, momentum=args.momentum, nesterov=args.nesterov,
                         weight_decay=wd)
    if args.optimizer == "adam":
        return optim.Adam(params, lr=lr, betas=tuple(args.betas), weight_decay=wd)
    if args.optimizer == "adamw":
        return optim.AdamW(params, lr=lr, betas=tuple(args.betas), weight_decay=wd or 1e-2)
    if args.optimizer == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=args.momentum, weight_decay=wd)
    return optim.Adagrad(params, lr=lr, weight_decay=wd)


def make_scheduler(args, optimizer, steps_per_epoch):
    """Returns (scheduler or None, 'batch' | 'epoch' | 'plateau')."""
    from numtorch.optim import lr_scheduler as S
    kind = args.scheduler
    if kind == "none":
        return None, "epoch"
    if kind == "step":
        return S.StepLR(optimizer, step_size=args.step_size, gamma=args.gamma), "epoch"
    if kind == "exponential":
        return S.ExponentialLR(optimizer, gamma=args.gamma), "epoch"
    if kind == "cosine":
        return S.CosineAnnealingLR(optimizer, T_max=args.epochs), "epoch"
    if kind == "onecycle":
        max_lr = optimizer.param_groups[0]["lr"]
        return S.OneCycleLR(optimizer, max_lr=max_lr, epochs=args.epochs,
                            steps_per_epoch=steps_per_epoch), "batch"
    return S.ReduceLROnPlateau(optimizer, factor=args.gamma, patience=2), "plateau"


def _meta(args, dataset):
    info = DATASET_INFO[dataset]
    return {"model": args.model, "dataset": dataset, "num_classes": len(info["classes"]),
            "classes": list(info["classes"]), "input_size": input_size(args.model, dataset),
            "channels": info["channels"], "mean": list(info["mean"]), "std": list(info["std"]),
            "args": {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(args).items()
                     if isinstance(v, (int, float, str, bool, tuple, list, type(None)))}}


def _write_metrics(out_dir, history):
    keys = ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "time_s"]
    tmp = os.path.join(out_dir, "metrics.csv.tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for row in history:
            w.writerow({k: row[k] for k in keys})
    os.replace(tmp, os.path.join(out_dir, "metrics.csv"))
    tmp = os.path.join(out_dir, "metrics.json.tmp")
    with open(tmp, "w") as f:
        json.dump(history, f, indent=1)
    os.replace(tmp, os.path.join(out_dir, "metrics.json"))


def _plot(out_dir, history):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    ep = [h["epoch"] for h in history]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.5))
    a1.plot(ep, [h["train_loss"] for h in history], label="train")
    a1.plot(ep, [h["val_loss"] for h in history], label="validation")
    a1.set_xlabel("epoch")
    a1.set_ylabel("loss")
    a1.legend()
    a2.plot(ep, [h["train_acc"] for h in history], label="train")
    a2.plot(ep, [h["val_acc"] for h in history], label="validation")
    a2.set_xlabel("epoch")
    a2.set_ylabel("accuracy")
    a2.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "curves.png"), dpi=100)
    plt.close(fig)
    return True


def run_train(args):
    import numtorch as torch
    from numtorch import nn
    from numtorch.utils.data import DataLoader, TensorDataset

    dataset = args.dataset or "digits"
    check_device(args.device)
    if args.epochs < 1 or args.batch_size < 1:
        raise CLIError("--epochs and --batch-size must be positive")
    rank, world, dist = 0, 1, None
    if args.distributed:
        from numtorch import distributed as dist
        dist.init_process_group(backend="mpi")
        rank, world = dist.get_rank(), dist.get_world_size()
    is_main = rank == 0
    out_dir = args.output_dir
    if is_main:
        check_writable_dir(out_dir)
    last_path = os.path.join(out_dir, "last.pt")
    best_path = os.path.join(out_dir, "best.pt")

    torch.manual_seed(args.seed)
    size = input_size(args.model, dataset)
    x_train, y_train = load_tensors(dataset, args.data_dir, args.download, True, size)
    x_test, y_test = load_tensors(dataset, args.data_dir, args.download, False, size)
    model = build_model(args.model, dataset)
    train_set = TensorDataset(x_train, y_train)
    loader_gen = torch.Generator()
    loader_gen.manual_seed(args.seed)
    sampler = None
    if args.distributed:
        from numtorch.utils.data.distributed import DistributedSampler
        sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True,
                                     seed=args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=sampler is None,
                              sampler=sampler, generator=loader_gen if sampler is None else None,
                              num_workers=args.num_workers)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=256)
    net = model
    if args.distributed:
        from numtorch.nn.parallel import DistributedDataParallel
        net = DistributedDataParallel(model)
    optimizer = make_optimizer(args, net.parameters())
    scheduler, sched_kind = make_scheduler(args, optimizer, len(train_loader))
    loss_fn = nn.CrossEntropyLoss()
    meta = _meta(args, dataset)

    start_epoch, history, best_acc = 0, [], -1.0
    if args.resume:
        if not os.path.exists(last_path):
            raise CLIError(f"--resume: no checkpoint at '{last_path}'; run without --resume "
                           "first or point --output-dir at an earlier run")
        ckpt = load_checkpoint(last_path)
        if ckpt.get("meta", {}).get("model") != args.model or \
                ckpt["meta"].get("dataset") != dataset:
            raise CLIError(
                f"--resume: '{last_path}' was written for model "
                f"'{ckpt.get('meta', {}).get('model')}' on '{ckpt.get('meta', {}).get('dataset')}'"
                f", not '{args.model}' on '{dataset}'; use the same --model/--dataset or another "
                "--output-dir")
        try:
            model.load_state_dict(ckpt["model"])
        except RuntimeError as e:
            raise CLIError(f"--resume: checkpoint does not fit the model: {e}") from None
        optimizer.load_state_dict(ckpt["optimizer"])
        if scheduler is not None and ckpt.get("scheduler") is not None:
            scheduler.load_state_dict(ckpt["scheduler"])
        torch.set_rng_state(ckpt["rng_state"])
        loader_gen.set_state(ckpt["loader_rng_state"])
        start_epoch, history, best_acc = ckpt["epoch"], list(ckpt["history"]), ckpt["best_acc"]
        if is_main:
            print(f"resuming from {last_path} at epoch {start_epoch}")

    def checkpoint(epoch):
        return {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict() if scheduler is not None else None,
                "epoch": epoch, "rng_state": torch.get_rng_state(),
                "loader_rng_state": loader_gen.get_state(), "history": history,
                "best_acc": best_acc, "meta": meta}

    if is_main:
        print(f"model {args.model} ({sum(p.numel() for p in model.parameters()):,} parameters)"
              f", dataset {dataset} ({len(train_set)} train / {len(y_test)} validation), "
              f"optimizer {args.optimizer}, {args.epochs} epochs, batch {args.batch_size}")
        if start_epoch == 0:
            torch.save(checkpoint(0), last_path)
    steps = 0
    try:
        for epoch in range(start_epoch, args.epochs):
            if sampler is not None:
                sampler.set_epoch(epoch)
            net.train()
            t0 = time.perf_counter()
            seen, loss_sum, correct = 0, 0.0, 0
            bar = Progress(len(train_loader), f"epoch {epoch + 1}/{args.epochs}",
                           enabled=is_main and not args.no_progress)
            for x, y in train_loader:
                optimizer.zero_grad()
                out = net(x)
                loss = loss_fn(out, y)
                loss.backward()
                optimizer.step()
                if sched_kind == "batch":
                    scheduler.step()
                n = x.size(0)
                lv = loss.item()
                loss_sum += lv * n
                correct += (out.argmax(1) == y).sum().item()
                seen += n
                bar.update(lv)
                steps += 1
                if args.max_steps is not None and steps >= args.max_steps:
                    break
            bar.close()
            train_loss, train_acc = loss_sum / max(seen, 1), correct / max(seen, 1)
            val_loss, val_acc, _ = evaluate(model, test_loader, loss_fn)
            lr = optimizer.param_groups[0]["lr"]
            if sched_kind == "epoch" and scheduler is not None:
                scheduler.step()
            elif sched_kind == "plateau":
                scheduler.step(val_loss)
            dt = time.perf_counter() - t0
            history.append({"epoch": epoch + 1, "train_loss": train_loss, "train_acc": train_acc,
                            "val_loss": val_loss, "val_acc": val_acc, "lr": lr, "time_s": dt})
            improved = val_acc > best_acc
            best_acc = max(best_acc, val_acc)
            if is_main:
                print(f"epoch {epoch + 1:3d}/{args.epochs}  train loss {train_loss:.4f}  "
                      f"acc {train_acc:.4f}  |  val loss {val_loss:.4f}  acc {val_acc:.4f}  "
                      f"|  lr {lr:.3g}  {dt:.1f}s", flush=True)
                ck = checkpoint(epoch + 1)
                torch.save(ck, last_path)
                if improved:
                    torch.save(ck, best_path)
                _write_metrics(out_dir, history)
            if args.max_steps is not None and steps >= args.max_steps:
                break
    except KeyboardInterrupt:
        if is_main:
            print(f"\ninterrupted: {last_path} holds the state after epoch "
                  f"{len(history)}; continue with --resume", flush=True)
        raise SystemExit(130)
    if is_main:
        plotted = not args.no_plot and _plot(out_dir, history)
        print(f"best validation accuracy {best_acc:.4f}; wrote {last_path}, {best_path}, "
              f"metrics.csv, metrics.json" + (", curves.png" if plotted else
                                              " (curves.png needs matplotlib)"))
    if dist is not None:
        dist.destroy_process_group()
    return history
