"""The non-saturating GAN losses (Goodfellow et al. 2014) and R1 (Mescheder et al. 2018), on D's logits.

Tensors in, tensors out: `game.py` makes the packs and calls the networks. Logged numbers stay
0-dim tensors (the engine reads them on the host only at log time).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def d_loss(real_logit: torch.Tensor, fake_logit: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """-log D(real) - log(1 - D(fake)), written with softplus for stability; logits (B,)."""
    loss = F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()
    return loss, {"real": real_logit.detach().mean(), "fake": fake_logit.detach().mean()}


def g_loss(fake_logit: torch.Tensor) -> torch.Tensor:
    """Non-saturating: -log D(G(z)), which keeps G's gradients alive when D wins."""
    return F.softplus(-fake_logit).mean()


def r1_penalty(D: nn.Module, real: torch.Tensor, gamma: float) -> torch.Tensor:
    """gamma / 2 * |grad_x D(x)|^2 on real packs (B, pack, 2): damps D's oscillation around the data."""
    x = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return 0.5 * gamma * grad.square().flatten(1).sum(1).mean()


def accuracy(real_logit: torch.Tensor, fake_logit: torch.Tensor) -> torch.Tensor:
    """Share of packs D classifies right (real logit > 0, fake < 0), a 0-dim tensor."""
    return ((real_logit > 0).float().mean() + (fake_logit < 0).float().mean()) / 2
