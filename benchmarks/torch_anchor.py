"""PyTorch on the CPU, the speed anchor of `pmf bench train --python PYTHON`.

Trains the network a layer list describes (the "layers" array that `pmf layers` prints, so there is
no second description of any network) with PyTorch's own kernels in its native NCHW layout, Adam
1e-3, with each requested method, and prints one JSON line per method:
{"method", "sec_per_epoch", "samples_per_s", "peak_rss_bytes", "test_accuracy"}.

- Data: --data FOLDER reads the Fashion-MNIST/MNIST IDX files there (all 60 000 training images per
  epoch, test accuracy of the quantized network after the last epoch); --synthetic N trains on N
  Gaussian images of --image-shape H,W,C with --classes labels (no accuracy is reported).
- BatchNorm (no learnable parameters, as PMFKit's networks) normalises with the batch's statistics in
  training and in the test pass (batches of 500), and updates its running statistics while training.
- Methods: REF (float weights); BC (w = sign(w~), straight-through gradient where |w~| <= 1, w~
  clipped to [-1, 1] after each step); PMF (w = softmax(beta * u~) . q with q = (-1, 1), autograd
  through the softmax, beta <- 1.2 beta every 100 iterations, capped at 1e4). Every weight and bias
  is quantized.
- peak_rss_bytes: the process's peak resident memory during the method's run (VmHWM, reset through
  /proc/self/clear_refs before it), the data included.

Usage: python torch_anchor.py --layers FILE (--data FOLDER | --synthetic N --image-shape H,W,C
       --classes K) [--batch B] [--epochs E] [--methods REF,BC,PMF] [--threads T]
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_idx(folder, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"{folder}: no {stem}[.gz]")


def load_idx(folder):
    """Training and test images as [N, 1, 28, 28], normalised by the training set's mean and std."""
    images = lambda prefix: read_idx(folder, f"{prefix}-images-idx3-ubyte").astype(np.float32) / 255
    train, test = images("train"), images("t10k")
    mean, std = train.mean(), train.std()
    to = lambda x: torch.from_numpy((x - mean) / std).unsqueeze(1)
    labels = lambda prefix: torch.from_numpy(read_idx(folder, f"{prefix}-labels-idx1-ubyte").astype(np.int64))
    return to(train), labels("train"), to(test), labels("t10k")


def synthetic(count, shape, classes, generator):
    """`count` Gaussian images [N, C, H, W] and cycling labels; no test set."""
    height, width, channels = shape
    x = torch.randn(count, channels, height, width, generator=generator)
    y = torch.arange(count) % classes
    return x, y, None, None


class Network:
    """A functional network over a PMFKit layer list: `parameters` holds each conv2d's and linear's
    weight (PyTorch's layouts [out, in, k, k] and [out, in]) and bias in layer order; BatchNorm
    layers keep running statistics."""

    def __init__(self, layers, generator):
        self.layers = layers
        self.parameters, self.running = [], {}
        self._collect(layers, generator)

    def _collect(self, layers, generator):
        for layer in layers:
            kind = layer["type"]
            if kind in ("conv2d", "linear"):
                if kind == "conv2d":
                    k = layer["kernel"]
                    shape = (layer["outChannels"], layer["inChannels"], k, k)
                else:
                    shape = (layer["outFeatures"], layer["inFeatures"])
                weight = torch.empty(shape)
                torch.nn.init.xavier_uniform_(weight, generator=generator)
                self.parameters.append(weight)
                if layer["bias"]:
                    self.parameters.append(torch.empty(shape[0]).normal_(0, 0.1, generator=generator))
            elif kind == "batchnorm":
                f = layer["features"]
                self.running[layer["path"]] = (torch.zeros(f), torch.ones(f))
            elif kind == "residual":
                self._collect(layer["body"], generator)
                self._collect(layer.get("shortcut", []), generator)

    def forward(self, weights, x, training):
        return self._run(self.layers, iter(weights), x, training)

    def _run(self, layers, weights, h, training):
        for layer in layers:
            kind = layer["type"]
            if kind == "conv2d":
                w = next(weights)
                b = next(weights) if layer["bias"] else None
                h = F.conv2d(h, w, b, stride=layer["stride"], padding=layer["padding"])
            elif kind == "linear":
                w = next(weights)
                b = next(weights) if layer["bias"] else None
                h = F.linear(h, w, b)
            elif kind == "batchnorm":
                mean, var = self.running[layer["path"]]
                h = F.batch_norm(h, mean if training else None, var if training else None, training=True,
                                 momentum=layer["momentum"], eps=layer["epsilon"])
            elif kind == "relu":
                h = F.relu(h)
            elif kind == "maxpool2d":
                h = F.max_pool2d(h, layer["kernel"], layer["stride"])
            elif kind == "avgpool2d":
                h = F.avg_pool2d(h, layer["kernel"], layer["stride"])
            elif kind == "flatten":
                h = h.flatten(1)
            elif kind == "residual":  # body(h) + shortcut(h); no shortcut layers is the identity
                h = self._run(layer["body"], weights, h, training) + self._run(layer.get("shortcut", []), weights, h, training)
            else:
                raise SystemExit(f"layer {layer['path']}: type '{kind}' is not known to this script")
        return h


class SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, latent):
        ctx.save_for_backward(latent)
        return torch.where(latent > 0, 1.0, -1.0)

    @staticmethod
    def backward(ctx, grad):
        (latent,) = ctx.saved_tensors
        return grad * (latent.abs() <= 1).to(grad.dtype)


def peak_rss_reset():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def run(layers, method, data, epochs, batch):
    train_x, train_y, test_x, test_y = data
    generator = torch.Generator().manual_seed(1)
    network = Network(layers, generator)
    q = torch.tensor([-1.0, 1.0])
    if method == "PMF":
        variables = [torch.stack([-w, w], dim=-1).requires_grad_() for w in network.parameters]
    else:
        variables = [w.clone().requires_grad_() for w in network.parameters]
    optimizer = torch.optim.Adam(variables, lr=1e-3)
    beta, iteration = 1.0, 0

    def weights():
        if method == "REF":
            return variables
        if method == "BC":
            return [SignSTE.apply(v) for v in variables]
        return [torch.softmax(beta * v, dim=-1) @ q for v in variables]

    peak_rss_reset()
    n = train_x.shape[0]
    seconds = 0.0
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        began = time.perf_counter()
        for first in range(0, n - batch + 1, batch):
            index = order[first:first + batch]
            loss = F.cross_entropy(network.forward(weights(), train_x[index], True), train_y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            iteration += 1
            if method == "BC":
                with torch.no_grad():
                    for v in variables:
                        v.clamp_(-1, 1)
            if method == "PMF" and iteration % 100 == 0:
                beta = min(1e4, beta * 1.2)
        seconds += time.perf_counter() - began
    trained = n - n % batch
    row = {"method": method, "sec_per_epoch": seconds / epochs, "samples_per_s": trained * epochs / seconds,
           "peak_rss_bytes": peak_rss(), "test_accuracy": None}
    if test_x is not None:
        with torch.no_grad():
            if method == "PMF":
                final = [q[v.argmax(dim=-1)] for v in variables]
            elif method == "BC":
                final = [torch.where(v > 0, 1.0, -1.0) for v in variables]
            else:
                final = variables
            correct = 0
            for first in range(0, test_x.shape[0], 500):
                logits = network.forward(final, test_x[first:first + 500], False)
                correct += (logits.argmax(1) == test_y[first:first + 500]).sum().item()
        row["test_accuracy"] = correct / test_x.shape[0]
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", required=True, help="JSON file whose 'layers' array describes the network")
    parser.add_argument("--data", help="folder with the IDX files")
    parser.add_argument("--synthetic", type=int, help="train on this many Gaussian images instead")
    parser.add_argument("--image-shape", default="32,32,3")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--methods", default="REF,BC,PMF")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if (args.data is None) == (args.synthetic is None):
        parser.error("give exactly one of --data and --synthetic")
    torch.set_num_threads(args.threads)
    with open(args.layers) as f:
        layers = json.load(f)["layers"]
    if args.data is not None:
        data = load_idx(args.data)
    else:
        shape = [int(part) for part in args.image_shape.split(",")]
        data = synthetic(args.synthetic, shape, args.classes, torch.Generator().manual_seed(2))
    for method in args.methods.split(","):
        print(json.dumps(run(layers, method, data, args.epochs, args.batch)), flush=True)


if __name__ == "__main__":
    main()
