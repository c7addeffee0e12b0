"""Multi-scale generator and discriminator of Mathieu, Couprie & LeCun 2016 ("Deep multi-scale video
prediction beyond mean square error", arXiv 1511.05440), scaled down for CPU.

Generator: scales s_1 < ... < s_n (8, 16, 32, 64 px for 64-px frames). At scale k it sees the K
context frames area-downsampled to s_k and the upsampled prediction of scale k-1, and predicts a
correction:   Y_k = u(Y_{k-1}) + G'_k(X_k, u(Y_{k-1}))   (paper eq. 2).  Every Y_k is returned, so the
losses can be taken at every scale as the paper does. One change from the paper: the coarsest scale
corrects the downsampled last context frame instead of starting from nothing, so an untrained G
copies the last frame, a strong baseline, and short CPU runs start from there.

Widths: the paper (dyelax/Adversarial_Video_Generation) uses [128, 256, 128] at the two coarse scales
and [128, 256, 512, 256, 128] at the two fine ones, kernels 3/5/7. Here `width` w gives [w, 2w, w]
and [w, 2w, 2w, w] with kernels 3 and 5/3/3/3/5: at w = 16 one prediction of a 64x64 frame costs about
0.1 GMAC instead of ~10, which is what makes a CPU benchmark possible.

Discriminator: one small convnet per scale, each seeing the two previous frames and a candidate
frame, convolutions then fully connected layers (paper: FC 1024-512-1; here 4w-1) -> one logit per scale.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def down(x: torch.Tensor, size: int) -> torch.Tensor:
    """(..., C, H, W) -> (..., C, size, size) by area averaging (the multi-scale pyramid)."""
    if x.shape[-1] == size:
        return x
    lead = x.shape[:-3]
    y = F.adaptive_avg_pool2d(x.reshape(-1, *x.shape[-3:]), size)
    return y.reshape(*lead, *y.shape[-3:])


def _convs(chans: list[int], kernels: list[int], last_act: bool) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, k in enumerate(kernels):
        layers.append(nn.Conv2d(chans[i], chans[i + 1], k, padding=k // 2))
        if i < len(kernels) - 1 or last_act:
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class MultiScaleGenerator(nn.Module):
    """(B, K, C, H, W) context in [-1, 1] -> list of n predictions (B, C, s_k, s_k), coarse to fine."""

    def __init__(self, context: int, channels: int, size: int = 64, scales: int = 4, width: int = 16) -> None:
        super().__init__()
        self.context, self.channels = context, channels
        self.sizes = [size // 2 ** (scales - 1 - k) for k in range(scales)]  # e.g. [8, 16, 32, 64]
        w = width
        nets = []
        for k in range(scales):
            cin = context * channels + (channels if k else 0)
            if k < scales - 2:  # coarse scales: small kernels, [w, 2w, w]
                nets.append(_convs([cin, w, 2 * w, w, channels], [3, 3, 3, 3], last_act=False))
            else:  # fine scales: larger receptive field, [w, 2w, 2w, w]
                nets.append(_convs([cin, w, 2 * w, 2 * w, w, channels], [5, 3, 3, 3, 5], last_act=False))
        self.nets = nn.ModuleList(nets)

    def forward(self, context: torch.Tensor) -> list[torch.Tensor]:
        b = context.shape[0]
        outs: list[torch.Tensor] = []
        prev = None
        for size, net in zip(self.sizes, self.nets):
            x = down(context, size).reshape(b, -1, size, size)  # (B, K*C, s, s)
            if prev is None:  # coarsest scale: a correction of the last frame (copy-last is where training starts)
                outs.append(down(context[:, -1], size) + net(x))
            else:
                up = F.interpolate(prev, size=(size, size), mode="bilinear", align_corners=False)  # (B, C, s, s)
                outs.append(up + net(torch.cat([x, up], 1)))
            prev = outs[-1]
        return outs


class MultiScaleDiscriminator(nn.Module):
    """(B, 3, C, H, W): two previous frames and a candidate -> (B, n) logits, one per scale (real > 0)."""

    def __init__(self, channels: int, size: int = 64, scales: int = 4, width: int = 16) -> None:
        super().__init__()
        self.sizes = [size // 2 ** (scales - 1 - k) for k in range(scales)]
        w = width
        self.nets = nn.ModuleList()
        for s in self.sizes:
            layers: list[nn.Module] = [nn.Conv2d(3 * channels, w, 3, padding=1), nn.LeakyReLU(0.2)]
            c, r = w, s
            while r > 4:  # stride-2 convolutions down to 4x4
                layers += [nn.Conv2d(c, min(2 * c, 4 * w), 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
                c, r = min(2 * c, 4 * w), r // 2
            layers += [nn.Flatten(), nn.Linear(c * r * r, 4 * w), nn.LeakyReLU(0.2), nn.Linear(4 * w, 1)]
            self.nets.append(nn.Sequential(*layers))

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        b = frames.shape[0]
        return torch.cat([net(down(frames, s).reshape(b, -1, s, s)) for s, net in zip(self.sizes, self.nets)], 1)


def rollout(G: nn.Module, context: torch.Tensor, horizon: int, all_scales: bool = False) -> list:
    """Predict `horizon` frames, each from the K latest frames, predictions fed back (paper §3, recursive).

    context: (B, K, C, H, W). Returns a list of `horizon` finest predictions (B, C, H, W), or with
    `all_scales` a list of per-scale lists. Gradients flow through the fed-back frames.
    """
    frames = list(context.unbind(1))
    k = context.shape[1]
    out = []
    for _ in range(horizon):
        scales = G(torch.stack(frames[-k:], 1))
        frames.append(scales[-1])
        out.append(scales if all_scales else scales[-1])
    return out
