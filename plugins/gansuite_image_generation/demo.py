"""`gansuite demo image-generation`: a short flowers run, its samples beside real flowers, and its mode numbers."""
from __future__ import annotations

from gansuite_core import DemoRequest, DemoResult, train_demo
from gansuite_core.pictures import save_grid

from . import data as datamod
from .evaluation import sample

DEMO_STEPS = 1500  # about 80 CPU-seconds on one core (D width 32); measured in docs/benchmarks.md


def demo(req: DemoRequest) -> DemoResult:
    """Train the default DCGAN on flowers for DEMO_STEPS, reload its EMA generator and evaluate it."""
    steps = DEMO_STEPS
    run, report = train_demo(req, steps=steps, sample_every=0, checkpoint_every=steps, eval_samples=720)
    cfg = run.config.options
    images, _, _ = datamod.load_for(cfg)
    real = save_grid(datamod.to_float(images[:64]), req.out / "real.png", nrow=8)
    fake = save_grid(sample(run.net("G"), cfg, 64, seed=0), req.out / "samples.png", nrow=8)
    numbers = {"KID": report["model"]["kid"], "KID real vs real": report["real_vs_real"]["kid"], "train seconds": report["train_seconds"]}
    if "flowers_modes" in report:
        modes = report["flowers_modes"]["model"]
        numbers = {"modes covered (of 36)": modes["modes"], "high-quality share": modes["high_quality"],
                   "reverse KL": modes["reverse_kl"], **numbers}
    return DemoResult(
        title="Image generation: a DCGAN on procedural flowers (36 modes)",
        text=f"{run.step} steps of the default DCGAN (non-saturating loss, DiffAugment translation, EMA generator with "
             f"ramp-up) on drawn flowers; samples from the EMA generator next to real flowers. Features: {report['features']}.",
        pictures=[fake, real], numbers=numbers)
