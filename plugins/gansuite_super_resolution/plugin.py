"""The `super-resolution` application: registration only (see game.py for the training, evaluation.py for the numbers)."""
from __future__ import annotations

from gansuite_core import Application, hookimpl

from .commands import upscale_command
from .config import SRConfig
from .demo import demo
from .evaluation import evaluate
from .game import make_game, networks

APP = Application(
    name="super-resolution",
    summary="Single-image super-resolution x2/x3/x4: SRResNet, RRDB or a fast model; L1 then relativistic GAN; bundled x2/x4 models",
    config=SRConfig, networks=networks, game=make_game, evaluate=evaluate, demo=demo,
    # precision auto: bf16 where the hardware computes it (a GPU, a CPU with AMX), else fp32; the routed default's
    # 4,500 L1 steps took 11.4 to 14.4 CPU-minutes in bf16 on a 2-vCPU Xeon with AMX, where 3,000 fp32 steps took 19.7 (docs/super-resolution.md)
    core_defaults={"steps": 4800, "precision": "auto", "channels_last": True, "sample_every": 500, "checkpoint_every": 500,
                   "log_every": 50},
    quick={"model": "fast", "features": 8, "d_features": 4, "batch": 2, "patch": 8, "steps": 4, "pretrain_steps": 2, "eval_crop": 64,
           "sample_every": 2, "checkpoint_every": 2, "log_every": 1},
    # runs made before 2026-12-05's routed default trained one generator; routed runs of stop 41, an area-only
    # antialiased specialist and a ReLU router; every run before stop 43 trained on the 13 scikit-image photographs alone,
    # and before stop 44 its router learnt from plain means and blended at scale 1
    legacy_options={"routed": "no", "antialiased_inputs": "opencv_area", "router_slope": 0.0, "package_photos": False,
                    "router_edges": "no", "router_scale": "1"},
)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)


@hookimpl
def gansuite_register_commands(cli) -> None:
    cli.add_command(upscale_command)
