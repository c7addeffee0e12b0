"""Benchmark of the super-resolution application (docs/benchmarks.md).

For each scale and generator: train the PSNR-oriented stage (L1 only), evaluate it on the
held-out photographs, and for the GAN generators continue the same run into the adversarial
stage (--resume with more steps) and evaluate again. Then inference speed against OpenCV bicubic.

    .venv/bin/python examples/bench_sr.py --scale 4 --out runs/bench-sr        # the defaults
    .venv/bin/python examples/bench_sr.py --scale 2 --pretrain 800 --gan 0    # a reduced run

Prints one JSON line per result and writes OUT/results-xSCALE.json.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import torch

from gansuite_core import load_run, train_app
from gansuite_super_resolution.data import downscale, embedded_image
from gansuite_super_resolution.metrics import evaluate
from gansuite_super_resolution.upscale import upscale_rgb


def summary(report: dict, minutes: float, cpu_minutes: float, stage: str) -> dict:
    return {"stage": stage, "train_wall_minutes": round(minutes, 2), "train_cpu_minutes": round(cpu_minutes, 2),
            "psnr_y": round(report["model"]["psnr_y"], 3), "bicubic_psnr_y": round(report["bicubic"]["psnr_y"], 3),
            "lanczos_psnr_y": round(report["lanczos"]["psnr_y"], 3),
            "gain_psnr_y_db": round(report["gain_over_bicubic"]["psnr_y_db"], 3),
            "ssim_y": round(report["model"]["ssim_y"], 4), "gain_ssim_y": round(report["gain_over_bicubic"]["ssim_y"], 4),
            "sharpness": round(report["model"]["sharpness"], 1), "bicubic_sharpness": round(report["bicubic"]["sharpness"], 1),
            "hr_sharpness": round(report["hr_sharpness"], 1), "feature_network": report["feature_network"]}


def speed(net: torch.nn.Module, scale: int, side: int = 256, repeats: int = 3) -> dict:
    """Output megapixels per second: the model (tiled, as `gansuite upscale`) against cv2 bicubic."""
    lr = downscale(embedded_image("astronaut"), 512 // side)[:side, :side]
    upscale_rgb(net, lr, scale)  # warm-up
    t0 = time.perf_counter()
    for _ in range(repeats):
        upscale_rgb(net, lr, scale)
    model = repeats * (side * scale) ** 2 / 1e6 / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(50):
        cv2.resize(lr, (side * scale, side * scale), interpolation=cv2.INTER_CUBIC)
    bic = 50 * (side * scale) ** 2 / 1e6 / (time.perf_counter() - t0)
    return {"model_mpix_per_s": round(model, 3), "opencv_bicubic_mpix_per_s": round(bic, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--models", nargs="+", default=["fast", "srresnet"])
    ap.add_argument("--gan-models", nargs="*", default=["srresnet"], help="models continued into the adversarial stage")
    ap.add_argument("--pretrain", type=int, default=None, help="L1 steps (default: the application's default)")
    ap.add_argument("--gan", type=int, default=None, help="adversarial steps (default: the application's default)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("runs/bench-sr"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from gansuite_super_resolution.plugin import APP, SRConfig

    pretrain = args.pretrain if args.pretrain is not None else SRConfig().pretrain_steps
    gan = args.gan if args.gan is not None else APP.core_defaults["steps"] - SRConfig().pretrain_steps
    results = []
    for model in args.models:
        run_dir = args.out / f"x{args.scale}-{model}"
        common = {"scale": args.scale, "model": model, "pretrain_steps": pretrain, "sample_every": 0, "log_every": 50}
        t0, c0 = time.perf_counter(), time.process_time()  # CPU time: the machine is shared, wall time overstates
        train_app("super-resolution", run_dir, quiet=True, steps=pretrain, **common)
        minutes, cpu = (time.perf_counter() - t0) / 60, (time.process_time() - c0) / 60
        run = load_run(run_dir)
        row = {"scale": args.scale, "model": model, "steps": pretrain,
               **summary(evaluate(run, torch.device("cpu")), minutes, cpu, "L1 (PSNR)"),
               **speed(run.net("G"), args.scale)}
        print(json.dumps(row), flush=True)
        results.append(row)
        (run_dir / "eval").rename(run_dir / "eval-l1")  # keep the L1 stage's side-by-sides
        if model in args.gan_models and gan > 0:
            t0, c0 = time.perf_counter(), time.process_time()
            train_app("super-resolution", run_dir, quiet=True, resume=True, steps=pretrain + gan)
            minutes += (time.perf_counter() - t0) / 60
            cpu += (time.process_time() - c0) / 60
            run = load_run(run_dir)
            row = {"scale": args.scale, "model": model, "steps": pretrain + gan,
                   **summary(evaluate(run, torch.device("cpu")), minutes, cpu, "L1 then GAN")}
            print(json.dumps(row), flush=True)
            results.append(row)
    (args.out / f"results-x{args.scale}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
