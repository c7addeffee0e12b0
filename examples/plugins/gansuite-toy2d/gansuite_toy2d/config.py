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
    codes: int = 32  # K: G draws one of K categorical codes and reads its learned centre + code_noise * z (a mixture-of-Gaussians latent, DeLiGAN; 0: off). With prior learned and the tail decay: grid 94.5/90.1/93.6 % HQ vs 87.5/87.4/88.5 without codes, ring 99.5/99.7 %; K 16 and 64 were worse on the grid (docs/toy2d.md)
    code_noise: float = 0.2  # with codes: the scale of z around each code's centre (DeLiGAN's initial sigma; 0.1 kept D at chance all run on grid seed 0, 0.5 scored 83.4 %)
    prior: Literal["uniform", "learned"] = "learned"  # with codes: their probabilities, uniform or learned towards codes whose packs D scores as real (Khayatkhoei et al. 2018); uniform K 32 kept D at chance on grid seed 0
    d_hidden: int = 128  # units per hidden layer of D
    d_layers: int = 3  # hidden layers of D
    d_unit: float = 20.0  # D reads coordinates in units of d_unit * sigma (grid: 1.0, ring: 0.2)
    batch: int = 256  # packs per batch (a step makes batch * pack generated points; 256 measured better than 128 on the grid)
    lr: float = 1e-3  # Adam learning rate of G
    d_lr: float = 2e-3  # Adam learning rate of D; 2x G's is the two time-scale rule (Heusel et al. 2017): with r1 1, grid 87.8 % HQ over 3 seeds vs 56.5 % at 1e-3 without r1 (docs/toy2d.md)
    beta1: float = 0.5  # Adam beta1 of both players
    beta2: float = 0.99  # Adam beta2 of both players
    anneal: int = 0  # halve both learning rates every `anneal` steps, smoothly (0: constant)
    decay_start: int = 4500  # step from which both learning rates fall linearly to 0 at decay_end (CycleGAN's tail decay); with codes it stopped a late collapse on grid seed 2 (38.6 -> 93.6 % HQ)
    decay_end: int = 6000  # step at which that decay reaches 0: keep it at the run's steps (a longer --steps is refused); decay_start=decay_end=0: no tail decay
    loss: Literal["ns", "hinge", "wgan"] = "ns"  # ns: non-saturating GAN; hinge (Lim & Ye 2017); wgan: Wasserstein, needs gp or spectral_norm
    spectral_norm: bool = False  # spectral normalisation of D's linear layers (Miyato et al. 2018)
    gp: float = 0.0  # gradient penalty weight lambda on interpolates of real and fake packs, in D's units (0: off)
    gp_center: float = 1.0  # the gradient norm gp pulls to: 1 is WGAN-GP (Gulrajani et al. 2017), 0 is 0-GP (Thanh-Tung et al. 2019)
    r1: float = 1.0  # R1 penalty weight gamma on real packs, gradient in D's units like gp (0: off); 1 with d_lr 2e-3 measured best on the grid (0.1, 0.3, 3, 10 worse), ring 95.3 % (docs/toy2d.md)
    d_repeat: int = 2  # D updates per G update (n_critic), each on a fresh batch, for the steps before d_repeat_until; with 1, D sat at chance until step 3,500-6,500 on the grid (docs/toy2d.md)
    d_repeat_until: int = 2500  # d_repeat applies to the steps before this one, then one D update per step (0: d_repeat the whole run)
    r1_every: int = 1  # apply R1 every N steps as its own D phase, scaled by N (lazy, Karras et al. 2020); 16 measured 62.5 % vs 87.5 % HQ on grid seed 0
    ema_half_life: int = 20_000  # points after which an old weight's share in G's moving average has halved
    ema_follows_lr: bool = True  # count each step's points times the current lr over the initial one, so that in the tail decay the average reaches back as far as before; without it ring seed 4 fell from 99.6 % to 66 % HQ in the last 60 steps (docs/toy2d.md)
    tail_code_noise: float = 0.15  # with codes: code_noise falls linearly to this value over the tail decay, and G samples with it from then on (evaluate, generate; nothing without codes or the tail decay; 0: code_noise throughout). 0.15 raised grid HQ on 5 of 5 seeds (91.5-98.6 % vs 87.6-96.0 %, fixed-horizon EMA) and narrows the modes (docs/toy2d.md)
    eval_samples: int = 2500  # points scored by evaluate and the probe (the PacGAN protocol uses 2,500)
    probe_every: int = 500  # steps between scoring the EMA generator during training (0: never)
    stop_at_goal: bool = False  # stop once the probe sees every mode, >= 95 % high quality and reverse KL <= 0.05

    def __post_init__(self) -> None:
        for key in ("pack", "latent", "g_hidden", "g_layers", "d_hidden", "d_layers", "batch", "eval_samples", "ema_half_life", "r1_every",
                    "d_repeat"):
            if getattr(self, key) < 1:
                raise ValueError(f"{key}={getattr(self, key)}: expected a positive integer")
        for key in ("lr", "d_lr"):
            if not 0 < getattr(self, key) < 1:
                raise ValueError(f"{key}={getattr(self, key)}: expected a learning rate between 0 and 1")
        if self.d_unit <= 0:
            raise ValueError(f"d_unit={self.d_unit}: expected a positive number")
        if self.code_noise <= 0:
            raise ValueError(f"code_noise={self.code_noise}: expected a positive number")
        if self.codes < 0:
            raise ValueError(f"codes={self.codes}: expected 0 (off) or a positive number of codes")
        if self.prior not in ("uniform", "learned"):
            raise ValueError(f"prior={self.prior!r}: expected uniform or learned")
        for key in ("r1", "gp", "gp_center", "probe_every", "anneal", "decay_start", "decay_end", "tail_code_noise",
                    "d_repeat_until"):
            if getattr(self, key) < 0:
                raise ValueError(f"{key}={getattr(self, key)}: expected a number >= 0")
        if self.loss not in ("ns", "hinge", "wgan"):
            raise ValueError(f"loss={self.loss!r}: expected ns, hinge or wgan")
        if self.loss == "wgan" and not (self.gp or self.spectral_norm):
            raise ValueError("loss=wgan: needs gp > 0 or spectral_norm=true to keep D Lipschitz")
        if (self.decay_start or self.decay_end) and not self.decay_start < self.decay_end:
            raise ValueError(f"decay_start={self.decay_start}, decay_end={self.decay_end}: expected decay_start < decay_end")

    @property
    def final_code_noise(self) -> float:
        """The code_noise G samples with once trained: tail_code_noise when codes and the tail decay are on, else code_noise."""
        return self.tail_code_noise if self.codes and self.decay_end and self.tail_code_noise else self.code_noise
