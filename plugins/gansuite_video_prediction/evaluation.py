"""`gansuite evaluate` and `gansuite generate`: per-horizon scores of the model and of two classical baselines.

    MSE        OpenSTL convention (core/metrics.py): per frame, the SUM over pixels (and channels) of
               the squared error with pixels in [0, 1]; averaged over frames and clips.
    PSNR/SSIM  gansuite_core.metrics.image on uint8 frames (SSIM: 11x11 Gaussian, channels averaged).
    sharpness  variance of the Laplacian (gansuite_core.metrics.image.sharpness); the ground truth's
               value is reported alongside, since sharper than the truth is not better.

Baselines: copy-last-frame, and optical-flow extrapolation with OpenCV's Farneback flow between the
last two context frames: moving pixels are carried forward h times their displacement (forward
splatting, most salient pixels written last) and the places they left are filled with the frame's
median colour, the background estimate. Mathieu et al. found such baselines strong on UCF101.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np
import torch

from gansuite_core import GenerateRequest, Run, UserError
from gansuite_core.metrics.image import psnr, sharpness, ssim
from gansuite_core.pictures import grid, label, save_gif, save_png, side_by_side, upscale_nearest

from .data import PROCEDURAL, Procedural, test_set
from .models import rollout


def to_uint8_frames(x: torch.Tensor) -> np.ndarray:
    """(..., C, H, W) in [-1, 1] -> (..., H, W, C) uint8."""
    y = x.detach().float().cpu().clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8)
    return y.movedim(-3, -1).numpy()


def copy_last(context: np.ndarray, horizon: int) -> np.ndarray:
    """(K, H, W, C) uint8 -> (horizon, H, W, C): the last context frame repeated."""
    return np.repeat(context[-1:], horizon, 0)


def _grey(f: np.ndarray) -> np.ndarray:
    return f[..., 0] if f.shape[-1] == 1 else cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)


def flow_extrapolate(context: np.ndarray, horizon: int, moving: float = 0.5) -> np.ndarray:
    """(K, H, W, C) uint8 -> (horizon, H, W, C): Farneback flow of the last step, extrapolated at constant velocity."""
    prev, last = context[-2], context[-1]
    h, w, c = last.shape
    # Flow from the last frame back to the previous one, on the last frame's grid: velocity = -flow.
    back = cv2.calcOpticalFlowFarneback(_grey(last), _grey(prev), None, 0.5, 3, 9, 3, 5, 1.1, 0)
    vel = -back  # (H, W, 2) in pixels per frame, (dx, dy)
    move = np.hypot(vel[..., 0], vel[..., 1]) > moving
    background = np.median(last.reshape(-1, c), 0).astype(np.uint8)
    ys, xs = np.nonzero(move)
    salience = np.abs(last[ys, xs].astype(np.int32) - background.astype(np.int32)).sum(-1)
    order = np.argsort(salience, kind="stable")  # background-like pixels first, so objects win collisions
    ys, xs = ys[order], xs[order]
    out = np.empty((horizon, h, w, c), np.uint8)
    for k in range(1, horizon + 1):
        frame = last.copy()
        frame[move] = background
        ty = np.round(ys + k * vel[ys, xs, 1]).astype(np.int64)
        tx = np.round(xs + k * vel[ys, xs, 0]).astype(np.int64)
        inside = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
        frame[ty[inside], tx[inside]] = last[ys[inside], xs[inside]]
        out[k - 1] = frame
    return out


def frame_scores(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float, float, float]:
    """(H, W, C) uint8 pair -> (OpenSTL MSE, PSNR, SSIM, sharpness of pred)."""
    d = pred.astype(np.float64) / 255.0 - truth.astype(np.float64) / 255.0
    p2 = pred[..., 0] if pred.shape[-1] == 1 else pred
    t2 = truth[..., 0] if truth.shape[-1] == 1 else truth
    return float((d * d).sum()), min(psnr(p2, t2), 100.0), ssim(p2, t2), sharpness(p2)


Predictor = Callable[[np.ndarray, int], np.ndarray]  # (K, H, W, C) uint8 context, horizon -> (horizon, H, W, C) uint8


def predict_all(predict: Predictor, clips: np.ndarray, context: int, horizon: int) -> np.ndarray:
    """clips (N, K+H, H, W, C) uint8 -> (N, horizon, H, W, C): one baseline's predictions for every clip."""
    return np.stack([predict(clip[:context], horizon) for clip in clips])


def score(preds: np.ndarray, clips: np.ndarray, context: int) -> dict[str, list[float]]:
    """preds (N, H, h, w, C), clips (N, K+H, h, w, C) uint8 -> per horizon 1..H: mean MSE, PSNR, SSIM, sharpness."""
    horizon = preds.shape[1]
    sums = np.zeros((horizon, 4))
    for pred, clip in zip(preds, clips):
        for h in range(horizon):
            sums[h] += frame_scores(pred[h], clip[context + h])
    mean = sums / len(clips)
    return {name: [round(float(v), 4) for v in mean[:, i]] for i, name in enumerate(("mse", "psnr", "ssim", "sharpness"))}


def truth_sharpness(clips: np.ndarray, context: int, horizon: int) -> list[float]:
    """Mean sharpness of the true future frames, per horizon: the reference the predictions aim at."""
    vals = [[sharpness(c[context + h][..., 0] if c.shape[-1] == 1 else c[context + h]) for c in clips] for h in range(horizon)]
    return [round(float(np.mean(v)), 4) for v in vals]


def batched_model_frames(G: torch.nn.Module, clips: torch.Tensor, context: int, horizon: int, device: torch.device,
                         batch: int = 64) -> np.ndarray:
    """clips (N, T, C, H, W) in [-1, 1] -> (N, horizon, H, W, C) uint8 predictions, in batches (faster than one by one)."""
    out = []
    with torch.no_grad():
        for i in range(0, len(clips), batch):
            x = clips[i: i + batch, :context].to(device)
            out.append(to_uint8_frames(torch.stack(rollout(G, x, horizon), 1)))
    return np.concatenate(out)


# --------------------------------------------------------------------------- evaluate and generate


def _rgb(frames: np.ndarray) -> np.ndarray:
    """(..., H, W, C) uint8 with C = 1 or 3 -> (..., H, W, 3)."""
    return np.repeat(frames, 3, -1) if frames.shape[-1] == 1 else frames


def prediction_strip(G: torch.nn.Module, clips: torch.Tensor, context: int, horizon: int, path: Path,
                     baselines: bool = False) -> Path:
    """A PNG: per clip, a row of the true future frames above a row of the predicted ones.

    With `baselines`, two more rows per clip (copy-last, Farneback flow) and a caption naming the rows.
    """
    device = next(G.parameters()).device
    preds = batched_model_frames(G, clips, context, horizon, device)  # (N, H, h, w, C)
    frames = to_uint8_frames(clips)  # (N, K+H, h, w, C)
    truth = frames[:, context: context + horizon]
    per_clip = [[truth[i], preds[i]] for i in range(len(clips))]
    if baselines:
        for i, clip in enumerate(frames):
            per_clip[i] += [copy_last(clip[:context], horizon), flow_extrapolate(clip[:context], horizon)]
    rows = np.stack([_rgb(r) for rs in per_clip for r in rs])  # (rows*N, H, h, w, 3)
    img = upscale_nearest(grid(rows.reshape(-1, *rows.shape[2:]), nrow=horizon), 384)
    if baselines:
        img = label(img, f"per clip: truth, model, copy-last, Farneback flow; columns: h = 1..{horizon}")
    return save_png(img, path)


def comparison_gif(G: torch.nn.Module, clips: torch.Tensor, context: int, horizon: int, path: Path) -> Path:
    """A GIF of one clip per row: truth | model | copy-last | flow panels, the context first, then the predictions."""
    device = next(G.parameters()).device
    frames = _rgb(to_uint8_frames(clips))  # (N, K+H, h, w, 3)
    preds = _rgb(batched_model_frames(G, clips, context, horizon, device))
    rows = {"truth": frames[:, context:], "model": preds,
            "copy-last": np.stack([copy_last(c[:context], horizon) for c in frames]),
            "Farneback flow": np.stack([flow_extrapolate(c[:context], horizon) for c in frames])}
    pictures = []
    for t in range(context + horizon):
        panels = [upscale_nearest(grid(frames[:, t] if t < context else r[:, t - context], nrow=1), 2 * len(clips) * clips.shape[-1])
                  for r in rows.values()]  # one column of clips per method, blown up 2x
        title = f"context frame {t + 1}/{context}" if t < context else f"predicted frame h={t - context + 1}"
        pictures.append(label(side_by_side(panels, list(rows)), title))
    return save_gif(pictures, path, fps=3)


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    """Per-horizon MSE (OpenSTL), PSNR, SSIM and sharpness of the model, copy-last and Farneback extrapolation."""
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
    prediction_strip(G, clips[:4], K, H, run.dir / "eval-predictions.png", baselines=True)
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
    cfg = run.config.options
    K, H = cfg.context, cfg.horizon
    if cfg.data in PROCEDURAL:
        src = Procedural(cfg.data, K + H, cfg.size, cfg.image_channels, cfg.objects, test=True)
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
