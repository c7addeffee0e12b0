"""The options of a toy2d run: one frozen dataclass; each field's comment is its `--help` line."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Toy2DConfig:
    data: Literal["grid", "ring"] = "grid"  # grid: 25 Gaussians, sigma 0.05; ring: 8 Gaussians on the unit circle, sigma 0.01
    pack: int = 2  # PacGAN packing: points per discriminator input (1 = plain GAN)
    latent: int = 8  # size of the generator's Gaussian noise z (8 measured better than the paper's 2 on the grid, docs/toy2d.md)
    g_hidden: int = 128  # units per hidden layer of G
    g_layers: int = 3  # hidden layers of G
    d_hidden: int = 128  # units per hidden layer of D
    d_layers: int = 3  # hidden layers of D
    d_unit: float = 20.0  # D reads coordinates in units of d_unit * sigma (grid: 1.0, ring: 0.2)
    batch: int = 256  # packs per batch (a step makes batch * pack generated points; 256 measured better than 128 on the grid)
    lr: float = 1e-3  # Adam learning rate of G
    d_lr: float = 1e-3  # Adam learning rate of D (two time-scale update rule when it differs from lr)
    beta1: float = 0.5  # Adam beta1 of both players
    beta2: float = 0.99  # Adam beta2 of both players
    anneal: int = 0  # halve both learning rates every `anneal` steps, smoothly (0: constant)
    r1: float = 0.0  # R1 penalty weight gamma on real packs (0: off)
    ema_half_life: int = 20_000  # points after which an old weight's share in G's moving average has halved
    eval_samples: int = 2500  # points scored by evaluate and the probe (the PacGAN protocol uses 2,500)
    probe_every: int = 500  # steps between scoring the EMA generator during training (0: never)
    stop_at_goal: bool = False  # stop once the probe sees every mode, >= 95 % high quality and reverse KL <= 0.05

    def __post_init__(self) -> None:
        for key in ("pack", "latent", "g_hidden", "g_layers", "d_hidden", "d_layers", "batch", "eval_samples", "ema_half_life"):
            if getattr(self, key) < 1:
                raise ValueError(f"{key}={getattr(self, key)}: expected a positive integer")
        for key in ("lr", "d_lr"):
            if not 0 < getattr(self, key) < 1:
                raise ValueError(f"{key}={getattr(self, key)}: expected a learning rate between 0 and 1")
        if self.d_unit <= 0:
            raise ValueError(f"d_unit={self.d_unit}: expected a positive number")
        for key in ("r1", "probe_every", "anneal"):
            if getattr(self, key) < 0:
                raise ValueError(f"{key}={getattr(self, key)}: expected a number >= 0")
