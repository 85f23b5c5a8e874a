"""Checks of pmfkit_torch.methods against answers computed another way (run by make crosscheck
before the cross-check itself): sparsemax against the projection found by trying every support,
the custom backward passes against their matrices written out, ProxQuant's prox entry by entry,
the schedules against hand values. Exits non-zero on the first failure."""

import itertools
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pmfkit_torch import methods  # noqa: E402

torch.set_num_threads(1)
random = np.random.default_rng(24)


def check(condition, what):
    if not condition:
        raise SystemExit(f"test_methods: {what}")


def projection_by_supports(z):
    """argmin over the simplex of ‖p − z‖²: for each support S, p = z − τ on S with τ making it sum
    to 1; the feasible one (p > 0 on S) closest to z."""
    best = None
    for size in range(1, len(z) + 1):
        for support in itertools.combinations(range(len(z)), size):
            tau = (sum(z[i] for i in support) - 1) / size
            p = np.zeros(len(z))
            p[list(support)] = z[list(support)] - tau
            if np.all(p[list(support)] >= 0) and (best is None or np.sum((p - z) ** 2) < np.sum((best - z) ** 2)):
                best = p
    return best


def sparsemax_matches_its_definition():
    for d in (2, 3, 4):
        z = torch.tensor(random.normal(size=(50, d)) * 2, requires_grad=True)
        u = methods.sparsemax(z)
        for row, p in zip(z.detach().numpy(), u.detach().numpy()):
            check(np.allclose(p, projection_by_supports(row), atol=1e-12), f"sparsemax of {row}")
        g = torch.tensor(random.normal(size=(50, d)))
        (grad,) = torch.autograd.grad(u, z, g)
        for p, gr, gz in zip(u.detach().numpy(), g.numpy(), grad.numpy()):
            s = (p > 0).astype(float)
            check(np.allclose(gz, s * (gr - np.dot(s, gr) / s.sum()), atol=1e-12), "sparsemax's Jacobian")


def pullbacks_are_their_matrices():
    beta = 3.0
    utilde = torch.tensor(random.normal(size=(20, 3)), requires_grad=True)
    g = torch.tensor(random.normal(size=(20, 3)))
    u = torch.softmax(beta * utilde, dim=1).detach().numpy()
    for two in (True, False):
        (grad,) = torch.autograd.grad(methods.SoftmaxPullback.apply(utilde, beta, two), utilde, g)
        for row, gr, gz in zip(u, g.numpy(), grad.numpy()):
            s = np.exp(beta * row) / np.exp(beta * row).sum() if two else row
            check(np.allclose(gz, beta * (np.eye(3) - np.outer(s, s)) @ gr, atol=1e-12), f"softmax pullback (two={two})")
    w = torch.tensor([[0.3, -0.2], [1.6, 0.1], [-0.5, 0.5], [0.2, 0.2]], dtype=torch.float64, requires_grad=True)
    hard = methods.HardmaxSTE.apply(w, 1.0)
    check(hard.tolist() == [[1, 0], [1, 0], [0, 1], [1, 0]], "hardmax with ties to the lowest index")
    g = torch.tensor([[1.0, 3.0], [2.0, -1.0], [0.5, 0.25], [4.0, 1.0]], dtype=torch.float64)
    (grad,) = torch.autograd.grad(hard, w, g)
    for row, gr, gz in zip(w.detach().numpy(), g.numpy(), grad.numpy()):
        inside = float(abs(row[0] - row[1]) <= 1)
        check(np.allclose(gz, 0.5 * inside * np.array([[1, -1], [-1, 1]]) @ gr), "supp. Eq. 40")
    latent = torch.tensor([-1.5, -1.0, 0.0, 0.4, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    signs = methods.SignSTE.apply(latent)
    check(signs.tolist() == [-1, -1, -1, 1, 1, 1], "sign with sign(0) = -1")
    (grad,) = torch.autograd.grad(signs, latent, torch.ones(6, dtype=torch.float64))
    check(grad.tolist() == [0, 1, 1, 1, 1, 0], "BC's window 1[|w~| <= 1]")


def proxquant_steps_entry_by_entry():
    q = [-1.0, 1.0]
    shapes = {"w": (7,)}
    before = np.array([-1.3, -0.9, -0.2, 0.0, 0.05, 0.7, 1.2])
    for t, total, frozen in ((30, 100, False), (70, 100, True)):
        method = methods.make("pq[reg=0.5,span=4,freeze=0.7]", shapes, q)
        method.load({"w/w": before})
        method.after_step(t, 0, 0.1, total)
        threshold = 0.1 * 0.5 * (4 * t // total)
        for x, y in zip(before, method.state["w/w"].detach().numpy()):
            level = -1.0 if x <= 0 else 1.0
            expected = level if frozen else min(1, max(-1, level + math.copysign(max(abs(x - level) - threshold, 0), x - level)))
            check(abs(y - expected) < 1e-15, f"prox of {x} at step {t}: {y}, expected {expected}")


def schedules_are_the_definitions():
    beta = methods.BetaSchedule({"rho": "2", "every": "10", "cap": "5"})
    check([beta(t) for t in (0, 9, 10, 19, 20, 30, 100)] == [1, 1, 2, 2, 4, 5, 5], "beta schedule")
    shifted = methods.BetaSchedule({"rho": "2", "every": "10"}, plant="beta-shift")
    check([shifted(t) for t in (8, 9)] == [1, 2], "the planted beta shift")
    check(methods.learning_rate("step[every=100,factor=0.5]", 0.1, 250) == 0.1 * 0.25, "step schedule")
    check(methods.learning_rate("multistep[at=10:20,factor=0.1]", 1.0, 20) == 1.0 * 0.1 ** 2, "multistep schedule")
    check(methods.levels("k4") == [-2, -1, 1, 2] and methods.levels("ternary") == [-1, 0, 1], "level sets")


for test in (sparsemax_matches_its_definition, pullbacks_are_their_matrices, proxquant_steps_entry_by_entry,
             schedules_are_the_definitions):
    test()
print("test_methods: sparsemax, the pullbacks, ProxQuant's prox and the schedules agree with their definitions")
