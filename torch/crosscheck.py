"""The cross-check: every PMFKit training method step for step against PyTorch (docs/crosscheck.md).

For each network and method, `pmf train` runs from a given start in a given batch order and
records every step's loss and, every K steps, its whole state (method, optimizer, BatchNorm
statistics). PyTorch (pmfkit_torch.methods) then replays each window of K steps from PMFKit's
recorded state at its start, in float64, and the losses of those steps and the state at the
window's end are compared with PMFKit's record; a window that misses is replayed again in float32
(a second rounding of the same definition). With --check-plants, each planted bug must then make
the comparison fail on every network.

Usage: python crosscheck.py --pmf PATH [--cases NET:CASE,...] [--plant BUG] [--check-plants]
       [--work DIR] [--verbose]
"""

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pmfkit_torch import methods, network  # noqa: E402

# One thread: these tensors are small, and a second OpenMP thread on a busy 2-core machine spins
# (5 LeNet-300 steps took 4.5 s with two threads against 0.09 s with one while other work ran).
torch.set_num_threads(1)

PACKAGE = "/usr/share/datasets/fashion-mnist"
TRAIN_IMAGES, TEST_IMAGES = 1200, 200

# The runs: images of `side`×`side` pixels, the first `limit` of the TRAIN_IMAGES (the rest is pmf's
# validation split), batches of `batch`, `epochs` epochs, a recorded state every `every` steps (the
# windows' length). The convolutional networks are checked one step at a time on 16×16 crops: over
# longer windows their ReLUs and max-pools meet near-ties that float32 rounding alone resolves
# differently from float64 (docs/crosscheck.md), and the crops keep a record of every step small.
NETWORKS = {
    "lenet300": {"side": 28, "limit": 1000, "batch": 100, "epochs": 20, "every": 20},
    "lenet5": {"side": 16, "limit": 500, "batch": 50, "epochs": 20, "every": 1},
    "resnet-tiny": {"side": 16, "limit": 500, "batch": 50, "epochs": 20, "every": 1},
}

# Each case: the method spec, the optimizer settings and, with `start`, a start drawn uniformly
# from [−start, start] for every state entry instead of PMFKit's initialisation, so that the
# thresholds (sign, hardmax, clip, window, sparsemax's support) are crossed from the first steps.
METHODS = {
    "ref": {"method": "ref", "optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "weight-decay": 5e-4,
            "schedule": "step[every=100,factor=0.5]"},
    "bc": {"method": "bc", "optimizer": "adam", "lr": 1e-3, "start": 1.2},
    "pq": {"method": "pq[reg=0.01,span=40,freeze=0.8]", "optimizer": "adam", "lr": 0.01, "start": 1.2},
    "picm": {"method": "picm", "optimizer": "adam", "lr": 1e-3, "start": 1.0},
    "pgd": {"method": "pgd[rho=1.2,every=10]", "optimizer": "adam", "lr": 1e-3, "weight-decay": 1e-4, "start": 0.6},
    "pmf-exact": {"method": "pmf[rho=1.2,every=10,jacobian=exact]", "optimizer": "adam", "lr": 1e-3, "start": 0.5},
    "pmf-reference": {"method": "pmf[rho=1.2,every=10,jacobian=reference]", "optimizer": "adam", "lr": 1e-3,
                      "weight-decay": 1e-4, "schedule": "step[every=100,factor=0.5]", "start": 0.5},
    "pmf-onesoftmax": {"method": "pmf[rho=1.2,every=10,jacobian=onesoftmax]", "optimizer": "sgd", "lr": 0.02,
                       "momentum": 0.9, "start": 0.5},
}

# The cases each planted bug concerns; on every network, one of them must fail.
PLANT_CASES = {
    "onesoftmax": ["pmf-reference"],
    "bc-noclip": ["bc"],
    "pq-threshold": ["pq"],
    "beta-shift": ["pmf-exact", "pmf-reference", "pmf-onesoftmax", "pgd"],
    "picm-window": ["picm"],
}

# Tolerances (docs/crosscheck.md derives them from float32 rounding).
U = 2.0 ** -24          # float32's unit roundoff
TAU_LOSS = 2 * 800 * U  # a step's loss, relative: twice the bound n·u of a float32 sum of n = 800 terms
TAU_MOVE = 1e-2         # an entry's move over a window, relative to the largest move of its tensor
OUTLIERS = 1e-3         # the fraction of a window's compared entries that may miss TAU_MOVE
TAU_STATS = 1e-4        # a BatchNorm running statistic, relative to the largest of its vector
TIE = 2.0 ** -20        # an entry this close to a threshold may be resolved either way (8 ulps of 1)
TIE_WINDOWS = 0.25      # the fraction of a case's windows that may miss at near-ties


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def prepare_data(folder, side):
    """The first Fashion-MNIST images of the Debian package, cropped to their central side×side
    pixels, each pixel raised by a random 1 … 16 (capped at 255) so that no pixel is constant
    within a batch (docs/crosscheck.md)."""
    random = np.random.default_rng(2019)
    os.makedirs(folder)
    for prefix, count in (("train", TRAIN_IMAGES), ("t10k", TEST_IMAGES)):
        images = read_idx(os.path.join(PACKAGE, f"{prefix}-images-idx3-ubyte.gz"))[:count].astype(np.int64)
        first = (28 - side) // 2
        images = images[:, first:first + side, first:first + side]
        write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte"),
                  np.minimum(images + random.integers(1, 17, size=images.shape), 255))
        write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"),
                  read_idx(os.path.join(PACKAGE, f"{prefix}-labels-idx1-ubyte.gz"))[:count])


def run_pmf(pmf, arguments):
    done = subprocess.run([pmf, "train"] + arguments, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"pmf train {' '.join(arguments)} failed: {done.stderr.strip()}")


def record_case(pmf, data, net, case, folder):
    """PMFKit's run of one case: its start written by --write-init (redrawn when the case has a
    `start`), a batch order drawn here, then the run with --init, --batch-order and --record."""
    n, c = NETWORKS[net], METHODS[case]
    common = ["--arch", net, "--method", c["method"], "--dataset", "fashion-mnist", "--data", data,
              "--limit", str(n["limit"]), "--batch-size", str(n["batch"]), "--epochs", str(n["epochs"]), "--seed", "1"]
    init, start, order = (os.path.join(folder, name) for name in ("init", "start", "order.npy"))
    run_pmf(pmf, common + ["--write-init", init])
    random = np.random.default_rng(zlib.crc32(f"{net}:{case}".encode()))
    os.makedirs(start)
    for file in sorted(os.listdir(init)):
        array = np.load(os.path.join(init, file))
        if "start" in c:
            array = random.uniform(-c["start"], c["start"], size=array.shape).astype(np.float32)
        np.save(os.path.join(start, file), array)
    np.save(order, np.stack([random.permutation(n["limit"]) for _ in range(n["epochs"])]))
    iterations = n["epochs"] * n["limit"] // n["batch"]
    run_pmf(pmf, common + ["--optimizer", c["optimizer"], "--lr", str(c["lr"]), "--momentum", str(c.get("momentum", 0.9)),
                           "--weight-decay", str(c.get("weight-decay", 0)), "--schedule", c.get("schedule", "constant"),
                           "--log-every", str(iterations), "--init", start, "--batch-order", order,
                           "--record", os.path.join(folder, "record"), "--record-every", str(n["every"])])
    if not np.array_equal(np.load(order), np.load(os.path.join(folder, "record", "batch-order.npy"))):
        raise SystemExit(f"{folder}: the record's batch order is not the one given")


class Record:
    """A `pmf train --record` folder."""

    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, "record.json")) as f:
            self.meta = json.load(f)
        self.settings = self.meta["settings"]
        self.images = np.load(os.path.join(folder, "train-images.npy"))
        self.labels = np.load(os.path.join(folder, "train-labels.npy"))
        self.losses = np.load(os.path.join(folder, "losses.npy")).astype(np.float64)
        self.order = np.load(os.path.join(folder, "batch-order.npy"))
        self.steps = sorted(int(name[5:]) for name in os.listdir(folder) if name.startswith("step-"))

    def _arrays(self, step, sub, names):
        base = os.path.join(self.folder, f"step-{step:06d}", sub)
        return {name: np.load(os.path.join(base, name.replace("/", ".") + ".npy")).astype(np.float64) for name in names}

    def state(self, step):
        return self._arrays(step, "state", [entry["name"] for entry in self.meta["state"]])

    def optimizer(self, step):
        with open(os.path.join(self.folder, f"step-{step:06d}", "step.json")) as f:
            count = json.load(f)["optimizerSteps"]
        return count, {slot: self._arrays(step, os.path.join("optimizer", slot), self.meta["variables"])
                       for slot in self.meta["optimizerSlots"]}

    def buffers(self, step):
        return self._arrays(step, "buffers", self.meta["buffers"])

    def run(self, start, end):
        """PMFKit's window: the losses of steps start ..< end, the state, BatchNorm buffers and
        optimizer buffers (SLOT/NAME) at end."""
        slots = self.optimizer(end)[1]
        moments = {f"{slot}/{name}": array for slot, arrays in slots.items() for name, array in arrays.items()}
        return self.losses[start:end], self.state(end), self.buffers(end), moments


def bn_fed(layers):
    """{bias path: BatchNorm path} for the biases that feed a BatchNorm directly. Their exact
    gradient is zero (BatchNorm subtracts the batch mean) and they change nothing the network
    computes; what float32 computes for them is rounding, which Adam normalises into steps of up
    to about the learning rate, and the BatchNorm's running mean follows them."""
    found = {}
    for layer, following in zip(layers, layers[1:] + [None]):
        if layer["type"] == "residual":
            found |= bn_fed(layer["body"]) | bn_fed(layer.get("shortcut") or [])
        elif layer.get("bias") and following is not None and following["type"] == "batchnorm":
            found[layer["path"] + ".bias"] = following["path"]
    return found


class Replay:
    """PyTorch's run of a record's method and settings, window by window, in one precision."""

    def __init__(self, record, dtype, plant=None):
        self.record, self.dtype, self.plant = record, dtype, plant
        s = record.settings
        self.net = network.build(record.meta["layers"]).to(dtype)
        self.shapes = {path: tuple(p.shape) for path, p in self.net.named_parameters()}
        self.skip = bn_fed(record.meta["layers"])
        self.q = methods.levels(s["levels"])
        self.images = torch.tensor(record.images, dtype=dtype)
        self.labels = torch.tensor(record.labels, dtype=torch.int64)
        self.batch = s["batchSize"]
        self.per_epoch = -(-len(record.labels) // self.batch)
        self.total = self.per_epoch * s["epochs"]
        self.kinks = None
        for module in self.net.modules():
            if isinstance(module, (network.ReLU, network.MaxPool2d)):
                module.register_forward_hook(self.count_kinks)

    def count_kinks(self, module, inputs, output):
        """While counting, adds the near-ties of a ReLU (inputs within TIE of 0) or a max-pool
        (windows whose two largest inputs are positive and within TIE of each other, relative)."""
        if self.kinks is None:
            return
        x = inputs[0].detach()
        if isinstance(module, network.ReLU):
            self.kinks += int(torch.sum(x.abs() < TIE))
            return
        windows = F.unfold(x.permute(0, 3, 1, 2), module.kernel, stride=module.stride)
        windows = windows.reshape(x.shape[0], x.shape[3], module.kernel ** 2, -1)
        top = torch.topk(windows, 2, dim=2).values
        self.kinks += int(torch.sum((top[:, :, 1] > 0) & (top[:, :, 0] - top[:, :, 1] < TIE * top[:, :, 0])))

    def window(self, start, end, ties=False):
        """Runs iterations start ..< end from PMFKit's state at `start` (method, optimizer and
        BatchNorm statistics). Returns (losses, state, buffers, optimizer buffers) at `end` and, with
        `ties`, per step how many entries were near a threshold (`methods.Method.near_ties`) or
        near a kink of the network (`count_kinks`)."""
        s, record = self.record.settings, self.record
        method = methods.make(s["method"], self.shapes, self.q, self.dtype, self.plant)
        method.load(record.state(start))
        variables = method.variables(record.meta["variables"])
        count, slots = record.optimizer(start)
        tensor = lambda array, like: torch.tensor(array, dtype=self.dtype).reshape(like.shape)
        if s["optimizer"] == "adam":
            optimizer = torch.optim.Adam(variables, lr=s["lr"], weight_decay=s["weightDecay"], foreach=False)
            for name, v in zip(record.meta["variables"], variables):
                optimizer.state[v] = {"step": torch.tensor(float(count)), "exp_avg": tensor(slots["m"][name], v),
                                      "exp_avg_sq": tensor(slots["v"][name], v)}
        else:
            optimizer = torch.optim.SGD(variables, lr=s["lr"], momentum=s["momentum"], weight_decay=s["weightDecay"],
                                        foreach=False)
            for name, v in zip(record.meta["variables"], variables):
                optimizer.state[v] = {"momentum_buffer": tensor(slots["momentum"][name], v)}
        buffers = dict(self.net.named_buffers())
        with torch.no_grad():
            for path, array in record.buffers(start).items():
                buffers[path].copy_(torch.tensor(array, dtype=self.dtype))
        losses, near = [], []
        for t in range(start, end):
            epoch, b = divmod(t, self.per_epoch)
            index = torch.tensor(record.order[epoch][b * self.batch:(b + 1) * self.batch], dtype=torch.int64)
            lr = methods.learning_rate(s["schedule"], s["lr"], t)
            self.kinks = method.near_ties(t, TIE, self.skip) if ties else None
            loss = F.cross_entropy(self.net(self.images[index], weights=method.weights(t), training=True), self.labels[index])
            near.append(self.kinks or 0)
            self.kinks = None
            optimizer.zero_grad()
            loss.backward()
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.step()
            method.after_step(t, epoch, lr, self.total)
            losses.append(loss.item())
        state = {name: value.detach().double().numpy() for name, value in method.state.items()}
        moments = {f"{slot}/{name}": optimizer.state[v][key].detach().double().numpy()
                   for slot, key in (("m", "exp_avg"), ("v", "exp_avg_sq"), ("momentum", "momentum_buffer"))
                   if slot in slots for name, v in zip(record.meta["variables"], variables)}
        return (np.array(losses), state, {p: value.detach().double().numpy() for p, value in buffers.items()}, moments), near


def deviation(start, a, b, skip, means):
    """How far run a is from run b over one window, both from the method state `start`; a run is
    (losses, state, BatchNorm buffers, optimizer buffers) as `Replay.window` returns it. The largest
    relative loss difference; the largest difference of a state entry's move over the window
    relative to the largest move of its tensor in b, and of an optimizer buffer's entry relative to
    the largest entry of that buffer in b, with how many entries of either miss by more than
    TAU_MOVE ("outliers"), the parameters in `skip` left out; the largest difference of a BatchNorm
    statistic relative to the largest entry of its vector in b, running means only of the layers in
    `means`."""
    (la, sa, ba, oa), (lb, sb, bb, ob) = a, b
    loss = float(np.max(np.abs(la - lb) / np.abs(lb)))
    move, outliers, compared = 0.0, 0, 0
    scaled = [(sa[n], sb[n], np.max(np.abs(sb[n] - start[n]))) for n in sb if n.split("/")[0] not in skip]
    scaled += [(oa[n], ob[n], np.max(np.abs(ob[n]))) for n in ob if n.split("/")[1] not in skip]
    for x, y, scale in scaled:
        relative = np.abs(x - y) / max(float(scale), 1e-30)
        move, outliers = max(move, float(relative.max())), outliers + int(np.sum(relative > TAU_MOVE))
        compared += relative.size
    stats = max(float(np.max(np.abs(ba[p] - bb[p])) / np.max(np.abs(bb[p])))
                for p in bb if p.endswith("running_var") or p.rsplit(".", 1)[0] in means)
    return {"loss": loss, "move": move, "outliers": outliers, "compared": compared, "stats": stats}


def within(d):
    return d["loss"] <= TAU_LOSS and d["outliers"] <= OUTLIERS * d["compared"] and d["stats"] <= TAU_STATS


def check_case(record, plant=None, verbose=False, label="", stop_at_failure=False):
    """Replays every window of a record. A window agrees when PMFKit's run is `within` the
    tolerances of the float64 replay or, failing that, of the float32 one. A window that agrees
    with neither is a near-tie miss when the float64 replay had an entry within TIE of a threshold
    at or before the first step whose loss misses; the case passes when no window misses otherwise
    and at most TIE_WINDOWS of them are near-tie misses. Returns (passed, summary)."""
    exact, rounded = Replay(record, torch.float64, plant), None
    means = {p.rsplit(".", 1)[0] for p in record.meta["buffers"]} - set(exact.skip.values())
    worst = {"loss": 0.0, "move": 0.0, "outliers": 0, "compared": 0, "stats": 0.0}
    misses, tie_misses, windows = [], [], list(zip(record.steps, record.steps[1:]))
    for start, end in windows:
        before, pmfkit = record.state(start), record.run(start, end)
        reference, _ = exact.window(start, end)
        d = deviation(before, pmfkit, reference, exact.skip, means)
        agreed = within(d)
        if not agreed:
            rounded = rounded or Replay(record, torch.float32, plant)
            twin = deviation(before, pmfkit, rounded.window(start, end)[0], exact.skip, means)
            agreed = within(twin)
            d = twin if agreed else d
        if agreed:
            for key in worst:
                worst[key] = max(worst[key], d[key])
        if verbose:
            print(f"  {label} {start:4d}-{end:4d} loss {d['loss']:.1e} move {d['move']:.1e} outliers {d['outliers']:6d} "
                  f"stats {d['stats']:.1e} {'ok' if agreed else 'MISS'}", flush=True)
        if not agreed:
            ties = exact.window(start, end, ties=True)[1]
            missing = np.nonzero(np.abs(pmfkit[0] - reference[0]) / np.abs(reference[0]) > TAU_LOSS)[0]
            first = int(missing[0]) if len(missing) else len(ties) - 1
            (tie_misses if sum(ties[:first + 1]) > 0 else misses).append((start, end, d))
            if stop_at_failure and (misses or len(tie_misses) > TIE_WINDOWS * len(windows)):
                break
    passed = not misses and len(tie_misses) <= TIE_WINDOWS * len(windows)
    return passed, {"worst": worst, "misses": misses, "tie_misses": tie_misses, "windows": len(windows)}


def describe(summary):
    """The largest deviations over the windows that agreed, then the windows that missed."""
    w = summary["worst"]
    text = (f"loss {w['loss']:.1e}  move {w['move']:.1e}  outliers ≤ {w['outliers']} of {w['compared']}  "
            f"stats {w['stats']:.1e}  near-tie misses {len(summary['tie_misses'])}/{summary['windows']}")
    for kind in ("tie_misses", "misses"):
        for start, end, d in summary[kind]:
            text += (f"\n       {'near-tie miss' if kind == 'tie_misses' else 'MISS'} {start}-{end}: loss {d['loss']:.1e}, "
                     f"move {d['move']:.1e}, {d['outliers']} outliers of {d['compared']}, stats {d['stats']:.1e}")
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pmf", required=True, help="the pmf executable (a release build)")
    parser.add_argument("--cases", help="comma-separated NET:CASE (default: every network and case)")
    parser.add_argument("--plant", choices=methods.PLANTS, help="replay with this bug planted (the check should fail)")
    parser.add_argument("--check-plants", action="store_true", help="then check that each planted bug fails")
    parser.add_argument("--work", help="keep the data and PMFKit's records in this folder and reuse them")
    parser.add_argument("--verbose", action="store_true", help="print every window")
    args = parser.parse_args()
    cases = [tuple(c.split(":")) for c in args.cases.split(",")] if args.cases else \
        [(net, case) for net in NETWORKS for case in METHODS]
    for net, case in cases:
        if net not in NETWORKS or case not in METHODS:
            raise SystemExit(f"unknown case {net}:{case}; networks {', '.join(NETWORKS)}, cases {', '.join(METHODS)}")
    work = args.work or tempfile.mkdtemp(prefix="pmfkit-crosscheck-")
    print(f"PMFKit against PyTorch{f' with the planted bug {args.plant}' if args.plant else ''} "
          f"(tolerances: loss {TAU_LOSS:.1e}, move {TAU_MOVE:.0e} for all but {OUTLIERS:.0e} of the entries, "
          f"statistics {TAU_STATS:.0e})", flush=True)
    failed = []
    for net in NETWORKS:
        records = {case: record(args.pmf, work, net, case) for n, case in cases if n == net}
        for case, run in records.items():
            passed, summary = check_case(run, args.plant, args.verbose, f"{net}:{case}")
            print(f"{'ok  ' if passed else 'FAIL'} {net:12s} {case:15s} {describe(summary)}", flush=True)
            if not passed:
                failed.append(f"{net}:{case}")
        for plant, concerned in PLANT_CASES.items() if args.check_plants else ():
            caught = next(filter(None, (caught_by(records[case], case, plant) for case in concerned if case in records)), None)
            if any(case in records for case in concerned):
                print(f"{'ok  ' if caught else 'FAIL'} planted {plant:13s} on {net:12s} {caught or 'not caught'}", flush=True)
                if not caught:
                    failed.append(f"plant {plant} on {net}")
        if not args.work:  # one network's records at a time on disk (LeNet-5's take 1.2 GB)
            for case in records:
                shutil.rmtree(os.path.join(work, f"{net}-{case}"))
    if not args.work:
        shutil.rmtree(work)
    if failed:
        raise SystemExit(f"cross-check failed: {', '.join(failed)}")


def record(pmf, work, net, case):
    """The record of one case in `work`, made by `record_case` unless it is there already."""
    data = os.path.join(work, f"data-{NETWORKS[net]['side']}")
    if not os.path.exists(os.path.join(data, "t10k-labels-idx1-ubyte")):
        shutil.rmtree(data, ignore_errors=True)
        prepare_data(data, NETWORKS[net]["side"])
    folder = os.path.join(work, f"{net}-{case}")
    if not os.path.exists(os.path.join(folder, "record", "losses.npy")):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        record_case(pmf, data, net, case, folder)
    return Record(os.path.join(folder, "record"))


def caught_by(run, case, plant):
    """How the planted bug shows in a case (its first failing window), or None when it passes."""
    passed, summary = check_case(run, plant, stop_at_failure=True)
    if passed:
        return None
    start, end, d = (summary["misses"] or summary["tie_misses"])[0]
    return (f"{case} window {start}-{end}: loss {d['loss']:.1e}, {d['outliers']} outliers of {d['compared']} "
            f"({d['outliers'] / d['compared']:.1%}), stats {d['stats']:.1e}")


if __name__ == "__main__":
    main()
