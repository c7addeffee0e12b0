"""Hook specifications: the whole contract between gansuite and a plugin.

A plugin is a module (or object) with functions named like the hooks below, decorated with
`gansuite_core.hookimpl`, and listed under the `gansuite` entry-point group of its package:

    [project.entry-points.gansuite]
    my-plugin = "my_plugin.plugin"

Every hook is optional. Registration hooks receive a `register` callback, so a plugin never
imports the core's registries. Lifecycle hooks are called on rank 0 only, after the fact; an
exception in one is reported once and that plugin's lifecycle hooks are then skipped for the run.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pluggy

if TYPE_CHECKING:
    import click

    from .app import Application
    from .metrics.features import FeatureExtractor
    from .runs import Run

hookspec = pluggy.HookspecMarker("gansuite")


@hookspec
def gansuite_register_apps(register: Callable[["Application"], None]) -> None:
    """Add applications: call `register(Application(...))` once per application.

    Example::

        @hookimpl
        def gansuite_register_apps(register):
            register(Application(name="toy", summary="...", config=ToyConfig,
                                 networks=make_networks, game=make_game))

    A name already taken by another plugin is reported and the second registration skipped.
    """


@hookspec
def gansuite_register_commands(cli: "click.Group") -> None:
    """Add commands to the `gansuite` command line: `@cli.command()` on a click function.

    Raise `gansuite_core.UserError` for a user's mistake: the CLI prints it as one line.
    """


@hookspec
def gansuite_register_feature_extractors(register: Callable[[str, Callable[[], "FeatureExtractor"]], None]) -> None:
    """Add feature extractors for FID/KID/precision-recall: `register(name, factory)`.

    `factory()` returns a `gansuite_core.metrics.FeatureExtractor` or raises UserError when
    its weights are not available (say where to put them). Use this to ship Inception-v3
    weights, or a domain-specific embedding.
    """


@hookspec
def gansuite_run_start(run: "Run") -> None:
    """A training run starts or resumes. `run.dir`, `run.config` and `run.step` are set."""


@hookspec
def gansuite_step_end(run: "Run", step: int, metrics: dict[str, float]) -> None:
    """Called every `log_every` steps with the averaged metrics just written to metrics.jsonl.

    Use it to forward metrics to your own tracker (W&B, MLflow, a database).
    """


@hookspec
def gansuite_checkpoint_written(run: "Run", step: int, path: Path) -> None:
    """A checkpoint was written (atomically) to `path`."""


@hookspec
def gansuite_run_end(run: "Run", metrics: dict[str, Any]) -> None:
    """A training run finished; `metrics` holds the last logged values."""
