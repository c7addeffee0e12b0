"""Per-image quality measures in the literature's conventions.

PSNR and SSIM follow BasicSR (metrics/psnr_ssim.py): images in [0, 255] float64, `crop`
pixels cut from each border, optionally on the Y channel of MATLAB-style YCbCr
(Y = 16 + 65.481 R + 128.553 G + 24.966 B for R, G, B in [0, 1]); SSIM with an 11x11
Gaussian window, sigma 1.5 (Wang et al. 2004).
"""
from __future__ import annotations

import cv2
import numpy as np


def rgb_to_y(img: np.ndarray) -> np.ndarray:
    """(H, W, 3) RGB in [0, 255] -> (H, W) Y of MATLAB's rgb2ycbcr, in [16, 235]."""
    x = img.astype(np.float64) / 255.0
    return 16.0 + 65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]


def _prepare(img: np.ndarray, crop: int, y_channel: bool) -> np.ndarray:
    x = img.astype(np.float64)
    if y_channel and x.ndim == 3 and x.shape[2] == 3:
        x = rgb_to_y(x)
    if crop:
        x = x[crop:-crop, crop:-crop]
    return x


def psnr(a: np.ndarray, b: np.ndarray, crop: int = 0, y_channel: bool = False) -> float:
    """Peak signal-to-noise ratio in dB of two uint8-range images (H, W) or (H, W, C)."""
    if a.shape != b.shape:
        raise ValueError(f"psnr: shapes differ {a.shape} vs {b.shape}")
    x, y = _prepare(a, crop, y_channel), _prepare(b, crop, y_channel)
    mse = np.mean((x - y) ** 2)
    return float("inf") if mse == 0 else float(10.0 * np.log10(255.0**2 / mse))


def _ssim_2d(x: np.ndarray, y: np.ndarray) -> float:
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    k = cv2.getGaussianKernel(11, 1.5)
    w = np.outer(k, k.transpose())
    f = lambda z: cv2.filter2D(z, -1, w)[5:-5, 5:-5]  # noqa: E731 -- 'valid' filtering, as BasicSR
    mx, my = f(x), f(y)
    sx, sy, sxy = f(x * x) - mx**2, f(y * y) - my**2, f(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx**2 + my**2 + c1) * (sx + sy + c2))
    return float(m.mean())


def ssim(a: np.ndarray, b: np.ndarray, crop: int = 0, y_channel: bool = False) -> float:
    """Structural similarity of two uint8-range images; channels averaged when not on Y."""
    if a.shape != b.shape:
        raise ValueError(f"ssim: shapes differ {a.shape} vs {b.shape}")
    x, y = _prepare(a, crop, y_channel), _prepare(b, crop, y_channel)
    if x.ndim == 2:
        return _ssim_2d(x, y)
    return float(np.mean([_ssim_2d(x[..., i], y[..., i]) for i in range(x.shape[2])]))


def sharpness(img: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image (higher = more high-frequency detail).

    A no-reference measure: blurry predictions score low, so it shows the perception-distortion
    trade-off next to PSNR (Blau & Michaeli 2018).
    """
    x = img.astype(np.float64)
    if x.ndim == 3:
        x = x.mean(2) if x.shape[2] == 3 else x[..., 0]
    return float(cv2.Laplacian(x, cv2.CV_64F, ksize=3).var())
