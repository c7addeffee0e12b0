"""The image-generation application from Python: train, sample, evaluate.

    python examples/imagegen_api.py [RUN_DIR]

A short run (300 steps, a minute or two on a CPU) so the script finishes quickly; drop the
`steps=` argument to train the benchmarked default (docs/image-generation.md).
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from gansuite_core import GenerateRequest, load_run, train_app
from gansuite_core.pictures import save_grid
from gansuite_image_generation.config import GenerateOptions

out = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/imagegen-api")

# 1. Train. Keyword options are any core or application option (the same keys as --set).
#    `resume=True` would continue an existing run directory instead.
last = train_app("image-generation", out, steps=300, data="flowers", loss="hinge", diffaugment="translation", quiet=True)
print("last logged metrics:", {k: round(v, 3) for k, v in last.items() if k.endswith("loss")})

# 2. Open the run: the networks are rebuilt from its config and the latest checkpoint is loaded.
run = load_run(out)
G = run.net("G")  # the EMA generator (what sampling and evaluation use)
cfg = run.config.options  # the application's frozen config (ImageGenConfig)

# 3. Sample: G maps z (B, z_dim) to images (B, C, H, W) in [-1, 1].
with torch.no_grad():
    z = torch.randn(16, cfg.z_dim, generator=torch.Generator().manual_seed(0))
    images = G(z)
print("samples:", tuple(images.shape), "written to", save_grid(images, out / "api_samples.png", nrow=4))

# 4. Generate as `gansuite generate` does: the application's own options (here a 12-frame latent walk);
#    options=None means the defaults (a .npy of raw samples in [-1, 1] is what other plugins read).
walk = run.app.generate(run, GenerateRequest(16, out / "walk.gif", seed=0, options=GenerateOptions(interpolate=12)))
raw = run.app.generate(run, GenerateRequest(100, out / "samples.npy", seed=0))
print("latent walk:", walk[0], "raw samples:", raw[0])

# 5. Evaluate exactly as `gansuite evaluate RUN` does (features named in the report).
report = run.app.evaluate(run, torch.device("cpu"))
print("features:", report["features"])
print("KID model / real-vs-real / untrained:", report["model"]["kid"], report["real_vs_real"]["kid"], report["untrained_generator"]["kid"])
print("flower modes:", report["flowers_modes"]["model"])
