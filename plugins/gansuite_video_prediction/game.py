"""The players and phases of one training step.

D learns to tell real continuations from rolled-out predictions (from `adv_start` on); then G rolls
out `train_horizon` frames with gradients through its own fed-back predictions and minimises
lam_lp * Lp + lam_gdl * GDL + lam_adv * adversarial at every scale (Mathieu et al. 2016, eq. 6).
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from gansuite_core import EMA, Context, Game, IndexedStream, Phase, Player

from .config import VideoConfig
from .data import test_set, train_source
from .evaluation import prediction_strip
from .losses import d_inputs, d_inputs_per_scale, d_loss_bce, g_loss_adv, prediction_losses
from .models import rollout


def make_game(cfg: VideoConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    K, T = cfg.context, cfg.train_horizon
    source, shuffle = train_source(cfg, K + T, quiet=ctx.rank != 0)
    data = IndexedStream(source, cfg.batch, seed=ctx.seed, rank=ctx.rank, world=ctx.world, workers=ctx.workers,
                         shuffle=shuffle, pin_memory=ctx.pin_memory)
    weights = dict(p=cfg.p, lam_lp=cfg.lam_lp, lam_gdl=cfg.lam_gdl, alpha=cfg.gdl_alpha, reduction=cfg.reduction)
    adversarial = cfg.lam_adv > 0

    def fake_inputs(n, context: torch.Tensor, preds: list[list[torch.Tensor]]):
        """D's view of the predictions: each frame with its two predecessors (context's last two, then predictions)."""
        seq = torch.cat([context[:, -2:], torch.stack([s[-1] for s in preds], 1)], 1)  # (B, 2+T, C, H, W)
        if cfg.d_scales == "each":
            return d_inputs_per_scale(seq, preds, n["D"].sizes)
        return d_inputs(seq, 2)

    def real_inputs(n, clip: torch.Tensor):
        if cfg.d_scales == "each":  # the same layout as fake_inputs, true frames at every scale
            return d_inputs_per_scale(clip[:, K - 2:], [[f] for f in clip[:, K:].unbind(1)], n["D"].sizes)
        return d_inputs(clip[:, K - 2:], 2)

    def g_loss(n, clip, step):  # clip: (B, K+T, C, H, W)
        context, future = clip[:, :K], clip[:, K:]
        preds = rollout(n["G"], context, T, all_scales=True)  # T lists of per-scale (B, C, s, s)
        parts = [prediction_losses(scales, future[:, t], **weights) for t, scales in enumerate(preds)]
        loss = sum(p[0] for p in parts) / T
        logs = {k: sum(p[1][k] for p in parts) / T for k in parts[0][1]}
        if adversarial and step >= cfg.adv_start:
            adv = g_loss_adv(n["D"](fake_inputs(n, context, preds)), cfg.reduction)
            loss = loss + cfg.lam_adv * adv
            logs["adv"] = adv.detach()
        return loss, logs

    def d_loss(n, clip, step):
        context = clip[:, :K]
        with torch.no_grad():
            preds = rollout(n["G"], context, T, all_scales=True)
        real_logits, fake_logits = n["D"](real_inputs(n, clip)), n["D"](fake_inputs(n, context, preds))
        return d_loss_bce(real_logits, fake_logits), {"real": real_logits.mean().detach(), "fake": fake_logits.mean().detach()}

    def accuracy(n, clip) -> torch.Tensor:  # a 0-dim tensor: the engine reads it on the host only at log time
        context = clip[:, :K]
        preds = rollout(n["G"], context, T, all_scales=True)
        real = n["D"](real_inputs(n, clip)) > 0
        fake = n["D"](fake_inputs(n, context, preds)) < 0
        return (real.float().mean() + fake.float().mean()) / 2

    snap_clips: list[torch.Tensor] = []

    def snapshot(n, stem: Path) -> list[Path]:
        if not snap_clips:
            snap_clips.append(test_set(cfg, 4)[0])
        return [prediction_strip(n["G"], snap_clips[0], cfg.context, cfg.horizon, stem.with_suffix(".png"))]

    players = [Player("G", ["G"], lambda ps: torch.optim.Adam(ps, lr=cfg.lr, betas=(0.9, 0.999)))]
    phases = [Phase("G", "G", g_loss)]
    if adversarial:
        players.append(Player("D", ["D"], lambda ps: torch.optim.Adam(ps, lr=cfg.d_lr, betas=(0.5, 0.999))))
        phases.insert(0, Phase("D", "D", d_loss, start=cfg.adv_start))
    # stylegan2-ada's EMA: half-life in clips, ramped up (at most 5 % of the clips seen), BatchNorm/GroupNorm-free nets.
    ema = {"G": EMA(half_life=cfg.ema_images, batch=cfg.batch, rampup=0.05)} if cfg.ema_images > 0 else {}
    return Game(players=players, phases=phases, data=data, ema=ema, judge="D" if adversarial else None,
                judge_accuracy=accuracy if adversarial else None, snapshot=snapshot)
