"""The GAN losses on D's logits for real (lr) and generated (lf) images, and the gradient penalties.

    ns       D: softplus(-lr) + softplus(lf)        G: softplus(-lf)       (Goodfellow 2014, non-saturating)
    hinge    D: relu(1 - lr) + relu(1 + lf)         G: -lf                 (Lim & Ye 2017; Miyato 2018)
    wgan-gp  D: lf - lr + w (|grad D(x^)| - 1)^2    G: -lf                 (Gulrajani et al. 2017)
    lsgan    D: (lr - 1)^2 / 2 + lf^2 / 2           G: (lf - 1)^2 / 2      (Mao et al. 2017)

R1 (Mescheder et al. 2018) penalises |grad_x D(x_real)|^2 * gamma / 2; the game runs it lazily
(every N steps, Phase(lazy=True): the engine scales it by N, Karras et al. 2020 App. B).
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F


def d_loss(kind: str, lr: torch.Tensor, lf: torch.Tensor) -> torch.Tensor:
    """D's loss for `kind` in ns | hinge | lsgan | wgan-gp (without its penalty)."""
    if kind == "ns":
        return F.softplus(-lr).mean() + F.softplus(lf).mean()
    if kind == "hinge":
        return F.relu(1 - lr).mean() + F.relu(1 + lf).mean()
    if kind == "lsgan":
        return 0.5 * ((lr - 1) ** 2).mean() + 0.5 * (lf**2).mean()
    return lf.mean() - lr.mean()  # wgan-gp (the penalty is added by the caller)


def g_loss(kind: str, lf: torch.Tensor) -> torch.Tensor:
    """G's loss for `kind` on D's logits of its samples."""
    if kind == "ns":
        return F.softplus(-lf).mean()
    if kind == "lsgan":
        return 0.5 * ((lf - 1) ** 2).mean()
    return -lf.mean()  # hinge and wgan-gp


def real_threshold(kind: str) -> float:
    """The logit that separates "real" from "fake" (lsgan's targets are 1 and 0)."""
    return 0.5 if kind == "lsgan" else 0.0


def gradient_penalty(D: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """WGAN-GP: E[(|grad D(x^)| - 1)^2] at random points x^ between real and fake (B, C, H, W)."""
    eps = torch.rand(len(real), 1, 1, 1, device=real.device)
    mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(mix).sum(), mix, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


def r1_penalty(D: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor) -> torch.Tensor:
    """R1: E[|grad_x D(x)|^2] on real images (B, C, H, W); the caller multiplies by gamma / 2."""
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return grad.square().flatten(1).sum(1).mean()


def nt_xent(a: torch.Tensor, b: torch.Tensor, temperature: float) -> torch.Tensor:
    """SimCLR's NT-Xent (Chen et al. 2020) on projections a, b (B, P) of two views of the same B images."""
    z = F.normalize(torch.cat([a, b]), dim=1)  # (2B, P)
    sim = z @ z.t() / temperature  # (2B, 2B)
    n = len(a)
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(sim, target)
