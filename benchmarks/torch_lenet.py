"""PyTorch on the CPU, the speed anchor of `pmf bench train --python PYTHON`.

Trains LeNet-300 or LeNet-5 (BatchNorm without learnable parameters, as PMFKit's networks) on
Fashion-MNIST for a number of epochs over all 60 000 training images, batch 100, Adam 1e-3, with
each requested method, and prints one JSON line per method:
{"method", "sec_per_epoch", "samples_per_s", "test_accuracy"} (test accuracy of the quantized
network after the last epoch, BatchNorm with each test batch's statistics).

Methods: REF (float weights); BC (w = sign(w~), straight-through gradient where |w~| <= 1, w~
clipped to [-1, 1] after each step); PMF (w = softmax(beta * u~) . q with q = (-1, 1), autograd
through the softmax, beta <- 1.2 beta every 100 iterations, capped at 1e4).

Usage: python torch_lenet.py lenet300|lenet5 DATA_FOLDER [EPOCHS] [REF,BC,PMF]
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)


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


def load(folder):
    def images(prefix):
        x = read_idx(folder, f"{prefix}-images-idx3-ubyte").astype(np.float32) / 255
        return x
    train, test = images("train"), images("t10k")
    mean, std = train.mean(), train.std()
    to = lambda x: torch.from_numpy((x - mean) / std).unsqueeze(1)
    labels = lambda prefix: torch.from_numpy(read_idx(folder, f"{prefix}-labels-idx1-ubyte").astype(np.int64))
    return to(train), labels("train"), to(test), labels("t10k")


def shapes(arch):
    """Parameter shapes in forward order (weights as F.linear / F.conv2d take them)."""
    if arch == "lenet300":
        return [(300, 784), (300,), (100, 300), (100,), (10, 100), (10,)]
    return [(20, 1, 5, 5), (20,), (50, 20, 5, 5), (50,), (500, 800), (500,), (10, 500), (10,)]


def forward(arch, w, x):
    """BatchNorm normalises with the batch's own statistics, in training and in the test pass (batches
    of 500 there), so the quantized network is always normalised for its own weights."""
    bn = lambda h: F.batch_norm(h, None, None, training=True)
    if arch == "lenet300":
        h = x.flatten(1)
        h = F.relu(bn(F.linear(h, w[0], w[1])))
        h = F.relu(bn(F.linear(h, w[2], w[3])))
        return F.linear(h, w[4], w[5])
    h = F.max_pool2d(F.relu(bn(F.conv2d(x, w[0], w[1]))), 2)
    h = F.max_pool2d(F.relu(bn(F.conv2d(h, w[2], w[3]))), 2)
    h = F.relu(bn(F.linear(h.flatten(1), w[4], w[5])))
    return F.linear(h, w[6], w[7])


def initial(arch, generator):
    params = []
    for shape in shapes(arch):
        t = torch.empty(shape)
        if len(shape) >= 2:
            torch.nn.init.xavier_uniform_(t, generator=generator)
        else:
            t.normal_(0, 0.1, generator=generator)
        params.append(t)
    return params


class SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, latent):
        ctx.save_for_backward(latent)
        return torch.where(latent > 0, 1.0, -1.0)

    @staticmethod
    def backward(ctx, grad):
        (latent,) = ctx.saved_tensors
        return grad * (latent.abs() <= 1).to(grad.dtype)


def run(arch, method, data, epochs):
    train_x, train_y, test_x, test_y = data
    generator = torch.Generator().manual_seed(1)
    start = initial(arch, generator)
    q = torch.tensor([-1.0, 1.0])
    if method == "PMF":
        variables = [torch.stack([-w, w], dim=-1).requires_grad_() for w in start]
    else:
        variables = [w.clone().requires_grad_() for w in start]
    optimizer = torch.optim.Adam(variables, lr=1e-3)
    beta, iteration = 1.0, 0

    def weights():
        if method == "REF":
            return variables
        if method == "BC":
            return [SignSTE.apply(v) for v in variables]
        return [torch.softmax(beta * v, dim=-1) @ q for v in variables]

    batch, n = 100, train_x.shape[0]
    seconds = 0.0
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        began = time.perf_counter()
        for first in range(0, n, batch):
            index = order[first:first + batch]
            loss = F.cross_entropy(forward(arch, weights(), train_x[index]), train_y[index])
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
    with torch.no_grad():
        if method == "PMF":
            final = [q[v.argmax(dim=-1)] for v in variables]
        elif method == "BC":
            final = [torch.where(v > 0, 1.0, -1.0) for v in variables]
        else:
            final = variables
        correct = 0
        for first in range(0, test_x.shape[0], 500):
            logits = forward(arch, final, test_x[first:first + 500])
            correct += (logits.argmax(1) == test_y[first:first + 500]).sum().item()
    return {"method": method, "sec_per_epoch": seconds / epochs, "samples_per_s": n * epochs / seconds,
            "test_accuracy": correct / test_x.shape[0]}


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    arch, folder = sys.argv[1], sys.argv[2]
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    methods = sys.argv[4].split(",") if len(sys.argv) > 4 else ["REF", "BC", "PMF"]
    data = load(folder)
    for method in methods:
        print(json.dumps(run(arch, method, data, epochs)), flush=True)


if __name__ == "__main__":
    main()
