"""Benchmark of the super-resolution application (docs/benchmarks.md): the degradation matrix.

For each way of making the small picture (MATLAB bicubic, OpenCV cubic, OpenCV area, PIL bicubic,
MATLAB bicubic + JPEG 75) on the 4 held-out photographs: PSNR-Y of OpenCV bicubic, MATLAB
bicubic, OpenCV Lanczos and the model; training CPU minutes; upscaling speed in output
megapixels per second against OpenCV bicubic (one thread each).

    # a run with the defaults (L1 stage, then optionally --gan adversarial steps on the same run)
    OMP_NUM_THREADS=1 .venv/bin/python examples/bench_sr.py train --scale 4 --out runs/bench-sr
    OMP_NUM_THREADS=1 .venv/bin/python examples/bench_sr.py train --scale 4 --steps 1500 --model fast --degradation bicubic
    OMP_NUM_THREADS=1 .venv/bin/python examples/bench_sr.py train --scale 4 --steps 800 --set lr=2e-4 --set pixel_loss=mse
    # the models shipped in the package (their training is examples/train_bundled_sr.py)
    OMP_NUM_THREADS=1 .venv/bin/python examples/bench_sr.py bundled --model x4
    OMP_NUM_THREADS=1 .venv/bin/python examples/bench_sr.py bundled --model x4 --ensemble   # also with `upscale --ensemble`
    OMP_NUM_THREADS=1 .venv/bin/python examples/bench_sr.py bundled --model x4-mixed        # the one-network default run of 2026-11-24, bundled
    # the adversarial stage alone, from the bundled x4-mixed (the one-network default L1 stage of 2026-11-24)
    OMP_NUM_THREADS=1 .venv/bin/python examples/bench_sr.py gan --init x4-mixed --steps 300
    OMP_NUM_THREADS=1 .venv/bin/python examples/bench_sr.py gan --init x4-mixed --steps 300 --set gan_weight=5e-2

Prints one JSON line per result and a markdown table (`gan`: PSNR-Y, SSIM-Y, sharpness and detail above the LR
Nyquist limit for bicubic, the L1 model, the GAN model and the truth, per condition; crops in RUN/eval/l1-vs-gan.png).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import torch

from gansuite_core import load_run, train_app
from gansuite_super_resolution.bundled import load_bundled
from gansuite_super_resolution.config import SRConfig
from gansuite_super_resolution.data import downscale, embedded_image
from gansuite_super_resolution.evaluation import CONDITIONS, METHODS, eval_images, evaluate, score
from gansuite_super_resolution.models import SelfEnsemble
from gansuite_super_resolution.upscale import upscale_rgb


def speed(net: torch.nn.Module, scale: int, side: int = 256, repeats: int = 3) -> dict:
    """Output megapixels per second: the model (tiled, as `gansuite upscale`) against cv2 bicubic, one thread each."""
    cv2.setNumThreads(1)
    lr = downscale(embedded_image("astronaut"), 2)[:side, :side]
    upscale_rgb(net, lr, scale)  # warm-up
    c0 = time.process_time()
    for _ in range(repeats):
        upscale_rgb(net, lr, scale)
    model = repeats * (side * scale) ** 2 / 1e6 / (time.process_time() - c0)
    c0 = time.process_time()
    for _ in range(50):
        cv2.resize(lr, (side * scale, side * scale), interpolation=cv2.INTER_CUBIC)
    bic = 50 * (side * scale) ** 2 / 1e6 / max(time.process_time() - c0, 1e-9)
    return {"model_mpix_per_cpu_s": round(model, 3), "opencv_bicubic_mpix_per_cpu_s": round(bic, 1)}


def table(report: dict) -> str:
    """The matrix as markdown: one row per LR condition, PSNR-Y of each method and the model's gain."""
    lines = ["| LR made by | " + " | ".join(METHODS) + " | model − bicubic |", "|---" * (len(METHODS) + 2) + "|"]
    for c in CONDITIONS:
        row = report["matrix"][c]
        lines.append(f"| {c} | " + " | ".join(f"{row[m]['psnr_y']:.2f}" for m in METHODS)
                     + f" | {report['matrix_gain_over_bicubic_db'][c]:+.2f} dB |")
    return "\n".join(lines)


def result(net: torch.nn.Module, scale: int, ensemble: bool = False, **info) -> dict:
    """Score `net` (and, with `ensemble`, its geometric self-ensemble as `gansuite upscale --ensemble` runs it)."""
    if ensemble:
        result(net, scale, **info)
        net, info = SelfEnsemble(net), {**info, "what": f"{info.get('what', 'model')}, self-ensemble x8"}
    report = score(net, eval_images("", scale), scale, torch.device("cpu"))
    row = {**info, "scale": scale, "gain_db": {c: round(g, 3) for c, g in report["matrix_gain_over_bicubic_db"].items()},
           "worst_clean_gain_db": round(report["worst_clean_gain_db"], 3),
           "ssim_gain_matlab_bicubic": round(report["gain_over_bicubic"]["ssim_y"], 4),
           "sharpness": {m: round(report[m]["sharpness"], 1) for m in METHODS}, "hr_sharpness": round(report["hr_sharpness"], 1),
           **speed(net, scale)}
    print(json.dumps(row), flush=True)
    print(table(report), flush=True)
    return row


def gan_table(report: dict) -> str:
    """L1 stage vs GAN per condition: PSNR-Y, SSIM-Y, sharpness, hf_energy, hf_correlation (truth: -, -, its sharpness, 1, 1)."""
    lines = ["| LR made by | method | PSNR-Y | SSIM-Y | sharpness | HF energy | HF correlation |", "|---" * 7 + "|"]
    for c in CONDITIONS:
        rows = {"bicubic": report["matrix"][c]["bicubic"], "L1 stage": report["psnr_stage"]["matrix"][c]["model"],
                "GAN": report["matrix"][c]["model"]}
        for name, v in rows.items():
            lines.append(f"| {c} | {name} | {v['psnr_y']:.2f} | {v['ssim_y']:.4f} | {v['sharpness']:.0f} | {v['hf_energy']:.3f} | {v['hf_correlation']:.3f} |")
    lines.append(f"| all | truth | | | {report['hr_sharpness']:.0f} | 1 | 1 |")
    return "\n".join(lines)


def gan(args: argparse.Namespace, extra: dict) -> None:
    """The adversarial stage from `--init` weights (pretrain_steps=0), then evaluate's report against those weights."""
    run_dir = args.out / "-".join(["gan", str(args.init).replace("/", "_"), str(args.steps), *(f"{k}={v}" for k, v in extra.items())])
    # x4-mixed is one generator: its GAN stage is a one-network run (the pairs x2, x4 and routed runs start routed ones)
    routed = {"routed": "no"} if args.init == "x4-mixed" and "routed" not in extra else {}
    c0 = time.process_time()
    train_app("super-resolution", run_dir, quiet=True, scale=args.scale, init=str(args.init), pretrain_steps=0, steps=args.steps,
              sample_every=0, log_every=50, checkpoint_every=args.steps, **routed, **extra)
    cpu = (time.process_time() - c0) / 60
    run = load_run(run_dir, app="super-resolution")
    report = evaluate(run, torch.device("cpu"))
    print(json.dumps({"what": f"GAN stage from init={args.init} {' '.join(args.set)}".strip(), "steps": args.steps, "train_cpu_minutes": round(cpu, 2),
                      "gain_db": {c: round(g, 3) for c, g in report["matrix_gain_over_bicubic_db"].items()},
                      "l1_gain_db": {c: round(v["model"]["psnr_y"] - v["bicubic"]["psnr_y"], 3) for c, v in report["psnr_stage"]["matrix"].items()},
                      "crops": str(run_dir / "eval" / "l1-vs-gan.png")}), flush=True)
    print(gan_table(report), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("train", "bundled", "gan"))
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--model", default=None, help="train: fast | srresnet | rrdb; bundled: x2 | x4 | x4-mixed")
    ap.add_argument("--steps", type=int, default=None, help="train: L1 steps (default pretrain_steps); gan: adversarial steps (default 300)")
    ap.add_argument("--init", default="x4-mixed", help="gan: the L1 generator to start from: x2, x4-mixed, a run directory or a .safetensors file")
    ap.add_argument("--gan", type=int, default=0, help="adversarial steps after the L1 stage (0: none)")
    ap.add_argument("--degradation", default=SRConfig().degradation)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="any other training option (repeatable)")
    ap.add_argument("--out", type=Path, default=Path("runs/bench-sr"))
    ap.add_argument("--ensemble", action="store_true", help="also score the geometric self-ensemble (8 flips/turns, as upscale --ensemble)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.what == "bundled":
        net, card = load_bundled(args.model or f"x{args.scale}")
        result(net, card["architecture"]["scale"], args.ensemble, what=f"bundled {card['name']}", steps=card["steps"],
               degradation=card.get("degradation") or card["config"]["degradation"], train_cpu_minutes=card["train_cpu_minutes"])
        return
    extra = dict(kv.split("=", 1) for kv in args.set)  # strings: the core converts them as it does for --set
    if args.what == "gan":
        args.steps = args.steps or 300
        return gan(args, extra)
    args.steps = args.steps or SRConfig().pretrain_steps
    model = args.model or SRConfig().model
    run_dir = args.out / "-".join([f"x{args.scale}", model, args.degradation, str(args.steps), *(f"{k}={v}" for k, v in extra.items())])
    c0 = time.process_time()  # CPU time: the machine is shared, wall time overstates
    train_app("super-resolution", run_dir, quiet=True, scale=args.scale, model=model, degradation=args.degradation,
              steps=args.steps, pretrain_steps=args.steps, sample_every=0, log_every=100, checkpoint_every=args.steps, **extra)
    cpu = (time.process_time() - c0) / 60
    run = load_run(run_dir, app="super-resolution")
    result(run.net("G"), args.scale, args.ensemble, what=f"{model} L1 {' '.join(args.set)}".strip(), steps=args.steps, degradation=args.degradation, train_cpu_minutes=round(cpu, 2))
    if args.gan:
        c0 = time.process_time()
        train_app("super-resolution", run_dir, quiet=True, resume=True, steps=args.steps + args.gan)
        cpu += (time.process_time() - c0) / 60
        run = load_run(run_dir, app="super-resolution")
        result(run.net("G"), args.scale, what=f"{model} L1 then GAN", steps=args.steps + args.gan, degradation=args.degradation,
               train_cpu_minutes=round(cpu, 2))


if __name__ == "__main__":
    main()
