"""The detector's game: one player (the CNN "C") and one phase (classify), Wang et al.'s recipe.

The forgers have already played their own game (image-generation runs); here the judge learns
alone on a stream of half-real, half-fake images, augmented with blur and JPEG as in Wang et
al. (CVPR 2020), so the detector leans on artefacts that survive both.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from gansuite_core import Context, Game, IndexedStream, Phase, Player

from . import data, losses, panels, sources
from .evaluation import p_fake
from .config import FakeDetectionConfig
from .models import Detector


def networks(cfg: FakeDetectionConfig) -> dict[str, nn.Module]:
    return {"C": Detector(cfg.width)}


def make_game(cfg: FakeDetectionConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    run_dir = Path(ctx.run_dir) if ctx.run_dir is not None else None
    real, _, srcs, fakes = sources.load_all(cfg, run_dir, ctx.registry, quiet=False)
    real_tr, real_te, f_train, f_test = data.splits(cfg.test_fraction, real, srcs, fakes)
    fake_tr = np.concatenate(list(f_train.values()))
    source = data.Balanced(real_tr, fake_tr, cfg.blur_prob, cfg.jpeg_prob, cfg.flip)
    stream = IndexedStream(source, cfg.batch, seed=ctx.seed, rank=ctx.rank, world=ctx.world, workers=ctx.workers,
                           pin_memory=ctx.pin_memory)
    first_seen = next(iter(f_test.values()))

    def snapshot(n: dict[str, nn.Module], stem: Path) -> list[Path]:
        net = n["C"]
        was = net.training
        net.eval()
        pr, pf = p_fake(net, real_te), p_fake(net, first_seen)
        net.train(was)
        return [panels.confidence_panel(real_te, pr, first_seen, pf, stem.with_suffix(".png"))]

    player = Player("C", ["C"], lambda params: torch.optim.Adam(params, lr=cfg.lr, betas=(0.9, 0.999)))
    # No judge: with one player there is no loser to schedule and no adversary to warm up against.
    return Game(players=[player], phases=[Phase("classify", "C", losses.classify)], data=stream, snapshot=snapshot)
