#!/usr/bin/env bash
# Installs the Debian packages PMFKit builds and runs with, when any is missing.
# Usage: scripts/install-deps.sh [extra-package …]
# Checks each package with dpkg -s first: when all are installed it does nothing (no root needed).
# Otherwise it runs apt-get install — directly as root, through sudo when sudo exists (sudo -n when
# there is no terminal to ask for a password) — and when that is impossible or fails it prints one
# line naming the missing packages and the command that installs them, and exits 1.
set -uo pipefail
packages=(libgsl-dev libopenblas-dev zlib1g-dev gnuplot-nox dataset-fashion-mnist "$@")
if ! command -v dpkg >/dev/null; then
  echo "install-deps: no dpkg (not a Debian-based system); make sure these are installed: ${packages[*]}" >&2
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
command="apt-get install -y --no-install-recommends ${missing[*]}"
give_up() {
  echo "install-deps: missing Debian packages: ${missing[*]} ($1); install them with: sudo $command" >&2
  exit 1
}
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || give_up "not root and no sudo"
  if [ -t 0 ]; then sudo=(sudo); else sudo=(sudo -n); fi
fi
command -v apt-get >/dev/null || give_up "no apt-get"
echo "install-deps: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2 || give_up "apt-get update failed"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || give_up "apt-get install failed"
