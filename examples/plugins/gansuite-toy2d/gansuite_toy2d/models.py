"""MLP generator and discriminator for 2-D points, with PacGAN packing in the discriminator.

PacGAN (Lin et al. 2018): the discriminator judges `pack` samples at once, all real or all
fake, concatenated into one input of 2 * pack numbers. A generator that drops modes makes
packs whose members are too alike, which a packed discriminator sees, so it penalises mode
collapse at the cost of a wider first layer only. pack = 1 is the plain GAN.

The paper's networks: G 4 x 400 ReLU + BatchNorm from a 2-d z, D 3 maxout layers. Ours are
narrower and use LeakyReLU without BatchNorm (BatchNorm couples the samples of a batch, which
packing is meant to judge on their own); sizes are options.
"""
from __future__ import annotations

import torch
from torch import nn


def mlp(inputs: int, hidden: int, layers: int, outputs: int) -> nn.Sequential:
    """`layers` hidden layers of `hidden` units with LeakyReLU(0.2), then a linear output."""
    mods: list[nn.Module] = []
    width = inputs
    for _ in range(layers):
        mods += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
        width = hidden
    mods.append(nn.Linear(width, outputs))
    return nn.Sequential(*mods)


class Generator(nn.Module):
    """z (B, latent) -> points (B, 2) in data coordinates."""

    def __init__(self, latent: int, hidden: int, layers: int, scale: float) -> None:
        super().__init__()
        self.latent = latent
        self.body = mlp(latent, hidden, layers, 2)
        # The MLP works in [-1, 1]-ish coordinates; `scale` maps them back to the data's.
        self.register_buffer("scale", torch.tensor(float(scale)))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.body(z) * self.scale  # (B, 2)


class Discriminator(nn.Module):
    """Packs of points (B, pack, 2) -> one logit per pack (B,)."""

    def __init__(self, hidden: int, layers: int, pack: int, scale: float) -> None:
        super().__init__()
        self.pack = pack
        self.body = mlp(2 * pack, hidden, layers, 1)
        self.register_buffer("scale", torch.tensor(float(scale)))

    def forward(self, packs: torch.Tensor) -> torch.Tensor:
        x = (packs / self.scale).flatten(1)  # (B, pack * 2): the members side by side
        return self.body(x).squeeze(1)  # (B,)
