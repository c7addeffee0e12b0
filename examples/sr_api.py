"""Super-resolution from Python: train a small x4 model, score it, upscale a picture.

    .venv/bin/python examples/sr_api.py            # about a minute of CPU: the fast model, L1 then GAN
    .venv/bin/python examples/sr_api.py --full     # the benchmarked defaults (SRResNet, 1000 + 300 steps)
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from gansuite_core import load_run, train_app
from gansuite_core.pictures import save_png, side_by_side
from gansuite_super_resolution.data import downscale, embedded_image
from gansuite_super_resolution.metrics import evaluate
from gansuite_super_resolution.upscale import bicubic, upscale_any

out = Path("runs/sr-api")
if not (out / "checkpoints").is_dir():
    # Keyword options are the same keys as `--set` on the command line (core and application alike).
    options = {} if "--full" in sys.argv else {"model": "fast", "steps": 400, "pretrain_steps": 300}
    train_app("super-resolution", out, scale=4, sample_every=0, **options)

run = load_run(out)  # networks rebuilt from config.toml, latest checkpoint, eval mode
print(run.config.options)  # the frozen SRConfig of this run
G = run.net("G")  # the generator's EMA copy

# The evaluation `gansuite evaluate` prints: PSNR/SSIM on Y, held-out photographs, bicubic and Lanczos baselines.
report = evaluate(run, torch.device("cpu"))
print(f"PSNR-Y {report['model']['psnr_y']:.2f} dB, bicubic {report['bicubic']['psnr_y']:.2f} dB "
      f"(gain {report['gain_over_bicubic']['psnr_y_db']:+.2f} dB); features from {report['feature_network']}")

# Upscale any uint8 picture (grayscale, RGB or RGBA; tiled, so any size): here a held-out photo made 4x smaller.
hr = embedded_image("chelsea")[:296, :448]
lr = downscale(hr, 4)  # (74, 112, 3)
sr = upscale_any(G, lr, scale=4, tile=64, overlap=32)  # (296, 448, 3)
path = save_png(side_by_side([bicubic(lr, 4), sr, hr], ["bicubic", "model", "ground truth"]), out / "chelsea-compare.png")
print(f"wrote {path}")
