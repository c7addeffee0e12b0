"""MLP generator and discriminator for 2-D points, with PacGAN packing in the discriminator.

PacGAN (Lin et al. 2018): the discriminator judges `pack` samples at once, all real or all
fake, concatenated into one input of 2 * pack numbers. A generator that drops modes makes
packs whose members are too alike, which a packed discriminator sees, so it penalises mode
collapse at the cost of a wider first layer only. pack = 1 is the plain GAN.

The paper's networks: G 4 x 400 ReLU + BatchNorm from a 2-d z, D 3 maxout layers. Ours are
MLPs without BatchNorm (ReLU in G, LeakyReLU in D) (BatchNorm couples the samples of a batch, which packing means
to judge together only inside a pack); sizes are options.
"""
from __future__ import annotations

import torch
from torch import nn

from gansuite_core import pick_codes

from .config import Toy2DConfig
from .data import mixture


def mlp(inputs: int, hidden: int, layers: int, outputs: int, slope: float = 0.0) -> nn.Sequential:
    """`layers` hidden layers of `hidden` units with ReLU (slope 0) or LeakyReLU(slope), then a linear output."""
    mods: list[nn.Module] = []
    width = inputs
    for _ in range(layers):
        mods += [nn.Linear(width, hidden), nn.LeakyReLU(slope) if slope else nn.ReLU()]
        width = hidden
    mods.append(nn.Linear(width, outputs))
    return nn.Sequential(*mods)


class Generator(nn.Module):
    """z (B, latent) -> points (B, 2) in data coordinates; z is standard normal noise.

    With `codes` K > 0 the last entry of z picks one of K categorical codes (through the normal CDF,
    so z stays plain Gaussian noise for every caller), and G reads a learned centre of that code
    plus `code_noise` times the rest of z: a mixture-of-Gaussians latent (DeLiGAN, Gurumurthy et
    al. 2017). Within a code G is still continuous, but across codes it may jump: a single
    continuous G must leave mass between disconnected modes (Khayatkhoei et al. 2018), K codes need
    not. `prior` holds the codes' log-probabilities up to a constant: a buffer of zeros (uniform),
    or a parameter that `game.py` trains when the prior is learned.

    `tail_noise` (end value, decay_start, decay_end) makes code_noise fall linearly to the end value
    over the tail decay. The step it has reached is the buffer `trained` (the training step the
    weights last saw; an integer, so the EMA copy takes it as it is, and checkpoints keep it): a run
    stopped before decay_end, like the 4,000-step demo, samples with the noise it trained with.
    """

    def __init__(self, latent: int, hidden: int, layers: int, codes: int = 0, learn_prior: bool = False,
                 code_noise: float = 1.0, tail_noise: tuple[float, int, int] | None = None) -> None:
        super().__init__()
        self.codes = codes
        self.latent = latent + (1 if codes else 0)  # the noise callers draw: the continuous z, then the code's entry
        self.body = mlp(latent, hidden, layers, 2)
        if codes:
            self.centres = nn.Parameter(torch.empty(codes, latent).uniform_(-1.0, 1.0))  # DeLiGAN's initialisation
            self.code_noise = code_noise
            self.tail_noise = tail_noise
            if tail_noise is not None:
                self.register_buffer("trained", torch.zeros((), dtype=torch.long))
            if learn_prior:
                self.prior = nn.Parameter(torch.zeros(codes))
            else:
                self.register_buffer("prior", torch.zeros(codes))

    def code(self, u: torch.Tensor) -> torch.Tensor:
        """(B,) standard normal entries -> (B,) code indices, distributed as softmax(prior)."""
        return pick_codes(self.prior, u)

    def noise_scale(self) -> float | torch.Tensor:
        """The code_noise G samples with now: a float, or a 0-dim tensor computed on G's device (no host read)."""
        if self.tail_noise is None:
            return self.code_noise
        end_value, start, end = self.tail_noise
        # float64 rounds as Python's float arithmetic does (the measured runs); MPS has no float64
        wide = torch.float32 if self.trained.device.type == "mps" else torch.float64
        left = ((end - self.trained).to(wide) / (end - start)).clamp(0.0, 1.0)  # the share of the tail still ahead
        return left * self.code_noise + (1.0 - left) * end_value

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if not self.codes:
            return self.body(z)  # (B, 2)
        return self.body(self.centres[self.code(z[:, -1])] + self.noise_scale() * z[:, :-1])  # (B, 2)


class Discriminator(nn.Module):
    """Packs of points (B, pack, 2) -> one logit per pack (B,)."""

    def __init__(self, hidden: int, layers: int, pack: int, unit: float, spectral: bool = False) -> None:
        super().__init__()
        self.pack = pack
        # LeakyReLU(0.2): with plain ReLU, D's deeper units died in our runs and its output went flat.
        self.body = mlp(2 * pack, hidden, layers, 1, slope=0.2)
        if spectral:  # each layer's largest singular value kept at 1 by power iteration (Miyato et al. 2018)
            for i, m in enumerate(self.body):
                if isinstance(m, nn.Linear):
                    self.body[i] = nn.utils.parametrizations.spectral_norm(m)
        # Coordinates are read in units of `unit` (a multiple of the modes' sigma), so that the
        # first layer's kinks are as fine, relative to the modes, on the grid as on the ring.
        self.register_buffer("unit", torch.tensor(float(unit)))

    def forward(self, packs: torch.Tensor) -> torch.Tensor:
        x = (packs / self.unit).flatten(1)  # (B, pack * 2): the members side by side
        return self.body(x).squeeze(1)  # (B,)


def networks(cfg: Toy2DConfig) -> dict[str, nn.Module]:
    """The application's networks for a config: G (B, latent) -> (B, 2), D (B, pack, 2) -> (B,)."""
    return {"G": Generator(cfg.latent, cfg.g_hidden, cfg.g_layers, cfg.codes, learn_prior=cfg.prior == "learned",
                           code_noise=cfg.code_noise,
                           tail_noise=None if cfg.final_code_noise == cfg.code_noise else (cfg.tail_code_noise, cfg.decay_start, cfg.decay_end)),
            "D": Discriminator(cfg.d_hidden, cfg.d_layers, cfg.pack, cfg.d_unit * mixture(cfg.data).sigma,
                               spectral=cfg.spectral_norm)}
