"""The `video-prediction` application: K frames in, the next H frames out (Mathieu, Couprie & LeCun 2016).

    gansuite train video-prediction                                  # the benchmarked configuration
    gansuite train video-prediction --set lam_adv=0 --set lam_gdl=0  # the L2-only ablation
    gansuite train video-prediction --set data=camera                # a virtual camera over photographs
    gansuite train video-prediction --set data=~/clips               # the same model on your videos
    gansuite evaluate RUN          # per-horizon MSE/PSNR/SSIM/sharpness vs copy-last and optical flow
    gansuite predict RUN clip.mp4 --out pred.gif
    gansuite predict RUN clip.mp4 --score --out scores.csv            # per-frame surprise

Registration only. The parts, one job each:
    config.py      the options (--set key=value)
    data.py        moving digits, camera clips, bouncing shapes, the skimage GIF, folders of videos
    models.py      multiscale, SimVP-style and shift-kernel generators, warp heads, the multi-scale discriminator
    losses.py      Lp, gradient difference, adversarial (mean or the reference code's sums)
    game.py        the D and G phases
    evaluation.py  per-horizon scores against copy-last and Farneback flow; `gansuite generate`
    predict.py     `gansuite predict`: continuations and surprise scores
    commands.py    the click command
    demo.py        `gansuite demo video-prediction`
"""
from __future__ import annotations

from gansuite_core import Application, hookimpl

from .commands import predict
from .config import VideoConfig
from .demo import demo
from .evaluation import evaluate, generate
from .game import make_game
from .models import make_networks

# The benchmarked defaults (docs/benchmarks.md) and a seconds-long configuration for tests.
CORE_DEFAULTS = {"steps": 300, "sample_every": 100, "checkpoint_every": 100, "log_every": 25}
QUICK = {"steps": 4, "batch": 2, "width": 4, "d_width": 4, "scales": 2, "size": 32, "context": 3, "horizon": 3,
         "train_horizon": 2, "adv_start": 2, "test_clips": 4, "sample_every": 0, "checkpoint_every": 2, "log_every": 2}

APP = Application(
    name="video-prediction",
    summary="Next-frame prediction: multi-scale, SimVP-style or shift-kernel G with GDL and adversarial losses (Mathieu et al. 2016)",
    config=VideoConfig, networks=make_networks, game=make_game, evaluate=evaluate, generate=generate,
    generate_suffixes=(".png", ".gif", ".npy"), demo=demo, core_defaults=CORE_DEFAULTS, quick=QUICK,
    # runs saved before 2026-12-02's shift_window used a 5-px window; before 2026-12-03's shift_predict_support, every shift
    legacy_options={"shift_window": 5, "shift_predict_support": 0})


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)


@hookimpl
def gansuite_register_commands(cli) -> None:
    cli.add_command(predict)
