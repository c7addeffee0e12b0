"""Engine overhead against the hand-written loop of plain_dcgan.py, measured as a ratio in one run.

Each repeat times the plain loop (`plain`), the plain loop that freezes the idle network as the
engine does (`plain_frozen`, the fair yardstick) and the engine, back to back, so a drift in
machine load hits all three alike; the engine/plain_frozen ratio is taken per repeat, and the
table gives its median and spread. `--profile` adds where the engine's time goes (torch.profiler,
CPU, self time by operator) and the share the engine's own Python code takes (cProfile).
`--variants` adds channels_last, bf16 and compile.

    .venv/bin/python examples/bench_engine.py --steps 200 --repeats 7 --profile
"""
from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from plain_dcgan import adam, d_loss, g_loss, setup, train_plain  # noqa: E402

from gansuite_core import Application, Game, Phase, Player, SeededStream, resolve  # noqa: E402
from gansuite_core.engine import Trainer  # noqa: E402  (the benchmark drives the trainer directly)


@dataclass(frozen=True)
class BenchConfig:
    batch: int = 64  # batch size
    z_dim: int = 64  # latent size


def _networks(cfg: BenchConfig):
    G, D, _ = setup(0, z_dim=cfg.z_dim)
    return {"G": G, "D": D}


def _game(cfg: BenchConfig, nets, ctx) -> Game:
    _, _, images = setup(0, z_dim=cfg.z_dim)  # in memory, indexed like the plain loop does
    real = lambda g: images[torch.randint(0, len(images), (cfg.batch,), generator=g)]  # noqa: E731
    z = lambda: torch.randn(cfg.batch, cfg.z_dim, device=ctx.device)  # noqa: E731
    return Game(players=[Player("G", ["G"], adam), Player("D", ["D"], adam)],
                phases=[Phase("D", "D", lambda n, b, s: d_loss(n["G"], n["D"], b, z())),
                        Phase("G", "G", lambda n, b, s: g_loss(n["G"], n["D"], z()), data=False)],
                data=SeededStream(real, seed=ctx.seed), judge="D")


APP = Application("bench-dcgan", "DCGAN for the engine benchmark", BenchConfig, _networks, _game)


def _trainer(steps: int, d: str, **core) -> Trainer:
    cfg = resolve(APP.name, BenchConfig, overrides={"steps": steps, "checkpoint_every": 0, "sample_every": 0, "tensorboard": False, **core})
    return Trainer(APP, cfg, Path(d), quiet=True)


def train_engine(steps: int, **core) -> float:
    """Seconds per step of the engine on the same DCGAN, after 10 warm-up steps; logging every 10 steps, as by default."""
    with tempfile.TemporaryDirectory() as d:
        t = _trainer(10, d, **core)
        t.fit()  # warm-up (and compilation) on the same trainer, which then goes on
        t.cfg = _trainer(steps + 10, d, **core).cfg
        t0 = time.perf_counter()
        t.fit()
        return (time.perf_counter() - t0) / steps


def profile(steps: int) -> None:
    """Where the engine's time goes: operators by self CPU time, and the engine's own Python frames."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as tprofile

    with tempfile.TemporaryDirectory() as d:
        t = _trainer(10, d)
        t.fit()
        t.cfg = _trainer(steps + 10, d).cfg
        with tprofile(activities=[ProfilerActivity.CPU]) as prof:
            t.fit()
    rows = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    total = sum(e.self_cpu_time_total for e in rows)
    print(f"\nProfile of {steps} engine steps (torch.profiler, self CPU time, top 12 of {len(rows)} operators):\n")
    print("| operator | share of self time |\n|---|---|")
    for e in rows[:12]:
        print(f"| `{e.key}` | {100 * e.self_cpu_time_total / total:.1f} % |")
    with tempfile.TemporaryDirectory() as d:
        t = _trainer(10, d)
        t.fit()
        t.cfg = _trainer(steps + 10, d).cfg
        pr = cProfile.Profile()
        pr.enable()
        t.fit()
        pr.disable()
    st = pstats.Stats(pr)
    whole = st.total_tt
    mine = {f"{Path(f).name}:{name}": tt for (f, _, name), (_, _, tt, _, _) in st.stats.items() if "gansuite_core" in f}
    print(f"\nPython self time in gansuite_core (cProfile, the engine's own bookkeeping): {100 * sum(mine.values()) / whole:.1f} % of the run;"
          " largest: " + ", ".join(f"`{k}` {100 * v / whole:.2f} %" for k, v in sorted(mine.items(), key=lambda kv: -kv[1])[:5]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--variants", default="", help="extra engine variants: channels_last,bf16,compile")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    extra = {"channels_last": {"channels_last": True}, "bf16": {"precision": "bf16"}, "compile": {"compile": True}}
    wanted = ["plain", "plain_frozen", "engine"] + [v for v in args.variants.split(",") if v]
    times: dict[str, list[float]] = {v: [] for v in wanted}
    for r in range(args.repeats):  # interleaved: a drift in machine load hits every variant alike
        for v in wanted:
            if v == "plain":
                times[v].append(train_plain(args.steps))
            elif v == "plain_frozen":
                times[v].append(train_plain(args.steps, freeze=True))
            else:
                times[v].append(train_engine(args.steps, **extra.get(v, {})))
            print(f"# repeat {r}: {v} {1000 * times[v][-1]:.2f} ms/step", file=sys.stderr, flush=True)
    ratios = [e / p for e, p in zip(times["engine"], times["plain_frozen"])]
    print(f"\nDCGAN 32x32, batch 64, {args.steps} timed steps after 10 warm-up, {args.repeats} interleaved repeats; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.processor() or platform.machine()}\n")
    print("| variant | ms / step (median) | all repeats (ms) |\n|---|---|---|")
    for v, ts in times.items():
        print(f"| {v} | {1000 * statistics.median(ts):.2f} | {', '.join(f'{1000 * t:.1f}' for t in ts)} |")
    q = statistics.quantiles(ratios, n=4) if len(ratios) >= 2 else [ratios[0]] * 3
    print(f"\n**engine / plain_frozen, per repeat: median {statistics.median(ratios):.3f}** "
          f"(quartiles {q[0]:.3f}–{q[2]:.3f}; min {min(ratios):.3f}, max {max(ratios):.3f}; "
          + ", ".join(f"{x:.3f}" for x in ratios) + ")")
    if args.profile:
        profile(args.steps)


if __name__ == "__main__":
    main()
