"""Pictures every application writes: image grids, side-by-sides with labels, animated GIFs.

Images are float tensors in [-1, 1] (B, C, H, W) or uint8 arrays (H, W, C); C is 1 or 3.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np
import torch
from PIL import Image


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(B, C, H, W) in [-1, 1] -> (B, H, W, 3) uint8 (grayscale repeated to RGB)."""
    x = images.detach().float().cpu().clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8)
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    return x.permute(0, 2, 3, 1).numpy()


def grid(images: np.ndarray, nrow: int | None = None, pad: int = 2, background: int = 255) -> np.ndarray:
    """(B, H, W, 3) uint8 -> one (H', W', 3) mosaic, `nrow` images a row (default: square)."""
    b, h, w, c = images.shape
    nrow = nrow or max(1, math.ceil(math.sqrt(b)))
    rows = math.ceil(b / nrow)
    out = np.full((rows * (h + pad) + pad, nrow * (w + pad) + pad, c), background, np.uint8)
    for i, img in enumerate(images):
        r, col = divmod(i, nrow)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + col * (w + pad): pad + col * (w + pad) + w] = img
    return out


def upscale_nearest(img: np.ndarray, min_size: int = 256) -> np.ndarray:
    """Blow small pictures up with nearest neighbour so pixels stay visible in a browser."""
    k = max(1, math.ceil(min_size / max(img.shape[:2])))
    return img if k == 1 else cv2.resize(img, (img.shape[1] * k, img.shape[0] * k), interpolation=cv2.INTER_NEAREST)


def save_png(img: np.ndarray, path: Path) -> Path:
    """Write an (H, W, 3) or (H, W) uint8 RGB array as PNG."""
    Image.fromarray(img).save(path)
    return Path(path)


def save_grid(images: torch.Tensor, path: Path, nrow: int | None = None, min_size: int = 256) -> Path:
    """(B, C, H, W) in [-1, 1] -> a PNG grid at `path`."""
    return save_png(upscale_nearest(grid(to_uint8(images), nrow), min_size), path)


def label(img: np.ndarray, text: str, height: int = 18) -> np.ndarray:
    """The image with a white caption strip above it."""
    strip = np.full((height, img.shape[1], 3), 255, np.uint8)
    cv2.putText(strip, text, (3, height - 5), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (20, 20, 20), 1, cv2.LINE_AA)
    return np.concatenate([strip, img], 0)


def side_by_side(panels: Sequence[np.ndarray], titles: Sequence[str] | None = None, pad: int = 4) -> np.ndarray:
    """Equal-height (H, W, 3) uint8 panels in a row, optionally captioned."""
    h = max(p.shape[0] for p in panels)
    cols = []
    for i, p in enumerate(panels):
        if p.ndim == 2:
            p = np.repeat(p[..., None], 3, 2)
        if p.shape[0] != h:
            p = np.concatenate([p, np.full((h - p.shape[0], p.shape[1], 3), 255, np.uint8)], 0)
        if titles:
            p = label(p, titles[i])
        cols += [p, np.full((p.shape[0], pad, 3), 255, np.uint8)]
    return np.concatenate(cols[:-1], 1)


def save_gif(frames: Sequence[np.ndarray], path: Path, fps: float = 5.0) -> Path:
    """(H, W, 3) uint8 frames -> a looping GIF."""
    images = [Image.fromarray(f) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0, optimize=False)
    return Path(path)
