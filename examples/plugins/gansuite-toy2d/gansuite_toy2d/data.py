"""The two mixtures of the PacGAN paper (Lin et al. 2018, section 5.1; VEEGAN's benchmark before it).

    grid: 25 Gaussians centred on {-4, -2, 0, 2, 4}^2, sigma = 0.05
    ring:  8 Gaussians evenly spaced on the unit circle, sigma = 0.01

Every mode has the same weight. Real packs are drawn in bulk from a torch.Generator that the
core's SeededStream seeds per batch, so a resumed run sees exactly the batches it would have.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from gansuite_core import SeededStream


@dataclass(frozen=True)
class Mixture:
    name: str
    modes: torch.Tensor  # (K, 2) mode centres
    sigma: float  # standard deviation of every mode (isotropic)
    scale: float  # half-width of the data: networks work on points divided by it

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """(n, 2) points: a uniformly chosen mode plus isotropic Gaussian noise."""
        k = torch.randint(0, len(self.modes), (n,), generator=generator)
        return self.modes[k] + self.sigma * torch.randn(n, 2, generator=generator)


def grid() -> Mixture:
    axis = torch.arange(-4.0, 4.01, 2.0)  # -4, -2, 0, 2, 4
    xs, ys = torch.meshgrid(axis, axis, indexing="ij")
    return Mixture("grid", torch.stack([xs.flatten(), ys.flatten()], 1), 0.05, 4.0)


def ring() -> Mixture:
    angle = torch.arange(8) * (2 * math.pi / 8)
    return Mixture("ring", torch.stack([angle.cos(), angle.sin()], 1), 0.01, 1.0)


MIXTURES = {"grid": grid, "ring": ring}


def mixture(name: str) -> Mixture:
    """The mixture called `name` (grid or ring)."""
    return MIXTURES[name]()


def real_packs(mix: Mixture, batch: int, pack: int, seed: int, rank: int = 0) -> SeededStream:
    """An endless stream of real batches (batch, pack, 2): PacGAN's D judges `pack` points at once."""
    return SeededStream(lambda g: mix.sample(batch * pack, g).reshape(batch, pack, 2), seed=seed, rank=rank)
