"""Training data: high-resolution crops and their low-resolution twins.

Images are uint8 (H, W, 3) RGB arrays; batches are float tensors in [0, 1]:
{"lr": (B, 3, c/s, c/s), "hr": (B, 3, c, c)} for HR crop size c and scale s.

Low-resolution inputs are made as the literature makes them: MATLAB's `imresize` (bicubic,
a = -0.5, antialiased) downscaling, reimplemented below because OpenCV's INTER_CUBIC does not
antialias when shrinking. `degradation=realistic` adds a Real-ESRGAN-style chain (Wang et al.
2021): blur, noise and JPEG, all with OpenCV and the item's own random generator.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from gansuite_core import UserError

# The natural photographs shipped inside scikit-image, split by image. Grayscale ones are repeated to RGB.
# stereo_motorcycle's right view is left out: it nearly repeats the left one, which is in training.
TRAIN_IMAGES = ("astronaut", "coffee", "motorcycle", "hubble_deep_field", "immunohistochemistry", "retina",
                "brick", "grass", "gravel", "moon", "clock", "page", "text")
EVAL_IMAGES = ("chelsea", "rocket", "camera", "coins")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}


def as_rgb(img: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1), (H, W, 3) or (H, W, 4) uint8 -> (H, W, 3) uint8 (alpha dropped)."""
    if img.ndim == 2:
        img = img[..., None]
    if img.shape[2] == 1:
        img = np.repeat(img, 3, 2)
    return np.ascontiguousarray(img[..., :3])


@lru_cache(maxsize=None)
def embedded_image(name: str) -> np.ndarray:
    """One scikit-image sample photograph as (H, W, 3) uint8; these ship with the package (no download)."""
    import skimage.data

    img = skimage.data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(skimage.data, name)()
    return as_rgb(img.astype(np.uint8))


def read_rgb(path: Path) -> np.ndarray:
    """A picture file as (H, W, 3) uint8 RGB; UserError naming the file when it is not an image."""
    try:
        with Image.open(path) as im:
            return as_rgb(np.asarray(im.convert("RGB")))
    except (OSError, ValueError) as e:
        raise UserError(f"{path}: not a readable image ({e})") from None


def scan_folder(folder: Path, crop: int) -> list[Path]:
    """The images of `folder` (recursively) at least `crop` pixels on each side.

    Only headers are read here. Unreadable files and images smaller than a crop are reported
    once each, with a count, and skipped.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"data={folder}: no such folder (expected a folder of high-resolution images)")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    good, small, bad = [], [], []
    for p in files:
        try:
            with Image.open(p) as im:
                w, h = im.size
        except (OSError, ValueError):
            bad.append(p)
            continue
        (good if min(w, h) >= crop else small).append(p)
    if bad:
        print(f"gansuite: super-resolution: skipped {len(bad)} unreadable file(s) in {folder}, e.g. {bad[0].name}", file=sys.stderr)
    if small:
        print(f"gansuite: super-resolution: skipped {len(small)} image(s) smaller than the {crop}-pixel crop in {folder}, e.g. {small[0].name}",
              file=sys.stderr)
    if not good:
        raise UserError(f"data={folder}: no readable image of at least {crop}x{crop} pixels (found {len(files)} image file(s))")
    return good


# --------------------------------------------------------------------------- resizing and degradation


def _cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic kernel with a = -0.5, as MATLAB's imresize."""
    ax = np.abs(x)
    return np.where(ax <= 1, 1.5 * ax**3 - 2.5 * ax**2 + 1, np.where(ax < 2, -0.5 * ax**3 + 2.5 * ax**2 - 4 * ax + 2, 0.0))


@lru_cache(maxsize=64)
def _weights(n_in: int, scale: int) -> np.ndarray:
    """(n_in // scale, n_in) matrix of MATLAB imresize(1/scale, 'bicubic') along one axis (antialiased)."""
    n_out = n_in // scale
    centres = (np.arange(n_out) + 0.5) * scale - 0.5  # output pixel centres in input coordinates
    taps = np.arange(-2 * scale, 2 * scale + 1)
    idx = np.floor(centres)[:, None].astype(int) + taps[None, :]
    w = _cubic((centres[:, None] - idx) / scale)  # the kernel stretched by `scale`: antialiasing
    w /= w.sum(1, keepdims=True)
    idx = np.where(idx < 0, -idx - 1, idx)  # symmetric padding at the borders, as MATLAB
    idx = np.where(idx >= n_in, 2 * n_in - 1 - idx, idx)
    m = np.zeros((n_out, n_in))
    np.add.at(m, (np.repeat(np.arange(n_out), len(taps)), idx.ravel()), w.ravel())
    return m


def downscale(img: np.ndarray, scale: int) -> np.ndarray:
    """uint8 (H, W[, C]) -> (H // s, W // s[, C]) uint8, MATLAB-style antialiased bicubic."""
    x = img.astype(np.float64)
    wh, ww = _weights(img.shape[0], scale), _weights(img.shape[1], scale)
    out = np.einsum("ih,hw...->iw...", wh, x)
    out = np.einsum("jw,iw...->ij...", ww, out)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def mod_crop(img: np.ndarray, scale: int) -> np.ndarray:
    """Cut the bottom/right so both sides divide by `scale` (BasicSR's mod_crop)."""
    h, w = img.shape[0] - img.shape[0] % scale, img.shape[1] - img.shape[1] % scale
    return img[:h, :w]


def degrade_realistic(hr: np.ndarray, scale: int, rng: np.random.Generator) -> np.ndarray:
    """One pass of Real-ESRGAN's chain: Gaussian blur, resize with a random filter, noise, JPEG 30-95."""
    x = hr
    sigma = rng.uniform(0.2, 2.0)
    x = cv2.GaussianBlur(x, (0, 0), sigmaX=sigma)
    interp = [cv2.INTER_AREA, cv2.INTER_LINEAR, cv2.INTER_CUBIC][rng.integers(3)]
    x = cv2.resize(x, (hr.shape[1] // scale, hr.shape[0] // scale), interpolation=interp).astype(np.float32)
    x = x + rng.normal(0.0, rng.uniform(1.0, 15.0), x.shape if rng.random() < 0.6 else x.shape[:2] + (1,))  # colour or grey noise
    x = np.clip(np.round(x), 0, 255).astype(np.uint8)
    ok, enc = cv2.imencode(".jpg", x[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 96))])
    return np.ascontiguousarray(cv2.imdecode(enc, cv2.IMREAD_COLOR)[..., ::-1])


def to_tensor(img: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> (3, H, W) float in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1))).float().div(255.0)


# --------------------------------------------------------------------------- the training source


class CropSource:
    """Random HR crops with flips and 90-degree turns (SRGAN/ESRGAN augmentation) and their LR twins.

    Images are picked uniformly whatever their size; one 'epoch' is `crops_per_image` crops of each.
    Pictures read from a folder are kept decoded in memory up to `cache_mb` megabytes.
    """

    def __init__(self, images: list[np.ndarray] | list[Path], crop: int, scale: int, degradation: str,
                 crops_per_image: int = 64, cache_mb: int = 2048) -> None:
        self.images, self.crop, self.scale, self.degradation = images, crop, scale, degradation
        self.crops_per_image, self.cache_mb = crops_per_image, cache_mb
        self._cache: dict[int, np.ndarray] = {}
        self._cached_bytes = 0

    def __len__(self) -> int:
        return len(self.images) * self.crops_per_image

    def image(self, i: int) -> np.ndarray:
        item = self.images[i]
        if isinstance(item, np.ndarray):
            return item
        if i in self._cache:
            return self._cache[i]
        img = read_rgb(item)
        if self._cached_bytes + img.nbytes <= self.cache_mb * 2**20:
            self._cache[i], self._cached_bytes = img, self._cached_bytes + img.nbytes
        return img

    def load(self, index: int, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        img = self.image(index % len(self.images))
        c = self.crop
        y, x = rng.integers(0, img.shape[0] - c + 1), rng.integers(0, img.shape[1] - c + 1)
        hr = img[y:y + c, x:x + c]
        if rng.random() < 0.5:
            hr = hr[:, ::-1]
        hr = np.ascontiguousarray(np.rot90(hr, int(rng.integers(4))))
        lr = degrade_realistic(hr, self.scale, rng) if self.degradation == "realistic" else downscale(hr, self.scale)
        return {"lr": to_tensor(lr), "hr": to_tensor(hr)}
