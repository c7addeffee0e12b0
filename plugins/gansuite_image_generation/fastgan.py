"""FastGAN (Liu, Zhu, Song & Elgammal, ICLR 2021, "Towards faster and stabilized GAN training for
high-fidelity few-shot image synthesis"; odegeasslbc/FastGAN-pytorch) at 64, 128 and 256 pixels.

- G: up-blocks (nearest upsampling, 3x3 conv, BatchNorm, GLU) from 4x4, with skip-layer
  excitation (SLE): a low-resolution feature map, pooled to 4x4 and squeezed to one gate per
  channel, multiplies a high-resolution one (8 -> 64, 16 -> 128, 32 -> 256, as the paper's
  8 -> 128, 16 -> 256, 32 -> 512 one scale down).
- D: strided down-blocks to 8x8, a 5x5 map of logits averaged to one; and the self-supervised
  decoders: on real images, D's 8x8 features are decoded to the whole image and a random quarter
  of its 16x16 features to that quarter, both at 64 px. The paper compares them to the image with
  LPIPS; here with L1 (no perceptual network ships offline), `reconstruction_loss`.

G(z (B, z_dim), y=None) -> (B, C, size, size) in [-1, 1]; D(x, y=None) -> (B,) logits.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SIZES = (64, 128, 256)


def _channels(width: int, res: int) -> int:  # the paper's nfc table, in units of `width`, smallest 8
    return max(8, int(width * {4: 16, 8: 8, 16: 4, 32: 2, 64: 2, 128: 1, 256: 0.5}[res]))


def up_block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(cin, 2 * cout, 3, 1, 1, bias=False),
                         nn.BatchNorm2d(2 * cout), nn.GLU(dim=1))


class SLE(nn.Module):
    """Skip-layer excitation: gates (B, C_big, 1, 1) from a small map, multiplied into a big one."""

    def __init__(self, c_small: int, c_big: int) -> None:
        super().__init__()
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Conv2d(c_small, c_big, 4, 1, 0, bias=False), nn.SiLU(),
                                  nn.Conv2d(c_big, c_big, 1, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, small: torch.Tensor, big: torch.Tensor) -> torch.Tensor:
        return big * self.gate(small)


class FastGANGenerator(nn.Module):
    def __init__(self, z_dim: int, channels: int, size: int, width: int) -> None:
        super().__init__()
        self.size = size
        self.init = nn.Sequential(nn.ConvTranspose2d(z_dim, 2 * _channels(width, 4), 4, 1, 0, bias=False),
                                  nn.BatchNorm2d(2 * _channels(width, 4)), nn.GLU(dim=1))  # (B, c4, 4, 4)
        self.res = [8 * 2**i for i in range(size.bit_length() - 3)]  # 8, 16, ..., size
        self.ups = nn.ModuleList(up_block(_channels(width, r // 2), _channels(width, r)) for r in self.res)
        self.sle = nn.ModuleDict({str(r): SLE(_channels(width, r // 8), _channels(width, r)) for r in self.res if r >= 64})
        self.out = nn.Sequential(nn.Conv2d(_channels(width, size), channels, 3, 1, 1), nn.Tanh())

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.init(z[:, :, None, None])
        feats = {4: h}
        for r, up in zip(self.res, self.ups):
            h = up(h)
            if str(r) in self.sle:
                h = self.sle[str(r)](feats[r // 8], h)
            feats[r] = h
        return self.out(h)  # (B, C, size, size)


def down_block(cin: int, cout: int, bn: bool = True) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 4, 2, 1, bias=not bn), *([nn.BatchNorm2d(cout)] if bn else []), nn.LeakyReLU(0.2, True))


class Decoder(nn.Module):
    """The paper's simple decoder: an 8x8 feature map -> a 64-px image (three up-blocks)."""

    def __init__(self, cin: int, channels: int, width: int) -> None:
        super().__init__()
        c = max(8, width * 2)
        self.net = nn.Sequential(nn.AdaptiveAvgPool2d(8), up_block(cin, c), up_block(c, c // 2 if c >= 16 else c),
                                 up_block(c // 2 if c >= 16 else c, 8), nn.Conv2d(8, channels, 3, 1, 1), nn.Tanh())

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.net(h)  # (B, C, 64, 64)


class FastGANDiscriminator(nn.Module):
    def __init__(self, channels: int, size: int, width: int) -> None:
        super().__init__()
        layers, r, c = [], size, channels
        while r > 16:  # down to 16x16; the first block has no BatchNorm, as usual for D's input layer
            layers.append(down_block(c, _channels(width, r // 2), bn=r != size))
            c, r = _channels(width, r // 2), r // 2
        self.to16 = nn.Sequential(*layers)
        self.to8 = down_block(c, _channels(width, 8))
        c16, c8 = c, _channels(width, 8)
        self.logits = nn.Sequential(nn.Conv2d(c8, c8, 1, 1, 0, bias=False), nn.BatchNorm2d(c8), nn.LeakyReLU(0.2, True),
                                    nn.Conv2d(c8, 1, 4, 1, 0))  # (B, 1, 5, 5)
        self.decode_all, self.decode_part = Decoder(c8, channels, width), Decoder(c16, channels, width)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.logits(self.to8(self.to16(x))).mean((1, 2, 3))  # (B,)

    def reconstruct(self, x: torch.Tensor, quarter: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Logits (B,), the whole image decoded from the 8x8 features and `quarter` (0..3) decoded from the 16x16 ones."""
        h16 = self.to16(x)
        h8 = self.to8(h16)
        i, j = divmod(quarter, 2)
        part = h16[:, :, i * 8:(i + 1) * 8, j * 8:(j + 1) * 8]  # (B, c16, 8, 8)
        return self.logits(h8).mean((1, 2, 3)), self.decode_all(h8), self.decode_part(part)


def reconstruction_loss(D: FastGANDiscriminator, real: torch.Tensor, quarter: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(D's logits on `real` (B,), the L1 reconstruction loss of its two decoders)."""
    logits, whole, part = D.reconstruct(real, quarter)
    i, j = divmod(quarter, 2)
    big = F.interpolate(real, size=(128, 128), mode="area" if real.shape[-1] > 128 else "bilinear", align_corners=None)
    target_part = big[:, :, i * 64:(i + 1) * 64, j * 64:(j + 1) * 64]
    target_all = F.interpolate(real, size=(64, 64), mode="area") if real.shape[-1] != 64 else real
    return logits, (whole - target_all).abs().mean() + (part - target_part).abs().mean()
