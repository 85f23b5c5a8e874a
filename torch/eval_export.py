#!/usr/bin/env python3
"""Evaluates a network exported by `pmf train --export` in PyTorch and compares it with `pmf eval`.

Usage: eval_export.py EXPORT_DIR DATA_FOLDER [--dataset KIND] [--pmf-logits FILE.npy] [--out FILE.npy]

Reads the test file of DATA_FOLDER (the manifest's dataset unless --dataset), normalises it by the
manifest's rule, runs the network (pmfkit_torch.network, float32, evaluation mode) and prints its
test accuracy. With --pmf-logits (written by `pmf eval --logits`), it checks every logit against
PMFKit's within the tolerance below and every predicted class (the first largest logit) against
PMFKit's, and exits 1 on any disagreement.

The tolerance is derived per logit from a statistical model of float32 rounding (Higham, Accuracy
and Stability of Numerical Algorithms, §2.8 and §3.1): every rounding multiplies a result by
(1 + δ) with δ independent, zero-mean and |δ| ≤ u = 2⁻²⁴, so of variance at most u²/3. A sum of n
terms t_i then errs by Σ_k δ_k s_k over its partial sums, whose standard deviation is at most
u·√(n/3)·Σ|t_i|, whatever the order of summation. PMFKit (OpenBLAS, its own kernels) and PyTorch sum
in different orders, so their results differ with standard deviation at most √2 times that. The
differences carried from earlier layers add in quadrature (independent errors): through W² for
Linear and Conv2d, (γ/σ)² for BatchNorm, unchanged through ReLU, the largest in a max-pooling
window, 1/k² of the window's sum for average pooling, both branches of a residual block. The
magnitudes |t_i| are taken from a float64 run of the same network. This gives each logit a standard
deviation s; the tolerance is 6s. (A worst-case bound, with every rounding of the same sign and
errors propagated through |W|, is certain but grows by about √(fan-in) per layer more than this:
about 1e25 for ResNet-18's logits, which says nothing.)
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pmfkit_torch import data, network  # noqa: E402

U = 2.0 ** -24
# Variance of one rounding's relative error, and of the difference of two independent ones.
ROUNDING = U * U / 3
DIFFERENCE = 2 * ROUNDING
TOLERANCE_DEVIATIONS = 6


def spread(layer, x, v):
    """(float64 output, variance of pmf − torch in the output) for one layer of network.py, given
    the float64 input x and the variance v of the difference in it."""
    if isinstance(layer, network.Chain):
        for child in layer.children():
            x, v = spread(child, x, v)
        return x, v
    if isinstance(layer, network.Residual):
        y, vy = spread(layer.body, x, v)
        s, vs = spread(layer.shortcut, x, v) if layer.shortcut is not None else (x, v)
        return y + s, vy + vs + DIFFERENCE * (y + s) ** 2
    if isinstance(layer, (network.Linear, network.Conv2d)):
        w = layer.weight.double()
        b = layer.bias.double() if layer.bias is not None else None
        if isinstance(layer, network.Linear):
            def apply(a, k, c):
                return F.linear(a, k, c)
        else:
            w = w.permute(0, 3, 1, 2)

            def apply(a, k, c):
                return F.conv2d(a.permute(0, 3, 1, 2), k, c, stride=layer.stride, padding=layer.padding).permute(0, 2, 3, 1)
        n = w[0].numel() + 1
        terms = apply(x.abs(), w.abs(), b.abs() if b is not None else None)
        return apply(x, w, b), apply(v, w * w, None) + DIFFERENCE * n * terms ** 2
    if isinstance(layer, network.BatchNorm):
        mean, var = layer.running_mean.double(), layer.running_var.double()
        scale = 1 / torch.sqrt(var + layer.epsilon)
        y = (x - mean) * scale
        # σ² + ε, the square root, 1/σ, x − μ and the product: five roundings.
        vy = v * scale ** 2 + DIFFERENCE * 5 * ((x.abs() + mean.abs()) * scale) ** 2
        if layer.weight is None:
            return y, vy
        g, b = layer.weight.double(), layer.bias.double()
        return y * g + b, vy * g ** 2 + DIFFERENCE * 2 * ((y * g).abs() + b.abs()) ** 2
    if isinstance(layer, network.ReLU):
        return torch.relu(x), v
    if isinstance(layer, network.Flatten):
        return x.reshape(x.shape[0], -1), v.reshape(v.shape[0], -1)
    if isinstance(layer, (network.MaxPool2d, network.AvgPool2d)):
        k = layer.kernel
        if isinstance(layer, network.MaxPool2d):
            def pool(a):
                return F.max_pool2d(a.permute(0, 3, 1, 2), k, layer.stride).permute(0, 2, 3, 1)
            return pool(x), pool(v)

        def pool(a):
            return F.avg_pool2d(a.permute(0, 3, 1, 2), k, layer.stride).permute(0, 2, 3, 1)
        return pool(x), pool(v) / k ** 2 + DIFFERENCE * (k * k + 1) * pool(x.abs()) ** 2
    raise TypeError(f"no rounding model for {type(layer).__name__}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export")
    parser.add_argument("data")
    parser.add_argument("--dataset", help="evaluate on this dataset instead of the manifest's")
    parser.add_argument("--pmf-logits", help="logits written by pmf eval --logits, to compare with")
    parser.add_argument("--out", help="write PyTorch's logits to this .npy file")
    parser.add_argument("--batch", type=int, default=250)
    args = parser.parse_args()

    torch.set_grad_enabled(False)
    model, manifest = network.load_export(args.export)
    pixels, labels = data.read_test_set(args.dataset or manifest["dataset"], args.data)
    images = torch.from_numpy(data.normalize(pixels, manifest["normalization"]))
    logits = torch.cat([model(batch) for batch in images.split(args.batch)]).numpy()
    predicted = logits.argmax(axis=1)
    name = f"{manifest['arch']} {manifest['method']} on {args.dataset or manifest['dataset']}"
    print(f"{name}: PyTorch test accuracy {100 * (predicted == labels).mean():.2f}% on {len(labels)} images "
          f"(recorded at training: {100 * manifest['testAccuracyQuantized']:.2f}%)")
    if args.out:
        np.save(args.out, logits)
    if not args.pmf_logits:
        return 0

    theirs = np.load(args.pmf_logits)
    if theirs.shape != logits.shape:
        print(f"{args.pmf_logits}: shape {theirs.shape}, PyTorch's logits {logits.shape}")
        return 1
    variance = torch.cat([spread(model, batch.double(), torch.zeros_like(batch, dtype=torch.float64))[1]
                          for batch in images.split(args.batch)]).numpy()
    bound = TOLERANCE_DEVIATIONS * np.sqrt(variance)
    difference = np.abs(theirs.astype(np.float64) - logits.astype(np.float64))
    outside = int((difference > bound).sum())
    disagree = int((theirs.argmax(axis=1) != predicted).sum())
    ordered = np.sort(theirs, axis=1)
    print(f"{name}: {len(labels) - disagree} of {len(labels)} predicted classes as pmf eval's (smallest gap between "
          f"pmf's two largest logits {(ordered[:, -1] - ordered[:, -2]).min():.3g}); logits differ by at most "
          f"{difference.max():.3g} (largest |logit| {np.abs(theirs).max():.3g}), at most {(difference / bound).max():.3g} "
          f"of the tolerance (median tolerance {np.median(bound):.3g}); {outside} logits outside it")
    return 0 if outside == 0 and disagree == 0 else 1

if __name__ == "__main__":
    sys.exit(main())
