"""Upscaling whole pictures of any size and mode with a trained generator.

Large pictures go through the network in tiles of `tile` x `tile` low-resolution pixels, each
read with `overlap` pixels of context on every side that is then thrown away, so memory is
bounded by the tile size whatever the picture's size. When `overlap` is at least the
network's receptive-field radius (about 4 pixels for `fast`, 2 x blocks + 6 for `srresnet`),
the tiled result equals the untiled one.

Modes: grayscale stays grayscale (the network sees it repeated to RGB and its output is
averaged back), RGB stays RGB, and an alpha channel is kept and upscaled on its own with
OpenCV bicubic: masks are not photographs, which is what the network learnt.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image
from torch import nn

from gansuite_core import UserError

from .data import to_tensor
from .models import for_picture


@torch.no_grad()
def upscale_rgb(net: nn.Module, img: np.ndarray, scale: int, tile: int = 192, overlap: int = 32,
                device: torch.device | str = "cpu", half: torch.dtype | None = None) -> np.ndarray:
    """(H, W, 3) uint8 -> (s*H, s*W, 3) uint8, in overlapping tiles of at most `tile` pixels.

    `half` (torch.float16 or torch.bfloat16) runs the network under autocast on a GPU; the
    picture is still assembled and rounded in float32.
    """
    if tile < 1 or overlap < 0:
        raise UserError(f"tile={tile}, overlap={overlap}: expected tile >= 1 and overlap >= 0")
    device = torch.device(device)
    h, w = img.shape[:2]
    x = to_tensor(img).unsqueeze(0).to(device)  # (1, 3, H, W)
    net = for_picture(net, x)  # a RoutedPair decides its blend once for the whole picture
    autocast = torch.autocast(device.type, dtype=half, enabled=half is not None)
    out = np.empty((h * scale, w * scale, 3), np.uint8)
    for y0 in range(0, h, tile):
        for x0 in range(0, w, tile):
            y1, x1 = min(y0 + tile, h), min(x0 + tile, w)
            cy0, cx0 = max(0, y0 - overlap), max(0, x0 - overlap)  # the tile with its context
            cy1, cx1 = min(h, y1 + overlap), min(w, x1 + overlap)
            with autocast:
                sr = net(x[:, :, cy0:cy1, cx0:cx1]).float()  # (1, 3, s*ch, s*cw)
            sr = sr[0, :, (y0 - cy0) * scale:(y1 - cy0) * scale, (x0 - cx0) * scale:(x1 - cx0) * scale]
            out[y0 * scale:y1 * scale, x0 * scale:x1 * scale] = to_uint8(sr)
    return out


def to_uint8(t: torch.Tensor) -> np.ndarray:
    """(3, H, W) float in [0, 1] -> (H, W, 3) uint8."""
    return t.clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).cpu().numpy()


def colour_of(img: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1|2|3|4) uint8 -> the (H, W, 3) picture the network sees: grey repeated, alpha dropped."""
    if img.ndim == 2:
        img = img[..., None]
    return np.ascontiguousarray(img[..., :3] if img.shape[2] >= 3 else np.repeat(img[..., :1], 3, 2))


def upscale_any(net: nn.Module, img: np.ndarray, scale: int, tile: int = 192, overlap: int = 32,
                device: torch.device | str = "cpu", half: torch.dtype | None = None) -> np.ndarray:
    """(H, W), (H, W, 1|2|3|4) uint8 -> the same mode at s times the size."""
    if img.ndim == 2:
        img = img[..., None]
    c = img.shape[2]
    sr = upscale_rgb(net, colour_of(img), scale, tile, overlap, device, half)
    if c < 3:  # grayscale (with or without alpha): the mean of the three outputs
        sr = np.round(sr.astype(np.float32).mean(2, keepdims=True)).astype(np.uint8)
    if c in (2, 4):
        alpha = cv2.resize(img[..., -1], (img.shape[1] * scale, img.shape[0] * scale), interpolation=cv2.INTER_CUBIC)
        sr = np.concatenate([sr, alpha[..., None]], 2)
    return sr[..., 0] if sr.shape[2] == 1 else sr


def bicubic(img: np.ndarray, scale: int) -> np.ndarray:
    """OpenCV bicubic upscaling, any number of channels."""
    return cv2.resize(img, (img.shape[1] * scale, img.shape[0] * scale), interpolation=cv2.INTER_CUBIC)


def read_picture(path: Path) -> np.ndarray:
    """A picture as uint8 (H, W) grayscale, (H, W, 2) grayscale+alpha, (H, W, 3) RGB or (H, W, 4) RGBA."""
    try:
        with Image.open(path) as im:
            mode = im.mode
            if mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grayscale: keep the top 8 bits
                a = np.asarray(im).astype(np.float64)
                return np.clip(np.round(a / (257.0 if a.max() > 255 else 1.0)), 0, 255).astype(np.uint8)
            if mode == "P":
                im = im.convert("RGBA" if "transparency" in im.info else "RGB")
            elif mode in ("1", "F"):
                im = im.convert("L")
            elif mode not in ("L", "LA", "RGB", "RGBA"):
                im = im.convert("RGBA" if "A" in mode else "RGB")
            return np.asarray(im).copy()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, ValueError) as e:
        raise UserError(f"{path}: not a readable image ({e})") from None


def save_picture(img: np.ndarray, path: Path) -> Path:
    """Write a uint8 picture of any of read_picture's modes as PNG."""
    Image.fromarray(img).save(path)
    return Path(path)


def flatten_for_display(img: np.ndarray) -> np.ndarray:
    """Any mode -> (H, W, 3) RGB for side-by-side pictures: alpha composed over white."""
    if img.ndim == 2:
        img = img[..., None]
    colour = img[..., :3] if img.shape[2] >= 3 else np.repeat(img[..., :1], 3, 2)
    if img.shape[2] in (2, 4):
        a = img[..., -1:].astype(np.float32) / 255.0
        colour = np.round(colour * a + 255.0 * (1 - a)).astype(np.uint8)
    return np.ascontiguousarray(colour)
