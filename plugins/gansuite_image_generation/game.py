"""The G/D game: losses, the lazy R1 phase, D's accuracy for the core's schedules, snapshots.

Losses on D's logits for real (lr) and generated (lf) images:

    ns       D: softplus(-lr) + softplus(lf)        G: softplus(-lf)       (Goodfellow 2014, non-saturating)
    hinge    D: relu(1 - lr) + relu(1 + lf)         G: -lf                 (Lim & Ye 2017; Miyato 2018)
    wgan-gp  D: lf - lr + w (|grad D(x^)| - 1)^2    G: -lf                 (Gulrajani et al. 2017)
    lsgan    D: (lr - 1)^2 / 2 + lf^2 / 2           G: (lf - 1)^2 / 2      (Mao et al. 2017)

R1 (Mescheder et al. 2018) penalises |grad D(x_real)|^2 * gamma / 2, lazily every N steps and
scaled by N (Karras et al. 2020). DiffAugment goes on real and fake alike before every D call.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from gansuite_core import Context, Game, IndexedStream, Phase, Player
from gansuite_core.pictures import save_grid

from . import data as datamod
from .augment import diff_augment
from .config import ImageGenConfig

Batch = dict[str, torch.Tensor]


def sample_z(n: int, z_dim: int, device: torch.device, generator: torch.Generator | None = None) -> torch.Tensor:
    return torch.randn(n, z_dim, generator=generator).to(device) if generator is not None else torch.randn(n, z_dim, device=device)


def d_losses(kind: str, lr: torch.Tensor, lf: torch.Tensor) -> torch.Tensor:
    if kind == "ns":
        return F.softplus(-lr).mean() + F.softplus(lf).mean()
    if kind == "hinge":
        return F.relu(1 - lr).mean() + F.relu(1 + lf).mean()
    if kind == "lsgan":
        return 0.5 * ((lr - 1) ** 2).mean() + 0.5 * (lf**2).mean()
    return lf.mean() - lr.mean()  # wgan-gp (the penalty is added by the caller)


def g_loss_of(kind: str, lf: torch.Tensor) -> torch.Tensor:
    if kind == "ns":
        return F.softplus(-lf).mean()
    if kind == "lsgan":
        return 0.5 * ((lf - 1) ** 2).mean()
    return -lf.mean()  # hinge and wgan-gp


def make_game(cfg: ImageGenConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    images, labels, _ = datamod.load(cfg.data, cfg.size, cfg.grayscale, cfg.conditional, cfg.data_root, cfg.flowers_n)
    stream = IndexedStream(datamod.ImageSource(images, labels), cfg.batch, seed=ctx.seed, rank=ctx.rank, world=ctx.world, workers=ctx.workers)
    policy, cond = cfg.augment_policy(), cfg.conditional
    aug = lambda x: diff_augment(x, policy)  # noqa: E731
    threshold = 0.5 if cfg.loss == "lsgan" else 0.0  # the logit that separates "real" from "fake"

    def fake(n: dict[str, nn.Module], b: Batch) -> tuple[torch.Tensor, torch.Tensor | None]:
        y = b["y"] if cond else None  # generated images take the real batch's labels: balanced classes
        return n["G"](sample_z(len(b["x"]), cfg.z_dim, b["x"].device), y), y

    def d_loss(n, b: Batch, step: int):
        x_fake, y = fake(n, b)
        x_fake = x_fake.detach()
        real_in, fake_in = aug(b["x"]), aug(x_fake)
        lr, lf = n["D"](real_in, y), n["D"](fake_in, y)
        loss = d_losses(cfg.loss, lr, lf)
        logs = {"real": lr.mean().detach(), "fake": lf.mean().detach()}
        if cfg.loss == "wgan-gp":
            eps = torch.rand(len(real_in), 1, 1, 1, device=real_in.device)
            mix = (eps * real_in + (1 - eps) * fake_in).requires_grad_(True)
            (grad,) = torch.autograd.grad(n["D"](mix, y).sum(), mix, create_graph=True)
            gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
            loss = loss + cfg.gp_weight * gp
            logs["gp"] = gp.detach()
        return loss, logs

    def g_loss(n, b: Batch, step: int):
        x_fake, y = fake(n, b)
        return g_loss_of(cfg.loss, n["D"](aug(x_fake), y))

    def r1(n, b: Batch, step: int):
        x = b["x"].detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(n["D"](aug(x), b["y"] if cond else None).sum(), x, create_graph=True)
        penalty = grad.square().flatten(1).sum(1).mean()
        return penalty * (cfg.r1_gamma / 2) * cfg.r1_every, {"penalty": penalty.detach()}

    def accuracy(n, b: Batch) -> float:
        x_fake, y = fake(n, b)
        right = (n["D"](b["x"], y) > threshold).float().mean() + (n["D"](x_fake, y) < threshold).float().mean()
        return float(right / 2)

    z_fixed = torch.randn(64, cfg.z_dim, generator=torch.Generator().manual_seed(0))

    def snapshot(n, stem: Path) -> list[Path]:
        device = next(n["G"].parameters()).device
        y = torch.arange(64, device=device) % datamod.classes(cfg.data, True) if cond else None
        return [save_grid(n["G"](z_fixed.to(device), y), stem.with_suffix(".png"), nrow=8)]

    def probe(n, step: int) -> dict[str, float]:
        from . import flowers

        net, _ = flowers.classifier()
        device = next(n["G"].parameters()).device
        z = torch.randn(720, cfg.z_dim, generator=torch.Generator().manual_seed(1)).to(device)
        y = (torch.arange(720, device=device) % flowers.MODES) if cond else None
        return flowers.mode_report(net, n["G"](z, y).cpu())

    adam = lambda lr: (lambda p: torch.optim.Adam(p, lr=lr, betas=(cfg.beta1, cfg.beta2)))  # noqa: E731
    phases = [Phase("D", "D", d_loss, repeat=cfg.n_critic), Phase("G", "G", g_loss)]
    if cfg.r1_gamma > 0:
        phases.append(Phase("D_r1", "D", r1, every=cfg.r1_every))
    return Game(
        players=[Player("G", ["G"], adam(cfg.lr_g)), Player("D", ["D"], adam(cfg.lr_d))],
        phases=phases, data=stream, ema={"G": cfg.ema}, judge="D", judge_accuracy=accuracy, snapshot=snapshot,
        probe=probe if cfg.probe_every else None, probe_every=cfg.probe_every)


def networks(cfg: ImageGenConfig) -> dict[str, nn.Module]:
    from .models import build

    return build(cfg.model, cfg.z_dim, datamod.channels(cfg.data, cfg.grayscale), cfg.size, cfg.g_width, cfg.d_width,
                 datamod.classes(cfg.data, cfg.conditional), d_batchnorm=cfg.loss != "wgan-gp")


def describe(cfg: ImageGenConfig) -> dict[str, Any]:
    return {"model": cfg.model, "loss": cfg.loss, "size": cfg.size, "data": cfg.data, "diffaugment": cfg.diffaugment or "off"}
