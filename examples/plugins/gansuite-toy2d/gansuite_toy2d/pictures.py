"""Scatter plots of points over the mixture's modes, with the 3-sigma circles that count as high quality."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .data import Mixture


def scatter(points: np.ndarray, mix: Mixture, path: Path, title: str = "") -> Path:
    """Write a PNG of `points` (N, 2) in blue over the mode centres and their 3-sigma circles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    lim = mix.scale * 1.35
    ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, color="tab:blue", linewidths=0)
    for cx, cy in mix.modes.tolist():
        ax.add_patch(plt.Circle((cx, cy), 3 * mix.sigma, fill=False, color="tab:red", linewidth=0.8))
    ax.plot(mix.modes[:, 0], mix.modes[:, 1], "+", color="tab:red", markersize=5)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.grid(alpha=0.25)
    ax.set_title(title or f"{mix.name}: {len(points)} points", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
