"""In-process test plugins: a 2-D GAN and a three-network, two-player game.

They exercise the engine the way the bundled applications do, in milliseconds.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gansuite_core import EMA, Application, Game, Phase, Player, SeededStream, hookimpl, train_demo


@dataclass(frozen=True)
class ToyGANConfig:
    hidden: int = 32  # hidden units of G and D
    batch: int = 64  # batch size
    lr: float = 2e-3  # Adam learning rate
    r1_every: int = 0  # lazy R1 interval (0: off)
    ema_half_life: float = 640.0  # EMA half-life in images
    blowup: bool = False  # make the D loss NaN (tests the non-finite guard)


def _mlp(i: int, h: int, o: int) -> nn.Module:
    return nn.Sequential(nn.Linear(i, h), nn.LeakyReLU(0.2), nn.Linear(h, h), nn.BatchNorm1d(h), nn.LeakyReLU(0.2), nn.Linear(h, o))


def gan_networks(cfg: ToyGANConfig) -> dict[str, nn.Module]:
    return {"G": _mlp(2, cfg.hidden, 2), "D": _mlp(2, cfg.hidden, 1)}


def _ring(g: torch.Generator, n: int) -> torch.Tensor:
    k = torch.randint(0, 4, (n,), generator=g).float() * (torch.pi / 2)
    return torch.stack([k.cos(), k.sin()], 1) + 0.05 * torch.randn(n, 2, generator=g)


def gan_game(cfg: ToyGANConfig, nets: dict[str, nn.Module], ctx) -> Game:
    def batch(g: torch.Generator):
        return {"real": _ring(g, cfg.batch), "z": torch.randn(cfg.batch, 2, generator=g)}

    def d_loss(n, b, step):
        fake = n["G"](b["z"]).detach()
        lr, lf = n["D"](b["real"]), n["D"](fake)
        loss = F.softplus(-lr).mean() + F.softplus(lf).mean()
        if cfg.blowup:
            loss = loss * float("nan")
        return loss, {"real": lr.mean().detach(), "fake": lf.mean().detach()}

    def g_loss(n, b, step):
        z = torch.randn(cfg.batch, 2, device=next(n["G"].parameters()).device)
        return F.softplus(-n["D"](n["G"](z))).mean()

    def r1(n, b, step):
        x = b["real"].requires_grad_(True)
        (grad,) = torch.autograd.grad(n["D"](x).sum(), x, create_graph=True)
        return grad.square().sum(1).mean()

    def acc(n, b):
        return ((n["D"](b["real"]) > 0).float().mean() + (n["D"](n["G"](b["z"])) < 0).float().mean()) / 2

    def snapshot(n, stem: Path):
        pts = n["G"](torch.randn(256, 2, generator=torch.Generator().manual_seed(0))).numpy()
        np.save(stem.with_suffix(".npy"), pts)
        return [stem.with_suffix(".npy")]

    adam = lambda p: torch.optim.Adam(p, lr=cfg.lr, betas=(0.5, 0.99))  # noqa: E731
    phases = [Phase("D", "D", d_loss), Phase("G", "G", g_loss, data=False)]
    if cfg.r1_every:
        phases.append(Phase("D_r1", "D", r1, every=cfg.r1_every, lazy=True))
    return Game(
        players=[Player("G", ["G"], adam), Player("D", ["D"], adam, scheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, 50, 0.9))],
        phases=phases, data=SeededStream(batch, seed=ctx.seed, rank=ctx.rank), ema={"G": EMA(cfg.ema_half_life, batch=cfg.batch)},
        judge="D", judge_accuracy=acc, snapshot=snapshot)


@dataclass(frozen=True)
class ThreeConfig:
    bits: int = 8  # message and key length
    batch: int = 128  # batch size
    eve_repeat: int = 2  # Eve's updates per step
    stop_at: float = -1.0  # stop when Bob's error falls below this (probe); <0: never


def three_networks(cfg: ThreeConfig) -> dict[str, nn.Module]:
    n = cfg.bits
    return {"alice": _mlp(2 * n, 32, n), "bob": _mlp(2 * n, 32, n), "eve": _mlp(n, 32, n)}


def three_game(cfg: ThreeConfig, nets, ctx) -> Game:
    n = cfg.bits

    def batch(g):
        return {"p": torch.randint(0, 2, (cfg.batch, n), generator=g).float() * 2 - 1,
                "k": torch.randint(0, 2, (cfg.batch, n), generator=g).float() * 2 - 1}

    def ab_loss(nn_, b, step):
        c = torch.tanh(nn_["alice"](torch.cat([b["p"], b["k"]], 1)))
        bob = torch.tanh(nn_["bob"](torch.cat([c, b["k"]], 1)))
        eve = torch.tanh(nn_["eve"](c))
        bob_err = (bob - b["p"]).abs().mean()
        eve_err = (eve - b["p"]).abs().mean()
        return bob_err + (1 - eve_err) ** 2, {"bob": bob_err.detach()}

    def eve_loss(nn_, b, step):
        c = torch.tanh(nn_["alice"](torch.cat([b["p"], b["k"]], 1)))
        return (torch.tanh(nn_["eve"](c)) - b["p"]).abs().mean()

    def probe(nn_, step):
        b = batch(torch.Generator().manual_seed(1))
        c = torch.tanh(nn_["alice"](torch.cat([b["p"], b["k"]], 1)))
        return {"bob_err": float((torch.tanh(nn_["bob"](torch.cat([c, b["k"]], 1))) - b["p"]).abs().mean())}

    adam = lambda p: torch.optim.Adam(p, lr=3e-3)  # noqa: E731
    return Game(players=[Player("alice_bob", ["alice", "bob"], adam, clip_grad=5.0), Player("eve", ["eve"], adam)],
                phases=[Phase("alice_bob", "alice_bob", ab_loss), Phase("eve", "eve", eve_loss, repeat=cfg.eve_repeat)],
                data=SeededStream(batch, seed=ctx.seed, rank=ctx.rank), judge="eve",
                probe=probe, probe_every=10, stop_when=lambda p: p["bob_err"] < cfg.stop_at)


def gan_demo(req):
    from gansuite_core import DemoResult
    from gansuite_core.pictures import save_gif, save_grid

    train_demo(req, steps=10)
    grid = save_grid(torch.rand(4, 3, 8, 8) * 2 - 1, req.out / "grid.png")
    frames = [np.full((16, 16, 3), 40 * i, np.uint8) for i in range(4)]
    gif = save_gif(frames, req.out / "walk.gif")
    return DemoResult("Toy GAN", "Ten steps on four Gaussians.", [req.out / "run" / "loss.png", grid, gif], {"steps": 10})


@dataclass(frozen=True)
class ToyGenerateOptions:
    scale: float = 1.0  # multiplies every sample (tests that generate options reach the application)


def gan_generate(run, req) -> list[Path]:
    opts = req.options or ToyGenerateOptions()
    if req.out.suffix != ".npy":
        from gansuite_core import UserError

        raise UserError(f"--out {req.out}: toy-gan writes .npy")
    with torch.no_grad():
        pts = run.net("G")(torch.randn(req.num, 2, generator=torch.Generator().manual_seed(req.seed))) * opts.scale
    np.save(req.out, pts.numpy())
    return [req.out]


class ToyPlugin:
    @hookimpl
    def gansuite_register_apps(self, register):
        register(Application("toy-gan", "A 2-D GAN on four Gaussians (tests)", ToyGANConfig, gan_networks, gan_game, demo=gan_demo,
                             generate=gan_generate, generate_options=ToyGenerateOptions, generate_suffixes=(".npy",),
                             core_defaults={"steps": 60, "log_every": 5, "checkpoint_every": 20, "sample_every": 30}))
        register(Application("toy-three", "Alice, Bob and Eve in miniature (tests)", ThreeConfig, three_networks, three_game,
                             core_defaults={"steps": 40, "log_every": 5}))


toy_plugin = ToyPlugin()
