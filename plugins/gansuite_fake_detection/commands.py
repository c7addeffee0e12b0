"""`gansuite detect RUN IMAGE_OR_FOLDER... [--json] [--threshold T]`: p_fake of your own pictures.

Every file goes through the same path as the training images (8-bit RGB, resized and centre-
cropped to the run's size). Folders are searched recursively for image files. A file that cannot
be read is named on stderr and skipped; the exit code is then 1 after the others are printed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import numpy as np

from gansuite_core import UserError, load_run, pick_device

from . import data
from .evaluation import p_fake

APP = "fake-detection"


def expand(inputs: tuple[Path, ...]) -> list[Path]:
    """Files as given (whatever their suffix); folders expand to the image files inside them."""
    files: list[Path] = []
    for p in inputs:
        if p.is_dir():
            found = data.image_files(p)
            if not found:
                raise UserError(f"{p}: no image files in this folder ({', '.join(sorted(data.EXTENSIONS))})")
            files += found
        elif p.exists():
            files.append(p)
        else:
            raise UserError(f"{p}: no such file or folder")
    return files


def detect_files(run_dir: Path, files: list[Path], device: str = "cpu") -> tuple[list[dict], list[Path]]:
    """([{path, p_fake}], unreadable files) for `files`, scored by the run's detector."""
    run = load_run(run_dir, app=APP, device=pick_device(device))
    size = run.config.options.size
    images, kept, bad = [], [], []
    for f in files:
        try:
            images.append(data.standard(data.read_image(f), size))
            kept.append(f)
        except Exception:  # noqa: BLE001 -- not an image, truncated, unreadable: named and skipped
            bad.append(f)
    probs = p_fake(run.net("C"), np.stack(images)) if images else np.zeros(0)
    return [{"path": str(f), "p_fake": float(p)} for f, p in zip(kept, probs)], bad


@click.command("detect")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {path, p_fake}.")
@click.option("--threshold", default=0.5, show_default=True, help="p_fake at or above which an image is called fake.")
@click.option("--device", default="cpu", show_default=True, help="auto | cpu | cuda | cuda:N | mps.")
def detect_command(run_dir: Path, inputs: tuple[Path, ...], as_json: bool, threshold: float, device: str) -> None:
    """Print the probability that each image is generated (p_fake), with a fake-detection run."""
    if not 0 <= threshold <= 1:
        raise UserError(f"--threshold {threshold}: expected a probability in [0, 1]")
    results, bad = detect_files(run_dir, expand(inputs), device)
    for f in bad:
        click.echo(f"gansuite detect: {f}: not a readable image, skipped", err=True)
    if as_json:
        click.echo(json.dumps(results, indent=2))
    else:
        for r in results:
            click.echo(f"{r['p_fake']:.4f}  {'fake' if r['p_fake'] >= threshold else 'real'}  {r['path']}")
    if bad:
        sys.exit(1)
