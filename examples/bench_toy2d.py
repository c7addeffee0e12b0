"""Benchmark toy2d the way the PacGAN paper scores 2-D mixtures: several seeds on grid and ring.

Each seed is one `gansuite train toy2d --set data=D --seed S` with the application's defaults
(plus any --set you pass), then `gansuite evaluate --json`. Seeds run as separate processes,
`--jobs` at a time with one torch thread each; "seconds" is each training command's wall time and
"CPU seconds" the CPU time of that process alone (the number to quote on a shared machine: wall
time there measures the neighbours).

    pip install -e examples/plugins/gansuite-toy2d
    python examples/bench_toy2d.py --data grid ring --seeds 10 --jobs 2 --out runs/bench-toy2d
    python examples/bench_toy2d.py --data grid --seeds 3 --set steps=3000     # a reduced run

Prints a Markdown table (mean +- standard deviation over seeds) and writes OUT/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# The PacGAN paper's ten-trial anchors (Lin et al. 2018, tables 2 and 3): modes, high quality, reverse KL.
ANCHORS = {
    "grid": [("GAN", 17.3, 0.948, 0.70), ("ALI", 24.1, 0.957, 0.14), ("PacGAN4", 24.8, 0.936, 0.04)],
    "ring": [("GAN", 6.3, 0.982, 0.45), ("PacGAN2", 7.9, 0.956, 0.07)],
}
GOAL = "every mode, >= 95 % high quality, reverse KL <= 0.05, < 2 CPU-minutes (120 CPU seconds) a seed"


def one_seed(data: str, seed: int, out: Path, sets: list[str]) -> dict:
    run = out / f"{data}-seed{seed}"
    env = {**os.environ, "GANSUITE_LOAD_PLUGINS": "toy2d", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "gansuite_core", "train", "toy2d", "--out", str(run), "--quiet", "--seed", str(seed),
           "--set", f"data={data}"] + [a for s in sets for a in ("--set", s)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time, whatever else runs on the machine
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed")
    report = subprocess.run([sys.executable, "-m", "gansuite_core", "evaluate", str(run), "--json", "--device", "cpu"],
                            check=True, env=env, capture_output=True, text=True)
    result = {"data": data, "seed": seed, "seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, **json.loads(report.stdout)}
    print(f"{data} seed {seed}: {result['modes']}/{result['of_modes']} modes, {100 * result['high_quality']:.1f} % HQ, "
          f"reverse KL {result['reverse_kl']:.3f}, step {result['step']}, {seconds:.0f} s ({result['cpu_seconds']:.0f} s CPU)", file=sys.stderr, flush=True)
    return result


def mean_sd(xs: list[float]) -> str:
    return f"{statistics.mean(xs):.3g} ± {statistics.stdev(xs):.2g}" if len(xs) > 1 else f"{xs[0]:.3g}"


def table(results: list[dict]) -> str:
    lines = ["| data | seeds | modes | high quality (%) | reverse KL | mode width (σ; data 1.0) | seconds / seed (wall) | CPU seconds / seed | steps "
             "| goal reached | CPU < 120 s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for data in dict.fromkeys(r["data"] for r in results):
        rs = [r for r in results if r["data"] == data]
        lines.append(f"| {data} | {len(rs)} | {mean_sd([r['modes'] for r in rs])} / {rs[0]['of_modes']} "
                     f"| {mean_sd([100 * r['high_quality'] for r in rs])} | {mean_sd([r['reverse_kl'] for r in rs])} "
                     f"| {mean_sd([r['mode_width'] for r in rs if r.get('mode_width') is not None] or [float('nan')])} "
                     f"| {mean_sd([r['seconds'] for r in rs])} | {mean_sd([r['cpu_seconds'] for r in rs])} | {mean_sd([r['step'] for r in rs])} "
                     f"| {sum(r['goal_reached'] for r in rs)}/{len(rs)} | {sum(r['cpu_seconds'] < 120 for r in rs)}/{len(rs)} |")
        for name, modes, hq, kl in ANCHORS[data]:
            lines.append(f"| {data}: {name} (paper) | 10 | {modes} | {100 * hq:.1f} | {kl} | | | | | | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", nargs="+", default=["grid", "ring"], choices=["grid", "ring"])
    ap.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1 on each mixture")
    ap.add_argument("--jobs", type=int, default=2, help="seeds trained at the same time")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="extra option for every run")
    ap.add_argument("--out", type=Path, default=Path("runs/bench-toy2d"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = [(d, s) for d in args.data for s in range(args.seeds)]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda job: one_seed(job[0], job[1], args.out, args.sets), jobs))
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print(f"goal: {GOAL}\n")
    print(table(results))


if __name__ == "__main__":
    main()
