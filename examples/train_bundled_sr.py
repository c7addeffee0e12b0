"""Train the models bundled with the package (`gansuite upscale IMAGE... --model x2|x4|x4-mixed`).

x2 and x4 are two specialists and a router each (models.RoutedPair; why: docs/experiments.md, stop 37): the
default network trained for 10,000 bf16 L1 steps with `rgb_permute` on pictures shrunk by OpenCV INTER_AREA (x2) or
by MATLAB bicubic or INTER_AREA, one per crop (x4, since stop 44: `degradation=antialiased`) (antialiased), and by
OpenCV INTER_CUBIC only (aliased), and a small estimator of P(aliased) trained alone, for 6,000
steps on crops shrunk by the seven resizers (`kernels`; x2; a fifth of them sharpened after shrinking since stop 40)
or for 12,000 on `mixed` crops (x4; both since stop 39). Their weights are
stored in float16 (the three fit in the size of one float32 model).
bf16 pays on CPUs with AMX (about 10 CPU-minutes a specialist there); elsewhere use a GPU or expect more.

x4-mixed (and x2-mixed, not shipped) is the application's one-network default run of 2026-11-24 (SRResNet 8 x 64
with the bicubic skip, `mixed` degradations, batch 16 of 16x16 LR crops, Adam 5e-4 cosine-decayed, 3,000 fp32 L1
steps; today's `--set routed=no --precision fp32 --set pretrain_steps=3000`), so its card's scores are that run's.
No model has an adversarial stage: the bundled models are meant to be faithful.

All train on the 13 scikit-image training photographs (the x4's specialists, since stop 44, also on the three
that scikit-learn and matplotlib ship: `--package-photos`, on by default for x4) and are scored on the 4 held-out ones. The EMA
generators' tensors go to plugins/gansuite_super_resolution/weights/sr-NAME.safetensors with a JSON card
(architecture, command, data, CPU minutes, date, scores).

    OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --model x4              # 2026-12-05: see the card
    OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --model x4 --part aliased   # one part at a time,
    OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --model x4 --part antialiased  # e.g. side by side,
    OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --model x4 --part estimator    # then --part export
    OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --model x2              # the same parts at x2
    OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --model x4-mixed

One thread per process; CPU time (not wall time) is recorded, so a shared machine does not change it. A part
whose record (OUT/NAME-PART.json) exists is not trained again; a specialist killed midway continues from its last
checkpoint (every 1,000 steps). `--steps` trains shorter models (for a check;
the card says so).
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
from typing import Any

import torch

from gansuite_core import load_run, train_app
from gansuite_super_resolution.bundled import WEIGHTS, save_bundled, train_estimator
from gansuite_super_resolution.data import EVAL_IMAGES, PACKAGE_PHOTOS, TRAIN_IMAGES
from gansuite_super_resolution.evaluation import eval_images, evaluate, score
from gansuite_super_resolution.models import DegradationEstimator, RoutedPair

PAIRS = ("x2", "x4")  # two specialists and a router; the -mixed models are the one-network default runs of 2026-11-24
MIXED_STEPS = 3_000  # their L1 steps, in fp32 (the default was one generator then: routed=no, precision=fp32)
SPECIALISTS = ("antialiased", "aliased")
# Each specialist's `degradation`. The x4's antialiased one trains on MATLAB bicubic or area (its antialiased_inputs
# at x4), as the routed default's: +0.16 dB on MATLAB and PIL bicubic blind, area level (docs/experiments.md, stop 44).
SPECIALIST_DATA = {"x2": {"antialiased": "opencv_area", "aliased": "opencv_cubic"},
                   "x4": {"antialiased": "antialiased", "aliased": "opencv_cubic"}}
PAIR_STEPS, ESTIMATOR_WIDTH = 10_000, 48
# Whether the generators also train on data.PACKAGE_PHOTOS (`--package-photos`; the estimator never does): each
# model as it was shipped, so that the default command reproduces it (x4 since stop 44; x2 and the -mixed runs on
# the 13 scikit-image photographs alone, data.TRAIN_IMAGES).
PACKAGE_PHOTOS_DEFAULT = {"x2": False, "x4": True, "x2-mixed": False, "x4-mixed": False}
# The estimator's crops: at x2 the seven resizers alone (`mixed` estimators ranked held-out pictures worse on
# 2 seeds of 2, one learnt only the base rate); at x4 the two tie over 3 seeds each (docs/experiments.md, stop 39)
ESTIMATOR_DATA = {"x2": "kernels", "x4": "mixed"}
# and its length: at x4, 12,000 steps ranked the held-out pictures better than 6,000 on every seed tried (stop 39)
ESTIMATOR_STEPS = {"x2": 6_000, "x4": 12_000}
# and the share of its crops sharpened after shrinking, labelled "aliased": the aliased specialist is the better
# one for sharpened pictures at both scales (the antialiased one falls below bicubic there), but at x4 a router that
# learns it lost 0.05-0.12 dB on clean antialiased pictures over three estimators, at x2 it gained (stop 40)
ESTIMATOR_SHARPEN = {"x2": 0.2, "x4": 0.0}


def scores(report: dict[str, Any]) -> dict[str, Any]:
    return {"psnr_y_gain_over_opencv_bicubic_db": {k: round(v, 3) for k, v in report["matrix_gain_over_bicubic_db"].items()},
            "psnr_y": {c: {m: round(v["psnr_y"], 3) for m, v in ms.items()} for c, ms in report["matrix"].items()},
            "ssim_y": {c: {m: round(v["ssim_y"], 4) for m, v in ms.items()} for c, ms in report["matrix"].items()}}


def common(command: str, model: str, package_photos: bool) -> dict[str, Any]:
    train = f"scikit-image photographs: {', '.join(TRAIN_IMAGES)}"
    if package_photos:  # the estimator trains on TRAIN_IMAGES alone either way (bundled.train_estimator)
        train += f"; the specialists also on {', '.join(PACKAGE_PHOTOS)} (scikit-learn's and matplotlib's samples)"
    flag = "" if package_photos == PACKAGE_PHOTOS_DEFAULT[model] else " --package-photos" if package_photos else " --no-package-photos"
    return {"trained_by": command + flag,
            "exported_by": " ".join(["examples/train_bundled_sr.py", *sys.argv[1:]]),
            "data": {"train": train, "held_out": ", ".join(EVAL_IMAGES)},
            "date": datetime.date.today().isoformat(), "machine": f"{platform.machine()}, torch {torch.__version__}, 1 thread"}


def tools(cfg: Any) -> str:
    """A specialist's training resizers, as its card names them."""
    return " or ".join(cfg.antialiased_input_list) if cfg.degradation == "antialiased" else cfg.degradation


def timed(fn) -> tuple[Any, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, (time.process_time() - c0) / 60, (time.perf_counter() - t0) / 60


def default_run(args: argparse.Namespace, scale: int) -> None:
    """x2-mixed / x4-mixed: the default training run, exported."""
    run_dir = args.out / args.model
    _, cpu, wall = timed(lambda: train_app("super-resolution", run_dir, scale=scale, steps=args.steps, pretrain_steps=args.steps,
                                           seed=args.seed, routed="no", precision="fp32", package_photos=args.package_photos, sample_every=500,
                                           checkpoint_every=500, log_every=50))
    run = load_run(run_dir, app="super-resolution")
    cfg = run.config.options
    info = {"name": args.model, **common(f"OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --model {args.model} --steps {args.steps}"
                                          + (f" --seed {args.seed}" if args.seed else ""), args.model, args.package_photos),
            "config": asdict(cfg), "core": {k: getattr(run.config.core, k) for k in ("channels_last", "precision", "checkpoint_every", "sample_every")},
            "steps": run.step, "seed": args.seed, "schedule": f"L1, cosine learning rate over {cfg.pretrain_steps} steps",
            "train_cpu_minutes": round(cpu, 2), "train_wall_minutes": round(wall, 2),
            "scores": scores(evaluate(run, torch.device("cpu")))}
    print(json.dumps({"wrote": [str(p) for p in save_bundled(run.net("G"), asdict(cfg), info, args.model, args.weights)],
                      "gain_db": info["scores"]["psnr_y_gain_over_opencv_bicubic_db"]}))


def pair_part(args: argparse.Namespace, part: str) -> dict[str, Any]:
    """Train one part of a pair (a specialist or the estimator) unless its record exists; return the record."""
    record = args.out / f"{args.model}-{part}.json"
    if record.is_file():
        return json.loads(record.read_text())
    if part == "estimator":
        (net, accuracy), cpu, wall = timed(lambda: train_estimator(args.estimator_steps, args.seed, ESTIMATOR_WIDTH, scale=args.scale,
                                                                    degradation=ESTIMATOR_DATA[args.model],
                                                                    sharpen=ESTIMATOR_SHARPEN[args.model]))
        torch.save(net.state_dict(), args.out / f"{args.model}-estimator.pt")  # our own file, read back with weights_only
        out = {"steps": args.estimator_steps, "degradation": ESTIMATOR_DATA[args.model], "sharpened_share": ESTIMATOR_SHARPEN[args.model],
               "crop_accuracy_last_500": round(accuracy, 3)}
    else:
        run_dir = args.out / f"{args.model}-{part}"
        degradation = SPECIALIST_DATA[args.model][part]
        out = {"steps": args.steps, "degradation": degradation, "package_photos": args.package_photos}
        if (run_dir / "checkpoints").is_dir() and any((run_dir / "checkpoints").iterdir()):
            # a killed part continues from its last checkpoint; the CPU minutes are then this process's only
            _, cpu, wall = timed(lambda: train_app("super-resolution", run_dir, quiet=True, resume=True, steps=args.steps))
            out["resumed"] = "CPU minutes after the resume only"
        else:
            _, cpu, wall = timed(lambda: train_app(
                "super-resolution", run_dir, quiet=True, scale=args.scale, steps=args.steps, pretrain_steps=args.steps,
                seed=args.seed, degradation=degradation, rgb_permute=True, precision="bf16", package_photos=args.package_photos,
                sample_every=0, checkpoint_every=1000, log_every=100))
    out.update(train_cpu_minutes=round(cpu, 2), train_wall_minutes=round(wall, 2))
    record.write_text(json.dumps(out, indent=2) + "\n")
    return out


def export_pair(args: argparse.Namespace) -> None:
    parts = {p: pair_part(args, p) for p in (*SPECIALISTS, "estimator")}
    runs = {p: load_run(args.out / f"{args.model}-{p}", app="super-resolution") for p in SPECIALISTS}
    estimator = DegradationEstimator(ESTIMATOR_WIDTH)
    estimator.load_state_dict(torch.load(args.out / f"{args.model}-estimator.pt", weights_only=True))
    pair = RoutedPair(runs["antialiased"].net("G"), runs["aliased"].net("G"), estimator.eval()).eval()
    # score what a user loads: the float16 tensors read back as float32
    pair.load_state_dict({k: v.half().float() if v.is_floating_point() else v for k, v in pair.state_dict().items()})
    cfg = runs["antialiased"].config.options
    info = {"name": args.model, **common(f"OMP_NUM_THREADS=1 .venv/bin/python examples/train_bundled_sr.py --model {args.model}"
                                    + (f" --steps {args.steps} --estimator-steps {args.estimator_steps}"
                                       if (args.steps, args.estimator_steps) != (PAIR_STEPS, ESTIMATOR_STEPS[args.model]) else "")
                                    + (f" --seed {args.seed}" if args.seed else ""), args.model, args.package_photos),
            "degradation": "routed: " + ", ".join(f"{p} = {tools(runs[p].config.options)}" for p in SPECIALISTS),
            "specialists": {p: {"config": asdict(runs[p].config.options), "core": {"precision": runs[p].config.core.precision}}
                            for p in SPECIALISTS},
            "parts": parts, "steps": args.steps, "seed": args.seed,
            "schedule": f"each specialist: L1, cosine learning rate over {args.steps} bf16 steps, rgb_permute; "
                        f"estimator: {args.estimator_steps} Adam steps of 16 `{ESTIMATOR_DATA[args.model]}` LR crops of 32 pixels"
                        + (f", {ESTIMATOR_SHARPEN[args.model]:.0%} of them sharpened after shrinking (labelled aliased)"
                           if ESTIMATOR_SHARPEN[args.model] else ""),
            "train_cpu_minutes": round(sum(p["train_cpu_minutes"] for p in parts.values()), 2),
            "train_wall_minutes": round(sum(p["train_wall_minutes"] for p in parts.values()), 2),
            "scores": scores(score(pair, eval_images("", args.scale), args.scale, torch.device("cpu")))}
    written = save_bundled(pair, asdict(cfg), info, args.model, args.weights, dtype=torch.float16)
    print(json.dumps({"wrote": [str(p) for p in written], "train_cpu_minutes": info["train_cpu_minutes"],
                      "gain_db": info["scores"]["psnr_y_gain_over_opencv_bicubic_db"]}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=(*PAIRS, "x2-mixed", "x4-mixed"))
    ap.add_argument("--scale", type=int, choices=(2, 4), help="the cards' older spelling: --model x2-mixed or x4-mixed")
    ap.add_argument("--part", choices=(*SPECIALISTS, "estimator", "export"), help="x2, x4: train only this part, or export the trained parts")
    ap.add_argument("--steps", type=int, help=f"L1 steps (default: x2, x4 {PAIR_STEPS}, x2-mixed, x4-mixed {MIXED_STEPS})")
    ap.add_argument("--estimator-steps", type=int, help=f"x2, x4: the estimator's steps (default: {ESTIMATOR_STEPS})")
    ap.add_argument("--out", type=Path, default=Path("runs/bundled"), help="folder for the training runs")
    ap.add_argument("--weights", type=Path, default=WEIGHTS, help="where the .safetensors and .json go")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--package-photos", action=argparse.BooleanOptionalAction,
                    help="train the generators also on scikit-learn's and matplotlib's three sample photographs "
                         f"(config.package_photos; default: as shipped, {PACKAGE_PHOTOS_DEFAULT})")
    args = ap.parse_args()
    if (args.model is None) == (args.scale is None):
        ap.error("give --model (or the older --scale)")
    args.model = args.model or f"x{args.scale}-mixed"
    args.scale = int(args.model[1])
    args.package_photos = PACKAGE_PHOTOS_DEFAULT[args.model] if args.package_photos is None else args.package_photos
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.model not in PAIRS:
        if args.part:
            ap.error("--part is for the pairs, --model " + " or ".join(PAIRS))
        args.steps = args.steps or MIXED_STEPS
        return default_run(args, args.scale)
    args.steps = args.steps or PAIR_STEPS
    args.estimator_steps = args.estimator_steps or ESTIMATOR_STEPS[args.model]
    if args.part in (*SPECIALISTS, "estimator"):
        print(json.dumps(pair_part(args, args.part)))
    else:
        export_pair(args)


if __name__ == "__main__":
    main()
