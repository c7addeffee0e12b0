"""gansuite plugin `image-generation`: DCGAN and ResNet-SN GANs with data-efficient training.

Registers one application. Its parts, one file each:
    config.py     the options (--set key=value) and their benchmarked defaults
    data.py       flowers | faces | torchvision sets | folders of images
    flowers.py    the procedural flowers with 36 known modes and their factor classifier
    models.py     DCGAN and ResNet-SN generators/discriminators, optionally class-conditional
    augment.py    DiffAugment
    game.py       losses, lazy R1, the phases the engine runs
    evaluation.py `gansuite evaluate` (FID/KID/PR/DC + flowers modes) and `gansuite generate`
"""
from __future__ import annotations

from gansuite_core import Application, DemoRequest, DemoResult, hookimpl
from gansuite_core.pictures import save_grid

from .config import ImageGenConfig
from .evaluation import evaluate, generate, sample
from .game import make_game, networks

NAME = "image-generation"

# The benchmarked default: `gansuite train image-generation` with no option (docs/benchmarks.md).
# 10,000 steps: 28-31 of 36 modes in 6 CPU minutes; 2,000 steps gave 21 (docs/benchmarks.md).
CORE_DEFAULTS = {"steps": 10000, "sample_every": 1000, "checkpoint_every": 1000, "log_every": 50}

# A seconds-long run for the contract tests: tiny networks, tiny batches, few steps.
QUICK = {"steps": 6, "batch": 8, "g_width": 8, "d_width": 8, "z_dim": 8, "flowers_n": 72, "eval_samples": 36,
         "log_every": 2, "sample_every": 3, "checkpoint_every": 3}


def demo(req: DemoRequest) -> DemoResult:
    """A short flowers run: samples, real flowers, and the mode numbers of `gansuite evaluate`."""
    from gansuite_core.config import resolve
    from gansuite_core.engine import train
    from gansuite_core.runs import load_run

    from . import data as datamod

    app = _application()
    config = resolve(NAME, ImageGenConfig, app_defaults=CORE_DEFAULTS,
                     overrides={"steps": 400, "sample_every": 0, "checkpoint_every": 400, "eval_samples": 720, "device": str(req.device)})
    run_dir = req.out / "run"
    train(app, config, run_dir, quiet=req.quiet)
    run = load_run(run_dir, device=req.device)
    report = evaluate(run, req.device)
    req.out.mkdir(parents=True, exist_ok=True)
    images, _, _ = datamod.load("flowers", 32, False, False, "", config.options.flowers_n)
    real = save_grid(datamod.to_float(images[:64]), req.out / "real.png", nrow=8)
    fake = save_grid(sample(run.net("G"), run.config.options, 64, seed=0), req.out / "samples.png", nrow=8)
    modes = report["flowers_modes"]["model"]
    return DemoResult(
        title="Image generation: a DCGAN on procedural flowers (36 modes)",
        text=f"400 steps of the default DCGAN (non-saturating loss, DiffAugment translation) on drawn flowers; "
             f"samples from the EMA generator next to real flowers. Features: {report['features']}.",
        pictures=[fake, real],
        numbers={"modes covered (of 36)": modes["modes"], "high-quality share": modes["high_quality"],
                 "reverse KL": modes["reverse_kl"], "KID": report["model"]["kid"], "KID real vs real": report["real_vs_real"]["kid"]})


def _application() -> Application:
    return Application(
        name=NAME,
        summary="DCGAN / ResNet-SN GANs on flowers, faces, torchvision sets or your folder; FID/KID/PR and mode coverage",
        config=ImageGenConfig, networks=networks, game=make_game, evaluate=evaluate, generate=generate, demo=demo,
        core_defaults=CORE_DEFAULTS, quick=QUICK)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(_application())
