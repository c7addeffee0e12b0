"""gansuite_core: the adversarial training engine, plugins, devices, checkpoints and CLI.

The public API for plugin authors and scripts:

    from gansuite_core import hookimpl, Application, Game, Player, Phase, UserError
    from gansuite_core import load_run, train_app
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .app import Application, Context, DemoRequest, DemoResult, Game, GenerateRequest, Phase, Player, Stream, move_to_device
from .config import CoreConfig, RunConfig, resolve
from .data import IndexedStream, SeededStream, item_rng
from .errors import UserError
from .plugins import hookimpl, registry
from .runs import Run, load_run

__version__ = "0.1.0"


def train_app(app: str, out: str | Path, *, quiet: bool = False, resume: bool = False, **options: Any) -> dict[str, Any]:
    """Train application `app` into run directory `out`, the Python twin of `gansuite train`.

    Keyword options are any core or application config keys: `train_app("neural-crypto", "runs/c", steps=2000)`;
    with `resume=True` only core options (steps, device, ...) may change, as with `--resume`.
    Returns the last logged metrics; open the result with `load_run(out)`.
    """
    from .engine import train
    from .runs import resume_config

    reg = registry()
    application = reg.app(app)
    if resume:
        config = resume_config(Path(out), app, options, reg)
    else:
        config = resolve(app, application.config, app_defaults=application.core_defaults, overrides=options)
    return train(application, config, Path(out), resume=resume, quiet=quiet, registry=reg)


__all__ = [
    "Application", "Context", "CoreConfig", "DemoRequest", "DemoResult", "Game", "GenerateRequest", "IndexedStream",
    "Phase", "Player", "Run", "RunConfig", "SeededStream", "Stream", "UserError", "hookimpl", "item_rng", "load_run",
    "move_to_device", "registry", "train_app",
]
