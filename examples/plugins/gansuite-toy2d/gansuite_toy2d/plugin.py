"""The `toy2d` application: a GAN on 2-D Gaussian mixtures, scored by how many modes it finds.

    pip install -e examples/plugins/gansuite-toy2d
    gansuite train toy2d --set data=grid --out runs/grid
    gansuite evaluate runs/grid
    gansuite generate runs/grid --num 2500 --out grid.npy     # also writes grid.png

This module is what gansuite loads through the entry point in pyproject.toml. It holds the
options (one frozen dataclass), the game (players and phases) and the three things a run can
be asked for afterwards: evaluate, generate and demo.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import click
import numpy as np
import torch
from torch import nn

from gansuite_core import (Application, Context, DemoRequest, DemoResult, Game, GenerateRequest, Phase, Player, Run,
                           SeededStream, UserError, hookimpl)

from .data import mixture
from .losses import d_accuracy, d_loss, fake_packs, g_loss, r1_loss
from .metrics import mode_report
from .models import Discriminator, Generator
from .pictures import scatter


@dataclass(frozen=True)
class Toy2DConfig:
    data: Literal["grid", "ring"] = "grid"  # grid: 25 Gaussians, sigma 0.05; ring: 8 Gaussians on the unit circle, sigma 0.01
    pack: int = 2  # PacGAN packing: points per discriminator input (1 = plain GAN)
    latent: int = 2  # size of the generator's Gaussian noise z
    g_hidden: int = 128  # units per hidden layer of G
    g_layers: int = 3  # hidden layers of G
    d_hidden: int = 128  # units per hidden layer of D
    d_layers: int = 3  # hidden layers of D
    d_unit: float = 20.0  # D reads coordinates in units of d_unit * sigma (grid: 1.0, ring: 0.2)
    d_steps: int = 1  # discriminator updates per generator update, each on a fresh batch
    batch: int = 128  # packs per batch (G makes batch * pack points a step)
    lr: float = 1e-3  # Adam learning rate of both players
    beta1: float = 0.5  # Adam beta1
    beta2: float = 0.99  # Adam beta2
    anneal: int = 0  # halve both learning rates every `anneal` steps, smoothly (0: constant); sharpens the modes late in training
    r1: float = 0.0  # R1 penalty weight gamma on real packs (0: off)
    ema: float = 0.99  # decay of the generator's moving average (samples, evaluation); 0.999 lags ~1000 steps and shrank our samples
    eval_samples: int = 2500  # points scored by evaluate and the probe (the PacGAN protocol uses 2,500)
    probe_every: int = 500  # steps between scoring the EMA generator during training (0: never)
    stop_at_goal: bool = False  # stop once the probe sees every mode, >= 95 % high quality and reverse KL <= 0.05

    def __post_init__(self) -> None:
        mixture(self.data)  # raises ValueError naming the choices
        for key in ("pack", "latent", "g_hidden", "g_layers", "d_hidden", "d_layers", "d_steps", "batch", "eval_samples"):
            if getattr(self, key) < 1:
                raise ValueError(f"{key}={getattr(self, key)}: expected a positive integer")
        if not 0 < self.lr < 1:
            raise ValueError(f"lr={self.lr}: expected a learning rate between 0 and 1")
        if not 0 <= self.ema < 1:
            raise ValueError(f"ema={self.ema}: expected a decay in [0, 1)")
        if self.d_unit <= 0:
            raise ValueError(f"d_unit={self.d_unit}: expected a positive number")
        if self.r1 < 0 or self.probe_every < 0 or self.anneal < 0:
            raise ValueError("r1, probe_every and anneal must not be negative")


GOAL = {"high_quality": 0.95, "reverse_kl": 0.05}  # and every mode captured: the benchmark goal


def networks(cfg: Toy2DConfig) -> dict[str, nn.Module]:
    mix = mixture(cfg.data)
    return {"G": Generator(cfg.latent, cfg.g_hidden, cfg.g_layers),
            "D": Discriminator(cfg.d_hidden, cfg.d_layers, cfg.pack, cfg.d_unit * mix.sigma)}


def sample_points(G: nn.Module, n: int, seed: int, device: torch.device | str = "cpu") -> np.ndarray:
    """(n, 2) points from generator G with noise drawn from `seed` (the same seed, the same points)."""
    z = torch.randn(n, G.latent, generator=torch.Generator().manual_seed(seed)).to(device)
    with torch.no_grad():
        return G(z).float().cpu().numpy()


def reached_goal(report: dict[str, Any]) -> bool:
    return (report["modes"] == report["of_modes"] and report["high_quality"] >= GOAL["high_quality"]
            and report["reverse_kl"] <= GOAL["reverse_kl"])


def game(cfg: Toy2DConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    mix = mixture(cfg.data)

    def batch(g: torch.Generator) -> dict[str, torch.Tensor]:
        real = mix.sample(cfg.batch * cfg.pack, g).reshape(cfg.batch, cfg.pack, 2)  # (B, pack, 2)
        return {"real": real, "z": torch.randn(cfg.batch, cfg.pack, cfg.latent, generator=g)}  # z: (B, pack, latent)

    def snapshot(eval_nets: dict[str, nn.Module], stem: Path) -> list[Path]:
        pts = sample_points(eval_nets["G"], cfg.eval_samples, seed=0, device=ctx.device)
        r = mode_report(pts, mix)
        title = f"{mix.name}: {r['modes']}/{r['of_modes']} modes, {100 * r['high_quality']:.1f} % HQ, rKL {r['reverse_kl']:.3f}"
        return [scatter(pts, mix, stem.with_suffix(".png"), title)]

    def probe(eval_nets: dict[str, nn.Module], step: int) -> dict[str, float]:
        # Seed 1: a different noise draw from the one evaluate() scores, so stopping early is not tuned to it.
        r = mode_report(sample_points(eval_nets["G"], cfg.eval_samples, seed=1, device=ctx.device), mix)
        return {k: float(v) for k, v in r.items() if k in ("modes", "high_quality", "reverse_kl")} | {"of_modes": float(r["of_modes"])}

    def stop(p: dict[str, float]) -> bool:
        return cfg.stop_at_goal and reached_goal(p)

    adam = lambda params: torch.optim.Adam(params, lr=cfg.lr, betas=(cfg.beta1, cfg.beta2))  # noqa: E731
    # Exponential decay stepped once per step by the engine: lr * 0.5 ** (step / anneal).
    decay = (lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, 0.5 ** (1 / cfg.anneal))) if cfg.anneal else None
    phases = [Phase("D", "D", d_loss, repeat=cfg.d_steps), Phase("G", "G", g_loss)]
    if cfg.r1 > 0:
        phases.insert(1, Phase("D_r1", "D", r1_loss(cfg.r1), repeat=cfg.d_steps))
    return Game(
        players=[Player("G", ["G"], adam, scheduler=decay), Player("D", ["D"], adam, scheduler=decay)],
        phases=phases,
        data=SeededStream(batch, seed=ctx.seed, rank=ctx.rank),
        ema={"G": cfg.ema},
        judge="D", judge_accuracy=d_accuracy,
        snapshot=snapshot, probe=probe, probe_every=cfg.probe_every, stop_when=stop,
    )


# --------------------------------------------------------------------------- using a trained run


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    """The PacGAN protocol on the EMA generator: 2,500 points from noise seed 0."""
    cfg: Toy2DConfig = run.config.options
    mix = mixture(cfg.data)
    G = run.net("G").to(device)
    pts = sample_points(G, cfg.eval_samples, seed=0, device=device)
    report = mode_report(pts, mix)
    scatter(pts, mix, run.dir / "eval.png", f"{mix.name}, step {run.step}: {report['modes']}/{report['of_modes']} modes")
    return {"data": cfg.data, "pack": cfg.pack, **report, "goal_reached": reached_goal(report)}


def generate(run: Run, req: GenerateRequest) -> list[Path]:
    """FILE.npy: the (N, 2) points and a scatter FILE.png beside it; FILE.png: the scatter only."""
    if req.out.suffix not in (".npy", ".png"):
        raise UserError(f"--out {req.out}: toy2d writes .npy (points and a scatter) or .png (scatter only)")
    cfg: Toy2DConfig = run.config.options
    mix = mixture(cfg.data)
    pts = sample_points(run.net("G").to(req.device), req.num, seed=req.seed, device=req.device)
    written = []
    if req.out.suffix == ".npy":
        np.save(req.out, pts)
        written.append(req.out)
    written.append(scatter(pts, mix, req.out.with_suffix(".png"), f"{mix.name}: {req.num} generated points"))
    return written


def demo(req: DemoRequest) -> DemoResult:
    """A short run on the ring (the quicker mixture), scored with the PacGAN protocol."""
    from gansuite_core.config import resolve
    from gansuite_core.engine import train
    from gansuite_core.runs import load_run

    app = APP
    steps = 1500
    config = resolve(app.name, Toy2DConfig, app_defaults=app.core_defaults,
                     overrides={"data": "ring", "steps": steps, "sample_every": 0, "checkpoint_every": steps, "device": str(req.device)})
    train(app, config, req.out / "run", quiet=req.quiet)
    run = load_run(req.out / "run", device=req.device)
    report = evaluate(run, req.device)
    pictures = [run.dir / "eval.png", run.dir / "loss.png"]
    return DemoResult(
        title="toy2d: counting the modes a GAN finds (PacGAN protocol)",
        text=f"A PacGAN{config.options.pack} on the 8-Gaussian ring, {steps} steps, scored on 2,500 samples.",
        pictures=[p for p in pictures if p.exists()],
        numbers={k: report[k] for k in ("modes", "of_modes", "high_quality", "reverse_kl")})


APP = Application(
    name="toy2d",
    summary="2-D Gaussian mixtures (grid, ring): mode collapse measured the PacGAN way",
    config=Toy2DConfig, networks=networks, game=game, evaluate=evaluate, generate=generate, demo=demo,
    core_defaults={"steps": 8000, "log_every": 100, "sample_every": 2000, "checkpoint_every": 2000},
    quick={"steps": 20, "batch": 16, "g_hidden": 16, "d_hidden": 16, "eval_samples": 200, "probe_every": 10,
           "log_every": 5, "sample_every": 0, "checkpoint_every": 10},
)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)


@hookimpl
def gansuite_register_commands(cli: click.Group) -> None:
    @cli.command("toy2d-score")
    @click.argument("points", type=click.Path(path_type=Path))
    @click.option("--data", type=click.Choice(["grid", "ring"]), default="grid", show_default=True)
    def toy2d_score(points: Path, data: str) -> None:
        """Score an (N, 2) .npy file of points with the PacGAN protocol (e.g. another model's samples)."""
        try:
            pts = np.load(points)
        except (OSError, ValueError) as e:
            raise UserError(f"{points}: cannot read it as a .npy array ({e})") from None
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise UserError(f"{points}: expected an array of shape (N, 2), got {tuple(pts.shape)}")
        click.echo(json.dumps(mode_report(pts, mixture(data)), indent=2))
