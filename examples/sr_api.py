"""Super-resolution from Python: upscale with a bundled model, train a small x4 model, score it.

    .venv/bin/python examples/sr_api.py            # about a minute of CPU: the fast model, L1 then GAN
    .venv/bin/python examples/sr_api.py --full     # the defaults (two SRResNets and a router, 4,500 L1 + 300 GAN steps)
    .venv/bin/python examples/sr_api.py --gan      # only the GAN stage, from the bundled x4-mixed (~4 CPU minutes)

The one-minute run only shows the calls: 300 L1 and 100 GAN steps of the fast model are too few to beat
bicubic (measured 2026-12-05, stop 43, with the three package photographs: -0.10 to +0.04 dB over the five
conditions). The defaults' L1 stage gains +0.87 to +1.08 dB on the clean conditions (routed, bf16 on an AMX
CPU, three seeds, stop 44: docs/benchmarks.md); the bundled x4 of step 1 gains +0.91 to +1.07.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from gansuite_core import load_run, train_app
from gansuite_core.pictures import save_png, side_by_side
from gansuite_super_resolution.bundled import load_bundled
from gansuite_super_resolution.data import DOWNSCALERS, embedded_image
from gansuite_super_resolution.evaluation import evaluate
from gansuite_super_resolution.upscale import bicubic, upscale_any

out = Path("runs/sr-api")
out.mkdir(parents=True, exist_ok=True)

# 1. No training: the x4 model shipped in the package (safetensors: loading runs no code).
net, card = load_bundled("x4")
hr = embedded_image("chelsea")[:296, :448]  # a held-out photo
lr = DOWNSCALERS["opencv_area"](hr, 4)  # (74, 112, 3), shrunk as OpenCV users shrink
sr = upscale_any(net, lr, scale=4, tile=64, overlap=32)  # (296, 448, 3); tiled, so any size fits
print(f"bundled x4 (two specialists and a router): {card['steps']} steps each, {card['train_cpu_minutes']} CPU minutes, trained by {card['trained_by']}")
save_png(side_by_side([bicubic(lr, 4), sr, hr], ["bicubic", "bundled x4", "ground truth"]), out / "chelsea-bundled.png")

# 2. Your own run. Keyword options are the same keys as `--set` on the command line (core and application alike).
if not (out / "run" / "checkpoints").is_dir():
    options = {"model": "fast", "steps": 400, "pretrain_steps": 300, "routed": "no"}  # one small generator
    if "--full" in sys.argv:
        options = {}
    if "--gan" in sys.argv:  # G starts from the bundled x4-mixed (one generator); pretrain_steps=0: adversarial steps only
        options = {"init": "x4-mixed", "routed": "no", "pretrain_steps": 0, "steps": 300}
    train_app("super-resolution", out / "run", scale=4, sample_every=0, **options)
run = load_run(out / "run", app="super-resolution")  # networks rebuilt from config.toml, latest checkpoint, eval mode
print(run.config.options)  # the frozen SRConfig of this run
report = evaluate(run, torch.device("cpu"))  # what `gansuite evaluate` prints
for cond, gain in report["matrix_gain_over_bicubic_db"].items():
    m = report["matrix"][cond]["model"]
    print(f"LR by {cond:15s} model {m['psnr_y']:.2f} dB, gain over bicubic {gain:+.2f} dB, sharpness {m['sharpness']:.0f}")
if "psnr_stage" in report:  # a run past its L1 stage: the L1 generator it started from, and RUN/eval/l1-vs-gan.png
    l1 = report["psnr_stage"]["matrix"]["matlab_bicubic"]["model"]
    print(f"L1 generator ({report['psnr_stage']['from']}): {l1['psnr_y']:.2f} dB, sharpness {l1['sharpness']:.0f}")
print(f"wrote {out / 'chelsea-bundled.png'}")
