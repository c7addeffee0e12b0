"""CTGAN's networks (Xu et al. NeurIPS 2019, App. and reference code): a residual MLP generator with a
mixed tanh / Gumbel-softmax head, and a PacGAN critic. Tensors in, tensors out.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import RecordsConfig
from .data import load_table


class Residual(nn.Module):
    """fc -> BatchNorm -> ReLU, concatenated with its input (CTGAN's generator block)."""

    def __init__(self, i: int, o: int) -> None:
        super().__init__()
        self.fc, self.bn = nn.Linear(i, o), nn.BatchNorm1d(o)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([F.relu(self.bn(self.fc(x))), x], 1)


class Generator(nn.Module):
    """(noise (B, Z), cond (B, C)) -> (rows (B, D) as the transformer writes them, raw logits (B, D))."""

    def __init__(self, noise: int, cond: int, dims: list[int], spans: list[tuple[str, int]], tau: float) -> None:
        super().__init__()
        layers, d = [], noise + cond
        for w in dims:
            layers.append(Residual(d, w))
            d += w
        self.body = nn.Sequential(*layers)
        self.out = nn.Linear(d, sum(w for _, w in spans))
        self.spans, self.tau = spans, tau

    def forward(self, z: torch.Tensor, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raw = self.out(self.body(torch.cat([z, cond], 1)))  # (B, D)
        parts, at = [], 0
        for kind, w in self.spans:
            x = raw[:, at:at + w]
            # Discrete outputs through Gumbel-softmax at tau 0.2 (Jang et al. 2017), as CTGAN: differentiable, nearly one-hot.
            parts.append(torch.tanh(x) if kind == "tanh" else F.gumbel_softmax(x, tau=self.tau))
            at += w
        return torch.cat(parts, 1), raw


class Critic(nn.Module):
    """PacGAN critic (Lin et al. 2018): `pac` rows (with their conditions) judged together. (B, D + C) -> (B / pac,)."""

    def __init__(self, width: int, dims: list[int], pac: int, dropout: float = 0.5) -> None:
        super().__init__()
        layers, d = [], width * pac
        for w in dims:
            # LeakyReLU + dropout as CTGAN; no BatchNorm, which a gradient penalty on single samples forbids.
            layers += [nn.Linear(d, w), nn.LeakyReLU(0.2), nn.Dropout(dropout)]
            d = w
        self.body = nn.Sequential(*layers, nn.Linear(d, 1))
        self.pac = pac

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, D + C) -> (B / pac, last width): the penultimate activations that table-GAN's information
        loss compares (Park et al. VLDB 2018)."""
        return self.body[:-1](x.reshape(-1, x.shape[1] * self.pac))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x.reshape(-1, x.shape[1] * self.pac)).squeeze(1)


def make_networks(cfg: RecordsConfig) -> dict[str, nn.Module]:
    tf = load_table(cfg).transformer  # the table decides the widths
    return {"G": Generator(cfg.noise, tf.cond_dim, cfg.dims("g_dims"), tf.spans, cfg.tau),
            "D": Critic(tf.dim + tf.cond_dim, cfg.dims("d_dims"), cfg.pac, cfg.dropout)}
