"""gansuite plugin `fake-detection`: detectors that tell real images from the suite's generated ones.

Registers one application and one command. Its parts, one file each:
    config.py     the options (--set key=value)
    data.py       the one path of every image, real images (flowers, faces, folder), degradations, the stream
    sources.py    fake sources: image-generation / super-resolution runs, folders, own forgers
    models.py     the detector CNN
    losses.py     its loss
    game.py       one player, one phase
    evaluation.py `gansuite evaluate`: CNN, spectrum baseline, the GANs' own discriminators
    panels.py     pictures of images with their p_fake
    demo.py       `gansuite demo fake-detection`
    commands.py   `gansuite detect RUN IMAGE_OR_FOLDER...`
"""
from __future__ import annotations

from gansuite_core import Application, hookimpl

from .commands import detect_command
from .config import FakeDetectionConfig
from .demo import demo
from .evaluation import evaluate
from .game import make_game, networks

# Benchmarked defaults (docs/fake-detection.md): 800 detector steps, 2.1 CPU-min (forgers: 5.4 CPU-min more).
CORE_DEFAULTS = {"steps": 800, "sample_every": 400, "checkpoint_every": 400, "log_every": 50}

# Seconds-long: few real images, two-step forgers, a narrow detector, three conditions.
QUICK = {"steps": 4, "batch": 8, "width": 4, "n_real": 48, "n_fake": 24, "forger_steps": 2, "forger_width": 4,
         "forgers": "dcgan:ns,dcgan:hinge", "eval_conditions": "jpeg:50,blur:1,resize:0.5", "log_every": 2}

APP = Application(
    name="fake-detection",
    summary="Detect generated images: a CNN with blur+JPEG augmentation, a spectrum baseline and GAN discriminators",
    config=FakeDetectionConfig, networks=networks, game=make_game, evaluate=evaluate, demo=demo,
    core_defaults=CORE_DEFAULTS, quick=QUICK)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)


@hookimpl
def gansuite_register_commands(cli) -> None:
    cli.add_command(detect_command)
