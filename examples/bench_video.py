"""Benchmark of video-prediction (docs/benchmarks.md): 10 -> 10 frames on moving digits and camera clips.

Trains each generator variant (two at a time, one CPU thread each, CPU time of each training process
measured with wait4), evaluates every run against copy-last and Farneback flow on the fixed test
clips (camera: held-out photographs), and measures the surprise score on videos with an inserted
event (an object appearing, or a cut to another held-out photograph).

    python examples/bench_video.py --out runs/bench/video                          # all variants, both data sets
    python examples/bench_video.py --out runs/bench/video --data camera --only shift
    python examples/bench_video.py --out runs/bench/video --evaluate-only           # re-score existing runs

Prints Markdown tables and writes OUT/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

# name -> options on top of the application's defaults (the first is the default configuration)
VARIANTS = {
    "shift": {},
    "shift-correction": {"shift_correction": True},
    "multiscale-pixels": {"generator": "multiscale"},
    "multiscale-warp": {"generator": "multiscale", "warp": True},
    "simvp-warp": {"generator": "simvp", "warp": True},
    "l2-only-pixels": {"generator": "multiscale", "lam_adv": 0, "lam_gdl": 0},
}
DATA = {"moving-digits": {}, "camera": {"data": "camera"}}


def train_all(jobs: list[tuple[str, Path, list[str]]], env: dict) -> dict[str, float]:
    """Run the training commands two at a time; CPU-minutes of each child from os.wait4."""
    cpu, running = {}, {}
    pending = list(jobs)
    while pending or running:
        while pending and len(running) < 2:
            name, out, cmd = pending.pop(0)
            print("$", " ".join(cmd[2:]), flush=True)
            running[subprocess.Popen(cmd, env=env).pid] = name
        pid, status, usage = os.wait4(-1, 0)
        if pid in running:
            name = running.pop(pid)
            if status:
                sys.exit(f"training {name} failed ({status})")
            cpu[name] = round((usage.ru_utime + usage.ru_stime) / 60, 2)
            print(f"{name}: {cpu[name]} CPU-minutes", flush=True)
    return cpu


def surprise_precision(run_dir: Path, videos: int = 40, frames: int = 40) -> dict:
    """Share of event videos whose highest-scoring frame is the event frame, for the model and for copy-last."""
    import torch

    from gansuite_core import load_run
    from gansuite_video_prediction.data import CAMERA_TEST, camera_clip
    from gansuite_video_prediction.predict import surprise

    run = load_run(run_dir, app="video-prediction")
    cfg = run.config.options
    hits = {"model": 0, "copy_last": 0}
    kinds = {"object": [0, 0], "cut": [0, 0]}
    for i in range(videos):
        rng = np.random.default_rng([777, i])
        clip = (camera_clip(rng, frames, cfg.size, CAMERA_TEST, 0) * 255).round().astype(np.uint8).transpose(0, 2, 3, 1)
        event = int(rng.integers(cfg.context + 5, frames - 3))
        kind = "object" if i % 2 == 0 else "cut"
        if kind == "object":  # a disc appears at the event frame and then stays where it is
            import cv2
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            centre = (int(rng.integers(12, cfg.size - 12)), int(rng.integers(12, cfg.size - 12)))
            for t in range(event, frames):
                cv2.circle(clip[t], centre, 6, colour, -1, cv2.LINE_AA)
        else:  # the camera cuts to another scene at the event frame
            other = camera_clip(np.random.default_rng([778, i]), frames, cfg.size, CAMERA_TEST, 0)
            clip[event:] = (other[event:] * 255).round().astype(np.uint8).transpose(0, 2, 3, 1)
        model, last, _ = surprise(run, clip, torch.device("cpu"))
        for name, err in (("model", model), ("copy_last", last)):
            hit = int(np.nanargmax(err)) == event
            hits[name] += hit
            kinds[kind][name == "copy_last"] += hit
    return {"videos": videos, "precision_at_1": {k: v / videos for k, v in hits.items()},
            "by_kind": {k: {"model": v[0] / (videos // 2), "copy_last": v[1] / (videos // 2)} for k, v in kinds.items()}}


def evaluate(out: Path, env: dict) -> dict:
    cmd = [sys.executable, "-m", "gansuite_core", "evaluate", str(out), "--json", "--device", "cpu"]
    return json.loads(subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout)


def print_tables(data: str, reports: dict, cpu: dict) -> None:
    first = next(iter(reports.values()))
    rows = [(f"{n} ({cpu.get(n, '?')} CPU-min)", r["model"]) for n, r in reports.items()]
    rows += [("copy-last", first["copy_last"]), ("flow (Farneback)", first["flow"])]
    horizon = first["horizon"]
    for metric in ("mse", "ssim", "psnr", "sharpness"):
        print(f"\n{data}: {metric.upper()} per horizon\n")
        print("| method | " + " | ".join(str(h + 1) for h in range(horizon)) + " | mean |")
        print("|---" * (horizon + 2) + "|")
        for name, s in rows + ([("ground truth", {"sharpness": first["truth_sharpness"]})] if metric == "sharpness" else []):
            v = s[metric]
            print(f"| {name} | " + " | ".join(f"{x:.3g}" for x in v) + f" | {sum(v) / len(v):.4g} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("runs/bench/video"))
    ap.add_argument("--data", choices=list(DATA), action="append", help="data set(s) (default: both)")
    ap.add_argument("--only", action="append", help="variant(s) to run (default: all)")
    ap.add_argument("--steps", type=int, default=None, help="override the default number of steps (a reduced benchmark)")
    ap.add_argument("--evaluate-only", action="store_true", help="skip training; evaluate the runs' latest checkpoints")
    args = ap.parse_args()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "GANSUITE_LOAD_PLUGINS": "video-prediction"}
    variants = {k: v for k, v in VARIANTS.items() if not args.only or k in args.only}
    results_path = args.out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    for data in args.data or list(DATA):
        jobs = []
        for name, opts in variants.items():
            out = args.out / data / name
            cmd = [sys.executable, "-m", "gansuite_core", "train", "video-prediction", "--out", str(out), "--device", "cpu", "--quiet"]
            cmd += [a for k, v in {**DATA[data], **opts}.items() for a in ("--set", f"{k}={v}")]
            cmd += ["--steps", str(args.steps)] if args.steps else []
            jobs.append((name, out, cmd))
        cpu = {} if args.evaluate_only else train_all(jobs, env)
        entry = results.setdefault(data, {"cpu_minutes": {}, "reports": {}})
        entry["cpu_minutes"].update(cpu)
        for name, out, _ in jobs:
            entry["reports"][name] = evaluate(out, env)
        if data == "camera":
            entry["surprise"] = {name: surprise_precision(out) for name, out, _ in jobs}
            print(json.dumps(entry["surprise"], indent=1))
        print_tables(data, {n: entry["reports"][n] for n in variants}, entry["cpu_minutes"])
        args.out.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
