"""`gansuite evaluate RUN`: the trained generator against bicubic and Lanczos on held-out photographs,
for each way a user's small picture may have been made (issue 13's degradation matrix).

Protocol (BasicSR's, as the papers): HR pictures are mod-cropped to the scale; PSNR and SSIM on
the Y channel of YCbCr with `scale` pixels cut from every border. The LR input is made by each
of CONDITIONS in turn; `matlab_bicubic` is the papers' protocol and fills the top-level numbers.
Baselines enlarge the same LR input: OpenCV bicubic (a = -0.75, what most Python users get),
MATLAB bicubic (a = -0.5, the papers' baseline, issue 18.6) and OpenCV Lanczos.

Detail, for the perception-distortion trade-off (Blau & Michaeli 2018), per condition and method:
`sharpness` (variance of the Laplacian, no reference; noise raises it too), `hf_energy` (energy
above the LR picture's Nyquist limit, the band an upscaler must invent, as a fraction of the
truth's: 1 = as much detail as the truth) and `hf_correlation` (how much of that invented detail
lines up with the truth's: 1 = exactly, 0 = unrelated). No learned perceptual metric (LPIPS needs
downloaded weights). For a run past its PSNR stage, or one started from `init` weights, evaluate
also scores that PSNR-oriented generator (`psnr_stage`) and writes RUN/eval/l1-vs-gan.png.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np
import torch
from torch import nn

from gansuite_core import Run, UserError, load_run
from gansuite_core.metrics.image import psnr, rgb_to_y, sharpness, ssim
from gansuite_core.pictures import save_png, side_by_side, upscale_nearest

from .bundled import initial_state
from .data import DOWNSCALERS, EVAL_IMAGES, embedded_image, jpeg, matlab_resize, mod_crop, read_rgb, scan_folder, to_tensor
from .models import RoutedPair
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
MEASURES = ("psnr_y", "ssim_y", "sharpness", "hf_energy", "hf_correlation")


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
        c: {m: {k: [] for k in MEASURES} for m in METHODS} for c in CONDITIONS}
    per_image: dict[str, dict[str, float]] = {}
    pixels, seconds = 0, 0.0
    routed: dict[str, list[float]] = {c: [] for c in CONDITIONS}  # a RoutedPair's P(aliased) per picture
    for name, hr in images:
        rows, truth_band = [], high_band(hr, scale)
        for cond, shrink in CONDITIONS.items():
            lr = shrink(hr, scale)
            t0 = time.perf_counter()
            used = net
            if isinstance(net, RoutedPair):  # the router's P once, kept for the report and used for the tiles
                p = net.weight(to_tensor(lr).unsqueeze(0).to(device))
                routed[cond].append(float(p[0]))
                used = net.fixed(p)
            sr = upscale_rgb(used, lr, scale, device=device)
            seconds += time.perf_counter() - t0
            pixels += sr.shape[0] * sr.shape[1]
            outs = {**baselines(lr, scale), "model": sr}
            for m, out in outs.items():
                cell = matrix[cond][m]
                cell["psnr_y"].append(psnr(out, hr, crop=scale, y_channel=True))
                cell["ssim_y"].append(ssim(out, hr, crop=scale, y_channel=True))
                cell["sharpness"].append(sharpness(out))
                energy, corr = detail(high_band(out, scale), truth_band)
                cell["hf_energy"].append(energy)
                cell["hf_correlation"].append(corr)
            if cond == "matlab_bicubic":
                per_image[name] = {m: matrix[cond][m]["psnr_y"][-1] for m in ("bicubic", "model")}
            if cond in ("matlab_bicubic", "opencv_cubic"):
                rows.append(side_by_side([centre(outs["bicubic"]), centre(sr), centre(hr)],
                                         [f"bicubic ({cond} LR)", "model", "ground truth"]))
        if pictures is not None:
            pictures.mkdir(parents=True, exist_ok=True)
            save_png(np.concatenate(rows, 0), pictures / f"{name}.png")
    means = {c: {m: {k: float(np.mean(v)) for k, v in r.items()} for m, r in ms.items()} for c, ms in matrix.items()}
    gains = {c: means[c]["model"]["psnr_y"] - means[c]["bicubic"]["psnr_y"] for c in CONDITIONS}
    paper = means["matlab_bicubic"]
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
        **({"router_p_aliased": {c: float(np.mean(v)) for c, v in routed.items()}} if isinstance(net, RoutedPair) else {}),
        **router_warning(routed),
    }


def router_warning(routed: dict[str, list[float]]) -> dict[str, str]:
    """A router that gives every picture and condition the same P learned nothing (a ReLU router of stop 42 lost a
    layer that way): say so in the report rather than let the numbers look like a weak model."""
    ps = [p for v in routed.values() for p in v]
    if len(ps) < 2 or max(ps) - min(ps) >= 0.01:
        return {}
    return {"router_warning": f"the router gives every picture P(aliased) {ps[0]:.2f}: it tells no picture from "
                              "another, so all get one blend; train again (another seed, router_slope > 0)"}


def high_band(img: np.ndarray, scale: int) -> np.ndarray:
    """The Y channel's Fourier coefficients above the LR picture's Nyquist limit (radius > 1 / (2 * scale)
    cycles per pixel), `scale` border pixels cut; a Hann window keeps the picture's edges out of the band."""
    y = rgb_to_y(img)[scale:-scale, scale:-scale]  # (H, W) in [16, 235]
    h, w = y.shape
    spectrum = np.fft.rfft2((y - y.mean()) * np.outer(np.hanning(h), np.hanning(w)))  # (H, W // 2 + 1)
    radius = np.hypot(np.fft.fftfreq(h)[:, None], np.fft.rfftfreq(w)[None, :])
    return spectrum[radius > 0.5 / scale]


def detail(band: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(energy as a fraction of the truth's, correlation with the truth) of two high_band outputs."""
    e, t = float(np.sum(np.abs(band) ** 2)), float(np.sum(np.abs(truth) ** 2))
    return e / max(t, 1e-12), float(np.real(np.vdot(truth, band))) / max(np.sqrt(e * t), 1e-12)


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
    reference = None if pretrain else psnr_stage(run, device)
    if reference is not None:
        net, where = reference
        first = score(net, images, cfg.scale, device)
        report["psnr_stage"] = {"from": where, "matrix": first["matrix"], "matrix_gain_over_bicubic_db": first["matrix_gain_over_bicubic_db"]}
        save_png(l1_vs_gan(net, run.net("G"), images, cfg.scale, device), run.dir / "eval" / "l1-vs-gan.png")
    return {
        "scale": cfg.scale, "generator": cfg.model + (" x 2 with a router (routed)" if cfg.is_routed else ""),
        "degradation": cfg.degradation,
        "stage": "PSNR-oriented (L1 only)" if pretrain else "adversarial fine-tune",
        "feature_network": "none (L1 stage)" if pretrain else feature_network_name(cfg.vgg_weights),
        "images": ", ".join(n for n, _ in images) + (f" (central {cfg.eval_crop}-pixel crops)" if cfg.eval_crop else ""),
        "protocol": (f"Y channel, {cfg.scale} border pixels cropped; top level: LR by MATLAB-style bicubic; "
                     f"matrix: LR by each of {', '.join(CONDITIONS)}"),
        **report,
    }


def psnr_stage(run: Run, device: torch.device) -> tuple[nn.Module, str] | None:
    """The PSNR-oriented generator this adversarial run started from: its checkpoint at pretrain_steps,
    or the `init` weights of a run with pretrain_steps=0; None when neither is there (checkpoints rotated)."""
    cfg = run.config.options
    if cfg.pretrain_steps:
        path = run.dir / "checkpoints" / f"step-{cfg.pretrain_steps:08d}.safetensors"
        if not path.is_file():
            return None
        return load_run(run.dir, app=run.app, device=device, checkpoint=path, registry=run.registry).net("G"), f"step {cfg.pretrain_steps} of this run"
    if not cfg.init:
        return None
    g = run.app.networks(cfg)["G"]
    g.load_state_dict(initial_state(cfg.init, vars(cfg), run.registry, routed=cfg.is_routed))
    return g.to(device).eval().requires_grad_(False), f"init={cfg.init}"


def l1_vs_gan(l1: nn.Module, gan: nn.Module, images: list[tuple[str, np.ndarray]], scale: int, device: torch.device,
              size: int = 128) -> np.ndarray:
    """One row per picture, central size x size crops zoomed x2: bicubic | L1 stage | GAN | truth (MATLAB-bicubic LR),
    each titled with its sharpness (variance of the Laplacian)."""
    rows = []
    for name, hr in images:
        hr = mod_crop(centre(hr, size), scale)
        lr = CONDITIONS["matlab_bicubic"](hr, scale)
        outs = [baselines(lr, scale)["bicubic"], upscale_rgb(l1, lr, scale, device=device), upscale_rgb(gan, lr, scale, device=device), hr]
        titles = [f"{t} ({sharpness(o):.0f})" for t, o in zip(("bicubic", "L1 stage", "GAN", f"truth, {name}"), outs)]
        rows.append(side_by_side([upscale_nearest(o, 2 * o.shape[0]) for o in outs], titles))
    width = max(r.shape[1] for r in rows)
    return np.concatenate([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows], 0)


def feature_network_name(vgg_weights: str) -> str:
    return f"VGG19 conv5_4 from {vgg_weights}" if vgg_weights else "the discriminator's own features (no VGG19 weights given)"
