"""A plain, hand-written PyTorch GAN loop: the yardstick for the engine's overhead.

The same DCGAN, batch, data and losses run through gansuite's engine in
`examples/bench_engine.py`; diff the two to see what the engine adds (per-phase requires_grad
switching, the non-finite mask, metrics kept on the device, EMA off, checkpoints at the end).
Self-contained on purpose: it imports no plugin, so the yardstick never moves with one.

    .venv/bin/python examples/plain_dcgan.py --steps 200 --freeze
"""
from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F
from torch import nn


def dcgan(z_dim: int = 64, width: int = 32) -> tuple[nn.Module, nn.Module]:
    """DCGAN (Radford et al. 2016) for 32x32 RGB: G (B, z) -> (B, 3, 32, 32), D (B, 3, 32, 32) -> (B,)."""
    w = width
    G = nn.Sequential(
        nn.Unflatten(1, (z_dim, 1, 1)),
        nn.ConvTranspose2d(z_dim, 4 * w, 4, 1, 0, bias=False), nn.BatchNorm2d(4 * w), nn.ReLU(True),  # 4x4
        nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * w), nn.ReLU(True),  # 8x8
        nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(True),  # 16x16
        nn.ConvTranspose2d(w, 3, 4, 2, 1), nn.Tanh())  # 32x32
    D = nn.Sequential(
        nn.Conv2d(3, w, 4, 2, 1), nn.LeakyReLU(0.2, True),  # 16x16
        nn.Conv2d(w, 2 * w, 4, 2, 1), nn.LeakyReLU(0.2, True),  # 8x8
        nn.Conv2d(2 * w, 4 * w, 4, 2, 1), nn.LeakyReLU(0.2, True),  # 4x4
        nn.Conv2d(4 * w, 1, 4, 1, 0), nn.Flatten(0))
    return G, D


def setup(seed: int = 0, n: int = 2048, z_dim: int = 64):
    """The shared networks and data: n smooth random colour images in memory, (n, 3, 32, 32) in [-1, 1]."""
    g = torch.Generator().manual_seed(123)
    images = F.interpolate(torch.rand(n, 3, 4, 4, generator=g) * 2 - 1, size=32, mode="bilinear", align_corners=False)
    torch.manual_seed(seed)
    G, D = dcgan(z_dim)
    return G, D, images


def adam(params):
    return torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999))  # Radford et al. 2016


def d_loss(G, D, real, z):
    return F.softplus(-D(real)).mean() + F.softplus(D(G(z).detach())).mean()  # non-saturating GAN (Goodfellow 2014)


def g_loss(G, D, z):
    return F.softplus(-D(G(z))).mean()


def train_plain(steps: int, batch: int = 64, seed: int = 0, z_dim: int = 64, freeze: bool = False) -> float:
    """Train `steps` D+G steps; returns seconds per step (after 10 warm-up steps).

    `freeze=True` turns gradients off for the network a step does not update (as the engine and
    stylegan2-ada do), so G's backward pass computes no gradients for D's weights.
    """
    G, D, images = setup(seed, z_dim=z_dim)
    opt_g, opt_d = adam(G.parameters()), adam(D.parameters())
    gen = torch.Generator().manual_seed(seed)
    t0 = None
    for step in range(steps + 10):
        if step == 10:
            t0 = time.perf_counter()
        real = images[torch.randint(0, len(images), (batch,), generator=gen)]
        if freeze:
            G.requires_grad_(False)
            D.requires_grad_(True)
        opt_d.zero_grad(set_to_none=True)
        d_loss(G, D, real, torch.randn(batch, z_dim)).backward()
        opt_d.step()
        if freeze:
            G.requires_grad_(True)
            D.requires_grad_(False)
        opt_g.zero_grad(set_to_none=True)
        g_loss(G, D, torch.randn(batch, z_dim)).backward()
        opt_g.step()
    return (time.perf_counter() - t0) / steps


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--freeze", action="store_true", help="no gradients for the network a step does not update")
    args = ap.parse_args()
    print(f"plain loop: {1000 * train_plain(args.steps, freeze=args.freeze):.2f} ms/step")
