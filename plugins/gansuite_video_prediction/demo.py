"""`gansuite demo video-prediction`: about a minute of CPU training on moving digits, then pictures and numbers."""
from __future__ import annotations

from gansuite_core import DemoRequest, DemoResult, GenerateRequest, train_demo

from .evaluation import generate

# Measured (docs/video-prediction.md, 2026-11-23): of the 300-step configurations only SimVP with the warp head
# beats copy-last's SSIM at h=1 (0.701 against 0.669), in 4.3 CPU-minutes; its digits are still blobs after h=1.
DEMO = {"generator": "simvp", "warp": True, "steps": 300, "context": 10, "horizon": 10, "train_horizon": 2, "width": 8, "d_width": 8, "batch": 8,
        "adv_start": 150, "test_clips": 32, "sample_every": 0, "checkpoint_every": 300, "log_every": 25, "ema_images": 300}


def demo(req: DemoRequest) -> DemoResult:
    """Train briefly, evaluate against copy-last and flow, write the prediction strip and an animation."""
    run, report = train_demo(req, **DEMO)
    gif = req.out / "prediction.gif"
    generate(run, GenerateRequest(num=4, out=gif, seed=1, device=req.device))
    m, c, f = report["model"], report["copy_last"], report["flow"]
    return DemoResult(
        title=f"Video prediction: {report['data']}, {report['context']} frames in, {report['horizon']} out",
        text=f"A scaled-down {run.config.options.generator} generator (warp head: {run.config.options.warp}) with GDL and a "
             f"small adversarial term, trained {report['train_seconds'] / 60:.1f} min; top rows are the truth, bottom rows "
             "the prediction (held-out test clips).",
        pictures=[run.dir / "eval-predictions.png", gif],
        numbers={"MSE h=1 model / copy-last / flow": f"{m['mse'][0]:.1f} / {c['mse'][0]:.1f} / {f['mse'][0]:.1f}",
                 f"MSE h={report['horizon']} model / copy-last / flow": f"{m['mse'][-1]:.1f} / {c['mse'][-1]:.1f} / {f['mse'][-1]:.1f}",
                 "SSIM h=1 model / copy-last / flow": f"{m['ssim'][0]:.3f} / {c['ssim'][0]:.3f} / {f['ssim'][0]:.3f}",
                 "SSIM h=3 model / copy-last / flow": f"{m['ssim'][min(2, len(m['ssim']) - 1)]:.3f} / "
                                                      f"{c['ssim'][min(2, len(c['ssim']) - 1)]:.3f} / {f['ssim'][min(2, len(f['ssim']) - 1)]:.3f}"})
