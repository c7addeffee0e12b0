"""`gansuite predict`: the model's continuation of any clip, and surprise scores over a whole video.

Surprise (`--score`): every frame t >= K is predicted one step ahead from the K true frames before
it; its prediction error is the frame's surprise. What the model expected (camera motion, objects
moving on) scores low; what it could not (an object appearing, a cut) stands out. Copy-last's error
(plain frame differencing, what a motion detector uses) is written beside it for comparison.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import cv2
import numpy as np
import torch

from gansuite_core import Run, UserError
from gansuite_core.pictures import save_gif, side_by_side, upscale_nearest

from .config import VideoConfig
from .data import from_model, read_frames, to_model
from .models import rollout


def read_video(video: Path, cfg: VideoConfig, need: int, quiet: bool = False) -> np.ndarray:
    """(T, h, w, 3) uint8 RGB frames; UserError when fewer than `need`; one line when the model sees them resized or greyed."""
    frames = read_frames(video)
    if len(frames) < need:
        raise UserError(f"video {video}: {len(frames)} frames, fewer than the {need} needed (the model's context is {cfg.context})")
    h, w = frames.shape[1:3]
    grey = bool(np.all(frames[..., :1] == frames))
    wanted = "grey" if cfg.image_channels == 1 else "RGB"
    if not quiet and ((h, w) != (cfg.size, cfg.size) or (cfg.image_channels == 1) != grey):
        print(f"gansuite: video {video}: {w}x{h} {'grey' if grey else 'RGB'} frames; the model sees them as {cfg.size}x{cfg.size} {wanted} "
              "and the predictions are resized back", file=sys.stderr)
    return frames


def predict_video(run: Run, video: Path, out: Path, context: int | None, horizon: int | None, device: torch.device,
                  quiet: bool = False) -> Path:
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
    frames = read_video(video, cfg, K, quiet)  # (T, h, w, 3) uint8 RGB at the video's own size
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


# --------------------------------------------------------------------------- surprise scores


def surprise(run: Run, frames: np.ndarray, device: torch.device, batch: int = 32) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """frames (T, h, w, 3) uint8 -> (model error, copy-last error) per frame (NaN for t < K), and the predictions.

    Error: mean squared difference per pixel in [0, 1] at the model's size, one step ahead from true frames.
    """
    cfg = run.config.options
    K = cfg.context
    x = to_model(frames, cfg.size, cfg.image_channels)  # (T, C, s, s) in [-1, 1]
    G = run.net("G").to(device)
    n = len(x)
    model_err, last_err = np.full(n, np.nan), np.full(n, np.nan)
    preds = torch.zeros_like(x)
    # One step ahead nothing compounds, so the shift kernel is used whole: its hedge is the better guess of a
    # normal frame, and `shift_predict_support`, which sharpens long rollouts, cost the score 1-2 events in 40
    # (precision@1 0.700 and 0.675 against 0.725 on two seeds, docs/benchmarks.md).
    support = getattr(G, "predict_support", None)  # None: not the shift G
    if support is not None:
        G.predict_support = 0
    try:
        with torch.no_grad():
            for s in range(K, n, batch):
                ts = range(s, min(s + batch, n))
                ctx = torch.stack([x[t - K: t] for t in ts]).to(device)  # (b, K, C, s, s)
                pred = rollout(G, ctx, 1)[0].clamp(-1, 1).cpu()  # (b, C, s, s)
                truth = x[list(ts)]
                preds[list(ts)] = pred
                model_err[list(ts)] = ((pred - truth) / 2).pow(2).flatten(1).mean(1).numpy()
                last_err[list(ts)] = ((ctx[:, -1].cpu() - truth) / 2).pow(2).flatten(1).mean(1).numpy()
    finally:
        if support is not None:
            G.predict_support = support
    return model_err, last_err, preds


def score_video(run: Run, video: Path, out: Path, device: torch.device, worst: int = 4, quiet: bool = False) -> list[Path]:
    """Write per-frame surprise to `out` (.csv) and a plot beside it (`out` with .png): error over time, worst frames shown."""
    cfg = run.config.options
    if out.suffix.lower() != ".csv":
        raise UserError(f"--out {out}: with --score, expected a .csv file")
    if not out.parent.exists():
        raise UserError(f"--out {out}: folder {out.parent} does not exist")
    frames = read_video(video, cfg, cfg.context + 1, quiet)
    model_err, last_err, preds = surprise(run, frames, device)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["frame", "surprise", "copy_last_error"])
        for t in range(cfg.context, len(frames)):
            w.writerow([t, f"{model_err[t]:.6g}", f"{last_err[t]:.6g}"])
    return [out, _plot(frames, model_err, last_err, preds, cfg, out.with_suffix(".png"), worst)]


def _plot(frames: np.ndarray, err: np.ndarray, last: np.ndarray, preds: torch.Tensor, cfg: VideoConfig, path: Path, worst: int) -> Path:
    """Error over time (model and copy-last), the worst frames marked, and below it truth | prediction for each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = [int(t) for t in np.argsort(-np.nan_to_num(err, nan=-1))[:worst] if not np.isnan(err[t])]
    fig = plt.figure(figsize=(10, 5.5), dpi=100)
    ax = fig.add_axes([0.07, 0.45, 0.9, 0.5])
    ts = np.arange(len(err))
    ax.plot(ts, err, label="surprise: model's one-step prediction error", color="tab:red")
    ax.plot(ts, last, label="copy-last error (frame difference)", color="tab:grey", alpha=0.7)
    for t in order:
        ax.axvline(t, color="tab:red", alpha=0.25)
        ax.annotate(str(t), (t, err[t]), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8)
    ax.set_xlabel("frame")
    ax.set_ylabel("mean squared error")
    ax.legend(fontsize=8, loc="upper left")
    pred_rgb = from_model(preds, *frames.shape[1:3])  # (T, h, w, 3)
    for i, t in enumerate(order):
        panel = side_by_side([upscale_nearest(frames[t - 1], 96), upscale_nearest(frames[t], 96), upscale_nearest(pred_rgb[t], 96)],
                             ["before", f"frame {t}", "predicted"])
        sub = fig.add_axes([0.02 + i * 0.245, 0.02, 0.23, 0.3])
        sub.imshow(panel)
        sub.axis("off")
    fig.savefig(path)
    plt.close(fig)
    return path
