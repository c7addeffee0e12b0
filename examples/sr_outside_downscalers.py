"""The bundled super-resolution models on small pictures made by tools they never trained on.

`gansuite evaluate` shrinks its held-out photos with the very resizing functions `degradation=mixed`
trains on (on other photos): it measures robustness to trained degradations. A user's small pictures
come from elsewhere. This script makes them with nine ways the plugin does not implement, none of
them in the specialists' training, on the same four held-out photos; two do not antialias and two sharpen:

    skimage rescale        skimage.transform.rescale(anti_aliasing=True): Gaussian prefilter, bilinear
    torchvision Resize     torch's bicubic with antialias=True (what torchvision.transforms.Resize does)
    PIL bilinear           PIL's antialiased triangle filter (Image.resize(..., BILINEAR))
    OpenCV pyrDown x2      Gaussian pyramid, one halving per factor of two (classic CV pipelines)
    web export             PIL Lanczos, then an unsharp mask, then PIL's own JPEG at quality 85
    phone-like             Gaussian blur (sigma 0.8), PIL bicubic, sensor-like noise (sigma 2), PIL JPEG 90
    OpenCV Lanczos4        cv2.resize(INTER_LANCZOS4): an 8x8 Lanczos window, not widened when shrinking
    PIL nearest            Image.resize(..., NEAREST): one pixel of each block, at another phase than OpenCV's
    PIL bicubic, sharpened PIL bicubic, then PIL's UnsharpMask (radius 1.5, 100 %): an export with output sharpening

Sharpening after shrinking is the one kind the x2's router saw in training (since stop 40 it labels a fifth of
its crops, unsharp-masked with OpenCV's Gaussian, as ones for the aliased specialist); PIL's filter and the web
export's JPEG are still other tools.

(torch.nn.functional.interpolate(mode="bicubic") with its default antialias=False gives OpenCV INTER_CUBIC's
pictures to the grey level, so it is not listed: its numbers are the OpenCV cubic column of `gansuite evaluate`.)

A different tool is not always a different degradation: the script also prints how far each small
picture is from the nearest resizer the plugin trains on (mean absolute difference, grey levels);
torchvision's antialiased bicubic, for one, is MATLAB's kernel again.

It writes the small pictures as PNG files, upscales them with `gansuite upscale --model xS`
exactly as a user would, and scores PSNR-Y / SSIM-Y (HR mod-cropped, `scale` border pixels cut, as
the plugin's protocol) against OpenCV bicubic and Lanczos enlargement of the same files.

    .venv/bin/python examples/sr_outside_downscalers.py --scale 4                     # ~1 CPU-minute (x4: ~2)
    .venv/bin/python examples/sr_outside_downscalers.py --scale 4 --model x4-mixed    # the one-network default run of 2026-11-24
    .venv/bin/python examples/sr_outside_downscalers.py --scale 4 --shrunk-by aliased  # the pair told "aliased"
    .venv/bin/python examples/sr_outside_downscalers.py --scale 4 --run runs/sr4       # your own run (scale must match)
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageFilter
from skimage import data as skdata
from skimage.transform import rescale

from gansuite_core import UserError, load_run
from gansuite_core.metrics.image import psnr, ssim
from gansuite_super_resolution.data import DOWNSCALERS  # only to say how far each outside resizer is from the trained ones

HELD_OUT = ("chelsea", "rocket", "camera", "coins")  # the plugin's held-out photos (never trained on)


def rgb(name: str) -> np.ndarray:
    img = getattr(skdata, name)()
    return np.repeat(img[..., None], 3, 2) if img.ndim == 2 else img[..., :3]


def pil_jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)  # PIL's defaults (4:2:0 chroma), not OpenCV's encoder
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def shrinkers(scale: int, seed: int = 0) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """The nine outside ways of making the small picture: uint8 (H, W, 3) -> (H // scale, W // scale, 3)."""
    rng = np.random.default_rng(seed)

    def size(hr: np.ndarray) -> tuple[int, int]:
        return hr.shape[1] // scale, hr.shape[0] // scale

    def sk(hr):
        return np.clip(rescale(hr, 1 / scale, anti_aliasing=True, channel_axis=-1) * 255 + 0.5, 0, 255).astype(np.uint8)

    def tv(hr):
        x = torch.from_numpy(hr).permute(2, 0, 1)[None].float()
        y = F.interpolate(x, size=size(hr)[::-1], mode="bicubic", antialias=True, align_corners=False)
        return y[0].permute(1, 2, 0).round().clamp(0, 255).byte().numpy()

    def pil_bilinear(hr):
        return np.asarray(Image.fromarray(hr).resize(size(hr), Image.BILINEAR))

    def pyr(hr):
        x = hr
        for _ in range(int(np.log2(scale))):
            x = cv2.pyrDown(x)
        return x

    def web(hr):
        x = Image.fromarray(hr).resize(size(hr), Image.LANCZOS).filter(ImageFilter.UnsharpMask(radius=1, percent=80, threshold=2))
        return np.asarray(pil_jpeg(x, 85))

    def phone(hr):
        x = cv2.GaussianBlur(hr, (0, 0), 0.8)
        x = np.asarray(Image.fromarray(x).resize(size(hr), Image.BICUBIC)).astype(np.float64)
        x = np.clip(x + rng.normal(0, 2.0, x.shape), 0, 255).round().astype(np.uint8)
        return np.asarray(pil_jpeg(Image.fromarray(x), 90))

    def lanczos4(hr):
        return cv2.resize(hr, size(hr), interpolation=cv2.INTER_LANCZOS4)

    def pil_nearest(hr):
        return np.asarray(Image.fromarray(hr).resize(size(hr), Image.NEAREST))

    def sharpened(hr):
        x = Image.fromarray(hr).resize(size(hr), Image.BICUBIC)
        return np.asarray(x.filter(ImageFilter.UnsharpMask(radius=1.5, percent=100, threshold=0)))

    return {"skimage rescale": sk, "torchvision Resize": tv, "PIL bilinear": pil_bilinear,
            "OpenCV pyrDown": pyr, "web export (JPEG 85)": web, "phone-like (JPEG 90)": phone,
            "OpenCV Lanczos4": lanczos4, "PIL nearest": pil_nearest, "PIL bicubic, sharpened": sharpened}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=int, choices=(2, 4), default=4)
    ap.add_argument("--out", type=Path, default=Path("runs/sr-outside"))
    ap.add_argument("--ensemble", action="store_true", help="upscale with --ensemble (the 8 flips and turns averaged)")
    ap.add_argument("--model", help="the bundled model (default: x2 or x4 for --scale); x4-mixed is the one-network default run of 2026-11-24 at x4")
    ap.add_argument("--run", type=Path, help="a training run of yours instead of a bundled model (e.g. the default run, routed)")
    ap.add_argument("--shrunk-by", default="auto", choices=("auto", "aliased", "antialiased"), help="passed to gansuite upscale: auto (the pair's router), aliased or antialiased")
    args = ap.parse_args()
    s = args.scale
    if args.run and args.model:
        ap.error("give --model or --run, not both")
    if args.run:  # a wrong folder or scale is the user's to fix: one line, not the upscale subprocess's traceback
        try:
            run_scale = load_run(args.run, app="super-resolution").config.options.scale
        except UserError as e:
            ap.error(f"--run {args.run}: {e}")
        if run_scale != s:
            ap.error(f"--run {args.run}: a x{run_scale} run; give --scale {run_scale}")
    model = args.run.name if args.run else args.model or f"x{s}"
    which = [str(args.run)] if args.run else ["--model", model]
    hrs = {n: (lambda h: h[: h.shape[0] // s * s, : h.shape[1] // s * s])(rgb(n)) for n in HELD_OUT}
    rows = []
    for cond, shrink in shrinkers(s).items():
        with tempfile.TemporaryDirectory() as tmp:
            lr_dir, sr_dir = Path(tmp) / "lr", Path(tmp) / "sr"
            lr_dir.mkdir()
            lrs, near = {}, []
            for n, hr in hrs.items():
                lrs[n] = shrink(hr)
                near.append(min(np.abs(lrs[n].astype(np.int16) - f(hr, s).astype(np.int16)).mean() for f in DOWNSCALERS.values()))
                assert lrs[n].shape[:2] == (hr.shape[0] // s, hr.shape[1] // s), (cond, lrs[n].shape)
                Image.fromarray(lrs[n]).save(lr_dir / f"{n}.png")  # lossless: the JPEG cases already went through JPEG
            subprocess.run([sys.executable, "-m", "gansuite_core", "upscale", *which, str(lr_dir), "--out", str(sr_dir),
                            "--quiet", *(["--ensemble"] if args.ensemble else []),
                            *(["--shrunk-by", args.shrunk_by] if args.shrunk_by != "auto" else [])], check=True, stdout=subprocess.DEVNULL)
            scores = {m: {"psnr": [], "ssim": []} for m in ("bicubic", "lanczos", "model")}
            for n, hr in hrs.items():
                lr, size = lrs[n], (hr.shape[1], hr.shape[0])
                outs = {"bicubic": cv2.resize(lr, size, interpolation=cv2.INTER_CUBIC),
                        "lanczos": cv2.resize(lr, size, interpolation=cv2.INTER_LANCZOS4),
                        "model": np.asarray(Image.open(sr_dir / f"{n}.png").convert("RGB"))}
                for m, out in outs.items():
                    scores[m]["psnr"].append(psnr(out, hr, crop=s, y_channel=True))
                    scores[m]["ssim"].append(ssim(out, hr, crop=s, y_channel=True))
        mean = {m: {k: float(np.mean(v)) for k, v in d.items()} for m, d in scores.items()}
        rows.append((cond, mean, float(np.mean(near))))
        print(f"{cond:22s} bicubic {mean['bicubic']['psnr']:.2f}  lanczos {mean['lanczos']['psnr']:.2f}  "
              f"{'run' if args.run else 'bundled'} {model} {mean['model']['psnr']:.2f}  gain {mean['model']['psnr'] - mean['bicubic']['psnr']:+.2f} dB  "
              f"(nearest trained resizer {rows[-1][2]:.2f} grey levels away)", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    lines = [f"| LR made by (never trained on) | from the nearest trained resizer (grey levels) | OpenCV bicubic | Lanczos | "
             f"{'run' if args.run else 'bundled'} {model} | gain | SSIM-Y bicubic / model |", "|---|---|---|---|---|---|---|"]
    for cond, m, d in rows:
        lines.append(f"| {cond} | {d:.2f} | {m['bicubic']['psnr']:.2f} | {m['lanczos']['psnr']:.2f} | {m['model']['psnr']:.2f} | "
                     f"{m['model']['psnr'] - m['bicubic']['psnr']:+.2f} | {m['bicubic']['ssim']:.4f} / {m['model']['ssim']:.4f} |")
    stem = model + ("-ensemble" if args.ensemble else "") + (f"-{args.shrunk_by}" if args.shrunk_by != "auto" else "")
    (args.out / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {args.out / f'{stem}.md'}")


if __name__ == "__main__":
    main()
