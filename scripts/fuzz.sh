#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for a bounded time (make fuzz, make fuzz-smoke).
# Usage: scripts/fuzz.sh SECONDS [TARGET …]   (targets: Model Dataset Export Checkpoint Sweep Spec)
# Expects the targets built: cd fuzz && swift build -Xswiftc -sanitize=fuzzer,address.
# Seeds are generated into fuzz/.seeds; what the fuzzer finds is kept in fuzz/.corpus/TARGET (both
# ignored by git), or with FUZZ_FRESH=1 (make fuzz-smoke) in a temporary folder, so that a short run
# starts from the seeds alone. A crashing input is written to fuzz/artifacts/ and the script exits
# non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET …]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(Model Dataset Export Checkpoint Sweep Spec)
bin=fuzz/.build/debug
python3 fuzz/make-seeds.py fuzz/.seeds
mkdir -p fuzz/artifacts fuzz/.logs
corpus=fuzz/.corpus
if [ -n "${FUZZ_FRESH:-}" ]; then
  corpus=$(mktemp -d)
  trap 'rm -rf "$corpus"' EXIT
fi
failed=()
for target in "${targets[@]}"; do
  [ -x "$bin/Fuzz$target" ] || { echo "fuzz: $bin/Fuzz$target is not built (make fuzz-build)" >&2; exit 1; }
  mkdir -p "$corpus/$target"
  log="fuzz/.logs/$target.log"
  # ASan's leak checker is off (the Swift runtime's caches look like leaks to it), and so is Swift's
  # backtracer (it reads memory that ASan reports as overflows). fuzz/dict/TARGET.dict holds tokens
  # (keywords, huge and negative numbers) that byte mutations rarely produce. An input may take
  # 60 s before it counts as a hang: a .fg table at its 2^24-entry limit takes about 7 s to read in
  # this unoptimised ASan build.
  dict=()
  [ -f "fuzz/dict/$target.dict" ] && dict=(-dict="fuzz/dict/$target.dict")
  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$bin/Fuzz$target" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -max_len=8192 "${dict[@]}" \
       -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target-" "$corpus/$target" "fuzz/.seeds/$target" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cover=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "fuzz $target: ${runs:-?} inputs in ${seconds} s, $cover, no crash"
  else
    echo "fuzz $target: FAILED; the input is in fuzz/artifacts/$target-*, the log in $log:" >&2
    grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" | head -5 >&2
    failed+=("$target")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz: crashes in ${failed[*]}" >&2; exit 1; }
