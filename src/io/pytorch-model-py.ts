import { LEAKY_SLOPE } from '../nn/activations.js';
import { loss as lookupLoss } from '../nn/losses.js';
import { optimizer, type OptimizerName } from '../train/optimizers.js';

/**
 * DIR/model.py of `export --pytorch`: load(dir) builds a torch.nn.Module from model.json and
 * model.safetensors that takes raw feature rows and gives `backprop predict`'s outputs. The
 * activations, the loss conventions (their formulas are the library's own text) and the
 * optimizers' formulas and settings are written out in PyTorch, so that a gradient step there
 * is the library's step. train.py (./pytorch-train-py.ts) imports it.
 */
export function modelPy(optimizerName: OptimizerName): string {
  const { momentum, rho, beta1, beta2, epsilon } = optimizer(optimizerName).spec;
  const formula = (name: string) => lookupLoss(name).formula;
  return String.raw`"""A backprop model in PyTorch, written by ${'`'}backprop export --pytorch${'`'}.

load(dir) returns a torch.nn.Module. Called on raw feature rows (a float32 tensor N x features,
in the column order of model.json's data.features) it returns what ${'`'}backprop predict${'`'} returns
as outputs: class probabilities, or values in the target's units. Its layers are torch.nn.Linear
modules named layers.0, layers.1, ... (weight out x in, as PyTorch keeps it); the feature scaling
(and a regression's target scaling) are the buffers feature_shift, feature_scale, target_shift and
target_scale. Every activation and loss convention of backprop is written out below, so that a
gradient step here is backprop's step. model.safetensors is read with the safetensors package when
it is installed, else with the short reader below.
"""
import json
import os
import re
import struct

import torch
import torch.nn.functional as F

LEAKY_SLOPE = ${LEAKY_SLOPE}

# The settings of backprop's optimizers (the model file names the optimizer; these are its settings).
OPTIMIZER_SETTINGS = {"momentum": ${momentum}, "rho": ${rho}, "beta1": ${beta1}, "beta2": ${beta2}, "epsilon": ${epsilon}}

ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky-relu": lambda z: F.leaky_relu(z, LEAKY_SLOPE),
    "softmax": lambda z: torch.softmax(z, dim=1),
    "linear": lambda z: z,
    # step(x) = 0 if x < 0, else 1: no gradient flows through it, so it cannot be trained
    "step": lambda z: (z >= 0).to(z.dtype),
}


def _squares(out, y):
    return ((out - y) ** 2).sum(dim=1)


# Each loss as (its value per row, summed over the outputs; whether the rows' values are averaged).
LOSSES = {
    # ${formula('half-mean-over-samples')}
    "half-mean-over-samples": (lambda out, z, y: _squares(out, y) / 2, True),
    # ${formula('mean-over-samples')}
    "mean-over-samples": (lambda out, z, y: _squares(out, y), True),
    # ${formula('sum-of-squares')}
    "sum-of-squares": (lambda out, z, y: _squares(out, y), False),
    # ${formula('half-sum-of-squares')}
    "half-sum-of-squares": (lambda out, z, y: _squares(out, y) / 2, False),
    # ${formula('half-mean-over-elements')}
    "half-mean-over-elements": (lambda out, z, y: _squares(out, y) / (2 * out.shape[1]), True),
    # ${formula('mean-over-elements')}
    "mean-over-elements": (lambda out, z, y: _squares(out, y) / out.shape[1], True),
    # ${formula('cross-entropy')}
    "cross-entropy": (lambda out, z, y: -(y * torch.log_softmax(z, dim=1)).sum(dim=1), True),
    # ${formula('binary-cross-entropy')}
    "binary-cross-entropy": (lambda out, z, y: F.binary_cross_entropy_with_logits(z, y, reduction="none").sum(dim=1), True),
}


def row_losses(name, out, logits, y):
    """The loss of each row (summed over outputs): out = O_out, logits = O_in, y = the targets."""
    return LOSSES[name][0](out, logits, y)


def is_mean(name):
    """True when the loss averages its rows, False when it sums them."""
    return LOSSES[name][1]


def loss(name, out, logits, y):
    """The loss as backprop computes it on a batch."""
    rows = row_losses(name, out, logits, y)
    return rows.mean() if is_mean(name) else rows.sum()


class BackpropNet(torch.nn.Module):
    """backprop's network: Linear layers, each with its activation, behind the feature scaling."""

    def __init__(self, spec):
        super().__init__()
        net = spec["network"]
        sizes = [net["inputs"]] + [layer["units"] for layer in net["layers"]]
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(sizes[i], layer["units"], bias=layer["bias"]) for i, layer in enumerate(net["layers"])
        )
        self.activations = [layer["activation"] for layer in net["layers"]]
        self.loss_name = net["loss"]
        pre = spec["preprocessing"]
        f32 = torch.float32
        self.register_buffer("feature_shift", torch.tensor(pre["features"]["shift"], dtype=f32))
        self.register_buffer("feature_scale", torch.tensor(pre["features"]["scale"], dtype=f32))
        self.regression = "target" in pre
        if self.regression:
            self.register_buffer("target_shift", torch.tensor(pre["target"]["shift"], dtype=f32))
            self.register_buffer("target_scale", torch.tensor(pre["target"]["scale"], dtype=f32))

    def network(self, x):
        """The layers on scaled features: (O_out, O_in), the outputs and the last layer's input to its activation."""
        for layer, name in zip(self.layers, self.activations):
            z = layer(x)  # H_in = X.W1 + b1
            x = ACTIVATIONS[name](z)  # H_out = f(H_in)
        return x, z

    def forward(self, raw):
        """Raw feature rows to outputs: class probabilities, or values in the target's units."""
        out, _ = self.network((raw - self.feature_shift) / self.feature_scale)
        if self.regression:
            out = out * self.target_scale + self.target_shift
        return out


def load(directory):
    """The model in a folder written by ${'`'}backprop export --pytorch${'`'} or by train.py."""
    with open(os.path.join(directory, "model.json"), encoding="utf-8") as f:
        spec = json.load(f)
    module = BackpropNet(spec)
    module.load_state_dict(read_safetensors(os.path.join(directory, "model.safetensors")))
    module.spec = spec
    return module


def read_safetensors(path):
    """The tensors of a safetensors file, by name."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        load_file = None
    if load_file is not None:
        return load_file(path)
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    header.pop("__metadata__", None)
    body = data[8 + length :]
    dtypes = {"F32": torch.float32, "F64": torch.float64}
    out = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        values = torch.frombuffer(bytearray(body[begin:end]), dtype=dtypes[entry["dtype"]])
        out[name] = values.reshape(entry["shape"]).float()
    return out


def write_safetensors(tensors, path):
    """Writes float32 tensors (a dict by name) as a safetensors file, replacing the file in one step."""
    tensors = {name: t.detach().to("cpu", torch.float32).contiguous() for name, t in tensors.items()}
    tmp = path + ".tmp"
    try:
        from safetensors.torch import save_file
    except ImportError:
        save_file = None
    if save_file is not None:
        save_file(tensors, tmp, metadata={"format": "pt"})
    else:
        header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
        for name, t in tensors.items():
            chunk = t.numpy().astype("<f4").tobytes()
            header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(chunk)]}
            chunks.append(chunk)
            offset += len(chunk)
        head = json.dumps(header).encode("utf-8")
        head += b" " * ((8 - (8 + len(head)) % 8) % 8)
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(head)) + head + b"".join(chunks))
    os.replace(tmp, path)


def model_file_text(spec):
    """A model file's JSON, one field per line, arrays of numbers on one line (as backprop writes it)."""
    text = json.dumps(spec, indent=2, ensure_ascii=False)
    return re.sub(r"\[\s+([-+.\deE,\s]+?)\s+\]", lambda m: "[" + re.sub(r"\s+", " ", m.group(1)) + "]", text) + "\n"


def save(module, directory, spec):
    """Writes model.safetensors and model.json (the model file with the module's weights) into a folder."""
    os.makedirs(directory, exist_ok=True)
    spec = json.loads(json.dumps(spec))
    for layer, saved in zip(module.layers, spec["network"]["layers"]):
        saved["weights"] = layer.weight.detach().cpu().double().T.tolist()
        if saved["bias"]:
            saved["biases"] = layer.bias.detach().cpu().double().tolist()
    write_safetensors(module.state_dict(), os.path.join(directory, "model.safetensors"))
    path = os.path.join(directory, "model.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(model_file_text(spec))
    os.replace(path + ".tmp", path)
    return spec


class LibraryOptimizer(torch.optim.Optimizer):
    """backprop's optimizers with its update formulas: sgd, momentum, nesterov, rmsprop, adam."""

    def __init__(self, params, name, lr, settings=None):
        super().__init__(params, {"lr": lr})
        self.name = name
        self.settings = dict(OPTIMIZER_SETTINGS, **(settings or {}))
        self.t = 0

    @torch.no_grad()
    def step(self, closure=None):
        self.t += 1
        s = self.settings
        mu, rho, b1, b2, eps = s["momentum"], s["rho"], s["beta1"], s["beta2"], s["epsilon"]
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for group in self.param_groups:
            lr = group["lr"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                g, state = w.grad, self.state[w]
                if self.name == "sgd":  # W := W - a.W_update
                    w.sub_(lr * g)
                elif self.name in ("momentum", "nesterov"):  # v := mu.v - a.g
                    v = state.setdefault("v", torch.zeros_like(w))
                    old = v.clone()
                    v.mul_(mu).sub_(lr * g)
                    # momentum: W := W + v; nesterov (look-ahead form): W := W - mu.v_old + (1 + mu).v
                    w.add_(v if self.name == "momentum" else -mu * old + (1 + mu) * v)
                elif self.name == "rmsprop":  # s := rho.s + (1 - rho).g^2;  W := W - a.g / (sqrt(s) + eps)
                    sq = state.setdefault("s", torch.zeros_like(w))
                    sq.mul_(rho).add_((1 - rho) * g * g)
                    w.sub_(lr * g / (sq.sqrt() + eps))
                elif self.name == "adam":  # m := b1.m + (1 - b1).g;  v := b2.v + (1 - b2).g^2
                    m = state.setdefault("m", torch.zeros_like(w))
                    v = state.setdefault("v", torch.zeros_like(w))
                    m.mul_(b1).add_((1 - b1) * g)
                    v.mul_(b2).add_((1 - b2) * g * g)
                    w.sub_(lr * (m / c1) / ((v / c2).sqrt() + eps))  # bias-corrected m, v
                else:
                    raise ValueError("unknown optimizer '%s': expected sgd, momentum, nesterov, rmsprop or adam" % self.name)
`;
}
