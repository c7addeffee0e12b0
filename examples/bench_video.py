"""Benchmark of video-prediction (docs/benchmarks.md): moving digits, 10 -> 10 frames.

Trains the default model (L2 + GDL + adversarial) and the L2-only ablation side by side, one CPU
thread each, then evaluates both against copy-last and Farneback flow on the fixed 256-clip test set.

    python examples/bench_video.py --out runs/bench-video                 # the benchmark (defaults)
    python examples/bench_video.py --out runs/bench-video --steps 300     # a reduced run
    python examples/bench_video.py --out runs/bench-video --evaluate-only # re-score the latest checkpoints

Prints a Markdown table per horizon and writes OUT/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

MODELS = {
    "adv+gdl": [],  # the defaults: gansuite train video-prediction
    "l2-only": ["--set", "lam_adv=0", "--set", "lam_gdl=0"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("runs/bench-video"))
    ap.add_argument("--steps", type=int, default=None, help="override the default number of steps (a reduced benchmark)")
    ap.add_argument("--evaluate-only", action="store_true", help="skip training; evaluate the runs' latest checkpoints")
    args = ap.parse_args()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "GANSUITE_LOAD_PLUGINS": "video-prediction"}
    gansuite = [sys.executable, "-m", "gansuite_core"]
    minutes: dict[str, float] = {}
    if not args.evaluate_only:
        procs, t0 = {}, time.perf_counter()
        for name, extra in MODELS.items():
            cmd = gansuite + ["train", "video-prediction", "--out", str(args.out / name), "--device", "cpu", "--quiet"] + extra
            if args.steps:
                cmd += ["--steps", str(args.steps)]
            print("$", " ".join(cmd[2:]), flush=True)
            procs[name] = subprocess.Popen(cmd, env=env)
        while procs:
            for name, p in list(procs.items()):
                if p.poll() is not None:
                    if p.returncode:
                        sys.exit(f"training {name} failed with exit code {p.returncode}")
                    minutes[name] = (time.perf_counter() - t0) / 60
                    print(f"{name}: trained in {minutes[name]:.1f} min", flush=True)
                    del procs[name]
            time.sleep(2)
    reports = {}
    for name in MODELS:
        out = subprocess.run(gansuite + ["evaluate", str(args.out / name), "--json", "--device", "cpu"], env=env,
                             capture_output=True, text=True, check=True).stdout
        reports[name] = json.loads(out)
    results = {"minutes": minutes, "reports": reports}
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print_table(reports, minutes)


def print_table(reports: dict, minutes: dict) -> None:
    a, l2 = reports["adv+gdl"], reports["l2-only"]
    rows = [("adv+gdl", a["model"]), ("l2-only", l2["model"]), ("copy-last", a["copy_last"]), ("flow (Farneback)", a["flow"])]
    horizon = a["horizon"]
    print(f"\nsteps: adv+gdl {a['step']}, l2-only {l2['step']}; training minutes: {json.dumps({k: round(v, 1) for k, v in minutes.items()})}")
    for metric in ("mse", "ssim", "psnr", "sharpness"):
        print(f"\n{metric.upper()} per horizon\n")
        print("| method | " + " | ".join(str(h + 1) for h in range(horizon)) + " | mean |")
        print("|---" * (horizon + 2) + "|")
        for name, s in rows:
            v = s[metric]
            print(f"| {name} | " + " | ".join(f"{x:.3g}" for x in v) + f" | {sum(v) / len(v):.4g} |")
        if metric == "sharpness":
            v = a["truth_sharpness"]
            print("| ground truth | " + " | ".join(f"{x:.3g}" for x in v) + f" | {sum(v) / len(v):.4g} |")


if __name__ == "__main__":
    main()
