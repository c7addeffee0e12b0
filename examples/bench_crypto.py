"""Benchmark of neural-crypto (docs/neural-crypto.md): seeds of a configuration, each trained and then
attacked by the battery, with process CPU time.

    .venv/bin/python examples/bench_crypto.py --seeds 3 --budget standard --out bench-crypto/new
    .venv/bin/python examples/bench_crypto.py --seeds 3 --budget standard --out bench-crypto/old \\
        --set arch=mix --set eves=paper --set ab_loss=mean

Each seed is a `gansuite train neural-crypto` run (the defaults plus any --set) in its own process
(one thread), then `evaluate` with the battery at --budget. One JSON line per seed is appended to
OUT/results.jsonl and a summary printed. CPU-minutes are process CPU time, not wall time, so they
hold on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("GANSUITE_LOAD_PLUGINS", "neural-crypto")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def one_seed(seed: int, out: str, options: dict, budget: str) -> dict:
    import torch

    torch.set_num_threads(1)
    from gansuite_core import load_run, train_app
    from gansuite_neural_crypto.evaluation import evaluate

    run_dir = Path(out) / f"seed-{seed}"
    t0 = time.process_time()
    train_app("neural-crypto", run_dir, quiet=True, seed=seed, device="cpu", **options)
    train_cpu = time.process_time() - t0
    run = load_run(run_dir, app="neural-crypto")
    report = evaluate(run, torch.device("cpu"), budget=budget)
    row = {"seed": seed, "options": options, "budget": budget, "steps_run": run.step, "train_cpu_minutes": round(train_cpu / 60, 2),
           **{k: v for k, v in report.items() if k not in ("goal", "messages", "bits")}}
    with open(Path(out) / "results.jsonl", "a") as fh:
        fh.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)
    return row


def parse_value(v: str):
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(v.lower(), v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=10, help="seeds first .. first+N-1")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1, help="seeds run side by side (one core each)")
    ap.add_argument("--budget", default="full", choices=["quick", "standard", "full"], help="attack battery budget")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="option override (repeatable)")
    ap.add_argument("--out", default="bench-crypto")
    args = ap.parse_args()
    options = {k: parse_value(v) for k, v in (s.split("=", 1) for s in args.sets)}
    Path(args.out).mkdir(parents=True, exist_ok=True)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(one_seed, seeds, [args.out] * len(seeds), [options] * len(seeds), [args.budget] * len(seeds)))
    summary = {"options": options, "budget": args.budget, "seeds": len(rows), "succeeded": sum(r["success"] for r in rows),
               "bob_soft_bits_wrong": [r["bob_soft_bits_wrong"] for r in rows],
               "best_attacker_bits_wrong": [r["best_attacker_bits_wrong"] for r in rows],
               "largest_advantage": [r["largest_advantage"] for r in rows],
               "one_time_pad": [r["one_time_pad"] for r in rows],
               "median_train_cpu_minutes": statistics.median(r["train_cpu_minutes"] for r in rows),
               "attack_cpu_minutes": [round(r["attack_cpu_seconds"] / 60, 2) for r in rows]}
    (Path(args.out) / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
