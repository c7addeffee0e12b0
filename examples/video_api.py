"""video-prediction from Python: train briefly, open the run, predict a clip, compare with the baselines.

    python examples/video_api.py            # about two minutes on two CPU cores
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

import gansuite_core
from gansuite_core import load_run

out = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/video-api")

# 1. Train: any core or application option is a keyword. This is a shortened run (the benchmarked
#    default is `gansuite train video-prediction`: the shift-kernel G, 300 steps); generator="multiscale" would be
#    Mathieu et al.'s G, lam_adv=0, lam_gdl=0 the L2-only ablation.
if not (out / "checkpoints").is_dir():
    gansuite_core.train_app("video-prediction", out, steps=150, adv_start=75, ema_images=150,
                            sample_every=0, checkpoint_every=150, test_clips=32)

# 2. Open it: the EMA generator, the config it was trained with.
run = load_run(out)
cfg = run.config.options
G = run.net("G")  # ShiftKernelGenerator by default (MultiScale/SimVP as options): (B, K, C, H, W) -> a list of predictions, the finest last
print(f"{run.app.name} at step {run.step}: context {cfg.context}, horizon {cfg.horizon}, {cfg.image_channels} channel(s)")

# 3. Predict the future of one fixed test clip by rolling the generator out on its own predictions.
from gansuite_video_prediction.data import Procedural  # noqa: E402 -- the plugin's own modules are importable too
from gansuite_video_prediction.evaluation import copy_last, flow_extrapolate, frame_scores, to_uint8_frames  # noqa: E402
from gansuite_video_prediction.models import rollout  # noqa: E402

clip = Procedural(cfg.data, cfg.context + cfg.horizon, cfg.size, cfg.image_channels, test=True).test_set(1)  # (1, K+H, C, H, W) in [-1, 1]
with torch.no_grad():
    pred = torch.stack(rollout(G, clip[:, : cfg.context], cfg.horizon), 1)  # (1, H, C, H, W)

# 4. Score it per horizon next to copy-last and optical-flow extrapolation (OpenSTL MSE: per-frame sums).
frames, predicted = to_uint8_frames(clip[0]), to_uint8_frames(pred[0])  # (T, H, W, C) uint8
context, truth = frames[: cfg.context], frames[cfg.context:]
for name, p in (("model", predicted), ("copy-last", copy_last(context, cfg.horizon)), ("flow", flow_extrapolate(context, cfg.horizon))):
    mse = [frame_scores(p[h], truth[h])[0] for h in range(cfg.horizon)]
    print(f"{name:>9}: MSE h=1 {mse[0]:7.1f}   h={cfg.horizon} {mse[-1]:7.1f}   mean {np.mean(mse):7.1f}")

# 5. The same from the command line:
print(f"gansuite evaluate {out}\ngansuite predict {out} some_clip.mp4 --out prediction.gif")
