#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora: small valid files of every format PMFKit reads, one folder per
target (Model, Dataset, Export, Checkpoint, Sweep, Spec). Usage: fuzz/make-seeds.py OUT_FOLDER.
Generated rather than committed; the checkpoint writer here follows the version-3 layout documented
on `Checkpoint` (Sources/Quantization/Checkpoint.swift), so it also checks that description."""
import gzip, json, os, struct, sys, zlib

out = sys.argv[1] if len(sys.argv) > 1 else "fuzz/.seeds"


def write(target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


# Model: UAI MARKOV and libDAI .fg (both readers see every input).
write("Model", "pair.uai", "MARKOV\n2\n2 3\n1\n2 0 1\n6\n1 3 5\n2 0 6\n")
write("Model", "chain.uai", "MARKOV\n3\n2 2 2\n3\n1 0\n2 0 1\n2 1 2\n\n2\n0.5 1.5\n\n4\n1 2 2 1\n\n4\n1 0.5 0.5 1\n")
write("Model", "pair.fg", "1\n\n2\n1 0\n3 2\n5\n0 1\n1 3\n2 5\n3 2\n5 6\n")
write("Model", "two.fg", "2\n\n1\n0\n2\n2\n0 1\n1 2\n\n2\n0 1\n2 2\n4\n0 1\n1 0.5\n2 0.5\n3 1\n")


# Dataset: IDX files alone (raw and gzip), the MNIST layout (2-byte image length, images, labels)
# and one CIFAR-100 record.
def idx(dims, payload):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(payload)


images, labels = idx([2, 2, 2], [0, 255, 10, 20, 30, 40, 50, 60]), idx([2], [1, 7])
write("Dataset", "mnist-pair", struct.pack("<H", len(images)) + images + labels)
write("Dataset", "mnist-pair-3x3", (lambda i: struct.pack("<H", len(i)) + i + idx([1], [3]))(idx([1, 3, 3], range(9))))
write("Dataset", "labels.gz", gzip.compress(idx([4], [1, 2, 3, 4]), mtime=0))
write("Dataset", "cifar100-record", bytes([7, 3]) + bytes((c * 50 + p) % 256 for c in range(3) for p in range(1024)))

# Export: .npy arrays and a manifest.
def npy(shape, values):
    shape_text = "(%d,)" % shape[0] if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape_text
    header += " " * ((64 - (11 + len(header)) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack("<%df" % len(values), *values)


write("Export", "matrix.npy", npy([2, 3], [1, -1, 1, -1, 1, 1]))
write("Export", "vector.npy", npy([4], [0.5, 0.25, 0, 1]))
def layer(kind, path, **settings):
    parameters = {"linear": ["weight", "bias"], "conv2d": ["weight"] + (["bias"] if settings.get("bias") else [])}.get(kind, [])
    entry = dict(type=kind, path=path, parameters=[f"{path}.{p}" for p in parameters] if kind != "residual" else [], **settings)
    if kind == "batchnorm":
        entry["buffers"] = [f"{path}.running_mean", f"{path}.running_var"]
    return entry


def entry(path, shape, axes, bits=32):
    return {"path": path, "shape": shape, "axes": axes, "bits": bits, "file": path + ".npy", **({"levels": [-1, 1]} if bits == 1 else {})}


kernel = ["out", "kernelHeight", "kernelWidth", "in"]
write("Export", "manifest.json", json.dumps({
    "format": "pmfkit-quantized-network", "version": 2, "arch": "test", "dataset": "mnist", "imageShape": [8, 8, 1],
    "imageLayout": "NHWC", "classes": 10, "method": "pmf", "levels": [-1, 1], "testAccuracyQuantized": 0.5,
    "normalization": {"mean": [0.13], "std": [0.31], "rule": "x = (p/255 - mean)/std"},
    "layers": [layer("conv2d", "0", inChannels=1, outChannels=2, kernel=3, stride=1, padding=1, bias=False),
               layer("batchnorm", "1", features=2, epsilon=1e-5, momentum=0.1, affine=False), layer("relu", "2"),
               layer("residual", "3", body=[layer("conv2d", "3.body.0", inChannels=2, outChannels=2, kernel=3, stride=1, padding=1,
                                                  bias=True)]),
               layer("maxpool2d", "4", kernel=2, stride=2), layer("flatten", "5"),
               layer("linear", "6", inFeatures=32, outFeatures=10, bias=True)],
    "parameters": [entry("0.weight", [2, 3, 3, 1], kernel, 1), entry("3.body.0.weight", [2, 3, 3, 2], kernel, 1),
                   entry("3.body.0.bias", [2], ["out"]), entry("6.weight", [10, 32], ["out", "in"], 1), entry("6.bias", [10], ["out"])],
    "buffers": [entry("1.running_mean", [2], ["features"]), entry("1.running_var", [2], ["features"])]}, indent=1))

# Checkpoint: version 3 = magic, UInt32 version, UInt32 CRC-32 of the payload, UInt64 payload length,
# payload = UInt64 JSON length, JSON metadata, UInt64 entry count, (UInt64 name length, UTF-8 name,
# UInt64 count, Float32 values)* with entries named by part of the state (CheckpointEntries).
def checkpoint(best):
    network = {"0.weight": [1, -1, 0.5], "0.bias": [0.25], "1.running_mean": [0.1, 0.2], "1.running_var": [1, 2]}
    entries = {"network/" + k: v for k, v in network.items()}
    entries.update({"method/0.weight/utilde": [0.5, 0.5, 3], "optimizer/m/0.weight/utilde": [0, 1, 2],
                    "optimizer/v/0.weight/utilde": [3, 4, 5], "previousQuantized": [1, -1, 1, 1]})
    if best:
        for part in ["best/quantized/", "best/fractional/"]:
            entries.update({part + k: v for k, v in network.items()})
    meta = {"iteration": 20, "settings": "{}", "optimizerSteps": 20, "random": [1, 2, 3, 4], "order": [2, 0, 1],
            "windowLoss": 0.7, "windowCorrect": 3, "windowSeen": 30, "windowSteps": 2, "trace": [], "trainingSeconds": 1.5}
    if best:
        meta.update(bestAccuracy=0.5, bestIteration=10)
    text = json.dumps(meta, sort_keys=True, separators=(",", ":")).encode()
    payload = struct.pack("<Q", len(text)) + text + struct.pack("<Q", len(entries))
    for name, a in sorted(entries.items()):
        payload += struct.pack("<Q", len(name.encode())) + name.encode() + struct.pack("<Q", len(a)) + struct.pack("<%df" % len(a), *a)
    return b"PMFKCKPT" + struct.pack("<IIQ", 3, zlib.crc32(payload), len(payload)) + payload


write("Checkpoint", "v3-best.bin", checkpoint(True))
write("Checkpoint", "v3-nobest.bin", checkpoint(False))

# Sweep: the first byte chooses JSON (odd) or YAML (even).
write("Sweep", "paper.yaml", "\0base: mnist-lenet300-pmf\nfixed:\n  epochs: 1\n  limit: 600\naxes:\n  method: [ref, bc, pmf]\n  rho: [1.02, 1.05]\n  seed: [1, 2]\n")
write("Sweep", "mapping.yaml", "\0base: {arch: mlp, dataset: fashion-mnist}\naxes:\n  lr: [0.1, 0.01]\n")
write("Sweep", "small.json", "\1" + json.dumps({"base": "mnist-lenet300-pmf", "fixed": {"epochs": 1}, "axes": {"seed": [1, 2, 3]}}))

# Spec: MRF algorithms, training methods, learning-rate schedules.
for i, text in enumerate(["pmf[rho=1.2,every=100]", "pmf[eta=0.5,beta=1]", "bp[damping=0.5]", "exact", "md[rho=1.3,every=10]",
                          "pq[reg=0.01]", "step[every=7000,factor=0.2]", "multistep[at=100:200,factor=0.1]", "exponential[gamma=0.999]"]):
    write("Spec", "spec%d" % i, text)
