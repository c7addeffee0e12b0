"""GAN losses on D's logits, and D's gradient penalties.

- ns: the non-saturating GAN (Goodfellow et al. 2014).
- hinge: Lim & Ye 2017 ("Geometric GAN"), as SN-GAN and BigGAN use it.
- wgan: the Wasserstein critic (Arjovsky et al. 2017); it needs D kept Lipschitz, by a gradient
  penalty (Gulrajani et al. 2017) or spectral normalisation (Miyato et al. 2018).
- R1 (Mescheder et al. 2018) on real packs; the penalty on interpolates of real and fake packs,
  centred at 1 (WGAN-GP) or at 0 (0-GP, Thanh-Tung et al. 2019).

Tensors in, tensors out: `game.py` makes the packs and calls the networks. Logged numbers stay
0-dim tensors (the engine reads them on the host only at log time).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def d_loss(real_logit: torch.Tensor, fake_logit: torch.Tensor, kind: str = "ns") -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """D's loss for `kind` (ns, hinge or wgan) on logits (B,); ns is -log D(real) - log(1 - D(fake)) via softplus."""
    if kind == "ns":
        loss = F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()
    elif kind == "hinge":
        loss = F.relu(1 - real_logit).mean() + F.relu(1 + fake_logit).mean()
    elif kind == "wgan":
        loss = fake_logit.mean() - real_logit.mean()
    else:
        raise ValueError(f"loss={kind!r}: expected ns, hinge or wgan")
    return loss, {"real": real_logit.detach().mean(), "fake": fake_logit.detach().mean()}


def g_loss(fake_logit: torch.Tensor, kind: str = "ns") -> torch.Tensor:
    """ns: -log D(G(z)), which keeps G's gradients alive when D wins; hinge and wgan: -D(G(z))."""
    return F.softplus(-fake_logit).mean() if kind == "ns" else -fake_logit.mean()


def r1_penalty(D: nn.Module, real: torch.Tensor, gamma: float, unit: float = 1.0) -> torch.Tensor:
    """gamma / 2 * |grad D(x)|^2 on real packs (B, pack, 2): damps D's oscillation around the data.

    The gradient is taken in D's units (coordinates / `unit`), as in `interpolate_penalty`: in data
    units the same gamma would be 25x stronger on the ring (unit 0.2) than on the grid (unit 1.0).
    """
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return 0.5 * gamma * unit**2 * grad.square().flatten(1).sum(1).mean()


def interpolate_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor, weight: float, center: float,
                        unit: float) -> torch.Tensor:
    """weight * (|grad D| - center)^2 at random points between real and fake packs (B, pack, 2).

    The gradient is taken in D's own units (coordinates / `unit`), so one weight and one centre
    mean the same on the grid and on the ring, whose modes differ 5x in size.
    """
    eps = torch.rand(real.shape[0], 1, 1, device=real.device, dtype=real.dtype)
    x = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    norm = (grad.square().flatten(1).sum(1) + 1e-12).sqrt() * unit  # d D / d(x / unit) = unit * d D / dx
    return weight * (norm - center).square().mean()


def accuracy(real_logit: torch.Tensor, fake_logit: torch.Tensor) -> torch.Tensor:
    """Share of packs D classifies right (real logit > 0, fake < 0), a 0-dim tensor."""
    return ((real_logit > 0).float().mean() + (fake_logit < 0).float().mean()) / 2
