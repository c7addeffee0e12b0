"""`gansuite synthesize RUN --rows N --out synth.csv [--where COLUMN=VALUE]`: synthetic rows from a trained run.

The file has the input table's columns in the same order, with the same types and category spellings.
"""
from __future__ import annotations

from pathlib import Path

import click

from gansuite_core import UserError, load_run, pick_device

from .evaluation import synthesize, write_table


@click.command("synthesize")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--rows", type=int, required=True, help="Number of synthetic rows.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The table to write: .csv or .parquet.")
@click.option("--where", default="", help="Conditional sampling: COLUMN=VALUE for a discrete column, e.g. sex=2.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same rows.")
@click.option("--device", default="cpu", show_default=True, help="cpu | cuda | cuda:N | mps | auto.")
def synthesize_command(run_dir: Path, rows: int, out: Path, where: str, seed: int, device: str) -> None:
    """Write ROWS synthetic rows of a trained synthetic-records run to OUT."""
    if rows < 1:
        raise UserError(f"--rows {rows}: expected at least 1")
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise UserError(f"--out {out}: synthetic-records writes .csv or .parquet tables")
    dev = pick_device(device)
    run = load_run(run_dir, app="synthetic-records", device=dev)
    df = synthesize(run, rows, seed, where, dev)
    out.parent.mkdir(parents=True, exist_ok=True)
    click.echo(str(write_table(df, out)))
