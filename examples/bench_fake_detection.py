"""Benchmark of fake-detection (docs/fake-detection.md): own forgers, the detector, evaluate.

    OMP_NUM_THREADS=1 python examples/bench_fake_detection.py [--out runs/bench-fd] [--steps 1500]

Trains the default run (three short image-generation forgers on drawn flowers: DCGAN-ns (1,500 steps)
and DCGAN-lsgan (1,000) seen, ResNet-SN-hinge (400) held out; 800 detector steps), then evaluates it. Prints the CPU time of the forgers
and of the detector (process CPU time, one thread) and the report's headline numbers; writes
OUT/bench.json. Re-running with the same --out reuses the trained run and only evaluates.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from gansuite_core import load_run, train_app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("runs/bench-fd"))
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="extra fake-detection options")
    args = ap.parse_args()
    torch.set_num_threads(1)
    options = dict(s.split("=", 1) for s in args.sets)
    cached = {p.name for p in (args.out / "forgers").glob("own-*") if (p / "DONE").is_file()}  # reused, not trained here
    t0 = time.process_time()
    if not any((args.out / "checkpoints").glob("*")):  # else: reuse the trained run, only evaluate
        train_app("fake-detection", args.out, steps=args.steps, **options)
    total = time.process_time() - t0
    forgers = {p.name: json.loads((p / "DONE").read_text())["cpu_seconds"]
               for p in sorted((args.out / "forgers").glob("own-*")) if (p / "DONE").is_file()}
    t1 = time.process_time()
    run = load_run(args.out, app="fake-detection")
    report = run.app.evaluate(run, torch.device("cpu"))
    eval_cpu = time.process_time() - t1
    cpu = {"forgers_min": round(sum(forgers.values()) / 60, 2), "per_forger_s": forgers,
           "train_total_min": round(total / 60, 2) if total > 1 else None,
           "detector_min": round((total - sum(v for k, v in forgers.items() if k not in cached)) / 60, 2) if total > 1 else None,
           "evaluate_min": round(eval_cpu / 60, 2)}
    out = {"cpu": cpu, "goals": report["goals"], "report": report}
    (args.out / "bench.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(cpu, indent=2))
    print(json.dumps(report["goals"], indent=2))
    for det in ("cnn", "spectrum"):
        for cond, v in report[det].items():
            print(f"{det:9s} {cond:11s} seen AP {v['seen_ap']}  held-out AP {v['heldout_ap']}  acc {v['acc']}  "
                  + "  ".join(f"{k}={s['ap']}" for k, s in v["per_source"].items()))
    for g, conds in report["gan_discriminator"].items():
        for cond, v in conds.items():
            print(f"D of {g:18s} {cond:8s} own fakes AP {v['own_fakes']['ap']} acc {v['own_fakes']['acc']}  other sources AP {v['other_sources_ap']}")


if __name__ == "__main__":
    main()
