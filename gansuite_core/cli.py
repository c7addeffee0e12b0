"""The `gansuite` command line. Applications and extra commands come from plugins.

    gansuite apps | plugins | train APP | evaluate RUN | generate RUN | demo [APP...]

A user's mistake is one line on stderr and exit code 2 (UserError); never a traceback.
"""
from __future__ import annotations

import dataclasses
import json
import sys
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from .config import CoreConfig, _describe, field_docs, read_toml, resolve, split_overrides
from .errors import UserError
from .plugins import describe, each_impl, registry


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="gansuite")
def cli() -> None:
    """gansuite: generative adversarial networks as plugins.

    Train an application with `gansuite train APP`, look at it with `gansuite evaluate RUN`,
    list what is installed with `gansuite apps` and `gansuite plugins`.
    """


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def apps(as_json: bool) -> None:
    """List the installed applications."""
    reg = registry()
    rows = [{"name": a.name, "summary": a.summary, "plugin": a.plugin} for a in sorted(reg.apps.values(), key=lambda a: a.name)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r["name"]) for r in rows), default=4)
    for r in rows:
        click.echo(f"{r['name']:<{width}}  {r['summary']}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins(as_json: bool) -> None:
    """List plugins: version, hooks, applications, and any error that made gansuite skip them."""
    rows = describe(registry())
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        status = f"FAILED: {r['error']}" if r["error"] else ", ".join(r["apps"]) or "-"
        click.echo(f"{r['name']} {r['version']}".strip() + f"  [{status}]")
        if r["hooks"]:
            click.echo(f"    hooks: {', '.join(r['hooks'])}")


# --------------------------------------------------------------------------- train


def _options_help(app_config: type, app_defaults: dict[str, Any]) -> str:
    lines = []
    for title, cls, base in (("Application options", app_config, app_config()), ("Core options", CoreConfig, None)):
        docs, hints = field_docs(cls), typing.get_type_hints(cls)
        lines.append(f"\b\n{title} (--set KEY=VALUE):")
        for f in dataclasses.fields(cls):
            default = getattr(base, f.name) if base is not None else app_defaults.get(f.name, f.default)
            lines.append(f"\b\n  {f.name} = {default!r}  [{_describe(hints[f.name])}]\n      {docs.get(f.name, '')}")
    return "\n".join(lines)


def _train_command(app_name: str) -> click.Command:
    app = registry().app(app_name)

    @click.command(name=app.name, help=f"{app.summary}\n\nTrain it; every option below can be set with --set or a --config TOML file.",
                   epilog=_options_help(app.config, app.core_defaults), context_settings={"max_content_width": 110})
    @click.option("--out", type=click.Path(path_type=Path), help="Run directory (default runs/APP-DATE-TIME).")
    @click.option("--steps", type=int, help="Training steps.")
    @click.option("--checkpoint-every", type=int, help="Steps between checkpoints.")
    @click.option("--sample-every", type=int, help="Steps between sample pictures.")
    @click.option("--seed", type=int, help="Random seed.")
    @click.option("--device", help="auto | cpu | cuda | cuda:N | mps.")
    @click.option("--precision", help="fp32 | bf16 | fp16.")
    @click.option("--resume", is_flag=True, help="Continue the run in --out from its latest checkpoint.")
    @click.option("--config", "config_file", type=click.Path(path_type=Path), help="A TOML file (app, [core], [app_options]).")
    @click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override one option (repeatable).")
    @click.option("--quiet", is_flag=True, help="No progress bar or messages.")
    def command(out, steps, checkpoint_every, sample_every, seed, device, precision, resume, config_file, sets, quiet) -> None:
        from .engine import train
        from .runs import resume_config

        overrides = split_overrides(list(sets))
        flags = {"steps": steps, "checkpoint_every": checkpoint_every, "sample_every": sample_every, "seed": seed, "device": device, "precision": precision}
        overrides.update({k: v for k, v in flags.items() if v is not None})
        if resume:
            if out is None:
                raise UserError("--resume needs --out RUN_DIR")
            if config_file:
                raise UserError("--resume keeps the run's application options; cannot use --config")
            config = resume_config(out, app.name, overrides)
        else:
            file = read_toml(config_file) if config_file else None
            config = resolve(app.name, app.config, app_defaults=app.core_defaults, file=file, file_name=str(config_file), overrides=overrides)
            out = out or Path("runs") / f"{app.name}-{datetime.now():%Y%m%d-%H%M%S}"
        last = train(app, config, out, resume=resume, quiet=quiet, registry=registry())
        if not quiet:
            click.echo(f"run: {out}  (step {last.get('step', '?')}; evaluate with: gansuite evaluate {out})", err=True)

    return command


class _TrainGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(registry().apps)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return _train_command(name)


@cli.group(cls=_TrainGroup)
def train() -> None:
    """Train an application: gansuite train APP [OPTIONS]. `gansuite train APP --help` lists its options."""


# --------------------------------------------------------------------------- using a run


def _print_report(report: dict[str, Any], indent: str = "") -> None:
    for k, v in report.items():
        if isinstance(v, dict):
            click.echo(f"{indent}{k}:")
            _print_report(v, indent + "  ")
        elif isinstance(v, float):
            click.echo(f"{indent}{k}: {v:.4g}")
        else:
            click.echo(f"{indent}{k}: {v}")


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps.")
def evaluate(run_dir: Path, as_json: bool, device: str) -> None:
    """Evaluate a trained run (EMA networks) and write RUN/eval.json."""
    from .devices import resolve_device
    from .runs import load_run

    dev, _ = resolve_device(device)
    run = load_run(run_dir, device=dev)
    if run.app.evaluate is None:
        raise UserError(f"application '{run.app.name}' has no evaluation")
    report = {"app": run.app.name, "step": run.step, **run.app.evaluate(run, dev)}
    (run_dir / "eval.json").write_text(json.dumps(report, indent=2, default=str))
    click.echo(json.dumps(report, indent=2, default=str)) if as_json else _print_report(report)


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--num", default=64, show_default=True, help="Number of samples.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="FILE.png (grid), FILE.npy (raw), FILE.gif (with --interpolate).")
@click.option("--seed", default=0, show_default=True)
@click.option("--truncation", default=1.0, show_default=True, help="Latent truncation (1 = none).")
@click.option("--labels", default=None, help="Comma-separated class labels for conditional models.")
@click.option("--interpolate", default=0, show_default=True, help="K frames of a latent walk written as a GIF.")
@click.option("--device", default="auto")
def generate(run_dir: Path, num: int, out: Path, seed: int, truncation: float, labels: str | None, interpolate: int, device: str) -> None:
    """Sample from a trained run."""
    from .app import GenerateRequest
    from .devices import resolve_device
    from .runs import load_run

    if num < 1:
        raise UserError(f"--num {num}: expected a positive number")
    try:
        label_t = tuple(int(x) for x in labels.split(",")) if labels else None
    except ValueError:
        raise UserError(f"--labels {labels!r}: expected comma-separated integers") from None
    dev, _ = resolve_device(device)
    run = load_run(run_dir, device=dev)
    if run.app.generate is None:
        raise UserError(f"application '{run.app.name}' does not generate samples")
    if not out.parent.exists():
        raise UserError(f"--out {out}: folder {out.parent} does not exist")
    for p in run.app.generate(run, GenerateRequest(num, out, seed, truncation, label_t, interpolate, dev)):
        click.echo(str(p))


@cli.command()
@click.argument("apps_", nargs=-1, metavar="[APP]...")
@click.option("--out", type=click.Path(path_type=Path), default=Path("gansuite-demo"), show_default=True)
@click.option("--device", default="auto")
@click.option("--quiet", is_flag=True)
def demo(apps_: tuple[str, ...], out: Path, device: str, quiet: bool) -> None:
    """Run the bundled demos on embedded data and write OUT/index.html."""
    from .demo import run_demos

    page = run_demos(list(apps_), out, device, quiet)
    click.echo(f"demo report: {page}")


@cli.command("new-plugin")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(path_type=Path), default=Path("."), show_default=True, help="Where to create the package folder.")
def new_plugin(name: str, parent: Path) -> None:
    """Write an installable plugin package NAME with one small working application and its tests."""
    from .scaffold import write_plugin

    path = write_plugin(name, parent)
    click.echo(f"created {path}\nnext: pip install -e {path} && gansuite plugins && pytest {path}")


def build_cli() -> click.Group:
    """The `gansuite` group with the commands of every loaded plugin added (call once per process)."""
    each_impl(registry(), "gansuite_register_commands", cli=cli)
    return cli


def main(argv: list[str] | None = None) -> None:
    from .engine import Interrupted, NonFiniteError

    build_cli()
    try:
        cli.main(args=argv, prog_name="gansuite", standalone_mode=False)
    except UserError as e:
        click.echo(f"gansuite: error: {e}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except NonFiniteError as e:
        click.echo(f"gansuite: error: {e}", err=True)
        sys.exit(1)
    except Interrupted as e:
        click.echo(f"gansuite: {e}", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
