"""Pictures a person can read: images with their p_fake under a coloured bar (red: called fake, green: called real)."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from gansuite_core.pictures import save_png, side_by_side


def scored(images: np.ndarray, p_fake: np.ndarray, ncol: int = 6, cell: int = 64) -> np.ndarray:
    """(N, H, W, 3) uint8 and (N,) probabilities -> a grid of cells, each captioned with its p_fake."""
    cells = []
    for img, p in zip(images, p_fake):
        big = cv2.resize(img, (cell, cell), interpolation=cv2.INTER_NEAREST)
        bar = np.full((14, cell, 3), 255, np.uint8)
        bar[:3, :int(round(p * cell))] = (200, 40, 40) if p >= 0.5 else (40, 150, 60)
        cv2.putText(bar, f"{p:.2f}", (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (20, 20, 20), 1, cv2.LINE_AA)
        cells.append(np.concatenate([big, bar], 0))
    while len(cells) % ncol:
        cells.append(np.full_like(cells[0], 255))
    rows = [np.concatenate([np.pad(c, ((2, 2), (2, 2), (0, 0)), constant_values=255) for c in cells[r:r + ncol]], 1)
            for r in range(0, len(cells), ncol)]
    return np.concatenate(rows, 0)


def confidence_panel(real: np.ndarray, p_real: np.ndarray, fake: np.ndarray, p_fake: np.ndarray, path: Path, k: int = 6) -> Path:
    """Four columns: the most confidently right and the least confident (or wrong) real and fake images."""
    r_order, f_order = np.argsort(p_real), np.argsort(-p_fake)  # best first: low p on reals, high p on fakes
    k = min(k, len(real), len(fake))
    panels = [scored(real[r_order[:k]], p_real[r_order[:k]], 1), scored(real[r_order[-k:]], p_real[r_order[-k:]], 1),
              scored(fake[f_order[:k]], p_fake[f_order[:k]], 1), scored(fake[f_order[-k:]], p_fake[f_order[-k:]], 1)]
    titles = ["real, sure", "real, hard", "fake, sure", "fake, hard"]
    return save_png(side_by_side(panels, titles), path)
