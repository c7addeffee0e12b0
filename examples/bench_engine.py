"""Engine overhead against the plain loop in plain_dcgan.py (as written, and with the idle
network's gradients turned off as the engine does: `plain_frozen`), and what channels_last, bf16 and
torch.compile buy on this CPU. Writes a markdown table to stdout.

    .venv/bin/python examples/bench_engine.py --steps 200 --repeats 3
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from plain_dcgan import adam, d_loss, g_loss, setup, train_plain  # noqa: E402

from gansuite_core import Application, Game, IndexedStream, Phase, Player  # noqa: E402
from gansuite_core.config import resolve  # noqa: E402
from gansuite_core.engine import Trainer  # noqa: E402


@dataclass(frozen=True)
class BenchConfig:
    batch: int = 64  # batch size
    z_dim: int = 64  # latent size


class Images:
    def __init__(self, x: torch.Tensor) -> None:
        self.x = x

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.x[i]


def _networks(cfg: BenchConfig):
    G, D, _ = setup(0, z_dim=cfg.z_dim)
    return {"G": G, "D": D}


def _game(cfg: BenchConfig, nets, ctx) -> Game:
    _, _, images = setup(0, z_dim=cfg.z_dim)
    z = lambda b: torch.randn(len(b), cfg.z_dim, device=b.device)  # noqa: E731
    return Game(players=[Player("G", ["G"], adam), Player("D", ["D"], adam)],
                phases=[Phase("D", "D", lambda n, b, s: d_loss(n["G"], n["D"], b, z(b))),
                        Phase("G", "G", lambda n, b, s: g_loss(n["G"], n["D"], z(b)))],
                data=IndexedStream(Images(images), cfg.batch, seed=ctx.seed), judge="D")


APP = Application("bench-dcgan", "DCGAN for the engine benchmark", BenchConfig, _networks, _game)


def train_engine(steps: int, **core) -> float:
    """Seconds per step of the engine on the same DCGAN (after 10 warm-up steps; logging every 10 steps as by default)."""
    with tempfile.TemporaryDirectory() as d:
        cfg = resolve(APP.name, BenchConfig, overrides={"steps": steps + 10, "checkpoint_every": 0, "sample_every": 0, "tensorboard": False, **core})
        t = Trainer(APP, cfg, Path(d), quiet=True)
        t.cfg = resolve(APP.name, BenchConfig, overrides={"steps": 10, "checkpoint_every": 0, "sample_every": 0, "tensorboard": False, **core}).core
        t.fit()  # warm-up (and compilation) on the same trainer
        t.cfg = cfg.core
        t0 = time.perf_counter()
        t.fit()
        return (time.perf_counter() - t0) / steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--variants", default="plain,plain_frozen,engine,channels_last,bf16,compile")
    args = ap.parse_args()
    variants = {"plain": lambda: train_plain(args.steps), "plain_frozen": lambda: train_plain(args.steps, freeze=True),
                "engine": lambda: train_engine(args.steps),
                "channels_last": lambda: train_engine(args.steps, channels_last=True),
                "bf16": lambda: train_engine(args.steps, precision="bf16"),
                "compile": lambda: train_engine(args.steps, compile=True)}
    wanted = args.variants.split(",")
    times: dict[str, list[float]] = {v: [] for v in wanted}
    for r in range(args.repeats):  # interleaved, so drifts in machine load hit every variant alike
        for v in wanted:
            times[v].append(variants[v]())
            print(f"# repeat {r}: {v} {1000 * times[v][-1]:.2f} ms/step", file=sys.stderr, flush=True)
    base = statistics.median(times["plain"]) if "plain" in times else None
    print(f"\nDCGAN 32x32, batch 64, {args.steps} timed steps, median of {args.repeats}; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {platform.processor() or platform.machine()}\n")
    print("| variant | ms / step (median) | all runs (ms) | vs plain loop |\n|---|---|---|---|")
    for v, ts in times.items():
        med = statistics.median(ts)
        rel = f"{100 * (med / base - 1):+.1f} %" if base else "-"
        print(f"| {v} | {1000 * med:.2f} | {', '.join(f'{1000 * t:.1f}' for t in ts)} | {rel} |")


if __name__ == "__main__":
    main()
