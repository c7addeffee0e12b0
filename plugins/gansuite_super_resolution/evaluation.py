"""`gansuite evaluate RUN`: the trained generator against bicubic and Lanczos on held-out photographs,
for each way a user's small picture may have been made (issue 13's degradation matrix).

Protocol (BasicSR's, as the papers): HR pictures are mod-cropped to the scale; PSNR and SSIM on
the Y channel of YCbCr with `scale` pixels cut from every border. The LR input is made by each
of CONDITIONS in turn; `matlab_bicubic` is the papers' protocol and fills the top-level numbers.
Baselines enlarge the same LR input: OpenCV bicubic (a = -0.75, what most Python users get),
MATLAB bicubic (a = -0.5, the papers' baseline, issue 18.6) and OpenCV Lanczos. The sharpness
column (variance of the Laplacian) shows the perception-distortion trade-off: a GAN generator
should be sharper, at some PSNR cost.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np
import torch
from torch import nn

from gansuite_core import Run, UserError
from gansuite_core.metrics.image import psnr, sharpness, ssim
from gansuite_core.pictures import save_png, side_by_side

from .data import DOWNSCALERS, EVAL_IMAGES, embedded_image, jpeg, matlab_resize, mod_crop, read_rgb, scan_folder
from .upscale import upscale_rgb

# How the small picture was made: HR uint8 (H, W, 3), scale -> LR. The first four are clean.
CONDITIONS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "matlab_bicubic": DOWNSCALERS["matlab_bicubic"],
    "opencv_cubic": DOWNSCALERS["opencv_cubic"],
    "opencv_area": DOWNSCALERS["opencv_area"],
    "pil_bicubic": DOWNSCALERS["pil_bicubic"],
    "jpeg75": lambda hr, s: jpeg(DOWNSCALERS["matlab_bicubic"](hr, s), 75),  # MATLAB bicubic, then JPEG quality 75
}
CLEAN = ("matlab_bicubic", "opencv_cubic", "opencv_area", "pil_bicubic")
METHODS = ("bicubic", "matlab_bicubic", "lanczos", "model")


def eval_images(folder: str, scale: int, crop: int = 0) -> list[tuple[str, np.ndarray]]:
    """(name, HR uint8 RGB mod-cropped to `scale`) for the held-out set or a user's folder; `crop` > 0: central crops."""
    if folder:
        pics = [(p.stem, read_rgb(p)) for p in scan_folder(Path(folder), 8 * scale)]
    else:
        pics = [(n, embedded_image(n)) for n in EVAL_IMAGES]
    if crop:
        pics = [(n, centre(img, crop)) for n, img in pics]
    return [(n, mod_crop(img, scale)) for n, img in pics]


def baselines(lr: np.ndarray, scale: int) -> dict[str, np.ndarray]:
    """The enlargements a user would pick instead of a model."""
    size = (lr.shape[1] * scale, lr.shape[0] * scale)
    return {"bicubic": cv2.resize(lr, size, interpolation=cv2.INTER_CUBIC),
            "matlab_bicubic": matlab_resize(lr, scale),
            "lanczos": cv2.resize(lr, size, interpolation=cv2.INTER_LANCZOS4)}


def score(net: nn.Module, images: list[tuple[str, np.ndarray]], scale: int, device: torch.device,
          pictures: Path | None = None) -> dict[str, Any]:
    """PSNR-Y/SSIM-Y per condition and method, the papers' protocol at the top level, gains, and model speed."""
    matrix: dict[str, dict[str, dict[str, list[float]]]] = {
        c: {m: {"psnr_y": [], "ssim_y": []} for m in METHODS} for c in CONDITIONS}
    sharp: dict[str, list[float]] = {m: [] for m in METHODS}
    per_image: dict[str, dict[str, float]] = {}
    pixels, seconds = 0, 0.0
    for name, hr in images:
        rows = []
        for cond, shrink in CONDITIONS.items():
            lr = shrink(hr, scale)
            t0 = time.perf_counter()
            sr = upscale_rgb(net, lr, scale, device=device)
            seconds += time.perf_counter() - t0
            pixels += sr.shape[0] * sr.shape[1]
            outs = {**baselines(lr, scale), "model": sr}
            for m, out in outs.items():
                matrix[cond][m]["psnr_y"].append(psnr(out, hr, crop=scale, y_channel=True))
                matrix[cond][m]["ssim_y"].append(ssim(out, hr, crop=scale, y_channel=True))
            if cond == "matlab_bicubic":
                for m, out in outs.items():
                    sharp[m].append(sharpness(out))
                per_image[name] = {m: matrix[cond][m]["psnr_y"][-1] for m in ("bicubic", "model")}
            if cond in ("matlab_bicubic", "opencv_cubic"):
                rows.append(side_by_side([centre(outs["bicubic"]), centre(sr), centre(hr)],
                                         [f"bicubic ({cond} LR)", "model", "ground truth"]))
        if pictures is not None:
            pictures.mkdir(parents=True, exist_ok=True)
            save_png(np.concatenate(rows, 0), pictures / f"{name}.png")
    means = {c: {m: {k: float(np.mean(v)) for k, v in r.items()} for m, r in ms.items()} for c, ms in matrix.items()}
    gains = {c: means[c]["model"]["psnr_y"] - means[c]["bicubic"]["psnr_y"] for c in CONDITIONS}
    paper = {m: {**means["matlab_bicubic"][m], "sharpness": float(np.mean(sharp[m]))} for m in METHODS}
    return {
        **paper,
        "hr_sharpness": float(np.mean([sharpness(hr) for _, hr in images])),
        "gain_over_bicubic": {"psnr_y_db": gains["matlab_bicubic"],
                              "ssim_y": paper["model"]["ssim_y"] - paper["bicubic"]["ssim_y"]},
        "gain_over_matlab_bicubic": {"psnr_y_db": paper["model"]["psnr_y"] - paper["matlab_bicubic"]["psnr_y"]},
        "psnr_y_per_image": per_image,
        "matrix": means,
        "matrix_gain_over_bicubic_db": gains,
        "matrix_gain_over_best_baseline_db": {
            c: means[c]["model"]["psnr_y"] - max(means[c][m]["psnr_y"] for m in METHODS if m != "model") for c in CONDITIONS},
        "worst_clean_gain_db": min(gains[c] for c in CLEAN),
        "model_megapixels_per_s": pixels / 1e6 / max(seconds, 1e-9),
    }


def centre(img: np.ndarray, size: int = 192) -> np.ndarray:
    """The central size x size window (whole picture when smaller), for readable side-by-sides."""
    h, w = img.shape[:2]
    y, x = max(0, (h - size) // 2), max(0, (w - size) // 2)
    return np.ascontiguousarray(img[y:y + size, x:x + size])


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    """The report of `gansuite evaluate RUN`; side-by-side crops go to RUN/eval/."""
    cfg = run.config.options
    images = eval_images(cfg.eval_data, cfg.scale, cfg.eval_crop)
    if not images:
        raise UserError("evaluate: no evaluation image")
    pretrain = run.step <= cfg.pretrain_steps
    report = score(run.net("G"), images, cfg.scale, device, run.dir / "eval")
    return {
        "scale": cfg.scale, "generator": cfg.model, "degradation": cfg.degradation,
        "stage": "PSNR-oriented (L1 only)" if pretrain else "adversarial fine-tune",
        "feature_network": "none (L1 stage)" if pretrain else feature_network_name(cfg.vgg_weights),
        "images": ", ".join(n for n, _ in images) + (f" (central {cfg.eval_crop}-pixel crops)" if cfg.eval_crop else ""),
        "protocol": (f"Y channel, {cfg.scale} border pixels cropped; top level: LR by MATLAB-style bicubic; "
                     f"matrix: LR by each of {', '.join(CONDITIONS)}"),
        **report,
    }


def feature_network_name(vgg_weights: str) -> str:
    return f"VGG19 conv5_4 from {vgg_weights}" if vgg_weights else "the discriminator's own features (no VGG19 weights given)"
