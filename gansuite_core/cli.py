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

from .config import CoreConfig, _describe, field_docs, read_toml, resolve, resolve_options, split_overrides
from .errors import UserError
from .files import write_atomic
from .plugins import Registry, describe, each_impl, registry

SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


def _reg() -> Registry:
    """The registry this command line was built with (click's context object)."""
    return click.get_current_context().find_root().obj


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def apps(as_json: bool) -> None:
    """List the installed applications."""
    reg = _reg()
    rows = [{"name": a.name, "summary": a.summary, "plugin": a.plugin, "generates": list(a.generate_suffixes) if a.generate else []}
            for a in sorted(reg.apps.values(), key=lambda a: a.name)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r["name"]) for r in rows), default=4)
    for r in rows:
        click.echo(f"{r['name']:<{width}}  {r['summary']}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins(as_json: bool) -> None:
    """List plugins: version, hooks, applications, and any error that made gansuite skip them."""
    rows = describe(_reg())
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


def _options_lines(cls: type) -> str:
    docs, hints, base = field_docs(cls), typing.get_type_hints(cls), cls()
    return "\n".join(f"\b\n  {f.name} = {getattr(base, f.name)!r}  [{_describe(hints[f.name])}]\n      {docs.get(f.name, '')}"
                     for f in dataclasses.fields(cls))


def _train_command(reg: Registry, app_name: str) -> click.Command:
    app = reg.app(app_name)

    @click.command(name=app.name, help=f"{app.summary}\n\nTrain it; every option below can be set with --set or a --config TOML file.",
                   epilog=_options_help(app.config, app.core_defaults), context_settings={"max_content_width": 110})
    @click.option("--out", type=click.Path(path_type=Path), help="Run directory (default runs/APP-DATE-TIME).")
    @click.option("--steps", type=int, help="Training steps.")
    @click.option("--checkpoint-every", type=int, help="Steps between checkpoints.")
    @click.option("--sample-every", type=int, help="Steps between sample pictures.")
    @click.option("--seed", type=int, help="Random seed.")
    @click.option("--device", help="auto | cpu | cuda | cuda:N | mps.")
    @click.option("--precision", help="fp32 | bf16 | fp16 | auto.")
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
            config = resume_config(out, app, overrides)
        else:
            file = read_toml(config_file) if config_file else None
            config = resolve(app.name, app.config, app_defaults=app.core_defaults, file=file, file_name=str(config_file), overrides=overrides)
            out = out or Path("runs") / f"{app.name}-{datetime.now():%Y%m%d-%H%M%S}"
        last = train(app, config, out, resume=resume, quiet=quiet, registry=reg)
        if not quiet:
            click.echo(f"run: {out}  (step {last.get('step', '?')}; evaluate with: gansuite evaluate {out})", err=True)

    return command


class _TrainGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(ctx.find_root().obj.apps)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return _train_command(ctx.find_root().obj, name)


@click.group(cls=_TrainGroup)
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


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps.")
def evaluate(run_dir: Path, as_json: bool, device: str) -> None:
    """Evaluate a trained run (EMA networks) and write RUN/eval.json."""
    from .devices import resolve_device
    from .runs import load_run

    dev, _ = resolve_device(device)
    run = load_run(run_dir, device=dev, registry=_reg())
    if run.app.evaluate is None:
        raise UserError(f"application '{run.app.name}' has no evaluation")
    report = {"app": run.app.name, "step": run.step, **run.app.evaluate(run, dev)}
    write_atomic(run_dir / "eval.json", json.dumps(report, indent=2, default=str))
    click.echo(json.dumps(report, indent=2, default=str)) if as_json else _print_report(report)


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--num", default=64, show_default=True, help="Number of samples.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The file to write; its type picks the format (`gansuite apps --json` lists each application's).")
@click.option("--seed", default=0, show_default=True, help="Seeds the sampling noise.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="An option of the run's application (repeatable); `gansuite generate-options APP` lists them.")
@click.option("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps.")
def generate(run_dir: Path, num: int, out: Path, seed: int, sets: tuple[str, ...], device: str) -> None:
    """Sample from a trained run.

    Options each application declares for generate (`--set KEY=VALUE`) are listed by
    `gansuite generate-options APP`.
    """
    from .app import GenerateRequest
    from .devices import resolve_device
    from .runs import load_run

    if num < 1:
        raise UserError(f"--num {num}: expected a positive number")
    dev, _ = resolve_device(device)
    run = load_run(run_dir, device=dev, registry=_reg())
    app = run.app
    if app.generate is None:
        raise UserError(f"application '{app.name}' does not generate samples")
    overrides = split_overrides(list(sets))
    if app.generate_options is None and overrides:
        raise UserError(f"--set {next(iter(overrides))}: application '{app.name}' has no generate options")
    options = resolve_options(app.generate_options, overrides, "--set") if app.generate_options else None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"--out {out}: cannot create folder {out.parent} ({e.strerror or e})") from None
    for p in app.generate(run, GenerateRequest(num, out, seed, dev, options)):
        click.echo(str(p))


@click.command("generate-options")
@click.argument("app_name", metavar="APP")
def generate_options(app_name: str) -> None:
    """List the `--set` options that `gansuite generate` accepts for APP, and the file types it writes."""
    app = _reg().app(app_name)
    click.echo(f"{app.name} writes: {', '.join(app.generate_suffixes) if app.generate else '(no generate)'}")
    if app.generate_options is None:
        click.echo("no generate options")
        return
    click.echo(_options_lines(app.generate_options).replace("\b\n", ""))


@click.command()
@click.argument("apps_", nargs=-1, metavar="[APP]...")
@click.option("--out", type=click.Path(path_type=Path), default=Path("gansuite-demo"), show_default=True)
@click.option("--device", default="auto")
@click.option("--quiet", is_flag=True)
def demo(apps_: tuple[str, ...], out: Path, device: str, quiet: bool) -> None:
    """Run the bundled demos on embedded data and write OUT/index.html."""
    from .demo import run_demos

    page = run_demos(_reg(), list(apps_), out, device, quiet)
    click.echo(f"demo report: {page}")


@click.command("check-plugin")
@click.argument("app_name", metavar="APP")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Where to keep the runs (default: a temporary folder).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def check_plugin(app_name: str, out: Path | None, as_json: bool) -> None:
    """Check an application end to end on its quick settings: train, resume exactly, evaluate, generate, demo, errors."""
    import tempfile

    from .check import check_app

    app = _reg().app(app_name)
    with tempfile.TemporaryDirectory(prefix="gansuite-check-") as tmp:
        results = check_app(app, Path(out) if out else Path(tmp), registry=_reg())
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in results], indent=2))
    else:
        for r in results:
            click.echo(f"{'ok  ' if r.ok else 'FAIL'}  {r.name:<10} {r.seconds:6.1f} s  {r.detail}")
    failed = [r.name for r in results if not r.ok]
    if failed:
        raise UserError(f"check-plugin {app.name}: failed: {', '.join(failed)}")


@click.command("new-plugin")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(path_type=Path), default=Path("."), show_default=True, help="Where to create the package folder.")
def new_plugin(name: str, parent: Path) -> None:
    """Write an installable plugin package NAME with one small working application and its tests."""
    from .scaffold import write_plugin

    path = write_plugin(name, parent)
    click.echo(f"created {path}\nnext: pip install -e {path} && gansuite plugins && pytest {path}")


CORE_COMMANDS = [apps, plugins, train, evaluate, generate, generate_options, demo, check_plugin, new_plugin]


def build_cli(reg: Registry | None = None) -> click.Group:
    """A fresh `gansuite` group: the core's commands, then every loaded plugin's (`gansuite_register_commands`).

    `reg` defaults to the process-wide registry; commands find it as click's context object.
    """
    reg = reg if reg is not None else registry()

    @click.group(context_settings={**SETTINGS, "obj": reg})
    @click.version_option(package_name="gansuite")
    def cli() -> None:
        """gansuite: generative adversarial networks as plugins.

        Train an application with `gansuite train APP`, look at it with `gansuite evaluate RUN`,
        list what is installed with `gansuite apps` and `gansuite plugins`.
        """

    for command in CORE_COMMANDS:
        cli.add_command(command)
    each_impl(reg, "gansuite_register_commands", cli=cli)
    return cli


def main(argv: list[str] | None = None) -> None:
    from .engine import Interrupted, NonFiniteError

    try:
        cli = build_cli()
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
