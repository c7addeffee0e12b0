"""The players and phases of one training step: D on real and fake packs (plus R1 if asked), then G.

A real batch is (B, pack, 2) from `data.real_packs`; the generator's noise is drawn on the run's
device from torch's global generator, which the engine saves in checkpoints (exact resume). The G
phase needs only noise, so it asks for no batch (`Phase(data=False)`).
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from gansuite_core import EMA, Context, Game, Phase, Player, UserError, code_prior_loss

from .config import Toy2DConfig
from .data import mixture, real_packs
from .evaluation import reached_goal, score
from .losses import accuracy, d_loss, g_loss, interpolate_penalty, r1_penalty


def tail_left(cfg: Toy2DConfig, step: int) -> float:
    """The share of the tail decay still ahead at `step`: 1 before decay_start, 0 from decay_end (1 with no decay)."""
    if not cfg.decay_end:
        return 1.0
    return min(1.0, max(0.0, (cfg.decay_end - step) / (cfg.decay_end - cfg.decay_start)))


def lr_factor(cfg: Toy2DConfig, step: int) -> float:
    """Both players' learning rate at `step`, as a share of lr and d_lr."""
    factor = 0.5 ** (step / cfg.anneal) if cfg.anneal else 1.0  # smooth halving every `anneal` steps
    # linear tail to 0 (CycleGAN, Zhu et al. 2017): settle G's points once the modes are found
    return factor * tail_left(cfg, step)


def make_game(cfg: Toy2DConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    if cfg.decay_end and ctx.steps > cfg.decay_end:  # a concise error, not steps that train at learning rate 0
        raise UserError(f"decay_end={cfg.decay_end}: the learning rates reach 0 there, before --steps {ctx.steps}; train with "
                        f"--set decay_end={ctx.steps} --set decay_start={ctx.steps * 3 // 4} (or both 0 for no tail decay)")
    mix = mixture(cfg.data)

    def noise(n) -> torch.Tensor:  # (B * pack, G.latent): with codes, the last entry picks the code
        return torch.randn(cfg.batch * cfg.pack, n["G"].latent, device=ctx.device)

    def fake(n, z: torch.Tensor | None = None) -> torch.Tensor:  # (B, pack, 2): B packs of `pack` generated points
        return n["G"](noise(n) if z is None else z).reshape(cfg.batch, cfg.pack, 2)

    def follow(G: nn.Module, step: int) -> None:
        """tail_code_noise: G's noise follows the step (the EMA copies the integer buffer, models.Generator)."""
        if getattr(G, "tail_noise", None) is not None:
            G.trained.fill_(step)

    def d_phase(n, real, step):
        follow(n["G"], step)
        with torch.no_grad():
            f = fake(n)
        loss, logs = d_loss(n["D"](real), n["D"](f), cfg.loss)
        if cfg.gp:
            logs["gp"] = interpolate_penalty(n["D"], real, f, cfg.gp, cfg.gp_center, cfg.d_unit * mix.sigma)
            loss = loss + logs["gp"]
        if cfg.r1 and cfg.r1_every == 1:
            logs["r1"] = r1_penalty(n["D"], real, cfg.r1, cfg.d_unit * mix.sigma)
            loss = loss + logs["r1"]
        return loss, logs

    def r1_phase(n, real, step):  # lazy R1 on its own batch; the engine scales it by r1_every
        return r1_penalty(n["D"], real, cfg.r1, cfg.d_unit * mix.sigma)

    def g_phase(n, batch, step):
        follow(n["G"], step)
        z = noise(n)
        logit = n["D"](fake(n, z))  # (B,)
        loss = g_loss(logit, cfg.loss)
        if not (cfg.codes and cfg.prior == "learned"):
            return loss
        G = n["G"]
        p = torch.softmax(G.prior, 0)  # (K,)
        return loss + code_prior_loss(p, G.code(z[:, -1]).reshape(cfg.batch, cfg.pack), logit), {"codes": (-(p * p.log()).sum()).exp().detach()}

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

    # The engine steps the schedule once per training step.
    decay = (lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda step: lr_factor(cfg, step))) if cfg.anneal or cfg.decay_end else None
    return Game(
        players=[Player("G", ["G"], adam(cfg.lr), scheduler=decay), Player("D", ["D"], adam(cfg.d_lr), scheduler=decay)],
        # n_critic D updates per G update while the modes are being found, then one (both phases log as "D")
        phases=[Phase("D", "D", d_phase, repeat=cfg.d_repeat, stop=cfg.d_repeat_until or None)]
        + ([Phase("D", "D", d_phase, start=cfg.d_repeat_until)] if cfg.d_repeat_until else [])
        + [Phase("G", "G", g_phase, data=False)]
        + ([Phase("D_r1", "D", r1_phase, every=cfg.r1_every, lazy=True)] if cfg.r1 and cfg.r1_every > 1 else []),
        data=real_packs(mix, cfg.batch, cfg.pack, seed=ctx.seed, rank=ctx.rank),
        ema={"G": EMA(half_life=cfg.ema_half_life, batch=cfg.batch * cfg.pack, follow_lr=cfg.ema_follows_lr)},
        judge="D", judge_accuracy=judge_accuracy,
        snapshot=snapshot, probe=probe, probe_every=cfg.probe_every,
        stop_when=lambda p: cfg.stop_at_goal and reached_goal(p),
    )
