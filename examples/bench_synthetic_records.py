"""Benchmark of synthetic-records (issue 16): the GAN and both baselines over training seeds.

    OMP_NUM_THREADS=1 python examples/bench_synthetic_records.py --seeds 0,1,2,3,4 --steps 2000 --out runs/bench-records

Each seed trains from scratch on an embedded table (`--data diabetes`, the default, or `gbsg2`; the same 80/20 split), then
`evaluate` scores the GAN and the baselines (drawn with the same seed) on the held-out patients.
Training cost is process CPU time (the machine may be shared), including the transformer's fit.
Writes OUT/seed-S.json per seed and OUT/summary.json (mean and std over the seeds present).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from gansuite_core import load_run, train_app
from gansuite_synthetic_records import data as records_data

KEYS = ["quality", "column_shapes", "column_pair_trends", "tstr", "utility_ratio", "exact_copies",
        "dcr_synthetic_median", "dcr_holdout_median", "mia_auc"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--data", default="diabetes")
    ap.add_argument("--out", type=Path, default=Path("runs/bench-records"))
    ap.add_argument("--set", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                    help="extra options KEY=VALUE (several after one --set, or --set repeated)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    extra = dict(kv.split("=", 1) for kv in a.set)
    a.out.mkdir(parents=True, exist_ok=True)
    for seed in [int(s) for s in a.seeds.split(",")]:
        records_data._load.cache_clear()  # count the transformer's fit in every seed's training cost
        t0 = time.process_time()
        run_dir = a.out / f"seed-{seed}"
        train_app("synthetic-records", run_dir, quiet=True, steps=a.steps, seed=seed, eval_seed=seed, data=a.data,
                  device="cpu", **extra)
        cpu_train = time.process_time() - t0
        t0 = time.process_time()
        run = load_run(run_dir, app="synthetic-records")
        report = run.app.evaluate(run, torch.device("cpu"))
        report.update(seed=seed, train_cpu_minutes=cpu_train / 60, eval_cpu_minutes=(time.process_time() - t0) / 60)
        (a.out / f"seed-{seed}.json").write_text(json.dumps(report, indent=2, default=float))
        print(f"seed {seed}: quality {report['gan']['quality']:.3f} tstr {report['gan']['tstr']:.3f} / trtr {report['trtr']:.3f} "
              f"mia {report['gan']['mia_auc']:.3f}" + (f" eps {report['dp']['epsilon']:.2f}" if "dp" in report else "") + f" copies {report['gan']['exact_copies']} train {cpu_train / 60:.2f} CPU-min", flush=True)
        lead = report["utility_lead"]["gaussian_copula"]
        print(f"  tstr minus the copula's {lead['difference']:+.3f}, 90 % interval over held-out rows [{lead['low']:+.3f}, {lead['high']:+.3f}]", flush=True)
    reports = [json.loads(p.read_text()) for p in sorted(a.out.glob("seed-*.json"))]
    summary = {"seeds": [r["seed"] for r in reports], "trtr": reports[0]["trtr"], "trtr_cindex": reports[0].get("trtr_cindex"),
               "train_cpu_minutes": [np.mean([r["train_cpu_minutes"] for r in reports]), np.std([r["train_cpu_minutes"] for r in reports])],
               "goal_met": [r["goal_met"] for r in reports], "dp_epsilon": [r["dp"]["epsilon"] for r in reports if "dp" in r]}
    for name in ("gan", "gaussian_copula", "independent"):
        keys = KEYS + [k for k in ("km_gap", "tstr_cindex") if all(k in r[name] for r in reports)]  # survival tables only
        summary[name] = {k: [float(np.mean([r[name][k] for r in reports])), float(np.std([r[name][k] for r in reports]))] for k in keys}
    if all("utility_lead" in r for r in reports):  # reports written before 2026-12-04 have none
        summary["utility_lead"] = {b: {k: [float(np.mean([r["utility_lead"][b][k] for r in reports])), float(np.std([r["utility_lead"][b][k] for r in reports]))]
                                       for k in ("difference", "low", "high")} for b in ("gaussian_copula", "independent")}
    (a.out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
