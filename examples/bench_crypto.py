"""Benchmark of neural-crypto (docs/benchmarks.md): success rate, steps to success,
wall time and fresh-Eve bits wrong over several seeds.

    .venv/bin/python examples/bench_crypto.py --seeds 10 --jobs 2 --out bench-crypto
    .venv/bin/python examples/bench_crypto.py --seeds 2 --set lr=0.002 --set batch=256 --attack-eves 0

Each seed is a full `gansuite train neural-crypto` run (the defaults plus any --set), then
(unless --attack-eves 0) the same attack as `gansuite crypto RUN attack`. Runs go to
OUT/seed-K; one JSON line per seed is appended to OUT/results.jsonl and a summary printed.
Every process uses one thread, so --jobs 2 on 2 cores runs two seeds side by side.
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


def one_seed(seed: int, out: str, options: dict, attack_eves: int, attack_steps: int | None) -> dict:
    import torch

    torch.set_num_threads(1)
    from gansuite_core import load_run, train_app
    from gansuite_neural_crypto.attack import attack
    from gansuite_neural_crypto.evaluate import evaluate, steps_to_success

    run_dir = Path(out) / f"seed-{seed}"
    t0 = time.perf_counter()
    train_app("neural-crypto", run_dir, quiet=True, seed=seed, device="cpu", **options)
    train_s = time.perf_counter() - t0
    run = load_run(run_dir)
    report = evaluate(run, torch.device("cpu"))
    row = {"seed": seed, "options": options, "success": report["success"], "steps_to_success": steps_to_success(run),
           "steps_run": run.step, "bob_bits_wrong": report["bob_bits_wrong"], "eve_bits_wrong": report["eve_bits_wrong"],
           "train_seconds": round(train_s, 1), "ms_per_step": round(1000 * train_s / max(run.step, 1), 1)}
    if attack_eves:
        cfg = run.config.options
        a = attack(run.net("alice"), cfg, eves=attack_eves, steps=attack_steps or cfg.attack_steps, seed=seed)
        row["fresh_eves"] = [(r["kind"], r["bits_wrong"], r["lowest_bits_wrong"]) for r in a["fresh_eves"]]
        row["fresh_eve_lowest"] = a["lowest_bits_wrong"]
        row["attack_seconds"] = round(sum(r["seconds"] for r in a["fresh_eves"]), 1)
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
    ap.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="seeds trained side by side")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="option override (repeatable)")
    ap.add_argument("--attack-eves", type=int, default=2, help="fresh Eves per seed (0: no attack)")
    ap.add_argument("--attack-steps", type=int, default=None, help="steps per fresh Eve (default: attack_steps, 10,000)")
    ap.add_argument("--out", default="bench-crypto")
    args = ap.parse_args()
    options = {k: parse_value(v) for k, v in (s.split("=", 1) for s in args.sets)}
    Path(args.out).mkdir(parents=True, exist_ok=True)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(one_seed, seeds, [args.out] * len(seeds), [options] * len(seeds),
                             [args.attack_eves] * len(seeds), [args.attack_steps] * len(seeds)))
    ok = [r for r in rows if r["steps_to_success"] is not None]
    summary = {"options": options, "seeds": len(rows), "succeeded": len(ok),
               "median_steps_to_success": statistics.median(r["steps_to_success"] for r in ok) if ok else None,
               "steps_to_success": [r["steps_to_success"] for r in rows],
               "median_train_seconds": statistics.median(r["train_seconds"] for r in rows),
               "wall_seconds": round(time.perf_counter() - t0, 1)}
    if args.attack_eves:
        summary["fresh_eve_lowest"] = [r["fresh_eve_lowest"] for r in rows]
        summary["fresh_eves_hold (>= 7 of 16)"] = sum(r["fresh_eve_lowest"] >= 7 for r in rows)
    (Path(args.out) / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
