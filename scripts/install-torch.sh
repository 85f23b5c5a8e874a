#!/usr/bin/env bash
# Creates the PyTorch virtual environment the cross-check, the export loader and the speed anchor use.
# Usage: scripts/install-torch.sh VENV
# Prefers a CPU build of torch from pip's find-links folders (a local wheel `torch-*+cpu-*.whl`
# matching this Python), which is about 200 MB against the several GB of the CUDA build PyPI serves;
# otherwise installs torch from the package index. Writes VENV/.installed when done, so make runs it once.
set -euo pipefail
venv=${1:?usage: scripts/install-torch.sh VENV}
python3 -m venv "$venv"
pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
tag=$("$venv/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
wheel=""
for folder in $("$venv/bin/pip" config get global.find-links 2>/dev/null || true) ${PIP_FIND_LINKS:-}; do
  for candidate in "$folder"/torch-*+cpu-"$tag"-*.whl; do
    [ -f "$candidate" ] && wheel=$candidate
  done
done
if [ -n "$wheel" ]; then
  echo "install-torch: the CPU build $wheel"
  "${pip[@]}" "$wheel" numpy
else
  echo "install-torch: no local CPU wheel; torch from the package index (several GB)"
  "${pip[@]}" torch numpy
fi
touch "$venv/.installed"
