"""The CTGAN game on the engine: a critic phase on real rows drawn by training-by-sampling, and a
generator phase that needs no real rows (its conditions are drawn on the device, data=False).

    D: rows ~ table | cond,  fake = G(z, cond)      loss = D(fake) - D(real) + GP   (pac rows per judgement)
    G: cond ~ log-frequency, fake = G(z, cond)     loss = -D(fake) + CE(cond column of fake, cond)

With dp=true (dp.py) the critic's gradient is DP-SGD's and both losses are the non-saturating ones.
Options add to G's loss: moment_loss x the distance of the batch's column moments (means, stds,
correlations) to the training table's, and info_loss x table-GAN's information loss (Park et al. 2018)
on the critic's features, which makes the G phase load a real batch.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import torch
from torch import nn

from gansuite_core import EMA, Context, Game, Phase, Player, SeededStream, UserError

from .config import RecordsConfig
from .data import load_table, sample_cond, training_batch
from .dp import Accountant, private_critic_loss, private_generator_loss
from .losses import cond_loss, critic_loss, feature_moment_loss, gradient_penalty, moment_loss, soft_values, value_moments


def sample_rows(G: nn.Module, cfg: RecordsConfig, n: int, seed: int, device: torch.device,
                where: tuple[int, int] | None = None) -> np.ndarray:
    """n transformed rows from G: conditions at the table's own frequencies (CTGAN's sampling), or one
    fixed (discrete column, category) for conditional sampling. Seeded; the caller's RNG is untouched."""
    table = load_table(cfg)
    tf, s = table.transformer, {k: v.to(device) for k, v in table.sampler.items()}
    g = torch.Generator(device="cpu").manual_seed(seed)
    out = []
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)  # Gumbel noise of the head
        for lo in range(0, n, 4096):
            m = min(4096, n - lo)
            z = torch.randn(m, cfg.noise, generator=g).to(device)
            if tf.cond_dim == 0:
                cond = torch.zeros(m, 0, device=device)
            elif where is None:
                cond = sample_cond({k: v.cpu() for k, v in s.items()}, m, tf.cond_dim, g, key="probs")[0].to(device)
            else:
                cond = torch.zeros(m, tf.cond_dim, device=device)
                cond[:, int(s["offsets"][where[0]]) + where[1]] = 1.0
            out.append(G(z, cond)[0].cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, tf.dim), np.float32)


def make_game(cfg: RecordsConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    table = load_table(cfg)
    tf = table.transformer
    s = {k: v.to(ctx.device) for k, v in table.sampler.items()}
    starts = torch.tensor(tf.discrete_starts(), dtype=torch.long, device=ctx.device)
    counts = torch.tensor(tf.category_counts, dtype=torch.long, device=ctx.device)
    most, cdim = max(tf.category_counts, default=1), tf.cond_dim
    probe, stop_when = None, None
    if cfg.moment_loss:  # the training table's column moments, once, in the same decoding as the generator's rows
        layout = {k: torch.as_tensor(v, device=ctx.device) for k, v in tf.value_layout().items()}
        with torch.no_grad():
            target = value_moments(soft_values(table.matrix.to(ctx.device), layout))
    if cfg.dp:
        if cfg.batch > len(table.train):
            raise UserError(f"batch = {cfg.batch}: dp draws distinct rows, so at most the {len(table.train)} training rows")
        acc = Accountant(cfg.batch / len(table.train), cfg.noise_multiplier)
        if cfg.epsilon:  # stop before the budget is exceeded; epsilon logged every step
            last = acc.max_steps(cfg.epsilon) // cfg.critic_repeat
            if last < 1:
                raise UserError(f"epsilon = {cfg.epsilon}: spent before the first step at noise_multiplier = {cfg.noise_multiplier}; raise noise_multiplier")
            probe = lambda nets, step: {"dp_epsilon": acc.epsilon(step * cfg.critic_repeat), "dp_steps_left": last - step}  # noqa: E731
            stop_when = lambda p: p["dp_steps_left"] <= 0  # noqa: E731

    def fake_rows(m: Mapping[str, nn.Module], cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.randn(cond.shape[0], cfg.noise, device=cond.device)  # (B, Z)
        return m["G"](z, cond)

    def d_loss(m: Mapping[str, nn.Module], b: dict[str, torch.Tensor], step: int):
        with torch.no_grad():
            fake, _ = fake_rows(m, b["cond"])
        real, fake = torch.cat([b["real"], b["cond"]], 1), torch.cat([fake, b["cond"]], 1)  # (B, D + C)
        if cfg.dp:
            return private_critic_loss(m["D"], real, fake, cfg.pac, cfg.dp_clip, cfg.noise_multiplier)
        d_real, d_fake = m["D"](real), m["D"](fake)
        gp = gradient_penalty(m["D"], real, fake, cfg.pac, cfg.gp)
        w = critic_loss(d_real, d_fake)
        return w + gp, {"wasserstein": -w.detach(), "gp": gp.detach()}

    def g_loss(m: Mapping[str, nn.Module], b: dict[str, torch.Tensor] | None, step: int):
        if b is not None:  # info_loss: a real batch (training-by-sampling) whose conditions the generated rows share
            cond, col, cat = b["cond"], b.get("col"), b.get("cat")
        elif cdim:
            # on the device: no batch, no host read; under dp the critic's rows come at the table's own frequencies
            cond, col, cat = sample_cond(s, cfg.batch, cdim, key="probs" if cfg.dp else "log_probs")
        else:
            cond = torch.zeros(cfg.batch, 0, device=ctx.device)
        fake, raw = fake_rows(m, cond)
        fake_c = torch.cat([fake, cond], 1)
        d_fake = m["D"](fake_c)
        adv = private_generator_loss(d_fake) if cfg.dp else -d_fake.mean()
        ce = cond_loss(raw, starts, counts, most, col, cat) if cdim else torch.zeros((), device=ctx.device)
        logs = {"g_adv": adv.detach(), "cond_ce": ce.detach()}
        loss = adv + ce
        if cfg.moment_loss:
            mom = moment_loss(soft_values(fake, layout), *target)
            loss, logs["moment"] = loss + cfg.moment_loss * mom, mom.detach()
        if cfg.info_loss:
            info = feature_moment_loss(m["D"].features(torch.cat([b["real"], cond], 1)), m["D"].features(fake_c))
            loss, logs["info"] = loss + cfg.info_loss * info, info.detach()
        return loss, logs

    def snapshot(m: Mapping[str, nn.Module], stem: Path) -> list[Path]:
        from .pictures import save_marginals  # matplotlib only when a picture is asked for
        rows = tf.inverse(sample_rows(m["G"], cfg, len(table.train), ctx.seed, ctx.device))
        return [save_marginals(table.train, rows, table.columns, stem.with_suffix(".png"), "synthetic (G)")]

    return Game(
        players=[
            Player("G", ["G"], lambda ps: torch.optim.Adam(ps, lr=cfg.lr, betas=(0.5, 0.9), weight_decay=cfg.weight_decay)),
            Player("D", ["D"], lambda ps: torch.optim.Adam(ps, lr=cfg.lr, betas=(0.5, 0.9), weight_decay=cfg.weight_decay)),
        ],
        phases=[Phase("D", "D", d_loss, repeat=cfg.critic_repeat), Phase("G", "G", g_loss, data=cfg.info_loss > 0)],
        data=SeededStream(lambda g: training_batch(table, cfg.batch, g, cfg.dp), seed=ctx.seed, rank=ctx.rank),
        ema={"G": EMA(half_life=cfg.ema_half_life * cfg.batch, batch=cfg.batch)} if cfg.ema else {},
        judge="D",
        snapshot=snapshot,
        probe=probe,
        probe_every=1 if probe else 0,
        stop_when=stop_when,
    )
