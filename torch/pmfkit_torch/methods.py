"""PMFKit's training methods, written again in PyTorch from their definitions (docs/crosscheck.md).

This is the second implementation the cross-check compares PMFKit with, step for step. It follows
the methods' written definitions (docs/paper-notes.md §2–5, §9–10, docs/quantized-training.md),
not PMFKit's code: autograd wherever a method uses the true derivative, a torch.autograd.Function
wherever it does not (BC's and PICM's straight-through rules, PMF's reference and one-softmax
pullbacks).

A method holds its state as PMFKit names it (``WeightMethod.stateTensors``): ``PATH/w̃``-like
names ``"1.weight/utilde"`` (ũ, m×d), ``"1.weight/wtilde"`` (BC's w̃), ``"1.weight/w"`` (PQ's w)
or ``"1.weight"`` (REF). Every step:

1. ``weights(t)``: the weights the network computes with at 0-based iteration t, a dict
   PMFKit path → tensor built from the state with autograd;
2. the caller's forward/backward pass and the optimizer's step on ``variables()``;
3. ``after_step(t, epoch, lr, total)``: the method's post-step work (BC's clip, ProxQuant's prox).

The optimizers are torch's Adam and SGD, whose updates are PMFKit's (``NeuralNet.Adam``: L2 decay
added to the gradient, bias-corrected moments, ε added to √v̂; ``NeuralNet.SGD``: PyTorch's
momentum and Nesterov formulas), so no optimizer is rewritten here.

Planted bugs (``plant=``), each a wrong formula the cross-check must catch:
``onesoftmax`` (β(I − ssᵀ) where the two-softmax reference pullback is asked),
``bc-noclip`` (BC without the clip to [−1, 1]), ``pq-threshold`` (ProxQuant's threshold ×2),
``beta-shift`` (β's schedule one iteration early), ``picm-window`` (PICM's window 1[|r| ≤ 2]).
"""

import math
import re

import torch

PLANTS = ("onesoftmax", "bc-noclip", "pq-threshold", "beta-shift", "picm-window")


def parse_spec(text):
    """``name[key=value,…]`` → (name, {key: value text})."""
    match = re.fullmatch(r"([a-z0-9-]+)(?:\[(.*)\])?", text.strip())
    if match is None:
        raise ValueError(f"not a spec: {text!r}")
    settings = {}
    for part in filter(None, (match.group(2) or "").split(",")):
        key, _, value = part.partition("=")
        settings[key.strip()] = value.strip()
    return match.group(1), settings


def levels(name):
    """The level vector q of a level-set name: binary {−1, 1}, ternary {−1, 0, 1}, kN (the
    integers −⌊N/2⌋ … ⌊N/2⌋ without 0 for even N), or a list "-1,0,1"."""
    if name == "binary":
        return [-1.0, 1.0]
    if name == "ternary":
        return [-1.0, 0.0, 1.0]
    if re.fullmatch(r"k\d+", name):
        k = int(name[1:])
        return [float(v) for v in range(-(k // 2), k // 2 + 1) if k % 2 == 1 or v != 0]
    return sorted(float(v) for v in name.split(","))


def learning_rate(schedule, base, t):
    """The learning rate at 0-based iteration t: constant, step[every=E,factor=F] (×F every E
    iterations), multistep[at=I:J,factor=F] (×F at each milestone reached), exponential[gamma=G]."""
    name, s = parse_spec(schedule)
    if name == "constant":
        return base
    if name == "step":
        return base * float(s["factor"]) ** (t // int(s["every"]))
    if name == "multistep":
        return base * float(s["factor"]) ** sum(int(m) <= t for m in s["at"].split(":"))
    if name == "exponential":
        return base * float(s["gamma"]) ** t
    raise ValueError(f"unknown learning-rate schedule {schedule!r}")


class BetaSchedule:
    """β(t) = min(cap, β₀·ρ^⌊t/every⌋) at 0-based iteration t (docs/paper-notes.md §4 step 5)."""

    def __init__(self, settings, plant=None):
        self.beta0 = float(settings.get("beta0", 1))
        self.rho = float(settings.get("rho", 1.2))
        self.every = int(settings.get("every", 100))
        self.cap = float(settings.get("cap", 1e4))
        self.shift = 1 if plant == "beta-shift" else 0

    def __call__(self, t):
        return min(self.cap, self.beta0 * self.rho ** ((t + self.shift) // self.every))


class SignSTE(torch.autograd.Function):
    """BC's forward sign(w̃) with sign(0) = −1, backward ∂L/∂w̃ = ∂L/∂w·1[|w̃| ≤ 1]."""

    @staticmethod
    def forward(ctx, latent):
        ctx.save_for_backward(latent)
        return torch.where(latent > 0, 1.0, -1.0).to(latent.dtype)

    @staticmethod
    def backward(ctx, grad):
        (latent,) = ctx.saved_tensors
        return grad * (latent.abs() <= 1).to(grad.dtype)


class HardmaxSTE(torch.autograd.Function):
    """PICM's u = hardmax(ũ) for binary rows (lowest index on ties), with supp. Eq. 40's
    straight-through rule ∂u/∂ũ = ½[[I, −I], [−I, I]], I = 1[|ũ₋₁ − ũ₁| ≤ window] (window 1)."""

    @staticmethod
    def forward(ctx, utilde, window):
        ctx.save_for_backward(utilde)
        ctx.window = window
        return torch.nn.functional.one_hot(utilde.argmax(dim=1), utilde.shape[1]).to(utilde.dtype)

    @staticmethod
    def backward(ctx, grad):
        (utilde,) = ctx.saved_tensors
        inside = ((utilde[:, 0] - utilde[:, 1]).abs() <= ctx.window).to(grad.dtype)
        half = 0.5 * inside * (grad[:, 0] - grad[:, 1])
        return torch.stack([half, -half], dim=1), None


class SoftmaxPullback(torch.autograd.Function):
    """u = softmax(βũ) row-wise, pulled back with β(I − s′s′ᵀ) instead of the Jacobian:
    ``two=True`` is the authors' code, s′ = softmax(β·u); ``two=False`` is the one-softmax form s′ = u."""

    @staticmethod
    def forward(ctx, utilde, beta, two):
        u = torch.softmax(beta * utilde, dim=1)
        ctx.save_for_backward(u)
        ctx.beta, ctx.two = beta, two
        return u

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        s = torch.softmax(ctx.beta * u, dim=1) if ctx.two else u
        return ctx.beta * (grad - s * (s * grad).sum(dim=1, keepdim=True)), None, None


def sparsemax(z):
    """The Euclidean projection of each row of z onto the simplex, max(z − τ, 0) with τ such that
    the row sums to 1; autograd gives its Jacobian diag(1_S) − 1_S1_Sᵀ/|S| on the support S."""
    d = z.shape[1]
    ordered = torch.sort(z, dim=1, descending=True).values
    cumulative = ordered.cumsum(dim=1)
    k = torch.arange(1, d + 1, dtype=z.dtype)
    size = (1 + k * ordered > cumulative).sum(dim=1, keepdim=True)
    tau = (cumulative.gather(1, size - 1) - 1) / size.to(z.dtype)
    return torch.clamp(z - tau, min=0)


class Method:
    """A method over the network's parameters ``shapes`` (path → shape), with level vector q."""

    def __init__(self, spec, shapes, q, dtype, plant=None):
        self.name, self.settings = parse_spec(spec)
        self.shapes, self.dtype, self.plant = shapes, dtype, plant
        self.q = torch.tensor(q, dtype=dtype)
        self.state = {}

    def load(self, arrays):
        """Sets the state from {state name: numpy array}; every state tensor must be given."""
        if set(arrays) != set(self.state_names()):
            raise ValueError(f"state {sorted(arrays)} differs from {self.name}'s {sorted(self.state_names())}")
        for name, array in arrays.items():
            self.state[name] = torch.tensor(array, dtype=self.dtype, requires_grad=True)

    def variables(self, names):
        """The optimizer's variables, in the order ``names`` gives."""
        return [self.state[name] for name in names]

    def after_step(self, t, epoch, lr, total):
        pass

    def near_ties(self, t, delta, skip=()):
        """How many state entries lie within delta of a threshold where the method's forward or
        backward pass changes discretely (0 for methods without one), leaving out parameter paths
        in `skip`. Two runs that differ by rounding may resolve such an entry differently."""
        return sum(int(torch.sum(self.margins(t, self.state[name].detach()) < delta))
                   for name in self.state_names() if name.split("/")[0] not in skip)

    def margins(self, t, x):
        return torch.full((0,), math.inf)


class Ref(Method):
    """Float weights: w itself."""

    def state_names(self):
        return list(self.shapes)

    def weights(self, t):
        return dict(self.state)


class BinaryConnect(Method):
    """w = sign(w̃) with the straight-through gradient 1[|w̃| ≤ 1]; w̃ clipped to [−1, 1] after each step."""

    def state_names(self):
        return [f"{path}/wtilde" for path in self.shapes]

    def weights(self, t):
        return {path: SignSTE.apply(self.state[f"{path}/wtilde"]) for path in self.shapes}

    def margins(self, t, x):
        return x.abs()

    def after_step(self, t, epoch, lr, total):
        if self.plant == "bc-noclip" or self.settings.get("clip") == "false":
            return
        with torch.no_grad():
            for name in self.state_names():
                self.state[name].clamp_(-1, 1)


class ProxQuant(Method):
    """ProxQuant as its authors' code runs it: float w; after each step of iteration t in 0-based
    epoch e at learning rate η, w ← clip(q* + sign(w − q*)·max(|w − q*| − η·reg·e, 0)) with q* the
    nearest level (the lower one on a tie), where with ``span=E`` e is instead ⌊E·t/T⌋, the epoch of
    an E-epoch run laid over the T iterations; from iteration ⌈freeze·T⌉ − 1 on, w ← q* instead."""

    def state_names(self):
        return [f"{path}/w" for path in self.shapes]

    def weights(self, t):
        return {path: self.state[f"{path}/w"] for path in self.shapes}

    def margins(self, t, x):
        return (x.unsqueeze(-1) - (self.q[1:] + self.q[:-1]) / 2).abs().min(dim=-1).values

    def after_step(self, t, epoch, lr, total):
        reg = float(self.settings.get("reg", 1e-3))
        freeze = float(self.settings.get("freeze", 2 / 3))
        frozen = t + 1 >= math.ceil(freeze * total)
        span = self.settings.get("span")
        counted = int(span) * t // total if span else epoch
        threshold = lr * reg * counted * (2 if self.plant == "pq-threshold" else 1)
        midpoints = (self.q[1:] + self.q[:-1]) / 2
        with torch.no_grad():
            for name in self.state_names():
                w = self.state[name]
                nearest = self.q[(w.unsqueeze(-1) > midpoints).sum(dim=-1)]
                if frozen:
                    w.copy_(nearest)
                else:
                    distance = w - nearest
                    shrunk = torch.clamp(distance.abs() - threshold, min=0)
                    w.copy_(torch.clamp(nearest + torch.sign(distance) * shrunk, self.q[0], self.q[-1]))


class Lifted(Method):
    """Algorithm 1: ũ ∈ R^{m×d} per parameter, w = P(ũ)·q with P hardmax (PICM), sparsemax(βũ)
    (PGD) or softmax(βũ) (PMF, pulled back through the exact Jacobian, the authors' two-softmax
    β(I − s′s′ᵀ) or the one-softmax β(I − ssᵀ) as ``jacobian`` says)."""

    def __init__(self, spec, shapes, q, dtype, plant=None):
        super().__init__(spec, shapes, q, dtype, plant)
        self.beta = BetaSchedule(self.settings, plant)
        self.jacobian = self.settings.get("jacobian", "exact")
        if plant == "onesoftmax" and self.jacobian == "reference":
            self.jacobian = "onesoftmax"

    def state_names(self):
        return [f"{path}/utilde" for path in self.shapes]

    def project(self, utilde, t):
        if self.name == "picm":
            return HardmaxSTE.apply(utilde, 2.0 if self.plant == "picm-window" else 1.0)
        beta = self.beta(t)
        if self.name == "pgd":
            return sparsemax(beta * utilde)
        if self.jacobian == "exact":
            return torch.softmax(beta * utilde, dim=1)
        return SoftmaxPullback.apply(utilde, beta, self.jacobian == "reference")

    def weights(self, t):
        return {path: (self.project(self.state[f"{path}/utilde"], t) @ self.q).reshape(shape)
                for path, shape in self.shapes.items()}

    def margins(self, t, x):
        """PICM: |ũ₋₁ − ũ₁| (hardmax) and its distance from the window's edge; PGD: the distance of
        βũ − τ from 0 (sparsemax's support), divided by β; PMF: none."""
        if self.name == "picm":
            r = (x[:, 0] - x[:, 1]).abs()
            return torch.minimum(r, (r - 1).abs())
        if self.name == "pgd":
            beta = self.beta(t)
            z = beta * x
            return ((z - (z - sparsemax(z)).max(dim=1, keepdim=True).values).abs() / beta).flatten()
        return torch.full((0,), math.inf)


METHODS = {"ref": Ref, "bc": BinaryConnect, "pq": ProxQuant, "picm": Lifted, "pgd": Lifted, "pmf": Lifted}


def make(spec, shapes, q, dtype=torch.float64, plant=None):
    """The method a PMFKit spec names, over parameters ``shapes`` (PMFKit path → shape)."""
    name, settings = parse_spec(spec)
    if name not in METHODS or settings.get("tilde") == "false":
        raise ValueError(f"{spec}: the cross-check covers {', '.join(METHODS)} (with ũ)")
    if plant is not None and plant not in PLANTS:
        raise ValueError(f"unknown planted bug {plant!r}; the bugs are {', '.join(PLANTS)}")
    return METHODS[name](spec, shapes, q, dtype, plant)
