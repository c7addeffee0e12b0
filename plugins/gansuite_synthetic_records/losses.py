"""CTGAN's losses: WGAN-GP for the critic (Gulrajani et al. 2017) on packed rows, and for the generator
the Wasserstein term plus the cross-entropy that makes it honour the conditional vector.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor, pac: int, weight: float) -> torch.Tensor:
    """weight * E[(||grad D(x_hat)|| - 1)^2] on interpolates; one norm per pack of `pac` rows (CTGAN)."""
    b, d = real.shape
    alpha = torch.rand(b // pac, 1, 1, device=real.device).expand(b // pac, pac, d).reshape(b, d)  # one mix per pack
    x = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return weight * ((grad.reshape(-1, pac * d).norm(2, dim=1) - 1) ** 2).mean()


def critic_loss(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """Wasserstein critic: lower on generated rows, higher on real ones."""
    return d_fake.mean() - d_real.mean()


def cond_loss(raw: torch.Tensor, starts: torch.Tensor, counts: torch.Tensor, most: int, col: torch.Tensor, cat: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the conditioned column's logits against the asked category (Xu et al. 2019, Sec. 4.3).

    raw: (B, D) generator logits; starts, counts: (J,) where each discrete column starts and how many
    categories it has (made once on raw's device: nothing crosses to or from the host per step);
    most: the largest count; col, cat: (B,). Only the chosen column of each row counts, so the other
    columns stay free to follow the data.
    """
    ar = torch.arange(most, device=raw.device)
    idx = (starts[col, None] + ar).clamp(max=raw.shape[1] - 1)  # (B, K)
    logits = raw.gather(1, idx).masked_fill(ar >= counts[col, None], float("-inf"))  # padding of short columns
    return F.cross_entropy(logits, cat)
