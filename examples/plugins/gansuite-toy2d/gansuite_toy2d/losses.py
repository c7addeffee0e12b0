"""The non-saturating GAN losses (Goodfellow et al. 2014) on packs of points, and R1.

A batch is {"real": (B, pack, 2), "z": (B, pack, latent)}: B packs of `pack` points each.
Every loss calls the networks through the `nets` mapping it is given, because the engine
may have wrapped them (DDP, torch.compile).
"""
from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

Nets = Mapping[str, nn.Module]


def fake_packs(nets: Nets, z: torch.Tensor) -> torch.Tensor:
    """z (B, pack, latent) -> generated packs (B, pack, 2)."""
    b, pack, latent = z.shape
    return nets["G"](z.reshape(b * pack, latent)).reshape(b, pack, 2)


def d_loss(nets: Nets, batch: dict[str, torch.Tensor], step: int) -> tuple[torch.Tensor, dict[str, Any]]:
    """-log D(real) - log(1 - D(fake)), written with softplus for stability."""
    fake = fake_packs(nets, batch["z"]).detach()
    real_logit, fake_logit = nets["D"](batch["real"]), nets["D"](fake)
    loss = F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()
    return loss, {"real": real_logit.mean().detach(), "fake": fake_logit.mean().detach()}


def g_loss(nets: Nets, batch: dict[str, torch.Tensor], step: int) -> torch.Tensor:
    """Non-saturating: -log D(G(z)), which keeps gradients alive when D wins."""
    return F.softplus(-nets["D"](fake_packs(nets, batch["z"]))).mean()


def r1_loss(gamma: float):
    """R1 (Mescheder et al. 2018): gamma / 2 * |grad_x D(x)|^2 on real packs, damping D's oscillations."""

    def loss(nets: Nets, batch: dict[str, torch.Tensor], step: int) -> torch.Tensor:
        x = batch["real"].detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(nets["D"](x).sum(), x, create_graph=True)
        return 0.5 * gamma * grad.square().flatten(1).sum(1).mean()

    return loss


def d_accuracy(nets: Nets, batch: dict[str, torch.Tensor]) -> float:
    """Share of packs D classifies right (real logit > 0, fake < 0), for `--set schedule=loser`."""
    real = (nets["D"](batch["real"]) > 0).float().mean()
    fake = (nets["D"](fake_packs(nets, batch["z"])) < 0).float().mean()
    return float((real + fake) / 2)
