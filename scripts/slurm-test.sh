#!/usr/bin/env bash
# Integration test of `pmf sweep` against a real Slurm: starts munged, slurmctld and slurmd on
# this machine (a throw-away single-node cluster on ports 16817/16818, everything under a
# temporary folder), submits a 4-run sweep as a job array, waits for it and checks that the
# collected table equals a local `pmf sweep run` of the same plan. Then it cancels a task mid-run,
# resubmits, and checks the resumed run ends with the same weights as an uninterrupted run.
#
# Usage: scripts/slurm-test.sh [PMF-BINARY]   (default .build/debug/pmf)
# Needs slurm-wlm and munge (installed with apt-get as root, or when CI=true); without them and
# without root it prints "skipped" and exits 0. Every daemon it starts is stopped by pid on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
PMF=$(readlink -f "${1:-.build/debug/pmf}")
[ -x "$PMF" ] || { echo "slurm-test: no pmf binary at $PMF (build first)" >&2; exit 1; }
started=$(date +%s)

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  if [ "${CI:-}" = true ] || [ "$(id -u)" -eq 0 ]; then
    scripts/install-deps.sh slurm-wlm munge
  else
    echo "slurm-test: skipped: slurm-wlm and munge are not installed and this is not root (or CI=true)"
    exit 0
  fi
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm-test: skipped: starting slurmd needs root"
  exit 0
fi

tmp=$(mktemp -d /tmp/pmf-slurm-test.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  local status=$?
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then scancel --quiet --user=root 2>/dev/null || true; fi
  # Stop the daemons this script started, by process id, newest first.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    echo "slurm-test: FAILED; daemon logs:" >&2
    tail -n 15 "$tmp"/*.log 2>/dev/null >&2 || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
fail() { echo "slurm-test: FAIL: $*" >&2; exit 1; }

# --- munge: its own key, socket, pid and log files ---------------------------------------------
mkdir -p "$tmp/munge"
chmod 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.sock" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munge.seed" --log-file="$tmp/munged.log" 2>>"$tmp/munged.log" &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/munge/munge.sock" ] && break; sleep 0.1; done
munge --socket="$tmp/munge/munge.sock" -n | unmunge --socket="$tmp/munge/munge.sock" >/dev/null || fail "munge does not work"

# --- slurm.conf: one node, this machine --------------------------------------------------------
host=$(hostname -s)
cpus=$(nproc)
memory=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
memory=${memory:-1000}
mkdir -p "$tmp/state" "$tmp/spool"
export SLURM_CONF="$tmp/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=pmftest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
InactiveLimit=0
KillWait=5
MinJobAge=600
SchedulerParameters=sched_interval=1
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" 2>>"$tmp/slurmctld.log" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" 2>>"$tmp/slurmd.log" &
pids+=($!)
for _ in $(seq 100); do
  state=$(sinfo -h -N -o %t 2>/dev/null | head -n 1 || true)
  case "$state" in idle*|mix*|alloc*) break ;; esac
  sleep 0.2
done
[[ "$state" == idle* ]] || fail "the node did not come up (state '$state')"
echo "slurm-test: cluster up: $(sinfo -h -o '%P %D nodes, %c CPUs, %t')"

# --- a sweep of 4 tiny runs --------------------------------------------------------------------
export OPENBLAS_NUM_THREADS=1
data=/usr/share/datasets/fashion-mnist
[ -f "$data/train-images-idx3-ubyte.gz" ] || scripts/install-deps.sh dataset-fashion-mnist
cat > "$tmp/sweep.yaml" <<YAML
base: {arch: mlp, dataset: fashion-mnist, data: $data}
fixed: {epochs: 1, limit: 600, batch-size: 100}
axes:
  lr: [0.001, 0.002]
  seed: [1, 2]
YAML

wait_for_job() {   # JOB SECONDS: until squeue no longer lists JOB
  local job=$1 limit=$2 waited=0
  while [ -n "$(squeue -h -j "$job" -o %i 2>/dev/null)" ]; do
    [ "$waited" -lt "$limit" ] || { squeue -j "$job" >&2; fail "job $job still queued after $limit s"; }
    sleep 1; waited=$((waited + 1))
  done
}

"$PMF" sweep plan "$tmp/sweep.yaml" --out "$tmp/cluster" >/dev/null
"$PMF" sweep plan "$tmp/sweep.yaml" --out "$tmp/local" >/dev/null
job=$("$PMF" sweep slurm "$tmp/cluster" --max-parallel 2 --submit --json | sed -n 's/.*"job_id":"\([0-9]*\)".*/\1/p')
[ -n "$job" ] || fail "no job id from pmf sweep slurm --submit"
echo "slurm-test: submitted job array $job ($(cat "$tmp/cluster"/sweep-*.tasks | wc -l) tasks)"
"$PMF" sweep run "$tmp/local" --jobs 2 >/dev/null 2>&1 || fail "the local sweep failed"
wait_for_job "$job" 240
"$PMF" sweep status "$tmp/cluster"
"$PMF" sweep status "$tmp/cluster" --json | grep -q '"finished":4' || fail "not every Slurm run finished"
ls "$tmp/cluster/logs/${job}_"*.out >/dev/null || fail "no per-task logs in $tmp/cluster/logs"
"$PMF" sweep collect "$tmp/cluster" > "$tmp/cluster.md"
"$PMF" sweep collect "$tmp/local" > "$tmp/local.md"
cat "$tmp/cluster.md"
diff "$tmp/cluster.md" "$tmp/local.md" || fail "the Slurm sweep's table differs from the local one"
diff <("$PMF" sweep collect "$tmp/cluster" --json) <("$PMF" sweep collect "$tmp/local" --json) \
  || fail "the collected JSON differs"
for run in "$tmp"/local/runs/*/; do
  id=$(basename "$run")
  for key in test_accuracy best_validation_accuracy; do
    a=$(grep "\"$key\"" "$run/results.json"); b=$(grep "\"$key\"" "$tmp/cluster/runs/$id/results.json")
    [ "$a" = "$b" ] || fail "$id: $key differs between local ($a) and Slurm ($b)"
  done
done
echo "slurm-test: the Slurm job array and the local run give identical results"

# --- pre-emption: cancel a task mid-run, resubmit, resume from the checkpoint ------------------
cat > "$tmp/resume.yaml" <<YAML
base: {arch: mlp, dataset: fashion-mnist, data: $data}
fixed: {epochs: 3, limit: 3000, batch-size: 50, checkpoint-every: 20}
axes:
  seed: [7]
YAML
"$PMF" sweep plan "$tmp/resume.yaml" --out "$tmp/resumed" >/dev/null
"$PMF" sweep plan "$tmp/resume.yaml" --out "$tmp/straight" >/dev/null
"$PMF" sweep run "$tmp/straight" --jobs 1 >/dev/null 2>&1 || fail "the uninterrupted reference run failed"
run="$tmp/resumed/runs/s7"
job=$("$PMF" sweep slurm "$tmp/resumed" --submit --json | sed -n 's/.*"job_id":"\([0-9]*\)".*/\1/p')
for _ in $(seq 600); do [ -f "$run/checkpoint.bin" ] && break; sleep 0.2; done
[ -f "$run/checkpoint.bin" ] || fail "no checkpoint appeared in $run"
[ ! -f "$run/results.json" ] || fail "the run finished before it could be cancelled; make it longer"
scancel "${job}_0"
wait_for_job "$job" 60
[ ! -f "$run/results.json" ] || fail "the cancelled run has results"
"$PMF" sweep status "$tmp/resumed"
job=$("$PMF" sweep slurm "$tmp/resumed" --submit --json | sed -n 's/.*"job_id":"\([0-9]*\)".*/\1/p')
wait_for_job "$job" 240
[ -f "$run/results.json" ] || fail "the resubmitted run did not finish"
grep -q -- '--resume' "$run/log.txt" || fail "the resubmitted run did not resume from its checkpoint"
# The arrays after the JSON metadata (weights, BatchNorm statistics, method and optimizer state)
# must be bitwise equal; the metadata itself holds wall-clock times that differ between runs.
arrays() { python3 -c 'import sys,struct; b=open(sys.argv[1],"rb").read(); n=struct.unpack("<Q",b[12:20])[0]; sys.stdout.buffer.write(b[20+n:])' "$1"; }
cmp <(arrays "$run/checkpoint.bin") <(arrays "$tmp/straight/runs/s7/checkpoint.bin") \
  || fail "the resumed run's final weights differ from the uninterrupted run's"
echo "slurm-test: a cancelled and resubmitted task resumed and ended with the uninterrupted run's weights"
echo "slurm-test: 1 passed, 0 failed ($(( $(date +%s) - started )) s)"
