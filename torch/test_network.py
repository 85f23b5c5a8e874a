#!/usr/bin/env python3
"""Checks pmfkit_torch.network against independent answers: BatchNorm against torch.nn.BatchNorm
(the convention PMFKit's BatchNorm documents: batch mean and biased variance in training, running
statistics moved by momentum towards the unbiased variance) and its estimated statistics against
plain averages of batch means and variances, Conv2d and Flatten against direct
NumPy loops over PMFKit's layouts, the parameter names against PMFKit's paths, and forward with
weights= giving gradients in PMFKit's layout. Exits 1 on the first failure. Usage: test_network.py
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pmfkit_torch import network  # noqa: E402


def check(condition, what):
    if not condition:
        print(f"test_network: FAILED: {what}")
        sys.exit(1)


def batchnorm_matches_torch():
    # At the scale 0.003 the variances are about ε, so ε's place in √(σ² + ε) shows.
    for shape, reference, scale in [((16, 5), torch.nn.BatchNorm1d, 3), ((4, 3, 3, 5), torch.nn.BatchNorm2d, 3),
                                    ((4, 3, 3, 5), torch.nn.BatchNorm2d, 0.003)]:
        for affine in (False, True):
            ours = network.BatchNorm({"features": 5, "epsilon": 1e-5, "momentum": 0.1, "affine": affine})
            theirs = reference(5, eps=1e-5, momentum=0.1, affine=affine).double()
            if affine:
                with torch.no_grad():
                    ours.weight.copy_(torch.linspace(0.5, 2, 5))
                    ours.bias.copy_(torch.linspace(-1, 1, 5))
                    theirs.weight.copy_(ours.weight)
                    theirs.bias.copy_(ours.bias)
            for step in range(3):
                x = (torch.randn(shape) + step) * scale
                nchw = (lambda t: t.permute(0, 3, 1, 2)) if len(shape) == 4 else (lambda t: t)
                nhwc = (lambda t: t.permute(0, 2, 3, 1)) if len(shape) == 4 else (lambda t: t)
                y = ours(x, training=True)
                expected = nhwc(theirs.train()(nchw(x.double())))
                check(torch.allclose(y.double(), expected, atol=1e-5), f"BatchNorm training output {shape} affine={affine}")
                check(torch.allclose(ours.running_mean.double(), theirs.running_mean, atol=1e-6 * scale), "BatchNorm running mean")
                check(torch.allclose(ours.running_var.double(), theirs.running_var, rtol=1e-5, atol=0), "BatchNorm running variance (unbiased)")
            with torch.no_grad():  # running variances of the inputs' size, ε's size at the small scale
                ours.running_var.copy_(torch.rand(5) * scale ** 2 + scale ** 2 / 2)
                theirs.running_var.copy_(ours.running_var)
            x = torch.randn(shape) * scale
            check(torch.allclose(ours(x, training=False).double(), nhwc(theirs.eval()(nchw(x.double()))), atol=1e-5), "BatchNorm evaluation")


def estimated_statistics_are_plain_averages():
    model = network.build([{"type": "flatten", "path": "0"},
                           {"type": "batchnorm", "path": "1", "features": 6, "epsilon": 1e-5, "momentum": 0.1, "affine": False}])
    batches = [torch.randn(5, 1, 2, 3) * (1 + k) + k for k in range(3)]
    model.estimate_statistics(batches)
    flat = [b.reshape(5, 6).double() for b in batches]
    mean = sum(b.mean(0) for b in flat) / 3
    variance = sum(b.var(0, unbiased=True) for b in flat) / 3
    state = model.state_dict()
    check(torch.allclose(state["1.running_mean"].double(), mean, atol=1e-6), "estimated mean")
    check(torch.allclose(state["1.running_var"].double(), variance, rtol=1e-5), "estimated variance")
    model(batches[0], training=True)  # after the estimate, momentum again
    check(torch.allclose(model.state_dict()["1.running_mean"].double(), 0.9 * mean + 0.1 * flat[0].mean(0), atol=1e-6),
          "momentum after the estimate")


def convolution_and_flatten_follow_pmfkits_layouts():
    spec = [{"type": "conv2d", "path": "0", "inChannels": 3, "outChannels": 4, "kernel": 3, "stride": 2, "padding": 1, "bias": True},
            {"type": "flatten", "path": "1"}]
    model = network.build(spec)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 6, 3)).astype(np.float32)
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)  # [out, kernelHeight, kernelWidth, in]
    b = rng.normal(size=4).astype(np.float32)
    network.load_arrays(model, {"0.weight": w, "0.bias": b})
    padded = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
    out_h, out_w = (5 + 2 - 3) // 2 + 1, (6 + 2 - 3) // 2 + 1
    expected = np.zeros((2, out_h, out_w, 4))
    for n in range(2):
        for i in range(out_h):
            for j in range(out_w):
                for o in range(4):
                    expected[n, i, j, o] = b[o] + sum(padded[n, 2 * i + ky, 2 * j + kx, c] * w[o, ky, kx, c]
                                                      for ky in range(3) for kx in range(3) for c in range(3))
    y = model(torch.from_numpy(x)).detach().numpy()
    # Flatten keeps NHWC order: feature (i·W' + j)·O + o.
    check(y.shape == (2, out_h * out_w * 4), f"flattened shape {y.shape}")
    check(np.allclose(y, expected.reshape(2, -1), atol=1e-4), "Conv2d in PMFKit's layout and Flatten in NHWC order")


def parameters_are_named_by_pmfkits_paths_and_gradients_keep_the_layout():
    spec = [{"type": "conv2d", "path": "0", "inChannels": 1, "outChannels": 2, "kernel": 3, "stride": 1, "padding": 1, "bias": False},
            {"type": "batchnorm", "path": "1", "features": 2, "epsilon": 1e-5, "momentum": 0.1, "affine": False},
            {"type": "residual", "path": "2",
             "body": [{"type": "conv2d", "path": "2.body.0", "inChannels": 2, "outChannels": 2, "kernel": 3, "stride": 1, "padding": 1,
                       "bias": True}, {"type": "relu", "path": "2.body.1"}],
             "shortcut": [{"type": "conv2d", "path": "2.shortcut.0", "inChannels": 2, "outChannels": 2, "kernel": 1, "stride": 1,
                           "padding": 0, "bias": False}]},
            {"type": "avgpool2d", "path": "3", "kernel": 2, "stride": 2}, {"type": "maxpool2d", "path": "4", "kernel": 2, "stride": 2},
            {"type": "flatten", "path": "5"}, {"type": "linear", "path": "6", "inFeatures": 8, "outFeatures": 3, "bias": True}]
    model = network.build(spec)
    names = [name for name, _ in model.named_parameters()]
    check(names == ["0.weight", "2.body.0.weight", "2.body.0.bias", "2.shortcut.0.weight", "6.weight", "6.bias"], f"names {names}")
    check(set(model.state_dict()) - set(names) == {"1.running_mean", "1.running_var"}, "buffers")
    weights = {name: torch.randn(p.shape, requires_grad=True) for name, p in model.named_parameters()}
    x = torch.randn(4, 8, 8, 1)
    before = model.state_dict()["1.running_mean"].clone()
    loss = model(x, weights=weights, training=True).square().sum()
    loss.backward()
    check(all(weights[n].grad is not None and weights[n].grad.shape == weights[n].shape for n in names), "gradients in PMFKit's shapes")
    check(weights["0.weight"].shape == (2, 3, 3, 1), "conv weight [out, K, K, in]")
    check(not torch.equal(before, model.state_dict()["1.running_mean"]), "training mode moves the running statistics")
    check(all(p.grad is None for p in model.parameters()), "the stored parameters are untouched by forward(weights=…)")
    # Finite differences of one weight against autograd through forward(weights=…), in float64.
    model = model.double()
    weights = {n: w.detach().double().requires_grad_() for n, w in weights.items()}
    x = x.double()
    loss = model(x, weights=weights).square().sum()
    loss.backward()
    h, index = 1e-6, (1, 0, 2, 1)
    shifted = {n: w.detach().clone() for n, w in weights.items()}
    shifted["2.body.0.weight"][index] += h
    up = model(x, weights=shifted).square().sum()
    shifted["2.body.0.weight"][index] -= 2 * h
    down = model(x, weights=shifted).square().sum()
    numeric = (up - down).item() / (2 * h)
    check(abs(numeric - weights["2.body.0.weight"].grad[index].item()) <= 1e-5 * max(1, abs(numeric)), "gradient against finite differences")


def other_versions_are_refused(folder):
    import json
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump({"format": network.FORMAT, "version": 1}, f)
    try:
        network.load_export(folder)
    except ValueError as error:
        check("version 1" in str(error), f"message {error}")
        return
    check(False, "a version-1 manifest was read")


if __name__ == "__main__":
    import tempfile
    torch.manual_seed(0)
    batchnorm_matches_torch()
    estimated_statistics_are_plain_averages()
    convolution_and_flatten_follow_pmfkits_layouts()
    parameters_are_named_by_pmfkits_paths_and_gradients_keep_the_layout()
    with tempfile.TemporaryDirectory() as scratch:
        other_versions_are_refused(scratch)
    print("test_network: pmfkit_torch.network agrees with torch.nn.BatchNorm, direct NHWC convolution and PMFKit's paths")
