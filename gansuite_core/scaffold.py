"""`gansuite new-plugin NAME`: write an installable plugin package that works as generated.

    NAME/
      pyproject.toml         the `gansuite` entry point: NAME = "MODULE.plugin"
      README.md              install, train, evaluate, test, publish
      MODULE/__init__.py
      MODULE/plugin.py       one small application: networks, losses, phases, data, metric
      tests/test_plugin.py   listed by `gansuite plugins`, trains a few steps, gets closer to the data

MODULE is NAME with dashes turned into underscores. The templates live here as strings, so
the scaffold needs no package data; `string.Template` fills in `$name`, `$module`, `$Class`.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from string import Template

from .errors import UserError

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

PYPROJECT = Template('''\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "$name"
version = "0.1.0"
description = "A gansuite plugin: the application $name"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["gansuite"]

# gansuite finds plugins through this entry-point group: name = "module path of the hooks".
[project.entry-points.gansuite]
$name = "$module.plugin"

[project.optional-dependencies]
test = ["pytest>=8"]

[tool.setuptools.packages.find]
include = ["$module*"]

[tool.pytest.ini_options]
testpaths = ["tests"]
''')

README = Template('''\
# $name

A [gansuite](https://pypi.org/project/gansuite/) plugin adding the application `$name`: a small
GAN that learns a 1-D mixture of two Gaussians. Replace the data, networks and losses in
`$module/plugin.py` with your own; the shape stays the same.

## Install and use

    pip install -e .
    gansuite plugins                      # $name is listed with its hooks and application
    gansuite train $name --out runs/$name
    gansuite train $name --help           # every option, from the config's comments
    gansuite evaluate runs/$name          # the Wasserstein-1 distance to the data

## Test

    pytest

The tests check that `gansuite plugins` lists the plugin without error and that a few hundred
training steps bring the generator closer to the data. While developing, make a broken plugin
fail loudly with `GANSUITE_STRICT_PLUGINS=1` and print its traceback with `GANSUITE_TRACE_PLUGINS=1`.

## Publish

    python -m build && twine upload dist/*

After `pip install $name`, gansuite finds the application with no other step.
''')

PLUGIN = Template('''\
"""$name: a GAN that learns a 1-D mixture of two Gaussians, as a gansuite plugin.

gansuite loads this module through the entry point in pyproject.toml and calls the hooks
marked @hookimpl. The application is: options (a frozen dataclass), networks (tensor in,
tensor out), a game (players, phases, data) and an evaluation.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from gansuite_core import Application, Context, Game, Phase, Player, Run, SeededStream, hookimpl


@dataclass(frozen=True)
class ${Class}Config:
    hidden: int = 32  # units per hidden layer of G and D
    latent: int = 4  # size of the generator's noise z
    batch: int = 128  # samples per batch
    lr: float = 1e-3  # Adam learning rate of both players
    separation: float = 4.0  # distance between the two Gaussians of the data
    eval_samples: int = 4000  # samples compared by evaluate()

    def __post_init__(self) -> None:  # a ValueError here becomes a one-line error for `--set`
        if min(self.hidden, self.latent, self.batch, self.eval_samples) < 1:
            raise ValueError("hidden, latent, batch and eval_samples must be positive")
        if not 0 < self.lr < 1:
            raise ValueError(f"lr={self.lr}: expected a learning rate between 0 and 1")


# --------------------------------------------------------------------------- data, networks, losses


def real_samples(n: int, separation: float, g: torch.Generator) -> torch.Tensor:
    """(n, 1) points: +-separation/2 with equal odds, plus Gaussian noise of standard deviation 0.5."""
    side = torch.randint(0, 2, (n, 1), generator=g).float() * 2 - 1
    return side * separation / 2 + 0.5 * torch.randn(n, 1, generator=g)


def mlp(inputs: int, hidden: int, outputs: int) -> nn.Module:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                         nn.Linear(hidden, outputs))


def networks(cfg: ${Class}Config) -> dict[str, nn.Module]:
    """G: z (B, latent) -> x (B, 1); D: x (B, 1) -> logit (B, 1). Goodfellow et al. 2014."""
    return {"G": mlp(cfg.latent, cfg.hidden, 1), "D": mlp(1, cfg.hidden, 1)}


def d_loss(nets, batch: dict[str, torch.Tensor], step: int):
    """-log D(x) - log(1 - D(G(z))); call networks through `nets`, the engine may have wrapped them."""
    real, fake = nets["D"](batch["real"]), nets["D"](nets["G"](batch["z"]).detach())
    return F.softplus(-real).mean() + F.softplus(fake).mean(), {"real": real.mean().detach(), "fake": fake.mean().detach()}


def g_loss(nets, batch: dict[str, torch.Tensor], step: int) -> torch.Tensor:
    """Non-saturating generator loss: -log D(G(z))."""
    return F.softplus(-nets["D"](nets["G"](batch["z"]))).mean()


def wasserstein1(a: torch.Tensor, b: torch.Tensor) -> float:
    """Wasserstein-1 distance of two equal-sized 1-D samples: the mean gap between their sorted values."""
    return float((a.flatten().sort().values - b.flatten().sort().values).abs().mean())


# --------------------------------------------------------------------------- the game


def game(cfg: ${Class}Config, nets: dict[str, nn.Module], ctx: Context) -> Game:
    def batch(g: torch.Generator) -> dict[str, torch.Tensor]:  # all randomness from the stream's generator
        return {"real": real_samples(cfg.batch, cfg.separation, g), "z": torch.randn(cfg.batch, cfg.latent, generator=g)}

    def snapshot(eval_nets: dict[str, nn.Module], stem: Path) -> list[Path]:
        """A histogram of generated against real points (called on the EMA generator, under no_grad)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        g = torch.Generator().manual_seed(0)
        real = real_samples(2000, cfg.separation, g)
        fake = eval_nets["G"](torch.randn(2000, cfg.latent, generator=g).to(ctx.device)).cpu()
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.hist([real.flatten().numpy(), fake.flatten().numpy()], bins=60, label=["real", "generated"], histtype="step")
        ax.legend()
        fig.savefig(stem.with_suffix(".png"), dpi=90)
        plt.close(fig)
        return [stem.with_suffix(".png")]

    adam = lambda params: torch.optim.Adam(params, lr=cfg.lr, betas=(0.5, 0.99))  # noqa: E731
    return Game(
        players=[Player("G", ["G"], adam), Player("D", ["D"], adam)],
        phases=[Phase("D", "D", d_loss), Phase("G", "G", g_loss)],  # one D update, then one G update, each step
        data=SeededStream(batch, seed=ctx.seed, rank=ctx.rank),
        ema={"G": 0.99},  # samples and evaluation use a moving average of G
        judge="D",
        snapshot=snapshot,
    )


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    """Wasserstein-1 distance between the EMA generator's samples and fresh data (0 is perfect)."""
    cfg: ${Class}Config = run.config.options
    g = torch.Generator().manual_seed(1234)
    real = real_samples(cfg.eval_samples, cfg.separation, g)
    with torch.no_grad():
        fake = run.net("G").to(device)(torch.randn(cfg.eval_samples, cfg.latent, generator=g).to(device)).cpu()
    return {"w1": wasserstein1(real, fake), "fake_mean": float(fake.mean()), "fake_std": float(fake.std())}


APP = Application(
    name="$name",
    summary="A GAN on a 1-D mixture of two Gaussians (made by gansuite new-plugin)",
    config=${Class}Config,
    networks=networks,
    game=game,
    evaluate=evaluate,
    core_defaults={"steps": 2000, "log_every": 50, "sample_every": 500, "checkpoint_every": 500},
    quick={"steps": 20, "hidden": 8, "batch": 16, "eval_samples": 200, "log_every": 5, "checkpoint_every": 10},
)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)
''')

TESTS = Template('''\
"""The plugin as gansuite sees it: listed without error, trains, and learns."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from gansuite_core import load_run, train_app
from gansuite_core.plugins import set_registry

torch.set_num_threads(1)
NAME = "$name"


@pytest.fixture(autouse=True)
def only_this_plugin(monkeypatch):
    """Load this plugin alone, so other installed plugins cannot make these tests fail."""
    monkeypatch.setenv("GANSUITE_LOAD_PLUGINS", NAME)
    set_registry(None)  # rebuilt on first use with the variable above
    yield
    set_registry(None)


def test_listed_by_gansuite_plugins():
    out = subprocess.run([sys.executable, "-m", "gansuite_core", "plugins", "--json"],
                         capture_output=True, text=True, check=True)
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows[NAME]["error"] is None
    assert rows[NAME]["apps"] == [NAME]
    assert "gansuite_register_apps" in rows[NAME]["hooks"]


def test_trains_closer_to_the_data(tmp_path):
    options = {"steps": 1, "log_every": 1, "checkpoint_every": 1, "sample_every": 0}
    train_app(NAME, tmp_path / "untrained", quiet=True, **options)
    before = load_run(tmp_path / "untrained")
    options["steps"] = 400
    train_app(NAME, tmp_path / "trained", quiet=True, **options)
    after = load_run(tmp_path / "trained")
    w1_before = after.app.evaluate(before, torch.device("cpu"))["w1"]
    w1_after = after.app.evaluate(after, torch.device("cpu"))["w1"]
    assert after.step == 400
    assert (tmp_path / "trained" / "samples" / "step-00000400.png").is_file()
    assert w1_after < 0.5 * w1_before, (w1_before, w1_after)


def test_bad_option_is_one_line():
    out = subprocess.run([sys.executable, "-m", "gansuite_core", "train", NAME, "--set", "lr=5"],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "lr=5" in out.stderr and "Traceback" not in out.stderr
''')


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", name))


def write_plugin(name: str, parent: Path) -> Path:
    """Write plugin package `name` into `parent/name` and return that folder.

    Raises UserError for a name that is not a lowercase package name, one that would shadow an
    importable module, or a target folder that already holds files.
    """
    if not _NAME.match(name) or len(name) > 60:
        raise UserError(f"new-plugin {name!r}: expected a lowercase name of letters, digits and single dashes or "
                        "underscores, starting with a letter (e.g. my-gan)")
    module = name.replace("-", "_")
    if module in ("gansuite", "gansuite_core", "test", "tests") or importlib.util.find_spec(module) is not None:
        raise UserError(f"new-plugin {name!r}: a Python module named {module!r} already exists; choose another name")
    folder = Path(parent) / name
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(f"new-plugin: {folder} already exists and is not empty; choose another name or --dir")
    values = {"name": name, "module": module, "Class": _class_name(name)}
    files = {
        "pyproject.toml": PYPROJECT,
        "README.md": README,
        f"{module}/__init__.py": Template('"""$name: a gansuite plugin."""\n\n__version__ = "0.1.0"\n'),
        f"{module}/plugin.py": PLUGIN,
        "tests/test_plugin.py": TESTS,
    }
    try:
        for rel, template in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(template.substitute(values))
    except OSError as e:
        raise UserError(f"new-plugin: cannot write {folder} ({e.strerror or e})") from None
    return folder
