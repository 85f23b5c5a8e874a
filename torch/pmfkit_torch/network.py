"""PMFKit's networks in PyTorch, built from the layer list of an export's manifest.json.

The module tree mirrors PMFKit's parameter paths: a chain's layers are children named by their
index, a residual block has children ``body`` and ``shortcut``, and a layer's parameters are
``weight`` and ``bias``. So ``model.named_parameters()`` yields PMFKit's paths (``"1.weight"``,
``"5.body.0.weight"``), ``model.state_dict()`` adds BatchNorm's ``running_mean`` and
``running_var`` under their layer's path, and the arrays of an export load with no renaming.

Every tensor stays in PMFKit's memory layout (docs/export.md):

- images and activations are NHWC, ``[N, H, W, C]`` (PMFKit's ``Dataset`` holds them so, already
  normalised); a convolution or pooling permutes to NCHW views for torch's kernels and back;
- a Linear weight is ``[out, in]``, a Conv2d weight ``[out, kernelHeight, kernelWidth, in]``,
  biases and BatchNorm vectors ``[features]``;
- Flatten reshapes the NHWC activation, so features are ordered (row, column, channel) as in PMFKit.

Gradients with respect to the parameters therefore come out in PMFKit's layouts too.

BatchNorm follows PMFKit's ``BatchNorm``: in training mode it normalises with the batch mean and
biased variance over every axis but the last, and moves the running statistics by ``momentum``
towards the batch mean and the *unbiased* batch variance, r ← r + m·(b − r); in evaluation mode it
uses the running statistics. Both compute y = (x − μ)·(1/√(σ² + ε)) in float32, as PMFKit does.
``Network.estimate_statistics`` replaces the running statistics by averages over given batches, as
PMFKit's ``BatchNormCalibration`` does before every evaluation during training.
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

FORMAT = "pmfkit-quantized-network"
VERSION = 2


class Linear(nn.Module):
    """y = x Wᵀ + b with W of shape [out, in]."""

    def __init__(self, spec):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(spec["outFeatures"], spec["inFeatures"]))
        self.bias = nn.Parameter(torch.zeros(spec["outFeatures"])) if spec["bias"] else None

    def forward(self, x, training):
        return F.linear(x, self.weight, self.bias)


class Conv2d(nn.Module):
    """Convolution of NHWC images with W of shape [out, K, K, in] (zero padding, square kernel)."""

    def __init__(self, spec):
        super().__init__()
        k = spec["kernel"]
        self.stride, self.padding = spec["stride"], spec["padding"]
        self.weight = nn.Parameter(torch.zeros(spec["outChannels"], k, k, spec["inChannels"]))
        self.bias = nn.Parameter(torch.zeros(spec["outChannels"])) if spec["bias"] else None

    def forward(self, x, training):
        y = F.conv2d(x.permute(0, 3, 1, 2), self.weight.permute(0, 3, 1, 2), self.bias,
                     stride=self.stride, padding=self.padding)
        return y.permute(0, 2, 3, 1)


class BatchNorm(nn.Module):
    """Batch normalisation over the last axis, as PMFKit's BatchNorm (see the module's notes)."""

    def __init__(self, spec):
        super().__init__()
        f = spec["features"]
        self.epsilon = float(np.float32(spec["epsilon"]))
        self.momentum = float(np.float32(spec["momentum"]))
        self.weight = nn.Parameter(torch.ones(f)) if spec["affine"] else None
        self.bias = nn.Parameter(torch.zeros(f)) if spec["affine"] else None
        self.register_buffer("running_mean", torch.zeros(f))
        self.register_buffer("running_var", torch.ones(f))
        # Training-mode passes averaged so far while estimating (Network.estimate_statistics), or None.
        self.estimated_batches = None

    def forward(self, x, training):
        axes = tuple(range(x.dim() - 1))
        if training:
            n = x.numel() // x.shape[-1]
            if n < 2:
                raise ValueError("BatchNorm in training mode needs more than one value per feature")
            mean = x.mean(dim=axes)
            centred = x - mean
            variance = (centred * centred).mean(dim=axes)
            weight = self.momentum
            if self.estimated_batches is not None:
                self.estimated_batches += 1
                weight = float(np.float32(1) / np.float32(self.estimated_batches))
            with torch.no_grad():
                self.running_mean.add_(weight * (mean.detach() - self.running_mean))
                unbiased = variance.detach() * (n / (n - 1))
                self.running_var.add_(weight * (unbiased - self.running_var))
            y = centred * (1 / torch.sqrt(variance + self.epsilon))
        else:
            y = (x - self.running_mean) * (1 / torch.sqrt(self.running_var + self.epsilon))
        if self.weight is not None:
            y = y * self.weight + self.bias
        return y


class ReLU(nn.Module):
    def __init__(self, spec):
        super().__init__()

    def forward(self, x, training):
        return torch.relu(x)


class Flatten(nn.Module):
    """[N, …] → [N, ∏…] in NHWC order (PMFKit's Flatten copies the buffer as it is)."""

    def __init__(self, spec):
        super().__init__()

    def forward(self, x, training):
        return x.reshape(x.shape[0], -1)


class MaxPool2d(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.kernel, self.stride = spec["kernel"], spec["stride"]

    def forward(self, x, training):
        return F.max_pool2d(x.permute(0, 3, 1, 2), self.kernel, self.stride).permute(0, 2, 3, 1)


class AvgPool2d(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.kernel, self.stride = spec["kernel"], spec["stride"]

    def forward(self, x, training):
        return F.avg_pool2d(x.permute(0, 3, 1, 2), self.kernel, self.stride).permute(0, 2, 3, 1)


class Chain(nn.Module):
    """Layers applied in order, children named "0", "1", … as PMFKit's Sequential names them."""

    def __init__(self, layers):
        super().__init__()
        for index, spec in enumerate(layers):
            self.add_module(str(index), _layer(spec))

    def forward(self, x, training):
        for layer in self.children():
            x = layer(x, training)
        return x


class Residual(nn.Module):
    """y = body(x) + shortcut(x), the identity when there is no shortcut."""

    def __init__(self, spec):
        super().__init__()
        self.body = Chain(spec["body"])
        self.shortcut = Chain(spec["shortcut"]) if spec.get("shortcut") is not None else None

    def forward(self, x, training):
        y = self.body(x, training)
        return y + (self.shortcut(x, training) if self.shortcut is not None else x)


_LAYERS = {"linear": Linear, "conv2d": Conv2d, "batchnorm": BatchNorm, "relu": ReLU, "flatten": Flatten,
           "maxpool2d": MaxPool2d, "avgpool2d": AvgPool2d, "residual": Residual}


def _layer(spec):
    kind = spec.get("type")
    if kind not in _LAYERS:
        raise ValueError(f"layer {spec.get('path')}: type {kind!r} is not one of {sorted(_LAYERS)}")
    return _LAYERS[kind](spec)


class Network(Chain):
    """A PMFKit network: the manifest's top-level layer list as a chain."""

    def forward(self, x, weights=None, training=False):
        """The network's outputs for NHWC float32 images x.

        weights: a dict PMFKit path → tensor used instead of the stored parameters (and buffers) of
        those paths, so gradients flow back into the caller's tensors (e.g. w = softmax(βũ)·q);
        paths not in the dict use the stored ones. training: batch statistics in BatchNorm, which
        then also update the running statistics (of the stored buffers unless `weights` holds them).
        """
        if weights is not None:
            return torch.func.functional_call(self, weights, (x,), {"training": training})
        return super().forward(x, training)

    def estimate_statistics(self, batches, weights=None):
        """Replaces every BatchNorm's running statistics by the plain average of the batch means
        and unbiased batch variances over `batches` (NHWC tensors), computed with the stored
        parameters or `weights`, as PMFKit's BatchNormCalibration does before each evaluation:
        the k-th training-mode pass moves them by 1/k towards its own."""
        norms = [m for m in self.modules() if isinstance(m, BatchNorm)]
        for norm in norms:
            norm.estimated_batches = 0
        try:
            with torch.no_grad():
                for x in batches:
                    self.forward(x, weights=weights, training=True)
        finally:
            for norm in norms:
                norm.estimated_batches = None


def build(layers):
    """The network described by a manifest's ``layers`` list (or ``pmf layers`` output), with zero
    weights, unit running variances and zero running means until loaded."""
    return Network(layers)


def load_arrays(model, arrays, strict=True):
    """Copies {PMFKit path: numpy array in PMFKit's layout} into the model's parameters and
    buffers, each with its shape; with ``strict`` every parameter and buffer must be given, without
    it the others keep their values."""
    state = model.state_dict()
    missing, extra = (set(state) - set(arrays) if strict else set()), set(arrays) - set(state)
    if missing or extra:
        raise ValueError(f"arrays do not match the network: missing {sorted(missing)}, unexpected {sorted(extra)}")
    for path, array in arrays.items():
        if tuple(array.shape) != tuple(state[path].shape):
            raise ValueError(f"{path}: shape {tuple(array.shape)}, the network has {tuple(state[path].shape)}")
    model.load_state_dict({path: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)) for path, a in arrays.items()},
                          strict=strict)


def read_manifest(folder):
    """The manifest.json of an export folder, refusing other formats and versions."""
    path = os.path.join(folder, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ValueError(f"{path}: format {manifest.get('format')!r} version {manifest.get('version')!r}; "
                         f"this reader takes {FORMAT} version {VERSION} (export again with pmf train --export)")
    return manifest


def load_export(folder):
    """(model, manifest) for an export folder written by ``pmf train --export``."""
    manifest = read_manifest(folder)
    model = build(manifest["layers"])
    arrays = {entry["path"]: np.load(os.path.join(folder, entry["file"]))
              for entry in manifest["parameters"] + manifest["buffers"]}
    load_arrays(model, arrays)
    return model, manifest
