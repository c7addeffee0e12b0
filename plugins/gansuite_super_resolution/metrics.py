"""`gansuite evaluate RUN`: the trained generator against bicubic and Lanczos on held-out photographs.

Protocol (BasicSR's, as the papers): HR pictures are mod-cropped to the scale, LR made by
MATLAB-style bicubic downscaling; PSNR and SSIM on the Y channel of YCbCr with `scale` pixels
cut from every border. The sharpness column (variance of the Laplacian) shows the
perception-distortion trade-off: a GAN generator should be sharper, at some PSNR cost.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from torch import nn

from gansuite_core import Run, UserError
from gansuite_core.metrics.image import psnr, sharpness, ssim
from gansuite_core.pictures import save_png, side_by_side

from .data import EVAL_IMAGES, embedded_image, mod_crop, read_rgb, scan_folder, downscale
from .upscale import upscale_rgb

METHODS = ("bicubic", "lanczos", "model")


def eval_images(folder: str, scale: int) -> list[tuple[str, np.ndarray]]:
    """(name, HR uint8 RGB mod-cropped to `scale`) for the held-out set or a user's folder."""
    if folder:
        pics = [(p.stem, read_rgb(p)) for p in scan_folder(Path(folder), 8 * scale)]
    else:
        pics = [(n, embedded_image(n)) for n in EVAL_IMAGES]
    return [(n, mod_crop(img, scale)) for n, img in pics]


def score(net: nn.Module, images: list[tuple[str, np.ndarray]], scale: int, device: torch.device,
          pictures: Path | None = None) -> dict[str, Any]:
    """Per-method means of PSNR-Y, SSIM-Y and sharpness, gains over bicubic, per-image PSNR, and model speed."""
    rows: dict[str, dict[str, list[float]]] = {m: {"psnr_y": [], "ssim_y": [], "sharpness": []} for m in METHODS}
    per_image: dict[str, dict[str, float]] = {}
    pixels, seconds = 0, 0.0
    for name, hr in images:
        lr = downscale(hr, scale)
        size = (hr.shape[1], hr.shape[0])
        t0 = time.perf_counter()
        sr = upscale_rgb(net, lr, scale, device=device)
        seconds += time.perf_counter() - t0
        pixels += sr.shape[0] * sr.shape[1]
        outs = {"bicubic": cv2.resize(lr, size, interpolation=cv2.INTER_CUBIC),
                "lanczos": cv2.resize(lr, size, interpolation=cv2.INTER_LANCZOS4), "model": sr}
        for m, out in outs.items():
            rows[m]["psnr_y"].append(psnr(out, hr, crop=scale, y_channel=True))
            rows[m]["ssim_y"].append(ssim(out, hr, crop=scale, y_channel=True))
            rows[m]["sharpness"].append(sharpness(out))
        per_image[name] = {"bicubic": rows["bicubic"]["psnr_y"][-1], "model": rows["model"]["psnr_y"][-1]}
        if pictures is not None:
            pictures.mkdir(parents=True, exist_ok=True)
            save_png(side_by_side([centre(outs["bicubic"]), centre(sr), centre(hr)], ["bicubic", "model", "ground truth"]),
                     pictures / f"{name}.png")
    means = {m: {k: float(np.mean(v)) for k, v in r.items()} for m, r in rows.items()}
    means["hr_sharpness"] = float(np.mean([sharpness(hr) for _, hr in images]))
    return {
        **means,
        "gain_over_bicubic": {"psnr_y_db": means["model"]["psnr_y"] - means["bicubic"]["psnr_y"],
                              "ssim_y": means["model"]["ssim_y"] - means["bicubic"]["ssim_y"]},
        "psnr_y_per_image": per_image,
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
    images = eval_images(cfg.eval_data, cfg.scale)
    if not images:
        raise UserError("evaluate: no evaluation image")
    pretrain = run.step <= cfg.pretrain_steps
    report = score(run.net("G"), images, cfg.scale, device, run.dir / "eval")
    return {
        "scale": cfg.scale, "generator": cfg.model,
        "stage": "PSNR-oriented (L1 only)" if pretrain else "adversarial fine-tune",
        "feature_network": "none (L1 stage)" if pretrain else feature_network_name(cfg.vgg_weights),
        "images": ", ".join(n for n, _ in images),
        "protocol": f"Y channel, {cfg.scale} border pixels cropped, LR by MATLAB-style bicubic",
        **report,
    }


def feature_network_name(vgg_weights: str) -> str:
    return f"VGG19 conv5_4 from {vgg_weights}" if vgg_weights else "the discriminator's own features (no VGG19 weights given)"
