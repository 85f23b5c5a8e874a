#!/usr/bin/env bash
# The main command's smoke run: `pmf figures --quick` into a scratch folder, then again, which must
# find every run finished and train nothing. Usage: scripts/figures-smoke.sh [PMF-BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
PMF=${1:-.build/release/pmf}
out=$(mktemp -d /tmp/pmf-figures-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
"$PMF" figures --quick --out "$out" > "$out/first.txt" 2> "$out/first.err" || { cat "$out/first.err" >&2; exit 1; }
grep -q "SMOKE RUN" "$out/table2.md" || { echo "figures-smoke: table2.md does not say it is a smoke run" >&2; exit 1; }
for f in fig1-simplex fig2-training fig3-rho theorems mrf mrf-coupling; do
  [ -s "$out/$f.png.gp" ] || { echo "figures-smoke: $f.png.gp missing" >&2; exit 1; }
done
middle=$(date +%s)
"$PMF" figures --quick --out "$out" > "$out/second.txt" 2> "$out/second.err"
if grep -qE "training |resuming " "$out/second.err"; then
  echo "figures-smoke: the second run trained again:" >&2
  grep -E "training |resuming " "$out/second.err" >&2
  exit 1
fi
end=$(date +%s)
echo "figures-smoke: pmf figures --quick in $((middle - start)) s, again in $((end - middle)) s with nothing retrained"
