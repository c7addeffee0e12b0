"""Generators and discriminators: DCGAN and the spectrally normalised ResNet.

- DCGAN: Radford, Metz & Chintala 2016 -- strided (transposed) 4x4 convolutions, BatchNorm,
  ReLU in G and LeakyReLU(0.2) in D, tanh output. The critic of WGAN-GP drops BatchNorm
  (Gulrajani et al. 2017: the penalty is per sample).
- ResNet-SN: Miyato et al. 2018 (appendix B, CIFAR-10 models) -- residual up/down blocks,
  spectral normalisation on every layer of D, global sum pooling.
- Minibatch standard deviation (Karras et al. 2018, ProGAN sec. 3): an optional extra channel
  in D's last block holding the features' spread across a group of 4 samples, so D can see a
  batch that lacks variety (a collapsed G) -- one of issue 14's remedies against mode collapse.
- Class-conditional: G takes a label embedding next to z; D adds the projection term
  <embed(y), h(x)> to its output (Miyato & Koyama 2018, cGANs with projection discriminator).

- Mixture-of-Gaussians latent (DeLiGAN, Gurumurthy et al. 2017): `CodedGenerator` lets the last
  entry of z pick one of K learned centres, with a prior over them that game.py may learn from D's
  logits (after Khayatkhoei et al. 2018), so G can move mass between codes without a continuous
  path through low-density images.
- PacGAN (Lin et al. 2018): `Packed` lets D judge `pack` images at once, stacked along channels.

FastGAN (Liu et al. 2021) is in fastgan.py: 64, 128 and 256 px.
Sizes: 28 px (7 -> 14 -> 28, MNIST-like), 32 px (4 -> 8 -> 16 -> 32) and 64 px (one more level).
Both networks map tensors to tensors: G(z (B, z_dim), y (B,) | None) -> (B, C, H, W) in [-1, 1];
D(x (B, C, H, W), y | None) -> (B,) logits.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from gansuite_core import pick_codes

from .fastgan import FastGANDiscriminator, FastGANGenerator
from .fastgan import SIZES as FASTGAN_SIZES

SIZES = (28, 32, 64, 128, 256)  # 128 and 256 with model=fastgan only


def levels(size: int) -> tuple[int, int]:
    """(start resolution, number of doublings) for an output size."""
    return (7, 2) if size == 28 else (4, {32: 3, 64: 4}[size])


class DCGANGenerator(nn.Module):
    def __init__(self, z_dim: int, channels: int, size: int, width: int, classes: int = 0) -> None:
        super().__init__()
        s0, n = levels(size)
        self.embed = nn.Embedding(classes, z_dim) if classes else None
        c = width * 2 ** (n - 1)
        layers: list[nn.Module] = [nn.ConvTranspose2d(z_dim * (2 if classes else 1), c, s0, 1, 0, bias=False), nn.BatchNorm2d(c), nn.ReLU(True)]
        for _ in range(n - 1):  # each doubles the resolution and halves the width
            layers += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU(True)]
            c //= 2
        layers += [nn.ConvTranspose2d(c, channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], 1)  # (B, 2 z_dim)
        return self.net(z[:, :, None, None])  # (B, C, size, size)


class MinibatchStd(nn.Module):
    """Append the mean standard deviation over groups of `group` samples as one more channel: (B, C, H, W) -> (B, C+1, H, W)."""

    def __init__(self, group: int = 4) -> None:
        super().__init__()
        self.group = group

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        g = self.group if b % self.group == 0 else 1  # shapes are host ints: no device read
        y = x.reshape(g, -1, c, h, w)  # (G, B/G, C, H, W), as stylegan2's layer groups samples
        y = (y.var(0, unbiased=False) + 1e-8).sqrt().mean((1, 2, 3))  # (B/G,)
        y = y.reshape(-1, 1, 1, 1).repeat(g, 1, h, w)  # (B, 1, H, W)
        return torch.cat([x, y], 1)


class DCGANDiscriminator(nn.Module):
    def __init__(self, channels: int, size: int, width: int, classes: int = 0, batchnorm: bool = True, mbstd: bool = False) -> None:
        super().__init__()
        s0, n = levels(size)
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        c = width
        for _ in range(n - 1):
            layers += [nn.Conv2d(c, 2 * c, 4, 2, 1, bias=not batchnorm)]
            layers += [nn.BatchNorm2d(2 * c)] if batchnorm else []
            layers += [nn.LeakyReLU(0.2, True)]
            c *= 2
        if mbstd:  # one more 3x3 convolution over features + their spread, as ProGAN's last block
            layers += [MinibatchStd(), nn.Conv2d(c + 1, c, 3, 1, 1), nn.LeakyReLU(0.2, True)]
        self.features = nn.Sequential(*layers, nn.Flatten())  # (B, c * s0 * s0)
        self.out = nn.Linear(c * s0 * s0, 1)  # = DCGAN's last s0 x s0 convolution
        self.embed = nn.Embedding(classes, c * s0 * s0) if classes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x)
        logit = self.out(h).squeeze(1)  # (B,)
        if self.embed is not None:
            logit = logit + (self.embed(y) * h).sum(1)  # projection discriminator
        return logit


class GBlock(nn.Module):
    """BN-ReLU-up-conv3-BN-ReLU-conv3, with an upsampled 1x1 shortcut."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.b1, self.c1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, 1, 1)
        self.b2, self.c2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1)
        self.skip = nn.Conv2d(cin, cout, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.interpolate(F.relu(self.b1(x)), scale_factor=2)
        h = self.c2(F.relu(self.b2(self.c1(h))))
        return h + self.skip(F.interpolate(x, scale_factor=2))


class DBlock(nn.Module):
    """ReLU-conv3-ReLU-conv3(-avgpool); the first block skips the leading ReLU (Miyato's 'optimized' block)."""

    def __init__(self, cin: int, cout: int, down: bool, first: bool = False) -> None:
        super().__init__()
        self.c1, self.c2 = spectral_norm(nn.Conv2d(cin, cout, 3, 1, 1)), spectral_norm(nn.Conv2d(cout, cout, 3, 1, 1))
        self.skip = spectral_norm(nn.Conv2d(cin, cout, 1)) if (down or cin != cout) else None
        self.down, self.first = down, first

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.c2(F.relu(self.c1(x if self.first else F.relu(x))))
        if self.down:
            h = F.avg_pool2d(h, 2)
        s = x
        if self.skip is not None:
            s = F.avg_pool2d(self.skip(s), 2) if (self.first and self.down) else self.skip(s)
            if self.down and not self.first:
                s = F.avg_pool2d(s, 2)
        return h + s


class ResNetGenerator(nn.Module):
    def __init__(self, z_dim: int, channels: int, size: int, width: int, classes: int = 0) -> None:
        super().__init__()
        self.s0, n = levels(size)
        self.width = width
        self.embed = nn.Embedding(classes, z_dim) if classes else None
        self.fc = nn.Linear(z_dim * (2 if classes else 1), self.s0 * self.s0 * width)
        self.blocks = nn.Sequential(*[GBlock(width, width) for _ in range(n)])
        self.out = nn.Sequential(nn.BatchNorm2d(width), nn.ReLU(), nn.Conv2d(width, channels, 3, 1, 1), nn.Tanh())

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], 1)
        h = self.fc(z).view(-1, self.width, self.s0, self.s0)  # (B, width, s0, s0)
        return self.out(self.blocks(h))  # (B, C, size, size)


class ResNetDiscriminator(nn.Module):
    def __init__(self, channels: int, size: int, width: int, classes: int = 0, mbstd: bool = False) -> None:
        super().__init__()
        _, n = levels(size)
        blocks = [DBlock(channels, width, down=True, first=True)]
        blocks += [DBlock(width, width, down=True) for _ in range(n - 2)]
        blocks += [DBlock(width, width, down=False)]
        blocks += [MinibatchStd(), DBlock(width + 1, width, down=False)] if mbstd else [DBlock(width, width, down=False)]
        self.blocks = nn.Sequential(*blocks)
        self.out = spectral_norm(nn.Linear(width, 1))
        self.embed = spectral_norm(nn.Embedding(classes, width)) if classes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = F.relu(self.blocks(x)).sum((2, 3))  # global sum pooling: (B, width)
        logit = self.out(h).squeeze(1)
        if self.embed is not None:
            logit = logit + (self.embed(y) * h).sum(1)
        return logit


class CodedGenerator(nn.Module):
    """G(z, y) = body(centres[code] + code_noise * z[:, :-1], y): a mixture-of-Gaussians latent (DeLiGAN).

    The last entry of z (standard normal) picks one of `codes` K centres through the normal CDF, so
    z stays plain N(0, I) noise of size z_dim for every caller (sampling, evaluation, latent walks);
    `body` reads z_dim - 1 numbers. The centres start uniform in [-1, 1] (DeLiGAN's initialisation).
    `prior` holds the codes' log-probabilities up to a constant: a buffer of zeros (uniform), or a
    parameter that game.py trains towards codes whose images D scores as real.
    """

    def __init__(self, body: nn.Module, z_dim: int, codes: int, code_noise: float, learn_prior: bool) -> None:
        super().__init__()
        self.body, self.codes, self.code_noise = body, codes, code_noise
        self.centres = nn.Parameter(torch.empty(codes, z_dim - 1).uniform_(-1.0, 1.0))
        if learn_prior:
            self.prior = nn.Parameter(torch.zeros(codes))
        else:
            self.register_buffer("prior", torch.zeros(codes))

    def code(self, u: torch.Tensor) -> torch.Tensor:
        """(B,) standard normal entries -> (B,) code indices, distributed as softmax(prior)."""
        return pick_codes(self.prior, u)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.body(self.centres[self.code(z[:, -1])] + self.code_noise * z[:, :-1], y)  # (B, C, H, W)


class Packed(nn.Module):
    """PacGAN's packed D: images (B, C, H, W), B a multiple of `pack` -> (B / pack,) logits, one per pack.

    Consecutive images form a pack, stacked along channels into one (C * pack)-channel input of `body`,
    so D judges them jointly: packs from a G that drops modes hold too-alike members (Lin et al. 2018).
    """

    def __init__(self, body: nn.Module, pack: int) -> None:
        super().__init__()
        self.body, self.pack = body, pack

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        b, c, h, w = x.shape
        return self.body(x.reshape(b // self.pack, self.pack * c, h, w), y)  # (B / pack,)


def build(model: str, z_dim: int, channels: int, size: int, g_width: int, d_width: int, classes: int, d_batchnorm: bool,
          mbstd: bool = False, codes: int = 0, code_noise: float = 1.0, learn_prior: bool = False,
          pack: int = 1) -> dict[str, nn.Module]:
    """{"G": generator, "D": discriminator} for `model` in {"dcgan", "resnet", "fastgan"}.

    codes > 0 wraps any G in `CodedGenerator` (its body reads z_dim - 1 numbers, labels pass through);
    pack > 1 wraps D in `Packed` (its body reads channels * pack), for the unconditional DCGAN and ResNet
    only (the config checks).
    """
    g_in = z_dim - 1 if codes else z_dim
    if model == "fastgan":
        nets = {"G": FastGANGenerator(g_in, channels, size, g_width), "D": FastGANDiscriminator(channels, size, d_width)}
    elif model == "dcgan":
        nets = {"G": DCGANGenerator(g_in, channels, size, g_width, classes),
                "D": DCGANDiscriminator(channels * pack, size, d_width, classes, d_batchnorm, mbstd)}
    else:
        nets = {"G": ResNetGenerator(g_in, channels, size, g_width, classes),
                "D": ResNetDiscriminator(channels * pack, size, d_width, classes, mbstd)}
    if codes:
        nets["G"] = CodedGenerator(nets["G"], z_dim, codes, code_noise, learn_prior)
    if pack > 1:
        nets["D"] = Packed(nets["D"], pack)
    return nets
