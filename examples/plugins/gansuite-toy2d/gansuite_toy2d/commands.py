"""`gansuite toy2d-score POINTS.npy`: score any (N, 2) array with the PacGAN protocol (another model's samples, say)."""
from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from gansuite_core import UserError

from .data import mixture
from .evaluation import mode_report


@click.command("toy2d-score")
@click.argument("points", type=click.Path(path_type=Path))
@click.option("--data", type=click.Choice(["grid", "ring"]), default="grid", show_default=True)
def toy2d_score(points: Path, data: str) -> None:
    """Score an (N, 2) .npy file of points with the PacGAN protocol (e.g. another model's samples)."""
    try:
        with open(points, "rb") as f:
            magic = f.read(6)
    except OSError as e:
        raise UserError(f"{points}: cannot read it ({e.strerror or e})") from None
    if magic != b"\x93NUMPY":  # not numpy's own message, which suggests loading pickles
        raise UserError(f"{points}: not a .npy file (expected an (N, 2) array written by numpy.save)")
    try:
        pts = np.load(points, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise UserError(f"{points}: cannot read it as a .npy array ({e})") from None
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise UserError(f"{points}: expected an array of shape (N, 2), got {tuple(pts.shape)}")
    click.echo(json.dumps(mode_report(pts, mixture(data)), indent=2))
