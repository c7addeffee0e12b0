"""The players and phases of one training step: D on real and fake packs (plus R1 if asked), then G.

A real batch is (B, pack, 2) from `data.real_packs`; the generator's noise is drawn on the run's
device from torch's global generator, which the engine saves in checkpoints (exact resume). The G
phase needs only noise, so it asks for no batch (`Phase(data=False)`).
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from gansuite_core import EMA, Context, Game, Phase, Player

from .config import Toy2DConfig
from .data import mixture, real_packs
from .evaluation import reached_goal, score
from .losses import accuracy, d_loss, g_loss, r1_penalty


def make_game(cfg: Toy2DConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    mix = mixture(cfg.data)

    def fake(n) -> torch.Tensor:  # (B, pack, 2): B packs of `pack` generated points
        z = torch.randn(cfg.batch * cfg.pack, cfg.latent, device=ctx.device)
        return n["G"](z).reshape(cfg.batch, cfg.pack, 2)

    def d_phase(n, real, step):
        with torch.no_grad():
            f = fake(n)
        loss, logs = d_loss(n["D"](real), n["D"](f))
        if cfg.r1:
            logs["r1"] = r1_penalty(n["D"], real, cfg.r1)
            loss = loss + logs["r1"]
        return loss, logs

    def g_phase(n, batch, step):
        return g_loss(n["D"](fake(n)))

    def judge_accuracy(n, real) -> torch.Tensor:  # for `--set schedule=loser`
        return accuracy(n["D"](real), n["D"](fake(n)))

    def snapshot(n, stem: Path) -> list[Path]:
        return [score(n["G"], mix, cfg.eval_samples, seed=0, picture=stem.with_suffix(".png"))[1]]

    def probe(n, step: int) -> dict[str, float]:
        # Noise seed 1: another draw than the one evaluate() scores, so stopping early is not tuned to it.
        report, _ = score(n["G"], mix, cfg.eval_samples, seed=1)
        return {k: float(report[k]) for k in ("modes", "of_modes", "high_quality", "reverse_kl")}

    def adam(lr: float):
        return lambda params: torch.optim.Adam(params, lr=lr, betas=(cfg.beta1, cfg.beta2))

    # Exponential decay stepped once per step by the engine: lr * 0.5 ** (step / anneal).
    decay = (lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, 0.5 ** (1 / cfg.anneal))) if cfg.anneal else None
    return Game(
        players=[Player("G", ["G"], adam(cfg.lr), scheduler=decay), Player("D", ["D"], adam(cfg.d_lr), scheduler=decay)],
        phases=[Phase("D", "D", d_phase), Phase("G", "G", g_phase, data=False)],
        data=real_packs(mix, cfg.batch, cfg.pack, seed=ctx.seed, rank=ctx.rank),
        ema={"G": EMA(half_life=cfg.ema_half_life, batch=cfg.batch * cfg.pack)},
        judge="D", judge_accuracy=judge_accuracy,
        snapshot=snapshot, probe=probe, probe_every=cfg.probe_every,
        stop_when=lambda p: cfg.stop_at_goal and reached_goal(p),
    )
