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


def soft_values(rows: torch.Tensor, layout: dict[str, torch.Tensor]) -> torch.Tensor:
    """(B, D) transformed rows -> (B, M) column values, differentiable through the generator's head.

    A numeric column decodes as sum_k onehot_k (4 sigma_k alpha + mu_k) (transform.py's inverse with the
    mode's one-hot in place of its argmax); a discrete column is its one-hot entries. layout: the
    tensors of TableTransformer.value_layout on rows' device.
    """
    alpha = rows[:, layout["alpha"]]  # (B, Jn)
    modes = rows[:, layout["modes"]]  # (B, Jn, K)
    num = (modes * (layout["four_sigma"] * alpha[..., None] + layout["mu"])).sum(-1)
    return torch.cat([num, rows[:, layout["onehot"]]], 1)


def value_moments(values: torch.Tensor, eps: float = 1e-6) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(mean (M,), std (M,), Pearson correlation (M, M)) of a batch of column values (B, M)."""
    mean = values.mean(0)
    c = values - mean
    std = c.pow(2).mean(0).add(eps).sqrt()
    z = c / std
    return mean, std, z.T @ z / values.shape[0]


def moment_loss(values: torch.Tensor, mean: torch.Tensor, std: torch.Tensor, corr: torch.Tensor) -> torch.Tensor:
    """Distance of a generated batch's column moments to the training table's (mean, std, corr from value_moments).

    A direct form of table-GAN's information loss (Park et al. VLDB 2018), which matches the first two
    moments of the critic's features: here the moments are those of the decoded columns, means and
    standard deviations in units of each real column's spread, plus every Pearson correlation, the
    statistic that SDMetrics' CorrelationSimilarity scores and a linear model's utility rests on.
    Mean absolute differences of each, summed.
    """
    m, s, r = value_moments(values)
    off = ~torch.eye(len(corr), dtype=torch.bool, device=corr.device)
    return ((m - mean) / std).abs().mean() + ((s - std) / std).abs().mean() + (r - corr)[off].abs().mean()


def feature_moment_loss(f_real: torch.Tensor, f_fake: torch.Tensor) -> torch.Tensor:
    """table-GAN's information loss (Park et al. VLDB 2018, Eq. 4 without its hinge margins): the L2
    distances between the means and between the standard deviations of the critic's penultimate
    features on real (held fixed) and generated rows."""
    f_real = f_real.detach()
    return ((f_real.mean(0) - f_fake.mean(0)).norm() + (f_real.std(0) - f_fake.std(0)).norm())
