"""fake-detection from Python: train a detector against the suite's own GANs, evaluate it, score files.

    .venv/bin/python examples/fake_detection_api.py [RUN_DIR] [IMAGE_OR_FOLDER ...]

With no RUN_DIR trained yet, trains the default run: three short image-generation forgers on drawn
flowers (DCGAN-ns and DCGAN-lsgan seen, ResNet-SN-hinge held out), then the detector (about 10
CPU-minutes in all on one core, see docs/fake-detection.md). Your own sources instead:
    train_app("fake-detection", out, real="/my/photos", fakes="runs/gan-a,/my/fakes", holdout="runs/gan-b")
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

from gansuite_core import load_run, train_app
from gansuite_fake_detection import data
from gansuite_fake_detection.commands import detect_files
from gansuite_fake_detection.evaluation import p_fake

out = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/fake-detection-api")
if not (out / "checkpoints").is_dir():
    train_app("fake-detection", out, seed=0)

run = load_run(out, app="fake-detection")  # the detector "C" in eval mode, and the run's options
cfg = run.config.options
report = run.app.evaluate(run, torch.device("cpu"))
print("goals:", report["goals"])
for name, s in report["cnn"]["clean"]["per_source"].items():
    print(f"  {name:20s} AP {s['ap']:.4f}  accuracy {s['acc']:.3f}  {'held out' if report['sources'][name]['heldout'] else 'seen'}")

# The detector on arrays: any (N, H, W, 3) uint8 images, through the same path as training images.
real, _ = data.real_images(cfg.real, cfg.size, 8)
print("p_fake of 8 real images:", np.round(p_fake(run.net("C"), real), 3))
print("p_fake after JPEG 50:   ", np.round(p_fake(run.net("C"), data.degrade(real, "jpeg", 50)), 3))

# The detector on files (what `gansuite detect RUN FILES...` prints).
files = [Path(a) for a in sys.argv[2:]]
if files:
    results, unreadable = detect_files(out, [f for p in files for f in (data.image_files(p) if p.is_dir() else [p])])
    for r in results:
        print(f"{r['p_fake']:.4f}  {r['path']}")
    for f in unreadable:
        print(f"skipped (unreadable): {f}")
