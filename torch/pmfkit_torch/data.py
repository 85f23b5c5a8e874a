"""The test sets PMFKit reads, read and normalised as an export's manifest says (docs/export.md).

Images come out NHWC: IDX files (MNIST, Fashion-MNIST) as [N, H, W, 1]; CIFAR binary records
(a label byte — two for CIFAR-100, coarse then fine — and 3072 channel-planar pixel bytes) as
[N, 32, 32, 3].
"""

import gzip
import os

import numpy as np


def _idx(path):
    """The array of an IDX file of unsigned bytes (optionally gzip-compressed)."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    rank = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def _find(folder, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise FileNotFoundError(f"{folder}/{stem}[.gz]: missing")


def _cifar(path, label_bytes):
    raw = np.fromfile(path, dtype=np.uint8)
    record = label_bytes + 3072
    if raw.size == 0 or raw.size % record:
        raise ValueError(f"{path}: {raw.size} bytes is not a whole number of {record}-byte CIFAR records")
    records = raw.reshape(-1, record)
    pixels = records[:, label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(pixels), records[:, label_bytes - 1].astype(np.int64)


def read_test_set(dataset, folder):
    """(pixel bytes [N, H, W, C] uint8, labels [N] int64) of a dataset's test file."""
    if dataset in ("mnist", "fashion-mnist"):
        images = _idx(_find(folder, "t10k-images-idx3-ubyte"))
        labels = _idx(_find(folder, "t10k-labels-idx1-ubyte"))
        return images[..., None], labels.astype(np.int64)
    if dataset == "cifar10":
        return _cifar(os.path.join(folder, "test_batch.bin"), 1)
    if dataset == "cifar100":
        return _cifar(os.path.join(folder, "test.bin"), 2)
    raise ValueError(f"dataset {dataset!r} is not one of mnist, fashion-mnist, cifar10, cifar100")


def normalize(pixels, normalization):
    """The network's input for pixel bytes [N, H, W, C] by the manifest's rule:
    x = (float32(p)/255 − float32(mean[c])) · float32(1/std[c]), in float32."""
    mean = np.asarray(normalization["mean"], dtype=np.float64).astype(np.float32)
    scale = (1 / np.asarray(normalization["std"], dtype=np.float64)).astype(np.float32)
    x = pixels.astype(np.float32) / np.float32(255)
    return (x - mean) * scale
