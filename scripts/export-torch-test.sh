#!/usr/bin/env bash
# The export used from PyTorch (docs/export.md): torch/test_network.py, then tiny runs of LeNet-300
# and LeNet-5 on Fashion-MNIST and of ResNet-18 on a synthetic CIFAR-10 folder, each exported by
# pmf train --export, evaluated by pmf eval --logits and by torch/eval_export.py, which must give
# the same class for every test image and logits within its derived tolerance.
# Usage: scripts/export-torch-test.sh PMF-BINARY PYTHON
set -euo pipefail
cd "$(dirname "$0")/.."
PMF=${1:?usage: scripts/export-torch-test.sh PMF-BINARY PYTHON}
PYTHON=${2:?usage: scripts/export-torch-test.sh PMF-BINARY PYTHON}
out=$(mktemp -d /tmp/pmf-export-torch.XXXXXX)
trap 'rm -rf "$out"' EXIT
fashion=/usr/share/datasets/fashion-mnist
"$PYTHON" torch/test_network.py

# CIFAR-10's binary format: records of a label byte and 3072 channel-planar pixel bytes; each class
# has its own mean colour, so the network sees structure. 5 × 100 training and 200 test images.
"$PYTHON" - "$out/cifar" <<'PY'
import os, sys
import numpy as np
folder = sys.argv[1]
os.makedirs(folder)
random = np.random.default_rng(7)
def batch(n):
    labels = random.integers(0, 10, n).astype(np.uint8)
    colours = (np.arange(10)[:, None] * np.array([25, 70, 140]) % 256)[labels]
    pixels = np.clip(colours[:, :, None] + random.normal(0, 50, (n, 3, 1024)), 0, 255).astype(np.uint8)
    return np.concatenate([labels[:, None], pixels.reshape(n, 3072)], axis=1).tobytes()
for name, n in [(f"data_batch_{i}.bin", 100) for i in range(1, 6)] + [("test_batch.bin", 200)]:
    with open(os.path.join(folder, name), "wb") as f:
        f.write(batch(n))
PY

check() {  # NAME DATASET FOLDER TRAIN-FLAGS…
  local name=$1 dataset=$2 data=$3
  shift 3
  "$PMF" train --dataset "$dataset" --data "$data" --epochs 1 --export "$out/$name" "$@" > "$out/$name.train.txt" 2>&1 \
    || { cat "$out/$name.train.txt" >&2; exit 1; }
  "$PMF" eval --export "$out/$name" --data "$data" --logits "$out/$name.npy" | tail -1
  "$PYTHON" torch/eval_export.py "$out/$name" "$data" --pmf-logits "$out/$name.npy" || { echo "export-torch-test: $name disagrees" >&2; exit 1; }
}
check lenet300 fashion-mnist "$fashion" --arch lenet300 --method bc --limit 2000 --batch-size 100 --log-every 10
check lenet5 fashion-mnist "$fashion" --arch lenet5 --method pmf --levels ternary --limit 1000 --batch-size 100 --log-every 5
check resnet18 cifar10 "$out/cifar" --arch resnet18 --method pmf --limit 64 --batch-size 32 --log-every 1
echo "export-torch-test: PyTorch reproduces pmf eval's predictions for LeNet-300, LeNet-5 and ResNet-18"
