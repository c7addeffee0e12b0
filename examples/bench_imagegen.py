"""Benchmark of the image-generation application (issue 3): flowers mode coverage, faces KID.

Each (variant, seed) trains in its own process with one torch thread, `--jobs` at a time
(timings to OUT/trained.jsonl); then every run is evaluated, in one process, with the application's
own `evaluate` (EMA generator) into OUT/results.jsonl, and a Markdown table is printed.

    python examples/bench_imagegen.py --variants default,hinge --seeds 0,1 --jobs 2 --out bench-ig
    python examples/bench_imagegen.py --variants faces,faces-plain --seeds 0 --out bench-ig
    python examples/bench_imagegen.py --evaluate bench-ig       # evaluate runs trained but not yet evaluated
    python examples/bench_imagegen.py --table bench-ig          # print the table of what is there

Variants are overrides of the default configuration (plugins/gansuite_image_generation/config.py);
`--set key=value` adds overrides to every variant (e.g. --set steps=1000 for a reduced run).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

VARIANTS: dict[str, dict] = {
    "default": {},
    "d-width-16": {"d_width": 16},  # the default before 2026-12-04 (DCGAN's D at width 16)
    "hinge": {"loss": "hinge"},
    "wgan-gp": {"loss": "wgan-gp", "n_critic": 2, "beta1": 0.0, "beta2": 0.9},
    "lsgan": {"loss": "lsgan"},
    "no-diffaugment": {"diffaugment": ""},
    "warmup": {"warmup_steps": 200},
    "loser": {"schedule": "loser"},
    "mbstd": {"mbstd": True},
    "wgan-gp-mbstd": {"loss": "wgan-gp", "n_critic": 2, "beta1": 0.0, "beta2": 0.9, "mbstd": True},
    "r1": {"r1_gamma": 0.1},
    "ttur": {"lr_d": 4e-4, "lr_g": 1e-4},
    "ada": {"ada": True, "diffaugment": ""},
    "pack2": {"pack": 2},
    "contrastive": {"contrastive": 1.0},
    "contrastive-hue": {"contrastive": 1.0, "contrastive_hue": True},
    "tail": {"lr_tail": 0.25},
    "codes": {"codes": 72, "prior": "learned"},
    "codes-uniform": {"codes": 72},
    "codes-pack2-tail": {"codes": 72, "prior": "learned", "pack": 2, "lr_tail": 0.25},
    "fastgan": {"model": "fastgan", "size": 64},
    "faces": {"data": "faces", "eval_samples": 50},
    "faces-d16": {"data": "faces", "eval_samples": 50, "d_width": 16},
    "faces-plain": {"data": "faces", "eval_samples": 50, "diffaugment": ""},
    "faces-ada": {"data": "faces", "eval_samples": 50, "diffaugment": "", "ada": True},
    "faces-fastgan": {"data": "faces", "eval_samples": 50, "model": "fastgan", "size": 64},
}
FACES_COMMON = {"size": 32, "fakes": 1000}  # faces KID on one protocol for every variant (see faces_kid)


def train_one(variant: str, seed: int, out: Path, extra: dict) -> dict:
    """Train one run in this process (one torch thread); its timing row."""
    import torch

    torch.set_num_threads(1)
    from gansuite_core import train_app

    options = {**VARIANTS[variant], **extra, "seed": seed}
    run_dir = out / f"{variant}-s{seed}"
    cpu0, wall0 = time.process_time(), time.perf_counter()
    train_app("image-generation", run_dir, quiet=True, **options)
    return {"variant": variant, "seed": seed, "options": options, "run": str(run_dir),
            "train_cpu_min": round((time.process_time() - cpu0) / 60, 2), "train_wall_min": round((time.perf_counter() - wall0) / 60, 2)}


_FACES: dict = {}


def faces_kid(run) -> dict:
    """KID of 1,000 fakes against all 100 real faces, everything at 32 px, one rotation-CNN extractor.

    The application's own faces KID compares 50 fakes with 50 reals on an extractor trained at the
    run's size, so FastGAN (64 px) and DCGAN (32 px) are not scored on the same features, and 50
    samples make it noisy. Here every variant's samples are area-resized to 32 px and scored on the
    same extractor (trained once on the 100 real faces at 32 px, seed 0).
    """
    import torch
    import torch.nn.functional as F

    from gansuite_core.metrics import distribution
    from gansuite_core.metrics.features import RotationExtractor, features_of
    from gansuite_image_generation import data as datamod
    from gansuite_image_generation.evaluation import sample

    size = FACES_COMMON["size"]
    if "extractor" not in _FACES:
        real = datamod.to_float(datamod.load("faces", size, True, False)[0])  # (100, 1, 32, 32)
        _FACES["extractor"] = ex = RotationExtractor(real, seed=0, data_name="faces at 32 px")
        _FACES["real"] = features_of(ex, real)
    fake = sample(run.net("G"), run.config.options, FACES_COMMON["fakes"], seed=0)
    if fake.shape[-1] != size:
        fake = F.interpolate(fake, size=(size, size), mode="area")
    kid, kid_std = distribution.kid(_FACES["real"], features_of(_FACES["extractor"], fake), subsets=100, subset_size=100)
    return {"kid32": kid, "kid32_std": kid_std}


def evaluate_one(row: dict) -> dict:
    """The application's own evaluation of a trained run (EMA generator), added to its timing row.

    All runs are evaluated in one process so the flowers classifier is trained once.
    """
    import torch

    from gansuite_core import load_run

    run = load_run(row["run"])
    report = run.app.evaluate(run, torch.device("cpu"))
    Path(row["run"], "eval.json").write_text(json.dumps(report, indent=2, default=str))
    row = {**row, "steps": run.step, "kid": report["model"]["kid"], "kid_floor": report["real_vs_real"]["kid"],
           "kid_ceiling": report["untrained_generator"]["kid"], "fid": report["model"]["fid"], "precision": report["model"]["precision"],
           "recall": report["model"]["recall"], "features": report["features"], "samples": report["samples_per_side"]}
    if row["options"].get("data") == "faces":
        row.update(faces_kid(run))
    if "flowers_modes" in report:
        m = report["flowers_modes"]["model"]
        row.update(modes=m["modes"], high_quality=m["high_quality"], reverse_kl=m["reverse_kl"],
                   real_modes=report["flowers_modes"]["real"]["modes"], real_kl=report["flowers_modes"]["real"]["reverse_kl"],
                   classifier_accuracy=report["flowers_modes"]["classifier_accuracy"])
    return row


def evaluate_pending(out: Path) -> None:
    """Evaluate every run of OUT/trained.jsonl not yet in OUT/results.jsonl."""
    import torch

    torch.set_num_threads(1)
    done = set()
    if (out / "results.jsonl").exists():
        done = {json.loads(x)["run"] for x in (out / "results.jsonl").read_text().splitlines() if x.strip()}
    for line in (out / "trained.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["run"] not in done:
            with open(out / "results.jsonl", "a") as fh:
                fh.write(json.dumps(evaluate_one(row)) + "\n")
            print(f"evaluated: {row['run']}", flush=True)


def table(out: Path) -> str:
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines() if line.strip()]
    lines = ["| variant | seed | steps | modes /36 | high-quality | reverse KL | KID (floor / ceiling) | faces KID, 32 px, 1000 vs 100 | CPU min | wall min |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        modes = f"{r['modes']}" if "modes" in r else "-"
        hq = f"{r['high_quality']:.3f}" if "high_quality" in r else "-"
        kl = f"{r['reverse_kl']:.3f}" if "reverse_kl" in r else "-"
        k32 = f"{r['kid32']:.3f} ± {r['kid32_std']:.3f}" if "kid32" in r else "-"
        lines.append(f"| {r['variant']} | {r['seed']} | {r['steps']} | {modes} | {hq} | {kl} | "
                     f"{r['kid']:.4f} ({r['kid_floor']:.4f} / {r['kid_ceiling']:.4f}) | {k32} | {r['train_cpu_min']} | {r['train_wall_min']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", default="default", help=f"comma-separated, of: {', '.join(VARIANTS)}")
    ap.add_argument("--seeds", default="0,1", help="comma-separated seeds")
    ap.add_argument("--jobs", type=int, default=2, help="runs at a time (one torch thread each)")
    ap.add_argument("--out", type=Path, default=Path("bench-image-generation"))
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="override for every variant")
    ap.add_argument("--table", type=Path, help="only print the table of an existing OUT")
    ap.add_argument("--evaluate", type=Path, help="only evaluate the trained, not yet evaluated runs of OUT")
    ap.add_argument("--one", nargs=2, metavar=("VARIANT", "SEED"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.table:
        print(table(args.table))
        return
    if args.evaluate:
        evaluate_pending(args.evaluate)
        print(table(args.evaluate))
        return
    extra = dict(s.split("=", 1) for s in args.sets)
    if args.one:
        print(json.dumps(train_one(args.one[0], int(args.one[1]), args.out, extra)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = [(v, int(s)) for v in args.variants.split(",") for s in args.seeds.split(",")]
    for v, _ in jobs:
        if v not in VARIANTS:
            sys.exit(f"unknown variant {v!r}; known: {', '.join(VARIANTS)}")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GANSUITE_LOAD_PLUGINS": "image-generation"}
    running: list[tuple[subprocess.Popen, str, int]] = []
    while jobs or running:
        while jobs and len(running) < args.jobs:
            v, s = jobs.pop(0)
            cmd = [sys.executable, __file__, "--one", v, str(s), "--out", str(args.out)] + [a for kv in args.sets for a in ("--set", kv)]
            running.append((subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True), v, s))
        time.sleep(2)
        for job in [j for j in running if j[0].poll() is not None]:
            running.remove(job)
            proc, v, s = job
            line = proc.stdout.read().strip().splitlines()
            if proc.returncode == 0 and line:
                with open(args.out / "trained.jsonl", "a") as fh:
                    fh.write(line[-1] + "\n")
                print(f"trained: {v} seed {s}", flush=True)
            else:
                print(f"FAILED: {v} seed {s} (exit {proc.returncode})", flush=True)
    evaluate_pending(args.out)
    print(table(args.out))


if __name__ == "__main__":
    main()
