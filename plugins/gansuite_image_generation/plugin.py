"""gansuite plugin `image-generation`: DCGAN and ResNet-SN GANs with data-efficient training.

Registration only. The parts, one job each:
    config.py      the training options (--set key=value) and generate's options
    data.py        flowers | faces | torchvision sets | folders of images
    flowers.py     the procedural flowers with 36 known modes and their factor classifier
    models.py      DCGAN and ResNet-SN generators/discriminators (minibatch stddev, class-conditional)
    augment.py     DiffAugment and adaptive discriminator augmentation (ADA)
    losses.py      the four GAN losses, WGAN-GP and R1 penalties
    game.py        the networks of a config and the phases the engine runs
    evaluation.py  `gansuite evaluate` (FID/KID/PR/DC + flowers modes) and `gansuite generate`
    demo.py        `gansuite demo image-generation`
"""
from __future__ import annotations

from gansuite_core import Application, hookimpl

from .config import GenerateOptions, ImageGenConfig
from .demo import demo
from .evaluation import SUFFIXES, evaluate, generate
from .game import make_game, networks

NAME = "image-generation"

# The benchmarked default: `gansuite train image-generation` with no option (docs/image-generation.md).
CORE_DEFAULTS = {"steps": 10000, "sample_every": 1000, "checkpoint_every": 1000, "log_every": 50}

# A seconds-long run for the contract tests and check-plugin: tiny networks, tiny batches, few steps.
QUICK = {"steps": 6, "batch": 8, "g_width": 8, "d_width": 8, "z_dim": 8, "flowers_n": 72, "eval_samples": 36,
         "log_every": 2, "sample_every": 3, "checkpoint_every": 3}

APPLICATION = Application(
    name=NAME,
    summary="DCGAN / ResNet-SN GANs on flowers, faces, torchvision sets or your folder; FID/KID/PR and mode coverage",
    config=ImageGenConfig, networks=networks, game=make_game, evaluate=evaluate, generate=generate,
    generate_options=GenerateOptions, generate_suffixes=SUFFIXES, demo=demo, core_defaults=CORE_DEFAULTS, quick=QUICK)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APPLICATION)
