"""Differentiable augmentations for D: DiffAugment and adaptive discriminator augmentation (ADA).

Both go on real AND fake images before D, in D's and G's losses, so D cannot memorise a small
data set while G still receives gradients through them.

- DiffAugment (Zhao et al. 2020, mit-han-lab/data-efficient-gans, DiffAugment_pytorch.py): a
  fixed policy applied to every image.
- ADA (Karras et al. 2020, "Training GANs with limited data", NVlabs/stylegan2-ada-pytorch
  training/augment.py): each operation is applied to each image with probability p, and p is
  tuned during training from the overfitting heuristic r_t = E[sign(D(real))]: raised while
  r_t > target (0.6), lowered below it, by at most 1 over `ada_kimg` thousand images. The
  operations here are a subset of the paper's 'bgc' pipeline (x-flip, 90-degree rotations,
  integer translation, isotropic and anisotropic scaling, rotation, fractional translation,
  brightness, contrast, saturation), composed into one affine warp with reflection padding.

`dihedral` and `hue_shuffle` make the views of the contrastive task (game.py, `contrastive`), not D's inputs.

Images are (B, C, H, W) in [-1, 1]; randomness comes from the global torch generator, which the
engine seeds and checkpoints. ADA's p lives in a buffer of `AdaptiveAugment`, a module owned by
D's player, so checkpoints save it and resume is exact; it is updated on the device (no host read).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def color(x: torch.Tensor) -> torch.Tensor:
    """Random brightness (+-0.5), saturation (x0..2) and contrast (x0.5..1.5), per image."""
    b = x.shape[0]
    x = x + (torch.rand(b, 1, 1, 1, device=x.device, dtype=x.dtype) - 0.5)
    mean = x.mean(1, keepdim=True)
    x = (x - mean) * (torch.rand(b, 1, 1, 1, device=x.device, dtype=x.dtype) * 2) + mean
    mean = x.mean((1, 2, 3), keepdim=True)
    return (x - mean) * (torch.rand(b, 1, 1, 1, device=x.device, dtype=x.dtype) + 0.5) + mean


def translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift each image by up to `ratio` of its size, filling with zeros."""
    b, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    tx = torch.randint(-sh, sh + 1, (b, 1, 1), device=x.device)
    ty = torch.randint(-sw, sw + 1, (b, 1, 1), device=x.device)
    gb, gx, gy = torch.meshgrid(torch.arange(b, device=x.device), torch.arange(h, device=x.device), torch.arange(w, device=x.device), indexing="ij")
    gx = (gx + tx + 1).clamp(0, h + 1)
    gy = (gy + ty + 1).clamp(0, w + 1)
    padded = F.pad(x, [1, 1, 1, 1]).permute(0, 2, 3, 1)  # (B, H+2, W+2, C)
    return padded[gb, gx, gy].permute(0, 3, 1, 2).contiguous()


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Zero a random square of `ratio` of the image's size in each image."""
    b, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    ox = torch.randint(0, h + (1 - ch % 2), (b, 1, 1), device=x.device)
    oy = torch.randint(0, w + (1 - cw % 2), (b, 1, 1), device=x.device)
    gb, gx, gy = torch.meshgrid(torch.arange(b, device=x.device), torch.arange(ch, device=x.device), torch.arange(cw, device=x.device), indexing="ij")
    gx = (gx + ox - ch // 2).clamp(0, h - 1)
    gy = (gy + oy - cw // 2).clamp(0, w - 1)
    mask = torch.ones(b, h, w, device=x.device, dtype=x.dtype)
    mask[gb, gx, gy] = 0
    return x * mask[:, None]


OPS = {"color": color, "translation": translation, "cutout": cutout}


def dihedral(x: torch.Tensor) -> torch.Tensor:
    """Each image (B, C, H, W) turned by a random multiple of 90 degrees and flipped with probability 1/2."""
    k = torch.randint(0, 8, (x.shape[0],), device=x.device)  # (B,)
    views = torch.stack([torch.rot90(x, r, (2, 3)) for r in range(4)])  # (4, B, C, H, W)
    views = torch.cat([views, views.flip(4)])  # (8, B, C, H, W)
    return views[k, torch.arange(x.shape[0], device=x.device)]


def hue_shuffle(x: torch.Tensor, gray: float = 0.2) -> torch.Tensor:
    """SimCLR-style colour distortion for 3-channel images (B, 3, H, W): the channels in a random order per image
    (a coarse hue change), then grey with probability `gray`; other channel counts pass unchanged."""
    if x.shape[1] != 3:
        return x
    perms = torch.tensor([[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]], device=x.device)
    order = perms[torch.randint(0, 6, (x.shape[0],), device=x.device)]  # (B, 3)
    x = x.gather(1, order[:, :, None, None].expand_as(x))
    grey = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < gray
    return torch.where(grey, x.mean(1, keepdim=True).expand_as(x), x)


def diff_augment(x: torch.Tensor, policy: list[str]) -> torch.Tensor:
    """Apply the operations of `policy` in order (identity when empty)."""
    for name in policy:
        x = OPS[name](x)
    return x


class AdaptiveAugment(nn.Module):
    """ADA's augmentation pipeline and its probability p (a buffer: saved in checkpoints)."""

    def __init__(self, target: float = 0.6, kimg: float = 100.0, interval: int = 4) -> None:
        super().__init__()
        self.target, self.kimg, self.interval = target, kimg, interval  # stylegan2-ada: ada_interval = 4
        self.register_buffer("p", torch.zeros(()))
        self.register_buffer("signs", torch.zeros(()))  # sum of sign(D(real)) since the last adjustment
        self.register_buffer("count", torch.zeros(()))  # how many real logits that sum holds

    @torch.no_grad()
    def observe(self, real_logits: torch.Tensor, threshold: float, step: int) -> None:
        """Accumulate sign(D(real)); every `interval` steps move p towards r_t = target (all on the device)."""
        self.signs += torch.sign(real_logits.detach().float() - threshold).sum()
        self.count += real_logits.numel()
        if step % self.interval == self.interval - 1:
            r_t = self.signs / self.count.clamp(min=1)
            # stylegan2-ada: adjust = sign(r_t - target) * (batch * interval) / (ada_kimg * 1000)
            self.p.add_(torch.sign(r_t - self.target) * self.count / (self.kimg * 1000)).clamp_(0, 1)
            self.signs.zero_()
            self.count.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Augment each image (B, C, H, W) with each operation on with probability p; differentiable in x."""
        if not self.training:
            return x
        b, c, h, w = x.shape
        dev, p = x.device, self.p

        def on(shape=(b,)) -> torch.Tensor:  # 1 where an operation is applied to that image
            return (torch.rand(shape, device=dev) < p).float()

        def lognormal(std: float) -> torch.Tensor:
            return torch.exp2(torch.randn(b, device=dev) * std)

        # Geometric operations as one 2x3 affine map per image, in grid_sample's [-1, 1] coordinates.
        eye = torch.eye(3, device=dev).expand(b, 3, 3)
        flip = 1 - 2 * torch.randint(0, 2, (b,), device=dev).float() * on()  # x-flip
        M = eye * torch.stack([flip, torch.ones(b, device=dev), torch.ones(b, device=dev)], 1)[:, None, :]
        k = torch.randint(0, 4, (b,), device=dev).float() * on()  # rotate by 90-degree steps
        M = _rotation(k * math.pi / 2) @ M
        t = torch.round((torch.rand(b, 2, device=dev) * 2 - 1) * 0.125 * w) * (2 / w) * on()[:, None]
        M = _translation(t) @ M  # integer translation, up to 1/8 of the image (whole pixels; [-1, 1] spans 2)
        s = lognormal(0.2) ** on()  # isotropic scaling, log2-normal (std 0.2)
        M = _scale(s, s) @ M
        p_rot = 1 - torch.sqrt((1 - p).clamp(min=0))  # rotation is applied twice, so each with 1 - sqrt(1 - p)
        M = _rotation((torch.rand(b, device=dev) * 2 - 1) * math.pi * (torch.rand(b, device=dev) < p_rot).float()) @ M
        a = lognormal(0.2) ** on()  # anisotropic scaling
        M = _scale(a, 1 / a) @ M
        M = _rotation((torch.rand(b, device=dev) * 2 - 1) * math.pi * (torch.rand(b, device=dev) < p_rot).float()) @ M
        M = _translation(torch.randn(b, 2, device=dev) * 0.25 * on()[:, None]) @ M  # fractional translation, std 1/8
        grid = F.affine_grid(M[:, :2], [b, c, h, w], align_corners=False)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)

        # Colour: brightness (+N(0, 0.2)), contrast (x log2-normal 0.5), saturation (x log2-normal 1) around the luma axis.
        x = x + (torch.randn(b, device=dev) * 0.2 * on()).view(b, 1, 1, 1)
        mean = x.mean((1, 2, 3), keepdim=True)
        x = (x - mean) * (lognormal(0.5) ** on()).view(b, 1, 1, 1) + mean
        if c == 3:
            luma = x.mean(1, keepdim=True)
            x = (x - luma) * (lognormal(1.0) ** on()).view(b, 1, 1, 1) + luma
        return x


def _rotation(angle: torch.Tensor) -> torch.Tensor:  # (B,) radians -> (B, 3, 3)
    c, s, z, o = angle.cos(), angle.sin(), torch.zeros_like(angle), torch.ones_like(angle)
    return torch.stack([c, -s, z, s, c, z, z, z, o], 1).view(-1, 3, 3)


def _scale(sx: torch.Tensor, sy: torch.Tensor) -> torch.Tensor:
    z, o = torch.zeros_like(sx), torch.ones_like(sx)
    return torch.stack([sx, z, z, z, sy, z, z, z, o], 1).view(-1, 3, 3)


def _translation(t: torch.Tensor) -> torch.Tensor:  # (B, 2) -> (B, 3, 3)
    z, o = torch.zeros_like(t[:, 0]), torch.ones_like(t[:, 0])
    return torch.stack([o, z, t[:, 0], z, o, t[:, 1], z, z, o], 1).view(-1, 3, 3)
