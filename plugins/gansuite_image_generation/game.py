"""The G/D game: the networks of a config, the phases the engine runs, D's accuracy, snapshots.

Per step: D on a real batch and as many fakes (repeated n_critic times), then G on noise alone
(Phase(data=False): no real batch is loaded for it), and lazily every r1_every steps R1 on a real
batch (Phase(lazy=True): the engine multiplies it by r1_every and corrects D's Adam, StyleGAN2
App. B). With model=fastgan D's real-image loss adds its decoders' reconstruction error
(Liu et al. 2021). DiffAugment and/or ADA go on real and fake alike before every D call; ADA's p is a
buffer of the "ada" module that D's player owns, so it is checkpointed and resumes exactly.
The EMA generator (for sampling and evaluation) follows stylegan2-ada: a half-life in images
with a ramp-up, BatchNorm statistics averaged like the weights.
With codes and prior=learned, G's phase also moves the codes' prior towards codes whose images D
scores as real (`code_prior_loss` of gansuite_core), by its own Adam learning rate; lr_tail decays both players' rates
linearly to 0 over the run's last share. With contrastive=W, D's phase also pairs two views of each real image
through D's features and the "proj" head that D's player owns (SimCLR's NT-Xent, after ContraD).
"""
from __future__ import annotations

from pathlib import Path
import torch
from torch import nn

from gansuite_core import EMA, Context, Game, IndexedStream, Phase, Player, code_prior_loss
from gansuite_core.pictures import save_grid

from . import data as datamod
from . import flowers
from . import losses
from .augment import AdaptiveAugment, diff_augment, dihedral, hue_shuffle
from .config import ImageGenConfig
from .fastgan import reconstruction_loss
from .models import build

Batch = dict[str, torch.Tensor]


def networks(cfg: ImageGenConfig) -> dict[str, nn.Module]:
    """{"G", "D"} and, with ada=true, "ada" (the augmentation pipeline holding p; no weights)."""
    nets = build(cfg.model, cfg.z_dim, datamod.channels(cfg.data, cfg.grayscale), cfg.size, cfg.g_width, cfg.d_width,
                 datamod.classes(cfg.data, cfg.conditional), d_batchnorm=cfg.loss != "wgan-gp", mbstd=cfg.mbstd,
                 codes=cfg.codes, code_noise=cfg.code_noise, learn_prior=cfg.prior == "learned", pack=cfg.pack)
    if cfg.ada:
        nets["ada"] = AdaptiveAugment(cfg.ada_target, cfg.ada_kimg)
    if cfg.contrastive:  # SimCLR's projection head on D's flattened features
        width = nets["D"].out.in_features
        nets["proj"] = nn.Sequential(nn.Linear(width, 256), nn.ReLU(True), nn.Linear(256, 64))
    return nets


def sample_z(n: int, z_dim: int, device: torch.device, generator: torch.Generator | None = None) -> torch.Tensor:
    """z ~ N(0, I) (n, z_dim) on `device`; drawn on the CPU from `generator` when one is given (reproducible anywhere)."""
    return torch.randn(n, z_dim, generator=generator).to(device) if generator is not None else torch.randn(n, z_dim, device=device)


def lr_factor(cfg: ImageGenConfig, steps: int, step: int) -> float:
    """Both learning rates at `step` of a run to `steps`, as a share of lr_g and lr_d: 1, then linearly to 0 over the last lr_tail."""
    start = steps * (1 - cfg.lr_tail)
    return 1.0 if step < start else max(0.0, (steps - step) / (steps - start))


def make_game(cfg: ImageGenConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    images, labels, _ = datamod.load_for(cfg)
    stream = IndexedStream(datamod.ImageSource(images, labels), cfg.batch, seed=ctx.seed, rank=ctx.rank, world=ctx.world,
                           workers=ctx.workers, pin_memory=ctx.pin_memory)
    policy, cond, kind = cfg.augment_policy(), cfg.conditional, cfg.loss
    n_classes = datamod.classes(cfg.data, cond)
    threshold = losses.real_threshold(kind)

    def aug(n, x: torch.Tensor) -> torch.Tensor:
        x = diff_augment(x, policy)
        return n["ada"](x) if cfg.ada else x

    def view(x: torch.Tensor) -> torch.Tensor:  # a contrastive view: turned or flipped, colour-jittered, shifted (+ hue)
        x = diff_augment(dihedral(x), ["color", "translation"])
        return hue_shuffle(x) if cfg.contrastive_hue else x

    def D(n, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:  # D's logits (B,) on augmented images
        return n["D"](aug(n, x), y)

    def fake(n, count: int, y: torch.Tensor | None, device: torch.device) -> torch.Tensor:
        return n["G"](sample_z(count, cfg.z_dim, device), y)

    def d_loss(n, b: Batch, step: int):
        y = b["y"] if cond else None  # fakes take the real batch's labels: balanced classes
        x_fake = fake(n, len(b["x"]), y, b["x"].device).detach()
        if cfg.model == "fastgan":  # D also decodes its features of real images (a quarter in turn: no host RNG read)
            lr, rec = reconstruction_loss(n["D"], aug(n, b["x"]), step % 4)
        else:
            lr, rec = D(n, b["x"], y), None
        lf = D(n, x_fake, y)
        loss = losses.d_loss(kind, lr, lf)
        logs = {"real": lr.mean().detach(), "fake": lf.mean().detach()}
        if rec is not None:
            loss = loss + rec
            logs["reconstruction"] = rec.detach()
        if kind == "wgan-gp":
            gp = losses.gradient_penalty(lambda x: n["D"](x, y), diff_augment(b["x"], policy), diff_augment(x_fake, policy))
            loss = loss + cfg.gp_weight * gp
            logs["gp"] = gp.detach()
        if cfg.contrastive:  # two views of each real image, told apart from the batch's other images
            views = [n["proj"](n["D"].features(view(b["x"]))) for _ in range(2)]
            con = losses.nt_xent(views[0], views[1], cfg.contrastive_temp)
            loss = loss + cfg.contrastive * con
            logs["contrastive"] = con.detach()
        if cfg.ada:
            n["ada"].observe(lr, threshold, step)
            logs["ada_p"] = n["ada"].p.detach().clone()
        return loss, logs

    def g_loss(n, b: None, step: int):
        device = next(n["G"].parameters()).device
        y = torch.randint(0, n_classes, (cfg.batch,), device=device) if cond else None
        z = sample_z(cfg.batch, cfg.z_dim, device)
        logit = D(n, n["G"](z, y), y)  # (batch / pack,)
        loss = losses.g_loss(kind, logit)
        if not (cfg.codes and cfg.prior == "learned"):
            return loss
        G = n["G"]
        p = torch.softmax(G.prior, 0)  # (K,)
        codes = G.code(z[:, -1]).reshape(-1, cfg.pack)  # (batch / pack, pack)
        return loss + code_prior_loss(p, codes, logit), {"codes": (-(p * p.log()).sum()).exp().detach()}  # perplexity: codes in use

    def r1(n, b: Batch, step: int):
        y = b["y"] if cond else None
        penalty = losses.r1_penalty(lambda x: D(n, x, y), b["x"])
        return penalty * (cfg.r1_gamma / 2), {"penalty": penalty.detach()}

    def accuracy(n, b: Batch) -> torch.Tensor:  # a 0-dim tensor: the engine reads it only if its schedule needs it
        y = b["y"] if cond else None
        x_fake = fake(n, len(b["x"]), y, b["x"].device)
        right = (n["D"](b["x"], y) > threshold).float().mean() + (n["D"](x_fake, y) < threshold).float().mean()
        return right / 2

    z_fixed = torch.randn(64, cfg.z_dim, generator=torch.Generator().manual_seed(0))

    def snapshot(n, stem: Path) -> list[Path]:
        device = next(n["G"].parameters()).device
        y = torch.arange(64, device=device) % n_classes if cond else None
        return [save_grid(n["G"](z_fixed.to(device), y), stem.with_suffix(".png"), nrow=8)]

    def probe(n, step: int) -> dict[str, float]:  # every probe_every steps, off the step's path
        net, _ = flowers.classifier()
        device = next(n["G"].parameters()).device
        z = sample_z(720, cfg.z_dim, device, torch.Generator().manual_seed(1))
        y = (torch.arange(720, device=device) % flowers.MODES) if cond else None
        return flowers.mode_report(net, n["G"](z, y).cpu())

    adam = lambda lr: (lambda p: torch.optim.Adam(p, lr=lr, betas=(cfg.beta1, cfg.beta2)))  # noqa: E731
    prior = nets["G"].prior if cfg.codes and cfg.prior == "learned" else None

    def adam_g(params: list[nn.Parameter]) -> torch.optim.Optimizer:  # the prior's logits get their own rate (Adam ignores the loss's scale)
        if prior is None:
            return torch.optim.Adam(params, lr=cfg.lr_g, betas=(cfg.beta1, cfg.beta2))
        groups = [{"params": [p for p in params if p is not prior]}, {"params": [prior], "lr": cfg.prior_lr}]
        return torch.optim.Adam(groups, lr=cfg.lr_g, betas=(cfg.beta1, cfg.beta2))
    phases = [Phase("D", "D", d_loss, repeat=cfg.n_critic), Phase("G", "G", g_loss, data=False)]
    if cfg.r1_gamma > 0:
        phases.append(Phase("D_r1", "D", r1, every=cfg.r1_every, lazy=True))
    d_nets = ["D"] + (["ada"] if cfg.ada else []) + (["proj"] if cfg.contrastive else [])
    ema = EMA(half_life=cfg.ema_half_life, batch=cfg.batch, rampup=cfg.ema_rampup or None)
    steps = ctx.steps  # the step this run trains to: a run resumed with a larger --steps decays over the new end's tail
    decay = (lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda step: lr_factor(cfg, steps, step))) if cfg.lr_tail and steps else None
    return Game(
        players=[Player("G", ["G"], adam_g, scheduler=decay), Player("D", d_nets, adam(cfg.lr_d), scheduler=decay)],
        phases=phases, data=stream, ema={"G": ema}, judge="D", judge_accuracy=accuracy, snapshot=snapshot,
        probe=probe if cfg.probe_every else None, probe_every=cfg.probe_every)

