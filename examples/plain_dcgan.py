"""A plain, hand-written PyTorch GAN loop: the yardstick for the engine's overhead.

Same DCGAN, batch, data and losses as `examples/bench_engine.py` runs through gansuite's
engine; diff the two to see what the engine adds (per-phase requires_grad switching, a
non-finite check, metric averaging, checkpoints and pictures at the end).

    .venv/bin/python examples/plain_dcgan.py --steps 200
"""
from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from gansuite_image_generation.flowers import batch as flower_batch
from gansuite_image_generation.models import build


def setup(seed: int = 0, n: int = 2048, size: int = 32, width: int = 32, z_dim: int = 64):
    """The shared DCGAN and data: flowers rendered once into memory, (N, 3, 32, 32) in [-1, 1]."""
    images, _ = flower_batch(n, size, seed=123)
    torch.manual_seed(seed)
    nets = build("dcgan", z_dim, 3, size, width, width, 0, True)
    return nets["G"], nets["D"], images


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
