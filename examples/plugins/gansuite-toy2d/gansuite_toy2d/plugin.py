"""The `toy2d` application's registration: what gansuite loads through the entry point in pyproject.toml.

    pip install -e examples/plugins/gansuite-toy2d
    gansuite train toy2d --set data=grid --out runs/grid
    gansuite evaluate runs/grid
    gansuite generate runs/grid --num 2500 --out grid.npy     # also writes grid.png

Registration only: the options are in config.py, the networks in models.py, the training step in
game.py, the scoring in evaluation.py, the demo in demo.py and the extra command in commands.py.
"""
from __future__ import annotations

import click
from gansuite_core import Application, hookimpl

from .commands import toy2d_score
from .config import Toy2DConfig
from .demo import demo
from .evaluation import evaluate, generate
from .game import make_game
from .models import networks


APP = Application(
    name="toy2d",
    summary="2-D Gaussian mixtures (grid, ring): mode collapse measured the PacGAN way",
    config=Toy2DConfig, networks=networks, game=make_game, evaluate=evaluate, generate=generate, demo=demo,
    generate_suffixes=(".npy", ".png"),
    # What a run saved before an option existed trained with, so that it loads and resumes as it was
    # (the defaults of the new options, or of options whose default changed, would change its G).
    legacy_options={"codes": 0, "decay_start": 0, "decay_end": 0, "tail_code_noise": 0.0, "d_repeat": 1, "d_repeat_until": 0,
                    "ema_follows_lr": False},
    core_defaults={"steps": 6000, "log_every": 100, "sample_every": 2000, "checkpoint_every": 2000},
    quick={"steps": 4, "batch": 16, "g_hidden": 16, "d_hidden": 16, "eval_samples": 200, "probe_every": 2,
           "log_every": 2, "sample_every": 0, "checkpoint_every": 2},
)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)


@hookimpl
def gansuite_register_commands(cli: click.Group) -> None:
    cli.add_command(toy2d_score)
