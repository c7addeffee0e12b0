"""Using a trained run: evaluation against the baselines, samples, predictions of any clip, the demo."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from gansuite_core import DemoRequest, DemoResult, GenerateRequest, Run, UserError
from gansuite_core.pictures import grid, label, save_gif, save_png, side_by_side, upscale_nearest

from .data import Procedural, from_model, read_frames, to_model
from .metrics import batched_model_frames, copy_last, flow_extrapolate, predict_all, score, to_uint8_frames, truth_sharpness
from .models import rollout


def _rgb(frames: np.ndarray) -> np.ndarray:
    """(..., H, W, C) uint8 with C = 1 or 3 -> (..., H, W, 3)."""
    return np.repeat(frames, 3, -1) if frames.shape[-1] == 1 else frames


def prediction_strip(G: torch.nn.Module, clips: torch.Tensor, context: int, horizon: int, path: Path) -> Path:
    """A PNG: per clip, a row of the true future frames above a row of the predicted ones."""
    device = next(G.parameters()).device
    preds = batched_model_frames(G, clips, context, horizon, device)  # (N, H, h, w, C)
    truth = to_uint8_frames(clips[:, context: context + horizon])
    rows = np.concatenate([np.stack([_rgb(t), _rgb(p)]) for t, p in zip(truth, preds)])  # (2N, H, h, w, 3)
    return save_png(upscale_nearest(grid(rows.reshape(-1, *rows.shape[2:]), nrow=horizon), 384), path)


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    """Per-horizon MSE (OpenSTL), PSNR, SSIM and sharpness of the model, copy-last and Farneback extrapolation."""
    from .plugin import test_set

    cfg = run.config.options
    K, H = cfg.context, cfg.horizon
    clips, held_out = test_set(cfg)
    G = run.net("G").to(device)
    frames = to_uint8_frames(clips)  # (N, K+H, h, w, C)
    t0 = time.perf_counter()
    results = {
        "model": score(batched_model_frames(G, clips, K, H, device), frames, K),
        "copy_last": score(predict_all(copy_last, frames, K, H), frames, K),
        "flow": score(predict_all(flow_extrapolate, frames, K, H), frames, K),
    }
    m, c, f = results["model"], results["copy_last"], results["flow"]
    prediction_strip(G, clips[:4], K, H, run.dir / "eval-predictions.png")
    return {
        "data": cfg.data, "clips": len(clips), "held_out": held_out, "context": K, "horizon": H,
        **results,
        "truth_sharpness": truth_sharpness(frames, K, H),
        "summary": {
            "mse_mean": {k: round(float(np.mean(v["mse"])), 3) for k, v in results.items()},
            "ssim_mean": {k: round(float(np.mean(v["ssim"])), 4) for k, v in results.items()},
            "beats_copy_last_every_horizon": all(a < b for a, b in zip(m["mse"], c["mse"])) and all(a > b for a, b in zip(m["ssim"], c["ssim"])),
            "beats_flow_every_horizon": all(a < b for a, b in zip(m["mse"], f["mse"])) and all(a > b for a, b in zip(m["ssim"], f["ssim"])),
            "seconds": round(time.perf_counter() - t0, 1),
        },
    }


def generate(run: Run, req: GenerateRequest) -> list[Path]:
    """Predictions for `num` fresh clips: .npy (N, H, h, w, 3) uint8, .png rows of truth/prediction, .gif animated grid."""
    from .plugin import test_set

    cfg = run.config.options
    K, H = cfg.context, cfg.horizon
    if cfg.data in ("moving-digits", "bouncing-shapes"):
        src = Procedural(cfg.data, K + H, cfg.size)
        clips = torch.stack([src.clip(np.random.default_rng([req.seed, i])) for i in range(req.num)])
    else:
        clips = test_set(cfg, req.num)[0]
    G = run.net("G").to(req.device)
    suffix = req.out.suffix.lower()
    if suffix == ".npy":
        np.save(req.out, _rgb(batched_model_frames(G, clips, K, H, req.device)))
    elif suffix == ".png":
        prediction_strip(G, clips, K, H, req.out)
    elif suffix == ".gif":
        preds = _rgb(batched_model_frames(G, clips, K, H, req.device))
        ctx = _rgb(to_uint8_frames(clips[:, :K]))
        seq = np.concatenate([ctx, preds], 1)  # (N, K+H, h, w, 3): context then prediction
        save_gif([upscale_nearest(grid(seq[:, t]), 256) for t in range(K + H)], req.out, fps=5)
    else:
        raise UserError(f"--out {req.out}: expected a .npy, .png or .gif file")
    return [req.out]


# --------------------------------------------------------------------------- gansuite predict


def predict_video(run: Run, video: Path, out: Path, context: int | None, horizon: int | None, device: torch.device) -> Path:
    """Predict the frames after the first K of `video`; write the comparison animation or the raw frames."""
    cfg = run.config.options
    K, H = context or cfg.context, horizon or cfg.horizon
    if K != cfg.context:
        raise UserError(f"--context {K}: this model was trained with context={cfg.context} frames")
    if H < 1:
        raise UserError(f"--horizon {H}: expected at least 1")
    suffix = out.suffix.lower()
    if suffix not in (".gif", ".mp4", ".npy"):
        raise UserError(f"--out {out}: expected a .gif, .mp4 or .npy file")
    if not out.parent.exists():
        raise UserError(f"--out {out}: folder {out.parent} does not exist")
    frames = read_frames(video)  # (T, h, w, 3) uint8 RGB at the video's own size
    if len(frames) < K:
        raise UserError(f"video {video}: {len(frames)} frames, fewer than the {K} context frames")
    h, w = frames.shape[1:3]
    x = to_model(frames[:K], cfg.size, cfg.image_channels)[None].to(device)  # (1, K, C, s, s)
    with torch.no_grad():
        pred = from_model(torch.stack(rollout(run.net("G").to(device), x, H), 1)[0], h, w)  # (H, h, w, 3)
    if suffix == ".npy":
        np.save(out, pred)
        return out
    have_truth = len(frames) >= K + H
    sequence = []
    for t in range(K + H):
        shown = frames[t] if t < K else pred[t - K]
        if have_truth:
            panels = [frames[min(t, K - 1)], frames[t], shown]
            titles = ["context", "ground truth", "prediction" if t >= K else "context"]
        else:
            panels, titles = [shown], [f"prediction {t - K + 1}" if t >= K else f"context {t + 1}"]
        big = [upscale_nearest(p, 160) for p in panels]
        sequence.append(side_by_side(big, titles))
    if suffix == ".gif":
        save_gif(sequence, out, fps=5)
    else:
        _save_mp4(sequence, out, fps=5)
    return out


def _save_mp4(frames: list[np.ndarray], path: Path, fps: float) -> None:
    h, w = frames[0].shape[:2]
    h2, w2 = h + h % 2, w + w % 2  # most decoders want even sizes
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w2, h2))
    if not writer.isOpened():
        raise UserError(f"--out {path}: OpenCV cannot write MP4 here (no mp4v encoder); use .gif")
    for f in frames:
        f = np.pad(f, ((0, h2 - h), (0, w2 - w), (0, 0)), constant_values=255)
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()


# --------------------------------------------------------------------------- gansuite demo


def demo(req: DemoRequest) -> DemoResult:
    """About a minute and a half of training on moving digits, then predictions and the per-horizon comparison."""
    from gansuite_core.config import resolve
    from gansuite_core.engine import train
    from gansuite_core.runs import load_run

    from .plugin import CORE_DEFAULTS, VideoConfig

    overrides = {"steps": 150, "context": 10, "horizon": 10, "train_horizon": 2, "width": 8, "d_width": 8, "batch": 8,
                 "adv_start": 80, "test_clips": 32, "sample_every": 0, "checkpoint_every": 150, "log_every": 25,
                 "device": str(req.device), "ema": 0.98}
    config = resolve("video-prediction", VideoConfig, app_defaults=CORE_DEFAULTS, overrides=overrides)
    run_dir = req.out / "run"
    t0 = time.perf_counter()
    train(_app(), config, run_dir, quiet=req.quiet)
    minutes = (time.perf_counter() - t0) / 60
    run = load_run(run_dir, device=req.device)
    report = evaluate(run, req.device)
    pictures = [run_dir / "eval-predictions.png"]
    gif = req.out / "prediction.gif"
    generate(run, GenerateRequest(num=4, out=gif, seed=1, device=req.device))
    pictures.append(gif)
    m, c, f = report["model"], report["copy_last"], report["flow"]
    return DemoResult(
        title="Video prediction: moving digits, 10 frames in, 10 out",
        text=f"A scaled-down multi-scale generator with GDL and a small adversarial term, trained {minutes:.1f} min on "
             "procedural two-digit clips; top rows are the truth, bottom rows the prediction.",
        pictures=pictures,
        numbers={"MSE h=1 model / copy-last / flow": f"{m['mse'][0]:.1f} / {c['mse'][0]:.1f} / {f['mse'][0]:.1f}",
                 "MSE h=10 model / copy-last / flow": f"{m['mse'][-1]:.1f} / {c['mse'][-1]:.1f} / {f['mse'][-1]:.1f}",
                 "SSIM h=1 model / copy-last": f"{m['ssim'][0]:.3f} / {c['ssim'][0]:.3f}"})


def _app():
    from gansuite_core.plugins import registry

    return registry().app("video-prediction")
