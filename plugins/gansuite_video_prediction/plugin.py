"""The `video-prediction` application: K frames in, the next H frames out (Mathieu, Couprie & LeCun 2016).

    gansuite train video-prediction                                  # the benchmarked configuration
    gansuite train video-prediction --set lam_adv=0 --set lam_gdl=0  # the L2-only ablation
    gansuite train video-prediction --set data=~/clips               # the same model on your videos
    gansuite evaluate RUN          # per-horizon MSE/PSNR/SSIM/sharpness vs copy-last and optical flow
    gansuite predict RUN clip.mp4 --out pred.gif

One training step: D learns to tell real continuations from rolled-out predictions (from
`adv_start` on), then G rolls out `train_horizon` frames with gradients through its own fed-back
predictions and minimises lam_lp * Lp + lam_gdl * GDL + lam_adv * adversarial at every scale.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from gansuite_core import Application, Context, Game, IndexedStream, Phase, Player, hookimpl

from .data import SOURCES, Procedural, Windows, real_videos, split_videos
from .losses import d_inputs, d_loss_bce, g_loss_adv, prediction_losses
from .models import MultiScaleDiscriminator, MultiScaleGenerator, rollout


@dataclass(frozen=True)
class VideoConfig:
    data: str = "moving-digits"  # moving-digits | bouncing-shapes | skimage-gif | a FOLDER of videos (files OpenCV reads, or sub-folders of frames)
    context: int = 10  # K: frames the generator sees before predicting
    horizon: int = 10  # H: frames rolled out at evaluation, in snapshots and by `gansuite predict`
    train_horizon: int = 3  # frames rolled out per training clip, gradients flowing through the fed-back predictions
    size: int = 64  # the model's square frame size; videos of another size are resized to it
    channels: int = 0  # 1 (grey) or 3 (RGB); 0: 1 for moving-digits, 3 for the other sources
    scales: int = 4  # pyramid levels of G and D (paper: 4); size must be divisible by 2^(scales-1)
    width: int = 12  # G's base width w: scales [w, 2w, w] and [w, 2w, 2w, w] (paper: w = 128)
    d_width: int = 16  # D's base width per scale (paper: 64-128 channels, FC 1024-512)
    batch: int = 8  # clips per batch
    lr: float = 5e-4  # Adam learning rate of G
    d_lr: float = 2e-4  # Adam learning rate of D
    p: int = 2  # the image distance: 1 (L1) or 2 (L2)
    lam_lp: float = 1.0  # weight of the Lp term (0 switches it off)
    lam_gdl: float = 1.0  # weight of the gradient difference loss (0 switches it off)
    gdl_alpha: float = 1.0  # GDL exponent alpha (paper: 1)
    lam_adv: float = 0.01  # weight of the adversarial term (0: no D at all, the ablation); per-pixel means, see losses.py
    adv_start: int = 300  # steps of prediction-loss-only training before D and the adversarial term start
    ema: float = 0.995  # EMA decay of G's weights used for evaluation and prediction (0: no EMA copy)
    test_clips: int = 256  # clips in the fixed test set used by evaluate (procedural: seeded; folders: held-out videos)
    max_frames: int = 2000  # frames read per user video (0: all)

    def __post_init__(self) -> None:
        if self.data not in SOURCES and not Path(self.data).expanduser().is_dir():
            raise ValueError(f"data={self.data!r}: expected one of {', '.join(SOURCES)} or an existing folder of videos")
        if self.context < 2:
            raise ValueError(f"context={self.context}: need at least 2 frames (the discriminator and optical flow use two)")
        if self.horizon < 1 or self.train_horizon < 1:
            raise ValueError("horizon and train_horizon must be at least 1")
        if self.channels not in (0, 1, 3):
            raise ValueError(f"channels={self.channels}: expected 0 (automatic), 1 or 3")
        if self.scales < 1 or self.size % 2 ** (self.scales - 1) or self.size // 2 ** (self.scales - 1) < 4:
            raise ValueError(f"size={self.size}, scales={self.scales}: size must be divisible by 2^(scales-1) with a coarsest scale of at least 4 px")
        if self.p not in (1, 2):
            raise ValueError(f"p={self.p}: expected 1 (L1) or 2 (L2)")
        if min(self.lam_lp, self.lam_gdl, self.lam_adv) < 0 or self.lam_lp + self.lam_gdl + self.lam_adv == 0:
            raise ValueError("lam_lp, lam_gdl, lam_adv must be >= 0 and not all 0")
        if self.width < 1 or self.d_width < 1 or self.batch < 1 or self.test_clips < 1:
            raise ValueError("width, d_width, batch and test_clips must be positive")
        if not 0 <= self.ema < 1:
            raise ValueError(f"ema={self.ema}: expected a decay in [0, 1)")

    @property
    def image_channels(self) -> int:
        return self.channels or (1 if self.data == "moving-digits" else 3)


def make_networks(cfg: VideoConfig) -> dict[str, nn.Module]:
    nets: dict[str, nn.Module] = {"G": MultiScaleGenerator(cfg.context, cfg.image_channels, cfg.size, cfg.scales, cfg.width)}
    if cfg.lam_adv > 0:
        nets["D"] = MultiScaleDiscriminator(cfg.image_channels, cfg.size, cfg.scales, cfg.d_width)
    return nets


def test_set(cfg: VideoConfig, n: int | None = None) -> tuple[torch.Tensor, bool]:
    """((N, K+H, C, size, size) in [-1, 1], held_out): the fixed evaluation clips of the config's data."""
    n = n or cfg.test_clips
    frames = cfg.context + cfg.horizon
    if cfg.data in ("moving-digits", "bouncing-shapes"):
        return Procedural(cfg.data, frames, cfg.size).test_set(n), True
    from .data import test_windows

    _, test, held_out = split_videos(real_videos(cfg.data, frames, cfg.size, cfg.image_channels, cfg.max_frames))
    return test_windows(test, frames, n), held_out


def make_game(cfg: VideoConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    K, T = cfg.context, cfg.train_horizon
    if cfg.data in ("moving-digits", "bouncing-shapes"):
        source, shuffle = Procedural(cfg.data, K + T, cfg.size), False
    else:  # need K+horizon frames so every kept video can also be evaluated and predicted
        videos = real_videos(cfg.data, K + max(T, cfg.horizon), cfg.size, cfg.image_channels, cfg.max_frames, quiet=ctx.rank != 0)
        source, shuffle = Windows(split_videos(videos)[0], K + T), True
    data = IndexedStream(source, cfg.batch, seed=ctx.seed, rank=ctx.rank, world=ctx.world, workers=ctx.workers, shuffle=shuffle)
    weights = dict(p=cfg.p, lam_lp=cfg.lam_lp, lam_gdl=cfg.lam_gdl, alpha=cfg.gdl_alpha)

    def g_loss(n, clip, step):  # clip: (B, K+T, C, H, W)
        context, future = clip[:, :K], clip[:, K:]
        preds = rollout(n["G"], context, T, all_scales=True)  # T lists of per-scale (B, C, s, s)
        parts = [prediction_losses(scales, future[:, t], **weights) for t, scales in enumerate(preds)]
        loss = sum(p[0] for p in parts) / T
        logs = {k: sum(p[1][k] for p in parts) / T for k in parts[0][1]}
        if cfg.lam_adv > 0 and step >= cfg.adv_start:
            fake = torch.cat([context[:, -2:], torch.stack([s[-1] for s in preds], 1)], 1)  # (B, 2+T, C, H, W)
            adv = g_loss_adv(n["D"](d_inputs(fake, 2)))
            loss = loss + cfg.lam_adv * adv
            logs["adv"] = adv.detach()
        return loss, logs

    def d_loss(n, clip, step):
        context = clip[:, :K]
        with torch.no_grad():
            preds = torch.stack(rollout(n["G"], context, T), 1)  # (B, T, C, H, W)
        real_logits = n["D"](d_inputs(clip[:, K - 2:], 2))
        fake_logits = n["D"](d_inputs(torch.cat([context[:, -2:], preds], 1), 2))
        return d_loss_bce(real_logits, fake_logits), {"real": real_logits.mean().detach(), "fake": fake_logits.mean().detach()}

    def accuracy(n, clip):
        context = clip[:, :K]
        preds = torch.stack(rollout(n["G"], context, T), 1)
        real = n["D"](d_inputs(clip[:, K - 2:], 2)) > 0
        fake = n["D"](d_inputs(torch.cat([context[:, -2:], preds], 1), 2)) < 0
        return float((real.float().mean() + fake.float().mean()) / 2)

    snap_clips: list[torch.Tensor] = []

    def snapshot(n, stem: Path) -> list[Path]:
        from .use import prediction_strip

        if not snap_clips:
            snap_clips.append(test_set(cfg, 4)[0])
        return [prediction_strip(n["G"], snap_clips[0], cfg.context, cfg.horizon, stem.with_suffix(".png"))]

    players = [Player("G", ["G"], lambda ps: torch.optim.Adam(ps, lr=cfg.lr, betas=(0.9, 0.999)))]
    phases = [Phase("G", "G", g_loss)]
    if cfg.lam_adv > 0:
        players.append(Player("D", ["D"], lambda ps: torch.optim.Adam(ps, lr=cfg.d_lr, betas=(0.5, 0.999))))
        phases.insert(0, Phase("D", "D", d_loss, start=cfg.adv_start))
    return Game(players=players, phases=phases, data=data, ema={"G": cfg.ema} if cfg.ema > 0 else {},
                judge="D" if cfg.lam_adv > 0 else None, judge_accuracy=accuracy if cfg.lam_adv > 0 else None, snapshot=snapshot)


# The benchmarked defaults (docs/benchmarks.md) and a seconds-long configuration for tests.
CORE_DEFAULTS = {"steps": 900, "sample_every": 300, "checkpoint_every": 300, "log_every": 25}
QUICK = {"steps": 4, "batch": 2, "width": 4, "d_width": 4, "scales": 2, "size": 32, "context": 3, "horizon": 3,
         "train_horizon": 2, "adv_start": 2, "test_clips": 4, "sample_every": 0, "checkpoint_every": 2, "log_every": 2}


@hookimpl
def gansuite_register_apps(register) -> None:
    from .use import demo, evaluate, generate

    register(Application(
        name="video-prediction",
        summary="Next-frame prediction beyond MSE: multi-scale G/D, GDL and adversarial losses (Mathieu et al. 2016)",
        config=VideoConfig, networks=make_networks, game=make_game, evaluate=evaluate, generate=generate, demo=demo,
        core_defaults=CORE_DEFAULTS, quick=QUICK))


@hookimpl
def gansuite_register_commands(cli) -> None:
    from .commands import predict

    cli.add_command(predict)
