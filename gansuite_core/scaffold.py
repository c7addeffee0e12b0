"""`gansuite new-plugin NAME`: write an installable plugin package that works as generated.

    gansuite-NAME/                 the distribution gansuite-NAME (as examples/plugins/gansuite-toy2d)
      pyproject.toml               entry point `NAME = "gansuite_NAME.plugin"` in the `gansuite` group
      README.md                    install, train, evaluate, generate, score, demo, test, publish
      gansuite_NAME/               the plugin layout every gansuite plugin shares (docs/plugins.md):
        config.py models.py losses.py data.py game.py evaluation.py commands.py plugin.py
        pictures.py generate.py demo.py        three more modules, one job each
      tests/test_plugin.py         command-line tests: listed, learns, resumes exactly, errors, command, check-plugin

The application is a GAN on a 1-D mixture of two Gaussians, small enough to learn in seconds on a
CPU, built only on gansuite's public API. NAME is the application's (and entry point's) name;
the module is `gansuite_` + NAME with dashes as underscores.

The templates are strings below (the scaffold needs no package data); the placeholders
__NAME__, __DIST__, __MODULE__ and __CLASS__ are filled in by plain replacement, so the
templates are ordinary Python with nothing to escape.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

from .errors import UserError

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

PYPROJECT = '''\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "__DIST__"
version = "0.1.0"
description = "A gansuite plugin: the application __NAME__, a GAN on a 1-D mixture of two Gaussians"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["gansuite"]

# gansuite finds plugins through this entry-point group: plugin name = "module holding the hooks".
[project.entry-points.gansuite]
__NAME__ = "__MODULE__.plugin"

[project.optional-dependencies]
test = ["pytest>=8"]

[tool.setuptools.packages.find]
include = ["__MODULE__*"]

[tool.pytest.ini_options]
testpaths = ["tests"]
'''

README = '''\
# __DIST__

A [gansuite](https://pypi.org/project/gansuite/) plugin adding the application `__NAME__`: a small
GAN that learns a 1-D mixture of two Gaussians. It is a starting point: replace the data, networks
and losses with your own and keep the shape, one job per file.

## Install and use

    pip install -e .
    gansuite plugins                                   # __NAME__ 0.1.0  [__NAME__]
    gansuite train __NAME__ --out runs/__NAME__        # 2000 steps, under half a CPU-minute
    gansuite train __NAME__ --help                     # every option, from config.py's comments
    gansuite evaluate runs/__NAME__                    # Wasserstein-1 to the data, and two baselines
    gansuite generate runs/__NAME__ --num 5000 --out points.csv      # also writes points.png
    gansuite generate runs/__NAME__ --num 5000 --out hist.png --set truncation=1.5
    gansuite generate-options __NAME__                 # generate's own --set options
    gansuite __NAME__-score points.csv                 # score any file of points (.csv, .npy)
    gansuite demo __NAME__ --out demo                  # train, evaluate, open demo/index.html
    gansuite check-plugin __NAME__                     # train, resume, evaluate, generate, demo, errors

`evaluate` prints `w1`, the Wasserstein-1 distance between generated and fresh real points (0 is
perfect), next to `single_gaussian_w1` (a normal distribution fitted to the data: the model to
beat, it cannot have two modes) and `data_floor_w1` (two real samples: the sampling noise), and
`left_share`, the share of points in the left mode (0.5 when neither mode is dropped). The default
run (seed 0) ends at w1 0.15, against 0.73 for the single Gaussian and 0.05 for the floor.

## The files

| file | its one job |
| --- | --- |
| `__MODULE__/config.py` | the options: a frozen dataclass, one `# comment` per field (it becomes `--help`); generate's options |
| `__MODULE__/models.py` | the networks G and D: tensors in, tensors out |
| `__MODULE__/losses.py` | the non-saturating GAN losses on D's logits |
| `__MODULE__/data.py` | the data stream, the noise, and reading/writing files of points |
| `__MODULE__/game.py` | players, phases and EMA: `make_game(cfg, nets, ctx) -> Game` |
| `__MODULE__/evaluation.py` | the numbers and their baselines: `evaluate(run, device) -> dict` |
| `__MODULE__/generate.py` | `gansuite generate`: points or a histogram from a trained run |
| `__MODULE__/pictures.py` | the histogram picture |
| `__MODULE__/demo.py` | `gansuite demo __NAME__`, built on `train_demo` |
| `__MODULE__/commands.py` | the extra command `gansuite __NAME__-score` |
| `__MODULE__/plugin.py` | registration only: the Application and the hooks |

Import only gansuite's public API: `from gansuite_core import ...`, `gansuite_core.metrics` and
`gansuite_core.pictures`.

## Test

    pytest

The tests drive the command line as a user would: `gansuite plugins` lists the plugin, a
400-step run gets within half the single Gaussian's distance to the data with both modes filled, a
run stopped halfway and resumed has exactly the weights of an uninterrupted one, bad options are
one-line errors, `generate` and `__NAME__-score` work, and `gansuite check-plugin __NAME__` passes
(about a CPU-minute, mostly starting Python and torch once per command). While developing, make a broken
plugin fail loudly with `GANSUITE_STRICT_PLUGINS=1` and print its traceback with
`GANSUITE_TRACE_PLUGINS=1`.

## Publish

    python -m build && twine upload dist/*

After `pip install __DIST__`, `gansuite apps` lists `__NAME__` with no other step.
'''

INIT = '''\
"""__DIST__: the gansuite application __NAME__ (registered in plugin.py)."""

__version__ = "0.1.0"
'''

CONFIG = '''\
"""The options of __NAME__: training's (`--set KEY=VALUE`) and generate's own.

Each is a frozen dataclass whose fields all have a default and a trailing `# comment`: gansuite
prints the comment in `gansuite train __NAME__ --help` and `gansuite generate-options __NAME__`, and
turns a ValueError from __post_init__ into a one-line error naming the option.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class __CLASS__Config:
    separation: float = 4.0  # distance between the two Gaussian modes of the data
    spread: float = 0.5  # standard deviation of each mode
    latent: int = 4  # size of the generator's noise z
    hidden: int = 32  # units per hidden layer of G and D
    batch: int = 128  # real points per D update, noise vectors per G update
    lr: float = 1e-3  # Adam learning rate of both players
    ema_half_life: float = 40_000.0  # points after which an old weight's share in G's average halves (stylegan2-ada: 10,000 at batch 32; x4 here)
    eval_samples: int = 4000  # generated points evaluate() compares with as many fresh real ones

    def __post_init__(self) -> None:
        for key in ("latent", "hidden", "batch", "eval_samples"):
            if getattr(self, key) < 1:
                raise ValueError(f"{key}={getattr(self, key)}: expected a positive integer")
        if not 0 < self.lr < 1:
            raise ValueError(f"lr={self.lr}: expected a learning rate between 0 and 1")
        for key in ("spread", "ema_half_life"):
            if not getattr(self, key) > 0:
                raise ValueError(f"{key}={getattr(self, key)}: expected a positive number")
        if not self.separation >= 0:
            raise ValueError(f"separation={self.separation}: expected a number >= 0")


@dataclass(frozen=True)
class GenerateOptions:
    truncation: float = 0.0  # draw the noise from N(0, 1) cut to [-t, t]: fewer but more typical points (the truncation trick, Brock et al. 2019); 0 = off
    bins: int = 60  # bars of the histogram picture

    def __post_init__(self) -> None:
        if not self.truncation >= 0:
            raise ValueError(f"truncation={self.truncation}: expected 0 (off) or a positive number")
        if self.bins < 1:
            raise ValueError(f"bins={self.bins}: expected a positive integer")
'''

MODELS = '''\
"""The networks of __NAME__: small multilayer perceptrons, as in the first GAN (Goodfellow et al. 2014).

Tensors in, tensors out: no loss, optimizer or device code here. game.py decides how they play,
the engine where they run.
"""
from __future__ import annotations

from torch import nn

from .config import __CLASS__Config


def mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    """(B, inputs) -> (B, outputs). LeakyReLU keeps D's gradient alive for points it rejects firmly."""
    return nn.Sequential(nn.Linear(inputs, hidden), nn.LeakyReLU(0.2),
                         nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                         nn.Linear(hidden, outputs))


def make_networks(cfg: __CLASS__Config) -> dict[str, nn.Module]:
    """G: noise z (B, latent) -> point x (B, 1); D: x (B, 1) -> logit (B, 1)."""
    return {"G": mlp(cfg.latent, cfg.hidden, 1), "D": mlp(1, cfg.hidden, 1)}
'''

LOSSES = '''\
"""The non-saturating GAN losses (Goodfellow et al. 2014, section 3) on D's logits.

Tensors in, tensors out. Logged numbers stay 0-dim tensors: the engine reads them on the host only
every `log_every` steps, so a step never waits for the device (never call .item() here).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def d_loss(real_logit: torch.Tensor, fake_logit: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """-log D(x) - log(1 - D(G(z))), written with softplus for stability; logits (B, 1)."""
    loss = F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()
    return loss, {"real": real_logit.detach().mean(), "fake": fake_logit.detach().mean()}


def g_loss(fake_logit: torch.Tensor) -> torch.Tensor:
    """-log D(G(z)) rather than log(1 - D(G(z))): strong gradients while D still wins easily."""
    return F.softplus(-fake_logit).mean()


def accuracy(real_logit: torch.Tensor, fake_logit: torch.Tensor) -> torch.Tensor:
    """Share of points D classifies right (real logit > 0, fake < 0), a 0-dim tensor (`--set schedule=loser`)."""
    return ((real_logit > 0).float().mean() + (fake_logit < 0).float().mean()) / 2
'''

DATA = '''\
"""The data of __NAME__: a 1-D mixture of two Gaussians drawn on the fly, the noise G turns into
points, and the files of points that `gansuite generate` writes and `__NAME__-score` reads.

Every draw takes a torch.Generator: a batch is a pure function of the stream's seed and position,
which is what makes `gansuite train --resume` exact.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gansuite_core import SeededStream, UserError

from .config import __CLASS__Config

POINT_FILES = (".csv", ".npy")  # files of points this plugin writes and reads


def real_points(n: int, separation: float, spread: float, g: torch.Generator) -> torch.Tensor:
    """(n, 1) points: -separation/2 or +separation/2 with equal odds, plus N(0, spread^2) noise."""
    side = torch.randint(0, 2, (n, 1), generator=g).float() * 2 - 1
    return side * separation / 2 + spread * torch.randn(n, 1, generator=g)


def real_stream(cfg: __CLASS__Config, seed: int, rank: int) -> SeededStream:
    """Endless (batch, 1) batches of real points; batch k comes from a generator seeded by (seed, k, rank)."""
    return SeededStream(lambda g: real_points(cfg.batch, cfg.separation, cfg.spread, g), seed=seed, rank=rank)


def noise(n: int, latent: int, g: torch.Generator, truncation: float = 0.0) -> torch.Tensor:
    """(n, latent) noise on the CPU: N(0, 1), or N(0, 1) cut to [-truncation, truncation] when > 0."""
    if truncation > 0:
        return torch.nn.init.trunc_normal_(torch.empty(n, latent), a=-truncation, b=truncation, generator=g)
    return torch.randn(n, latent, generator=g)


def write_points(points: torch.Tensor, path: Path) -> Path:
    """Write points (N,) as a float32 .npy array or a .csv with a header line `x` and one value per line."""
    values = points.detach().flatten().cpu().numpy()
    if path.suffix.lower() == ".npy":
        np.save(path, values.astype(np.float32))
    else:
        path.write_text("x\\n" + "".join(f"{v:.6g}\\n" for v in values))
    return path


def read_points(path: Path) -> torch.Tensor:
    """(N,) points from a .npy array (flattened) or a .csv (first column; a header line is skipped)."""
    path = Path(path)
    if path.suffix.lower() not in POINT_FILES:
        raise UserError(f"{path}: expected a .csv or .npy file of points")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".npy":
            values = np.load(path, allow_pickle=False).astype(np.float64).ravel()
        else:
            rows = [line.split(",")[0].strip() for line in path.read_text().splitlines() if line.strip()]
            if rows and not _is_number(rows[0]):
                rows = rows[1:]  # the header
            values = np.array([float(r) for r in rows], dtype=np.float64)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: cannot read it as points ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    if values.size < 2 or not np.isfinite(values).all():
        raise UserError(f"{path}: expected at least 2 finite numbers, found {values.size} values")
    return torch.from_numpy(values).float()


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
'''

PICTURES = '''\
"""The picture of __NAME__: histograms of generated and real points on shared bins."""
from __future__ import annotations

from pathlib import Path

import torch


def histogram(series: dict[str, torch.Tensor], path: Path, bins: int = 60, title: str = "") -> Path:
    """Write a PNG with one outlined histogram (as densities) per named series of 1-D points; return its path."""
    import matplotlib  # imported here: gansuite imports every plugin at start-up, and matplotlib is slow to load

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = {k: v.detach().flatten().float().cpu() for k, v in series.items()}
    low = min(float(v.min()) for v in values.values())
    high = max(float(v.max()) for v in values.values())
    edges = torch.linspace(low, high + 1e-6, bins + 1).numpy()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for label, v in values.items():
        ax.hist(v.numpy(), bins=edges, density=True, histtype="step", linewidth=1.5, label=f"{label} ({len(v)} points)")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
'''

EVALUATION = '''\
"""How close __NAME__'s generator is to the data, against what a user would pick instead.

The number is the Wasserstein-1 distance between generated and fresh real points (for two 1-D
samples of equal size: the mean gap between their sorted values; 0 is perfect). Two baselines
frame it:
  single_gaussian_w1  a normal distribution fitted to real points by mean and standard deviation,
                      the model to beat: it cannot have two modes;
  data_floor_w1       two independent real samples of the same size: the sampling noise, which no
                      model beats reliably.
`left_share` is the share of points below 0: 0.5 when neither mode is dropped.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from gansuite_core import Run

from .data import noise, real_points

EVAL_SEED = 1234  # evaluate draws its noise and real points from this seed, never used in training


@torch.no_grad()
def sample(G: nn.Module, n: int, latent: int, seed: int, device: torch.device, truncation: float = 0.0) -> torch.Tensor:
    """(n,) points from generator G on `device`, returned on the CPU; the same seed gives the same points."""
    z = noise(n, latent, torch.Generator().manual_seed(seed), truncation)  # (n, latent)
    return G(z.to(device)).flatten().cpu()


def wasserstein1(a: torch.Tensor, b: torch.Tensor) -> float:
    """Wasserstein-1 distance of two equal-sized 1-D samples: the mean gap between their sorted values."""
    return float((a.flatten().sort().values - b.flatten().sort().values).abs().mean())


def score(points: torch.Tensor, separation: float, spread: float, seed: int = EVAL_SEED) -> dict[str, Any]:
    """w1 of `points` (N,) to N fresh real points, the two baselines, and the share of points left of 0."""
    points = points.flatten().float()
    n, g = len(points), torch.Generator().manual_seed(seed)
    real = real_points(n, separation, spread, g).flatten()
    fit = real_points(n, separation, spread, g).flatten()  # the sample the baseline is fitted on
    other = real_points(n, separation, spread, g).flatten()
    gaussian = fit.mean() + fit.std() * torch.randn(n, generator=g)
    return {"w1": wasserstein1(points, real), "single_gaussian_w1": wasserstein1(gaussian, real),
            "data_floor_w1": wasserstein1(other, real), "left_share": float((points < 0).float().mean()), "points": n}


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    """`gansuite evaluate RUN`: score `eval_samples` points of the EMA generator."""
    cfg = run.config.options
    return score(sample(run.net("G"), cfg.eval_samples, cfg.latent, EVAL_SEED, device), cfg.separation, cfg.spread)
'''

GAME = '''\
"""The players and phases of one __NAME__ step: D on a real batch and generated points, then G.

The generator's noise is drawn on the run's device from torch's global generator, which the engine
saves in every checkpoint (exact resume). The G phase needs only noise, so it asks for no batch
(`Phase(data=False)`): no phase loads a batch it does not use.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from gansuite_core import EMA, Context, Game, Phase, Player

from .config import __CLASS__Config
from .data import real_points, real_stream
from .evaluation import sample
from .losses import accuracy, d_loss, g_loss
from .pictures import histogram


def make_game(cfg: __CLASS__Config, nets: dict[str, nn.Module], ctx: Context) -> Game:
    def fake(n) -> torch.Tensor:  # (B, 1) generated points; call networks through `n`, the engine may wrap them
        return n["G"](torch.randn(cfg.batch, cfg.latent, device=ctx.device))

    def d_phase(n, real: torch.Tensor, step: int):  # real: (B, 1)
        with torch.no_grad():
            f = fake(n)
        return d_loss(n["D"](real), n["D"](f))

    def g_phase(n, batch: None, step: int) -> torch.Tensor:
        return g_loss(n["D"](fake(n)))

    def judge_accuracy(n, real: torch.Tensor) -> torch.Tensor:
        return accuracy(n["D"](real), n["D"](fake(n)))

    def snapshot(n, stem: Path) -> list[Path]:
        """The EMA generator against the data (called under no_grad, with the training RNG preserved)."""
        points = sample(n["G"], 2000, cfg.latent, seed=0, device=ctx.device)
        real = real_points(2000, cfg.separation, cfg.spread, torch.Generator().manual_seed(1))
        return [histogram({"data": real, "generated": points}, stem.with_suffix(".png"), title=stem.name)]

    def adam(params):  # beta1 = 0.5 as in DCGAN (Radford et al. 2016): less momentum in a moving game
        return torch.optim.Adam(params, lr=cfg.lr, betas=(0.5, 0.99))

    return Game(
        players=[Player("G", ["G"], adam), Player("D", ["D"], adam)],
        phases=[Phase("D", "D", d_phase), Phase("G", "G", g_phase, data=False)],  # each step: one D update, one G update
        data=real_stream(cfg, ctx.seed, ctx.rank),
        ema={"G": EMA(half_life=cfg.ema_half_life, batch=cfg.batch)},  # samples and evaluation use the average
        judge="D",
        judge_accuracy=judge_accuracy,
        snapshot=snapshot,
    )
'''

GENERATE = '''\
"""`gansuite generate RUN --out FILE`: points from a trained __NAME__ run, or their histogram.

    gansuite generate runs/__NAME__ --num 5000 --out points.csv            # also writes points.png
    gansuite generate runs/__NAME__ --num 5000 --out points.npy --set truncation=1.5
    gansuite generate runs/__NAME__ --num 5000 --out hist.png --set bins=100

The core has already checked --num and the --set keys, loaded the run and made --out's folder;
the file type is this module's to check.
"""
from __future__ import annotations

from pathlib import Path

import torch

from gansuite_core import GenerateRequest, Run, UserError

from .config import GenerateOptions
from .data import POINT_FILES, real_points, write_points
from .evaluation import sample
from .pictures import histogram

SUFFIXES = (".png", *POINT_FILES)  # what --out may end with; the first is what `gansuite check-plugin` asks for


def generate(run: Run, req: GenerateRequest) -> list[Path]:
    """Write `req.num` points of the EMA generator to req.out; a .csv/.npy also gets a .png beside it."""
    options = req.options if req.options is not None else GenerateOptions()  # None: a script left them out
    out = Path(req.out)
    if out.suffix.lower() not in SUFFIXES:
        raise UserError(f"--out {out}: expected a file ending in {', '.join(SUFFIXES)}")
    cfg = run.config.options
    points = sample(run.net("G"), req.num, cfg.latent, req.seed, req.device, options.truncation)  # (num,)
    written = [] if out.suffix.lower() == ".png" else [write_points(points, out)]
    real = real_points(req.num, cfg.separation, cfg.spread, torch.Generator().manual_seed(req.seed + 1))
    title = f"{run.dir.name}, step {run.step}" + (f", truncation {options.truncation}" if options.truncation else "")
    written.append(histogram({"data": real, "generated": points}, out.with_suffix(".png"), bins=options.bins, title=title))
    return written
'''

DEMO = '''\
"""`gansuite demo __NAME__`: a short run, reloaded and scored against the baselines, with its histogram."""
from __future__ import annotations

import torch

from gansuite_core import DemoRequest, DemoResult, train_demo

from .data import real_points
from .evaluation import EVAL_SEED, sample
from .pictures import histogram

STEPS = 2000  # the default run: both modes found (w1 0.15 against 0.73 for one Gaussian), under half a CPU-minute


def demo(req: DemoRequest) -> DemoResult:
    # train_demo trains req.app into req.out/"run", reloads its EMA networks and evaluates them
    # (with req.quick, the application's quick settings override these).
    run, report = train_demo(req, steps=STEPS, sample_every=0, checkpoint_every=STEPS)
    cfg = run.config.options
    points = sample(run.net("G"), cfg.eval_samples, cfg.latent, EVAL_SEED, req.device)
    real = real_points(cfg.eval_samples, cfg.separation, cfg.spread, torch.Generator().manual_seed(EVAL_SEED + 1))
    pictures = [histogram({"data": real, "generated": points}, req.out / "samples.png", title=f"after {run.step} steps")]
    pictures += [p for p in (run.dir / "loss.png",) if p.is_file()]
    return DemoResult(
        title="__NAME__: a GAN learns a mixture of two Gaussians",
        text=f"{run.step} steps ({report['train_seconds']} s) on points drawn on the fly. Wasserstein-1 to the data "
             f"{report['w1']:.3f}, against {report['single_gaussian_w1']:.3f} for the best single Gaussian and "
             f"{report['data_floor_w1']:.3f} between two real samples; {report['left_share']:.0%} of points in the left mode.",
        pictures=pictures,
        numbers={k: report[k] for k in ("w1", "single_gaussian_w1", "data_floor_w1", "left_share")},
    )
'''

COMMANDS = '''\
"""`gansuite __NAME__-score POINTS`: score a file of 1-D points against the data of __NAME__.

    gansuite generate runs/__NAME__ --num 4000 --out points.csv
    gansuite __NAME__-score points.csv                 # w1 and the baselines, as evaluate reports them
    gansuite __NAME__-score other-tool.npy --separation 4 --spread 0.5 --json

Points made by anything (another model, another tool) are scored the same way.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from gansuite_core import UserError

from .config import __CLASS__Config
from .data import read_points
from .evaluation import score

DEFAULTS = __CLASS__Config()


@click.command("__NAME__-score")
@click.argument("points", type=click.Path(path_type=Path))
@click.option("--separation", type=float, default=DEFAULTS.separation, show_default=True, help="Distance between the data's two modes.")
@click.option("--spread", type=float, default=DEFAULTS.spread, show_default=True, help="Standard deviation of each mode.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def score_points(points: Path, separation: float, spread: float, as_json: bool) -> None:
    """Score a .csv or .npy file of 1-D points against the data: Wasserstein-1 and its baselines."""
    if not spread > 0:
        raise UserError(f"--spread {spread}: expected a positive number")
    report = score(read_points(points), separation, spread)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            click.echo(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
'''

PLUGIN = '''\
"""__NAME__, registered with gansuite: the module the entry point in pyproject.toml names.

    pip install -e .
    gansuite train __NAME__ --out runs/__NAME__
    gansuite evaluate runs/__NAME__
    gansuite generate runs/__NAME__ --num 5000 --out points.csv
    gansuite __NAME__-score points.csv

Registration only: the options are in config.py, the networks in models.py, the losses in
losses.py, the data in data.py, the training step in game.py, the numbers in evaluation.py,
sampling in generate.py, the demo in demo.py and the extra command in commands.py.
"""
from __future__ import annotations

import click

from gansuite_core import Application, hookimpl

from .commands import score_points
from .config import GenerateOptions, __CLASS__Config
from .demo import demo
from .evaluation import evaluate
from .game import make_game
from .generate import SUFFIXES, generate
from .models import make_networks

APP = Application(
    name="__NAME__",
    summary="A GAN on a 1-D mixture of two Gaussians (written by gansuite new-plugin)",
    config=__CLASS__Config,
    networks=make_networks,
    game=make_game,
    evaluate=evaluate,
    generate=generate,
    generate_options=GenerateOptions,
    generate_suffixes=SUFFIXES,
    demo=demo,
    core_defaults={"steps": 2000, "log_every": 50, "sample_every": 500, "checkpoint_every": 500},
    # A seconds-long run for `gansuite check-plugin` and the quick demo: tiny networks, a few steps.
    quick={"steps": 4, "hidden": 8, "batch": 16, "eval_samples": 200, "log_every": 2, "sample_every": 0, "checkpoint_every": 2},
)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)


@hookimpl
def gansuite_register_commands(cli: click.Group) -> None:
    cli.add_command(score_points)
'''

TESTS = '''\
"""__NAME__ as a user meets it: listed by `gansuite plugins`, trains and learns, resumes exactly,
one-line errors, `generate` and `__NAME__-score`, and gansuite's own `check-plugin`.

Commands run in a subprocess, as a user types them, with only this plugin loaded
(GANSUITE_LOAD_PLUGINS: another installed plugin cannot fail these tests) and strictly
(GANSUITE_STRICT_PLUGINS: a broken plugin is an error, not a warning). Runs are opened in-process
with the public API (load_run, train_app). About a minute of CPU in all.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gansuite_core import GenerateRequest, UserError, load_run, train_app
from __MODULE__.data import read_points
from __MODULE__.plugin import APP

NAME = "__NAME__"
STEPS = 400  # with lr 3e-3, enough for G to find both modes (w1 0.19-0.26 over 4 seeds; one Gaussian: 0.73)
ONLY_THIS = {"GANSUITE_LOAD_PLUGINS": NAME, "GANSUITE_STRICT_PLUGINS": "1"}
ENV = {**{k: v for k, v in os.environ.items() if k != "GANSUITE_NO_ENTRY_POINTS"}, **ONLY_THIS, "OMP_NUM_THREADS": "1"}
torch.set_num_threads(1)


def gansuite(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gansuite_core", *args], capture_output=True, text=True, env=ENV, timeout=600)


def ok(*args: str) -> str:
    out = gansuite(*args)
    assert out.returncode == 0, f"gansuite {' '.join(args)}: exit {out.returncode}\\n{out.stderr[-3000:]}"
    return out.stdout


def one_line_error(*args: str) -> str:
    out = gansuite(*args)
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1 and "Traceback" not in out.stderr, out.stderr[-3000:]
    return lines[0]


@pytest.fixture(scope="module", autouse=True)
def only_this_plugin():
    """In-process calls (train_app) load this plugin alone too."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in ONLY_THIS.items():
            mp.setenv(key, value)
        mp.delenv("GANSUITE_NO_ENTRY_POINTS", raising=False)
        yield


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("runs") / "full"
    ok("train", NAME, "--out", str(run), "--steps", str(STEPS), "--checkpoint-every", str(STEPS // 2),
       "--sample-every", str(STEPS), "--set", "lr=0.003", "--quiet")
    return run


def test_listed_by_gansuite_plugins():
    rows = {r["name"]: r for r in json.loads(ok("plugins", "--json"))}
    assert rows[NAME]["error"] is None, rows[NAME]
    assert rows[NAME]["apps"] == [NAME]
    assert {"gansuite_register_apps", "gansuite_register_commands"} <= set(rows[NAME]["hooks"])


def test_trains_and_learns(trained):
    run = load_run(trained, app=APP)
    report = APP.evaluate(run, torch.device("cpu"))
    assert run.step == STEPS
    assert (trained / "samples" / f"step-{STEPS:08d}.png").is_file()
    # Both modes found: far closer to the data than any single Gaussian, each mode holding its share.
    assert report["w1"] < 0.5 * report["single_gaussian_w1"], report
    assert 0.35 < report["left_share"] < 0.65, report


def test_resumes_exactly(trained, tmp_path):
    """Stopped halfway and resumed (through the Python twin of `gansuite train`), a run ends with
    exactly the weights and moving averages of the uninterrupted command-line run."""
    part = tmp_path / "part"
    train_app(APP, part, quiet=True, steps=STEPS // 2, checkpoint_every=STEPS // 2, sample_every=STEPS, lr=0.003)
    train_app(APP, part, quiet=True, resume=True, steps=STEPS)
    a, b = load_run(trained, app=APP), load_run(part, app=APP)
    assert b.step == STEPS
    for group in ("networks", "ema"):
        nets_a, nets_b = getattr(a, group), getattr(b, group)
        assert nets_a.keys() == nets_b.keys() and nets_a
        for name in nets_a:
            sa, sb = nets_a[name].state_dict(), nets_b[name].state_dict()
            assert sa.keys() == sb.keys()
            for key in sa:
                assert torch.equal(sa[key], sb[key]), f"{group} {name}.{key} differs from the uninterrupted run's"


def test_bad_option_is_one_line(tmp_path):
    assert "lr=5" in one_line_error("train", NAME, "--out", str(tmp_path / "run"), "--set", "lr=5")
    assert not (tmp_path / "run").exists()


def test_generate_refuses_a_file_type_it_does_not_write(trained, tmp_path):
    with pytest.raises(UserError, match="--out"):
        APP.generate(load_run(trained, app=APP), GenerateRequest(4, tmp_path / "points.gif"))


def test_generate_and_the_score_command(trained, tmp_path):
    points = tmp_path / "points.csv"
    printed = ok("generate", str(trained), "--num", "3000", "--out", str(points), "--set", "truncation=2.5")
    assert printed.split() == [str(points), str(points.with_suffix(".png"))]
    assert points.read_text().split()[0] == "x" and len(points.read_text().split()) == 3001
    report = json.loads(ok(f"{NAME}-score", str(points), "--json"))
    assert report["points"] == 3000 and report["w1"] < 0.5 * report["single_gaussian_w1"], report


@pytest.mark.parametrize("name, text", [("bad.csv", "x\\n0.5\\nnot-a-number\\n"), ("one.csv", "0.5\\n"), ("missing.npy", None),
                                        ("points.txt", "0.5\\n1.5\\n")])
def test_the_score_command_names_a_file_it_cannot_read(tmp_path, name, text):
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(UserError, match=name):  # the command line prints it as one line, exit code 2
        read_points(path)


def test_check_plugin_passes(tmp_path):
    results = json.loads(ok("check-plugin", NAME, "--out", str(tmp_path), "--json"))
    assert {"train", "resume", "evaluate", "generate", "demo", "errors"} <= {r["name"] for r in results}
    assert [r for r in results if not r["ok"]] == []
'''

TEMPLATES = {
    "pyproject.toml": PYPROJECT,
    "README.md": README,
    "__MODULE__/__init__.py": INIT,
    "__MODULE__/config.py": CONFIG,
    "__MODULE__/models.py": MODELS,
    "__MODULE__/losses.py": LOSSES,
    "__MODULE__/data.py": DATA,
    "__MODULE__/pictures.py": PICTURES,
    "__MODULE__/evaluation.py": EVALUATION,
    "__MODULE__/game.py": GAME,
    "__MODULE__/generate.py": GENERATE,
    "__MODULE__/demo.py": DEMO,
    "__MODULE__/commands.py": COMMANDS,
    "__MODULE__/plugin.py": PLUGIN,
    "tests/test_plugin.py": TESTS,
}


def names(name: str) -> dict[str, str]:
    """The placeholders for plugin `name`: my-gan -> gansuite-my-gan, gansuite_my_gan, MyGan."""
    return {"__NAME__": name, "__DIST__": f"gansuite-{name}", "__MODULE__": "gansuite_" + name.replace("-", "_"),
            "__CLASS__": "".join(part.capitalize() for part in re.split(r"[-_]", name))}


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def write_plugin(name: str, parent: Path) -> Path:
    """Write the plugin package for application `name` into `parent/gansuite-name` and return that folder.

    Raises UserError for a name that is not a lowercase package name, one given with the `gansuite-`
    prefix, one whose module or plugin is already installed, or a target folder that already holds files.
    """
    if not _NAME.match(name) or len(name) > 60:
        raise UserError(f"new-plugin {name!r}: expected a lowercase name of letters, digits and single dashes or "
                        "underscores, starting with a letter (e.g. my-gan)")
    if name == "gansuite" or re.match(r"gansuite[-_]", name):
        raise UserError(f"new-plugin {name!r}: give the application's name without the 'gansuite-' prefix "
                        f"(the package is named gansuite-<name> for you)")
    values = names(name)
    module = values["__MODULE__"]
    if importlib.util.find_spec(module) is not None:
        raise UserError(f"new-plugin {name!r}: a Python module named {module!r} already exists; choose another name")
    if any(ep.name == name for ep in importlib.metadata.entry_points(group="gansuite")):
        raise UserError(f"new-plugin {name!r}: a gansuite plugin named {name!r} is already installed; choose another name")
    folder = Path(parent) / values["__DIST__"]
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(f"new-plugin: {folder} already exists and is not empty; choose another name or --dir")
    try:
        for rel, template in TEMPLATES.items():
            path = folder / _fill(rel, values)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_fill(template, values))
    except OSError as e:
        raise UserError(f"new-plugin: cannot write {folder} ({e.strerror or e})") from None
    return folder
