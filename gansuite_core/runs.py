"""A run is a directory: config.toml, metrics.jsonl, samples/, checkpoints/, loss.png.

`load_run(path)` is the scripting API: it rebuilds the networks from the run's config and
loads the latest (or a chosen) checkpoint, without touching any training data.

    run = gansuite_core.load_run("runs/flowers", app="image-generation")
    G = run.net("G")          # the EMA copy when the application keeps one

This module never fetches the process-wide plugin registry: callers pass the registry (or the
Application itself); `gansuite_core.load_run`, the front door, passes the process-wide one.
    print(run.config.options)  # the application's frozen config
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from . import checkpoint as ckpt
from .app import Application
from .config import CoreConfig, RunConfig, read_toml, resolve
from .errors import UserError
from .files import write_atomic

CONFIG = "config.toml"
METRICS = "metrics.jsonl"


@dataclass
class Run:
    """A run directory with its configuration, application and (once loaded) networks."""

    dir: Path
    config: RunConfig
    app: Application
    step: int = 0
    networks: dict[str, nn.Module] = field(default_factory=dict)  # the trained networks
    ema: dict[str, nn.Module] = field(default_factory=dict)  # EMA copies, by the same names
    registry: Any = None  # the plugin registry the run was opened with (None: opened with an Application alone)

    @property
    def extractors(self) -> dict[str, Any]:
        """Feature extractors registered by plugins (name -> (plugin, factory)); empty without a registry."""
        return dict(self.registry.extractors) if self.registry is not None else {}

    def net(self, name: str, ema: bool = True) -> nn.Module:
        """Network `name`: its EMA copy when there is one and `ema` is true."""
        if ema and name in self.ema:
            return self.ema[name]
        if name not in self.networks:
            raise UserError(f"run {self.dir}: no network {name!r}; it has {', '.join(self.networks)}")
        return self.networks[name]

    def eval_nets(self) -> dict[str, nn.Module]:
        """All networks, EMA copies standing in for their originals, as sampling and evaluation use them."""
        return {name: self.net(name) for name in self.networks}

    def metrics(self) -> list[dict[str, Any]]:
        """The lines of metrics.jsonl."""
        return read_metrics(self.dir / METRICS)

    @property
    def samples(self) -> Path:
        return self.dir / "samples"

    @property
    def checkpoints(self) -> Path:
        return self.dir / "checkpoints"


def read_metrics(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut short by a kill
            continue
    return rows


def read_config(run_dir: Path, registry: Any = None, overrides: dict[str, Any] | None = None, *,
                app: "str | Application | None" = None) -> tuple[Application, RunConfig]:
    """The application and resolved config of an existing run directory.

    `app` (a name or the Application) is checked against the run's; an Application is used as it
    is, without a registry. Otherwise `registry` finds the run's application by name.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"run {run_dir}: no such directory")
    path = run_dir / CONFIG
    if not path.is_file():
        raise UserError(f"run {run_dir}: no {CONFIG} in it (is this a gansuite run directory?)")
    data = read_toml(path)
    name = data.get("app")
    if not isinstance(name, str):
        raise UserError(f"{path}: missing 'app = \"NAME\"'")
    want = app.name if isinstance(app, Application) else app
    if want is not None and want != name:
        raise UserError(f"run {run_dir}: is a run of '{name}', not '{want}'")
    if not isinstance(app, Application):
        if registry is None:
            raise TypeError("read_config: pass the plugin registry or the Application")
        app = registry.app(name)
    saved = data.get("app_options")
    if isinstance(saved, dict) and app.legacy_options:  # an option added after this run was made: what it ran with
        data["app_options"] = {**{k: v for k, v in app.legacy_options.items() if k not in saved}, **saved}
    return app, resolve(name, app.config, app_defaults=app.core_defaults, file=data, file_name=str(path), overrides=overrides)


def resume_config(run_dir: Path, app: Application, overrides: dict[str, Any]) -> RunConfig:
    """The config to resume `run_dir` with: the run's own, with only core options (steps, device ...) changed.

    Application options are part of what was trained; changing them mid-run would silently give a
    run that no single config describes, so they are refused.
    """
    core = {f.name for f in dataclasses.fields(CoreConfig)}
    bad = sorted(k for k in overrides if k not in core)
    if bad:
        raise UserError(f"resume keeps the run's application options; cannot change {', '.join(bad)}")
    if not (Path(run_dir) / CONFIG).is_file():
        raise UserError(f"resume: {run_dir} is not a run directory (no {CONFIG})")
    try:
        _, config = read_config(Path(run_dir), overrides=overrides, app=app)
    except UserError as e:
        raise UserError(f"resume: {e}") from None
    return config


def load_run(run_dir: str | os.PathLike, *, app: "str | Application | None" = None, device: str | torch.device = "cpu",
             checkpoint: str | os.PathLike | None = None, registry: Any = None) -> Run:
    """Open a run: its config, application and networks with the latest checkpoint's weights (in eval mode).

    `app` (a name or an Application) must match the run's application: a one-line UserError otherwise.
    """
    run_dir = Path(run_dir)
    app, config = read_config(run_dir, registry, app=app)
    if checkpoint is None:
        if not ckpt.list_checkpoints(run_dir / "checkpoints"):
            raise UserError(f"run {run_dir}: no checkpoint in {run_dir / 'checkpoints'} yet")
        checkpoint, state = ckpt.load_latest(run_dir / "checkpoints", warn=lambda m: print(f"gansuite: warning: {m}", file=sys.stderr))
    else:
        state = ckpt.load(Path(checkpoint))
    if state.get("app") != app.name:
        raise UserError(f"checkpoint {checkpoint}: belongs to application {state.get('app')!r}, not {app.name!r}")
    nets = app.networks(config.options)
    ema = {}
    for name, net in nets.items():
        load_weights(net, state["nets"][name], f"{checkpoint}: network {name!r}")
        if name in state.get("ema", {}):
            copy = app.networks(config.options)[name]
            load_weights(copy, state["ema"][name], f"{checkpoint}: EMA of {name!r}")
            ema[name] = copy
    dev = torch.device(device)
    for m in list(nets.values()) + list(ema.values()):
        m.to(dev).eval().requires_grad_(False)
    return Run(run_dir, config, app, int(state["step"]), nets, ema, registry)


def load_weights(net: nn.Module, state: dict[str, torch.Tensor], where: str) -> None:
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise UserError(f"{where}: weights do not fit the network built from the config ({str(e).splitlines()[0]})") from None


# --------------------------------------------------------------------------- metrics and pictures


class MetricsLog:
    """Appends to metrics.jsonl (and TensorBoard when installed and wanted)."""

    def __init__(self, run_dir: Path, resume_step: int | None, tensorboard: bool) -> None:
        self.path = run_dir / METRICS
        if resume_step is not None and self.path.exists():  # drop lines past the checkpoint we resume from
            keep = [r for r in read_metrics(self.path) if r.get("step", 0) <= resume_step]
            write_atomic(self.path, "".join(json.dumps(r) + "\n" for r in keep))  # a kill here keeps the old log
        self.fh = open(self.path, "a")
        self.tb = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter

                self.tb = SummaryWriter(str(run_dir / "tensorboard"))
            except ImportError:
                self.tb = None

    def write(self, row: dict[str, Any]) -> None:
        self.fh.write(json.dumps(row) + "\n")
        self.fh.flush()
        if self.tb is not None:
            for k, v in row.items():
                if k != "step" and isinstance(v, (int, float)) and math.isfinite(v):
                    self.tb.add_scalar(k, v, row["step"])

    def close(self) -> None:
        self.fh.close()
        if self.tb is not None:
            self.tb.close()


def plot_metrics(rows: list[dict[str, Any]], out: Path, title: str = "") -> Path | None:
    """Loss curves: one panel per phase (prefix before '/'), every logged number of it a line."""
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups: dict[str, list[str]] = {}
    for key in sorted({k for r in rows for k in r}):
        if "/" in key and key.split("/")[0] not in ("time",):
            groups.setdefault(key.split("/")[0], []).append(key)
    if not groups:
        return None
    n = len(groups)
    cols = min(n, 3)
    fig, axes = plt.subplots((n + cols - 1) // cols, cols, figsize=(4.2 * cols, 3.0 * ((n + cols - 1) // cols)), squeeze=False)
    for ax, (group, keys) in zip(axes.flat, groups.items()):
        for key in keys:
            pts = [(r["step"], r[key]) for r in rows if isinstance(r.get(key), (int, float))]
            if pts:
                xs, ys = zip(*pts)
                ax.plot(xs, ys, label=key.split("/", 1)[1], linewidth=1.2)
        ax.set_title(group)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def prepare_run_dir(run_dir: Path, config: RunConfig, resume: bool) -> None:
    """Create (or check) the run directory; one-line errors for the usual mistakes."""
    if resume:
        if not (run_dir / CONFIG).is_file():
            raise UserError(f"--resume: {run_dir} is not a run directory (no {CONFIG})")
        if not ckpt.list_checkpoints(run_dir / "checkpoints"):
            raise UserError(f"--resume: no checkpoint in {run_dir / 'checkpoints'}")
        return
    if ckpt.list_checkpoints(run_dir / "checkpoints"):
        raise UserError(f"--out {run_dir}: already holds a run; continue it with --resume or choose another --out")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe = run_dir / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise UserError(f"--out {run_dir}: cannot write there ({e.strerror or e})") from None
    write_atomic(run_dir / CONFIG, config.to_toml())
