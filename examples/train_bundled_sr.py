"""Train the models bundled with the package (`gansuite upscale IMAGE... --model x2|x4`).

Each is the application's default configuration (SRResNet 8 x 64 with the bicubic skip, the
default degradation, batch 16 of 16x16 LR crops, Adam 5e-4 cosine-decayed, channels-last) trained
for its default PSNR-oriented stage (`pretrain_steps` = 3,000 L1 steps, no adversarial stage: the
bundled models are meant to be faithful) on the 13 scikit-image training photographs, then scored
on the 4 held-out ones. The training run is therefore exactly `gansuite train super-resolution`'s
L1 stage with the defaults, and its card's scores are the default run's. The EMA generator's
tensors go to plugins/gansuite_super_resolution/weights/sr-xS.safetensors with a JSON card
(architecture, command, data, CPU minutes, date, scores).

    OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --scale 4   # 2026-11-24: see the card
    OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --scale 2

One thread per process; CPU time (not wall time) is recorded, so a shared machine does not
change it. `--steps` trains a shorter model (for a check; the card says so). `--export-step N`
does not train: it exports the checkpoint at step N of the run already in --out (a run stopped
before the end of its schedule; the card says so, with the CPU minutes given by --cpu-minutes).
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch

from gansuite_core import load_run, train_app
from gansuite_super_resolution.bundled import WEIGHTS, save_bundled
from gansuite_super_resolution.config import SRConfig
from gansuite_super_resolution.data import EVAL_IMAGES, TRAIN_IMAGES
from gansuite_super_resolution.evaluation import evaluate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, choices=(2, 4), required=True)
    ap.add_argument("--steps", type=int, default=SRConfig().pretrain_steps, help="L1 steps (default: the application's pretrain_steps)")
    ap.add_argument("--out", type=Path, default=Path("runs/bundled"), help="folder for the training runs")
    ap.add_argument("--weights", type=Path, default=WEIGHTS, help="where the .safetensors and .json go")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--export-step", type=int, help="do not train: export the checkpoint at this step of the run in --out")
    ap.add_argument("--cpu-minutes", type=float, help="with --export-step: the training CPU minutes up to that step, measured outside")
    args = ap.parse_args()
    torch.set_num_threads(1)
    run_dir = args.out / f"x{args.scale}"
    if args.export_step is None:
        t0, c0 = time.perf_counter(), time.process_time()
        train_app("super-resolution", run_dir, scale=args.scale, steps=args.steps, pretrain_steps=args.steps, seed=args.seed,
                  sample_every=500, checkpoint_every=500, log_every=50)
        cpu_minutes, wall_minutes = (time.process_time() - c0) / 60, (time.perf_counter() - t0) / 60
        run = load_run(run_dir, app="super-resolution")
    else:
        checkpoint = run_dir / "checkpoints" / f"step-{args.export_step:08d}.safetensors"
        run = load_run(run_dir, app="super-resolution", checkpoint=checkpoint)
        cpu_minutes, wall_minutes = args.cpu_minutes or float("nan"), float("nan")
    report = evaluate(run, torch.device("cpu"))
    cfg = run.config.options
    info = {
        "name": f"x{args.scale}",
        "trained_by": f"OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --scale {args.scale} --steps {cfg.pretrain_steps}"
                      + (f" --seed {args.seed}" if args.seed else ""),
        "exported_by": " ".join(["examples/train_bundled_sr.py", *sys.argv[1:]]),
        "config": asdict(cfg), "core": {k: getattr(run.config.core, k) for k in ("channels_last", "precision", "checkpoint_every", "sample_every")},
        "steps": run.step, "seed": args.seed,
        "schedule": (f"L1, cosine learning rate over {cfg.pretrain_steps} steps"
                     + ("" if run.step >= cfg.pretrain_steps else f", stopped at step {run.step} (the machine's time ran out)")),
        "data": {"train": f"scikit-image photographs: {', '.join(TRAIN_IMAGES)}", "held_out": ", ".join(EVAL_IMAGES)},
        "train_cpu_minutes": round(cpu_minutes, 2), "train_wall_minutes": round(wall_minutes, 2),
        "date": datetime.date.today().isoformat(), "machine": f"{platform.machine()}, torch {torch.__version__}, 1 thread",
        "scores": {"psnr_y_gain_over_opencv_bicubic_db": {k: round(v, 3) for k, v in report["matrix_gain_over_bicubic_db"].items()},
                   "psnr_y": {c: {m: round(v["psnr_y"], 3) for m, v in ms.items()} for c, ms in report["matrix"].items()},
                   "ssim_y": {c: {m: round(v["ssim_y"], 4) for m, v in ms.items()} for c, ms in report["matrix"].items()}},
    }
    paths = save_bundled(run.net("G"), asdict(cfg), info, f"x{args.scale}", args.weights)
    print(json.dumps({"wrote": [str(p) for p in paths], "train_cpu_minutes": info["train_cpu_minutes"],
                      "gain_db": info["scores"]["psnr_y_gain_over_opencv_bicubic_db"]}))


if __name__ == "__main__":
    main()
