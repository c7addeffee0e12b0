"""Pictures of a synthetic table: each column's marginal, real against synthetic, and the
association matrices (Pearson for numbers, the category codes for discrete columns) side by side.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

NUMERIC = ("continuous", "integer")


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_marginals(real: pd.DataFrame, syn: pd.DataFrame, columns: list, path: Path, label: str = "synthetic") -> Path:
    """One panel per column: histograms (numbers) or bar pairs (categories), real in grey."""
    plt = _plt()
    cols = 4
    rows = (len(columns) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, c in zip(axes.flat, columns):
        r, s = real[c.name], syn[c.name]
        if c.kind in NUMERIC:
            x = r.dropna().astype(float)
            edges = np.histogram_bin_edges(x, bins=20)
            ax.hist(x, bins=edges, density=True, color="0.6", label="real")
            ax.hist(s.dropna().astype(float).clip(edges[0], edges[-1]), bins=edges, density=True, histtype="step", lw=2, color="C1", label=label)
        else:
            key = lambda v: v.astype(object).where(v.notna(), "<NA>").map(str)  # noqa: E731
            p, q = key(r).value_counts(normalize=True), key(s).value_counts(normalize=True)
            cats = sorted(set(p.index) | set(q.index))[:12]
            at = np.arange(len(cats))
            ax.bar(at - 0.2, [p.get(k, 0) for k in cats], 0.4, color="0.6", label="real")
            ax.bar(at + 0.2, [q.get(k, 0) for k in cats], 0.4, color="C1", label=label)
            ax.set_xticks(at, cats, fontsize=7)
        ax.set_title(c.name, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(columns):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _assoc(df: pd.DataFrame, columns: list) -> np.ndarray:
    x = pd.DataFrame({c.name: (df[c.name].astype(float) if c.kind in NUMERIC
                               else df[c.name].astype(object).map(str).astype("category").cat.codes.astype(float)) for c in columns})
    return np.nan_to_num(x.corr().to_numpy())


def save_correlations(real: pd.DataFrame, tables: dict[str, pd.DataFrame], columns: list, path: Path) -> Path:
    """The real table's correlation matrix beside each synthetic table's, same colour scale."""
    plt = _plt()
    panels = {"real (training rows)": real, **tables}
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.6), squeeze=False)
    names = [c.name for c in columns]
    for ax, (title, df) in zip(axes.flat, panels.items()):
        ax.imshow(_assoc(df, columns), vmin=-1, vmax=1, cmap="RdBu_r")
        ax.set_title(title, fontsize=9)
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=6)
        ax.set_yticks(range(len(names)), names, fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def save_survival(real: pd.DataFrame, tables: dict[str, pd.DataFrame], time: str, event: str, path: Path) -> Path:
    """Kaplan-Meier curves of the held-out real rows (black) and of each synthetic table, up to km_horizon."""
    from .survival import event_flags, kaplan_meier, km_horizon
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, (title, df) in enumerate({"real (held-out rows)": real, **tables}.items()):
        times, s = kaplan_meier(df[time].astype(float).to_numpy(), event_flags(df[event]))
        ax.step(np.concatenate([[0.0], times]), np.concatenate([[1.0], s]), where="post", lw=2 if i == 0 else 1.5,
                color="k" if i == 0 else f"C{i}", label=title)
    ax.set_xlim(0, km_horizon(real, time))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"{time} (up to the 90th percentile of the real follow-up)")
    ax.set_ylabel(f"share without {event} (Kaplan-Meier)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
