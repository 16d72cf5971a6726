/**
 * DIR/train.py of `export --pytorch`: carries on training the model with PyTorch's
 * DistributedDataParallel, with the model's own preprocessing, loss, optimizer, learning rate,
 * batch size and class order, and writes a folder that `backprop import` reads back.
 */
import { TRAIN_PY_DATA } from './pytorch-train-py-data.js';

export const TRAIN_PY = String.raw`"""Carries on training a backprop model with PyTorch, on one process, several, or several machines.

    python3 train.py DATA.csv [--epochs N] [--nproc P] [--lr X] [--all-rows] --out OUTDIR

Uses the model's own feature scaling, loss, optimizer, learning rate, batch size, class order and
regularisation (model.json beside this file: l1, l2 as backprop applies them), on every row of DATA.csv; when DATA.csv is the very file the model was
trained on, its test rows stay out, as in backprop (--all-rows trains on them too). With --nproc P it starts P
DistributedDataParallel processes itself (gloo on CPU, nccl with CUDA); started by torchrun it takes
its rank and world size from torchrun instead. Each process trains on its shard of every batch
(DistributedSampler), and the gradients are combined so that a step is the step backprop takes on
the whole batch. Rank 0 writes OUTDIR in this folder's layout; ${'`'}backprop import OUTDIR --out
model.json${'`'} brings the model back.
"""
import argparse
import array
import csv
import datetime
import json
import math
import os
import re
import shutil
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HELD = []  # what must outlive train(): see the model's creation there
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # the folder keeps its four files

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
from torch.utils.data import DistributedSampler, TensorDataset  # noqa: E402

import model as backprop  # noqa: E402  (model.py beside this file)

NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class InputError(Exception):
    """Bad input: reported as one line, exit code 1."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise InputError("train.py: %s (usage: train.py DATA.csv [--epochs N] [--nproc P] [--lr X] [--all-rows] --out OUTDIR)" % message)


def arguments(argv):
    p = Parser(description="Carries on training a backprop model with PyTorch DistributedDataParallel.")
    p.add_argument("data", help="a CSV file with the model's feature columns and its target")
    p.add_argument("--epochs", type=int, help="passes over the rows (default: the model's)")
    p.add_argument("--nproc", type=int, default=1, help="processes to start on this machine (default 1)")
    p.add_argument("--lr", type=float, help="learning rate (default: the model's)")
    p.add_argument("--all-rows", action="store_true", help="train on the model's test rows too, when DATA.csv is its training file")
    p.add_argument("--out", required=True, help="the folder to write the trained model to")
    a = p.parse_args(argv)
    if a.epochs is not None and a.epochs < 1:
        raise InputError("train.py: --epochs must be a whole number >= 1, got %d" % a.epochs)
    if a.nproc < 1:
        raise InputError("train.py: --nproc must be a whole number >= 1, got %d" % a.nproc)
    if a.lr is not None and not (a.lr > 0 and math.isfinite(a.lr)):
        raise InputError("train.py: --lr must be a positive number, got %s" % a.lr)
    return a


` + TRAIN_PY_DATA + String.raw`def setup(rank, world, local_rank):
    """Joins the process group (when there is more than one process) and picks the device: a GPU of
    its own for each process of this machine when there are enough (nccl), else the CPU (gloo)."""
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", world))
    cuda = torch.cuda.is_available() and torch.cuda.device_count() >= local_world
    if world > 1 or "TORCHELASTIC_RUN_ID" in os.environ:
        # a peer that is gone is an error after 2 minutes, not a wait of PyTorch's default 30
        dist.init_process_group("nccl" if cuda else "gloo", rank=rank, world_size=world, timeout=datetime.timedelta(minutes=2))
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    return device


def train(rank, world, local_rank, args, spec, X, Y, labels):
    """Trains on this process's shard of every batch; rank 0 saves the result. Returns the history's additions."""
    device = setup(rank, world, local_rank)
    training = spec["training"]
    net = backprop.load(HERE).to(device)
    model = torch.nn.parallel.DistributedDataParallel(Scaled(net)) if dist.is_initialized() else Scaled(net)
    # the process group is never destroyed, and the model that holds it lives until the process leaves with
    # os._exit, even after an error: in PyTorch 1.13, destroying a gloo process group joins its worker
    # threads while holding Python's lock, and a worker freeing a tensor waits for that lock, for ever
    HELD.append(model)
    lr = args.lr if args.lr is not None else training["learningRate"]
    opt = backprop.LibraryOptimizer(net.parameters(), training["optimizer"], lr)
    n = X.shape[0]
    size = n if training["batchSize"] == "full" else min(training["batchSize"], n)
    sampler = DistributedSampler(TensorDataset(X), num_replicas=world, rank=rank, shuffle=size < n, seed=training["seed"])
    X, Y = X.to(device), Y.to(device)
    epochs = args.epochs if args.epochs is not None else training["epochs"]
    added = {"loss": [], "accuracy": [], "learningRate": []}
    started = time.time()
    for epoch in range(1, epochs + 1):
        sampler.set_epoch(epoch)
        reg = (training.get("l1", 0), training.get("l2", 0))
        total, hits = run_epoch(model, net, reg, opt, list(iter(sampler)), rank, world, n, size, X, Y, labels)
        if dist.is_initialized():
            sums = torch.tensor([total, hits], dtype=torch.float64, device=device)
            dist.all_reduce(sums)
            total, hits = sums.tolist()
        value = total / n if backprop.is_mean(net.loss_name) else total
        if not math.isfinite(value):
            raise InputError("training diverged in epoch %d (the loss is %s): try a smaller --lr than %g" % (epoch, value, lr))
        added["loss"].append(value)
        added["learningRate"].append(lr)
        if labels is not None:
            added["accuracy"].append(hits / n)
        if rank == 0:
            report(epoch, epochs, value, hits / n if labels is not None else None)
    if dist.is_initialized():
        differs = rank_difference(net)
        if rank == 0:
            print("%d processes end on the same weights (largest difference from rank 0: %g)" % (world, differs), flush=True)
    if rank == 0:
        finish(net, spec, args, added, epochs, lr, time.time() - started)
    if dist.is_initialized():
        dist.barrier()  # every rank leaves once rank 0 has written OUTDIR


def rank_difference(net):
    """The largest difference between any process's weights and rank 0's (0 when DistributedDataParallel kept them together)."""
    flat = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
    first = flat.clone()
    dist.broadcast(first, 0)
    diff = (flat - first).abs().max().reshape(1)
    dist.all_reduce(diff, op=dist.ReduceOp.MAX)
    return diff.item()


class Scaled(torch.nn.Module):
    """The network on scaled features, giving (outputs, logits): what DistributedDataParallel wraps for training."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net.network(x)


def penalty(net, l1, l2):
    """backprop's regularisation: l2/2 * sum(W^2) + l1 * sum(|W|) over every layer's weights, not the biases
    (its gradient l2 * W + l1 * sign(W), sign(0) = 0); None without it."""
    if not (l1 or l2):
        return None
    total = 0
    for layer in net.layers:
        w = layer.weight
        total = total + 0.5 * l2 * (w * w).sum() + l1 * w.abs().sum()
    return total


def run_epoch(model, net, reg, opt, shard, rank, world, n, size, X, Y, labels):
    """One pass over the batches. The sampler's shard holds positions rank, rank + world, ... of the epoch's
    row order (padded past n by repeating rows): batch b is positions [b.size, (b+1).size) of that order."""
    shard = torch.tensor(shard, dtype=torch.long)
    labels = labels.to(X.device) if labels is not None else None
    loss_name = net.loss_name
    mean = backprop.is_mean(loss_name)
    total, hits = 0.0, 0
    for b in range(math.ceil(n / size)):
        lo, hi = b * size, min((b + 1) * size, n)
        first, last = max(0, math.ceil((lo - rank) / world)), max(0, math.ceil((hi - rank) / world))
        rows = shard[first:last].to(X.device)
        out, logits = model(X[rows])
        losses = backprop.row_losses(loss_name, out, logits, Y[rows])
        part = losses.sum()
        # DistributedDataParallel averages the processes' gradients: weighted by world size, the average
        # is the gradient of the whole batch's loss (a mean over its hi - lo rows, or a sum).
        objective = part * (world / (hi - lo) if mean else world)
        pen = penalty(net, *reg)
        if pen is not None:
            # every process adds the whole penalty: the average of the processes' gradients keeps it whole;
            # the batch's loss counts it once, as backprop's does (over the batch's rows, for a mean)
            objective = objective + pen
            total += pen.item() * ((hi - lo) / world if mean else 1.0 / world)
        objective.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        total += part.item()
        if labels is not None:
            hits += int((out.argmax(dim=1) == labels[rows]).sum())
    return total, hits


def report(epoch, epochs, value, accuracy):
    """Prints an epoch's loss (and accuracy) as ${'`'}backprop train${'`'} does: about ten lines in all."""
    every = max(1, math.ceil(epochs / 10))
    if epoch == 1 or epoch % every == 0 or epoch == epochs:
        shown = "%.4f" % value if 1e-3 <= abs(value) < 1e4 else "%.3e" % value
        extra = "  accuracy %.3f" % accuracy if accuracy is not None else ""
        print("epoch %*d/%d  loss %s%s" % (len(str(epochs)), epoch, epochs, shown, extra), flush=True)


def finish(net, spec, args, added, epochs, lr, seconds):
    """Writes OUTDIR: model.safetensors, model.json (with this run in its history), model.py and train.py."""
    spec = dict(spec)
    training = dict(spec["training"], learningRate=lr, metrics={})
    history = dict(training["history"])
    for key, values in added.items():
        if values and (key in history or key == "loss"):
            history[key] = list(history.get(key, [])) + values
    history.update(epochs=history["epochs"] + epochs, stopReason="epochs", seconds=history["seconds"] + seconds)
    training["history"] = history
    spec["training"] = training
    spec.pop("checksum", None)  # backprop's checksum is of the sections as they were: this run changed them
    backprop.save(net, args.out, spec)
    for name in ("model.py", "train.py"):
        if os.path.abspath(os.path.join(args.out, name)) != os.path.join(HERE, name):
            shutil.copyfile(os.path.join(HERE, name), os.path.join(args.out, name))
    print("wrote %s: model.safetensors, model.json, model.py, train.py (backprop import %s --out MODEL brings it back)" % (args.out, args.out), flush=True)


def spawned(rank, world, args, spec, X, Y, labels):
    """A process started by --nproc."""
    code = 0
    try:
        train(rank, world, rank, args, spec, X, Y, labels)
    except InputError as e:
        if rank == 0:
            print(e, file=sys.stderr, flush=True)
        code = 1
    # leave at once, without the interpreter's teardown, which would destroy the process group (see
    # the end of train()); nothing is left to clean up
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(args):
    """The model file and the data, checked before any process starts."""
    try:
        with open(os.path.join(HERE, "model.json"), encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError("cannot read %s: %s" % (os.path.join(HERE, "model.json"), e))
    stuck = [i + 1 for i, layer in enumerate(spec["network"]["layers"]) if layer["activation"] == "step"]
    if stuck:
        raise InputError("layer %d uses the step activation, whose gradient is 0: it cannot be trained (use sigmoid)" % stuck[0])
    out = os.path.abspath(args.out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise InputError("--out %s is a file: give a folder" % args.out)
    if not os.path.isdir(os.path.dirname(out)):
        raise InputError("--out %s: the folder %s does not exist" % (args.out, os.path.dirname(out)))
    X, Y, labels, fingerprint = read_data(args.data, spec)
    keep = training_rows(X.shape[0], fingerprint, spec, args.all_rows)
    if keep is not None:
        if os.environ.get("RANK", "0") == "0":
            print("%s is the file the model was trained on: its %d test rows stay out (--all-rows trains on them too)" % (os.path.basename(args.data), X.shape[0] - len(keep)), flush=True)
        rows = torch.tensor(keep, dtype=torch.long)
        X, Y, labels = X[rows], Y[rows], labels[rows] if labels is not None else None
    return spec, X, Y, labels


def main(argv):
    try:
        args = arguments(argv)
        spec, X, Y, labels = prepare(args)
        if "RANK" in os.environ and "WORLD_SIZE" in os.environ:  # started by torchrun
            if args.nproc != 1:
                raise InputError("train.py: under torchrun, give the number of processes to torchrun (--nproc_per_node), not --nproc")
            rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
            train(rank, world, int(os.environ.get("LOCAL_RANK", "0")), args, spec, X, Y, labels)
        elif args.nproc == 1:
            train(0, 1, 0, args, spec, X, Y, labels)
        else:
            os.environ["MASTER_ADDR"] = "127.0.0.1"
            os.environ["MASTER_PORT"] = str(free_port())
            try:
                torch.multiprocessing.spawn(spawned, args=(args.nproc, args, spec, X, Y, labels), nprocs=args.nproc, join=True)
            except torch.multiprocessing.ProcessExitedException:
                return 1
    except InputError as e:
        print(e, file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # leave at once, as the processes --nproc starts do: a torchrun-style rank holds its process
    # group, which must not be destroyed (see the end of train())
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
`;
