"""gansuite_core: the adversarial training engine, plugins, devices, checkpoints and CLI.

The public API, for plugin authors and scripts (a plugin imports only this, `gansuite_core.metrics`
and `gansuite_core.pictures`):

    from gansuite_core import hookimpl, Application, Game, Player, Phase, EMA, UserError
    from gansuite_core import load_run, train_app, train_demo, write_atomic

This module is the package's front door: it alone (with the CLI) uses the process-wide plugin
registry, and passes it to everything below.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import torch

from .app import (EMA, Application, Context, DemoRequest, DemoResult, Game, GenerateRequest, LossResult, Nets, Phase, Player,
                  Stream, move_to_device)
from .config import CoreConfig, RunConfig, resolve
from .data import IndexedStream, SeededStream, item_rng
from .devices import resolve_device as _resolve_device
from .devices import resolve_precision as _resolve_precision
from .engine import preserved_rng
from .errors import UserError
from .files import write_atomic
from .latents import code_prior_loss, pick_codes
from .plugins import Registry, hookimpl, registry
from .runs import Run
from .runs import load_run as _load_run

__version__ = "0.1.0"


def pick_device(name: str | torch.device = "auto") -> torch.device:
    """The torch device for `auto | cpu | cuda | cuda:N | mps` (auto: CUDA, then MPS, then CPU); UserError if absent."""
    return _resolve_device(str(name))[0]


def pick_precision(name: str, device: torch.device) -> str:
    """fp32 | bf16 | fp16 for `fp32 | bf16 | fp16 | auto` on `device`, as `--precision` resolves it (auto: bf16 on GPUs
    and CPUs that compute it natively, fp16 on older GPUs and MPS, else fp32)."""
    return _resolve_precision(str(name), device)[0]


def load_run(run_dir: str | os.PathLike, *, app: str | Application | None = None, device: str | torch.device = "cpu",
             checkpoint: str | os.PathLike | None = None, registry: Registry | None = None) -> Run:
    """Open a trained run: config, application and networks with the latest (or `checkpoint`'s) weights, in eval mode.

    `app` (a name or an Application) must be the run's application, or a one-line UserError says
    whose run it is. `run.net("G")` is the EMA copy when the application keeps one.
    """
    if not isinstance(app, Application) and registry is None:
        registry = _registry()
    return _load_run(run_dir, app=app, device=device, checkpoint=checkpoint, registry=registry)


def train_app(app: str | Application, out: str | Path, *, quiet: bool = False, resume: bool = False,
              registry: Registry | None = None, **options: Any) -> dict[str, Any]:
    """Train application `app` into run directory `out`, the Python twin of `gansuite train`.

    Keyword options are any core or application config keys: `train_app("neural-crypto", "runs/c", steps=2000)`;
    with `resume=True` only core options (steps, device, ...) may change, as with `--resume`.
    Returns the last logged metrics; open the result with `load_run(out)`.
    """
    from .engine import train
    from .runs import resume_config

    reg = registry if registry is not None else _registry()
    application = app if isinstance(app, Application) else reg.app(app)
    if resume:
        config = resume_config(Path(out), application, options)
    else:
        config = resolve(application.name, application.config, app_defaults=application.core_defaults, overrides=options)
    return train(application, config, Path(out), resume=resume, quiet=quiet, registry=reg)


def train_demo(req: DemoRequest, **options: Any) -> tuple[Run, dict[str, Any]]:
    """Train `req.app` briefly into `req.out / "run"` on `req.device`, reload it and evaluate it.

    For an application's `demo`: options are config keys as for `train_app` (steps, batch, ...).
    Returns the reloaded run (EMA networks, eval mode) and the application's evaluation report, with
    `train_seconds` added. An existing run there is replaced, so a demo can be run again. With
    `req.quick` the application's `quick` settings override `options` (a seconds-long check).
    """
    import shutil

    if req.app is None:
        raise ValueError("train_demo: DemoRequest.app is not set")
    run_dir = Path(req.out) / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    t0 = time.perf_counter()
    options = {"device": str(req.device), **options, **(req.app.quick if req.quick else {})}
    train_app(req.app, run_dir, quiet=req.quiet, registry=req.registry, **options)
    seconds = time.perf_counter() - t0
    run = _load_run(run_dir, app=req.app, device=req.device, registry=req.registry)
    report = dict(req.app.evaluate(run, req.device)) if req.app.evaluate else {}
    report["train_seconds"] = round(seconds, 1)
    return run, report


def _registry() -> Registry:
    return registry()


__all__ = [
    "EMA", "Application", "Context", "CoreConfig", "DemoRequest", "DemoResult", "Game", "GenerateRequest", "IndexedStream",
    "LossResult", "Nets", "Phase", "Player", "Registry", "Run", "RunConfig", "SeededStream", "Stream", "UserError", "hookimpl",
    "item_rng", "load_run", "move_to_device", "pick_device", "pick_precision", "preserved_rng", "registry", "resolve", "train_app", "train_demo",
    "write_atomic", "code_prior_loss", "pick_codes",
]
