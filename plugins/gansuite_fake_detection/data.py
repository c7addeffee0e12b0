"""Images in, images out: the one path every image takes, the degradations, and the training stream.

Every image, real or fake, file or tensor, goes through `standard()`: decoded to 8-bit RGB, the
shorter side resized to `size` (area filter when shrinking) and the centre cropped. Generated
samples are quantised to 8 bits exactly as a saved PNG would be. So a detector cannot learn a
format shortcut (real JPEGs against PNG fakes, the failure REFERENCES.md notes): both sides are
the same kind of array by the time it sees them.

Real images:
- `flowers`: drawn here (petals of 6 counts x 6 colours on a tinted leafy background, anti-aliased
  with OpenCV), the same kind of picture image-generation's own flowers are;
- `faces`: the 100 face crops of scikit-image's `lfw_subset` (25 px grey, repeated to RGB);
- a folder of images, searched recursively.
"""
from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from gansuite_core import UserError

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm"}
PETALS = (3, 4, 5, 6, 8, 10)
PALETTE = ((230, 60, 60), (240, 200, 40), (250, 250, 250), (150, 70, 200), (240, 130, 30), (80, 140, 240))
FLOWERS_SEED = 20240521  # the real flowers are the same whatever the run's seed


def standard(img: np.ndarray, size: int) -> np.ndarray:
    """(H, W[, C]) uint8, C in 1..4 -> (size, size, 3) uint8 RGB: the one path of real and fake images."""
    if img.ndim == 2:
        img = img[..., None]
    if img.shape[2] == 1:
        img = np.repeat(img, 3, 2)
    img = np.ascontiguousarray(img[..., :3])
    h, w = img.shape[:2]
    if (h, w) != (size, size):
        scale = size / min(h, w)
        nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
        img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        top, left = (nh - size) // 2, (nw - size) // 2
        img = img[top:top + size, left:left + size]
    return np.ascontiguousarray(img)


def from_samples(x: np.ndarray | torch.Tensor, size: int) -> np.ndarray:
    """Generator samples (N, C, H, W) float in [-1, 1] -> (N, size, size, 3) uint8, quantised as a PNG would be."""
    x = torch.as_tensor(np.asarray(x, dtype=np.float32))
    u8 = x.clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()  # (N, H, W, C)
    return np.stack([standard(a, size) for a in u8])


def read_image(path: Path) -> np.ndarray:
    """Any PIL mode -> (H, W, 3) uint8 RGB; transparency over white. Raises what PIL raises on a bad file."""
    with Image.open(path) as im:
        im.load()
        if im.mode in ("RGBA", "LA", "P") or "transparency" in im.info:
            im = Image.alpha_composite(Image.new("RGBA", im.size, (255, 255, 255, 255)), im.convert("RGBA"))
        if im.mode in ("I", "I;16", "F"):
            a = np.asarray(im, dtype=np.float64)
            im = Image.fromarray((a / max(a.max(), 1) * 255).astype(np.uint8))
        return np.asarray(im.convert("RGB"))


def image_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)


def read_folder(root: Path, size: int, limit: int, what: str) -> np.ndarray:
    """The first `limit` readable images of a folder, standardised: (N, size, size, 3) uint8."""
    if not root.is_dir():
        raise UserError(f"{what}={root}: no such folder (or run directory)")
    files, images, bad = image_files(root), [], []
    for f in files:
        if len(images) >= limit:
            break
        try:
            images.append(standard(read_image(f), size))
        except Exception:  # noqa: BLE001 -- truncated, corrupt or not an image: named once and skipped
            bad.append(f)
    if bad:
        print(f"gansuite: warning: {what}: skipped {len(bad)} unreadable file(s) in {root} (first: {bad[0].name})", file=sys.stderr)
    if len(images) < 4:
        raise UserError(f"{what}={root}: found {len(images)} readable image(s) ({', '.join(sorted(EXTENSIONS))}); need at least 4")
    return np.stack(images)


def draw_flower(rng: np.random.Generator, size: int, canvas: int = 64) -> np.ndarray:
    """One flower (size, size, 3) uint8: drawn at 64 px with anti-aliasing, then area-resized."""
    k, colour = PETALS[rng.integers(len(PETALS))], PALETTE[rng.integers(len(PALETTE))]
    img = np.empty((canvas, canvas, 3), np.uint8)
    img[:] = (np.array([35, 80, 45]) + rng.integers(-15, 16, 3)).clip(0, 255)
    r = rng.uniform(0.30, 0.44) * canvas
    cx, cy = canvas / 2 + rng.uniform(-0.12, 0.12, 2) * canvas
    turn, half = rng.uniform(0, 360 / k), r * min(0.36, 1.9 / k)
    for i in range(k):
        a = np.deg2rad(turn + i * 360 / k)
        px, py = cx + 0.55 * r * np.cos(a), cy + 0.55 * r * np.sin(a)
        cv2.ellipse(img, (int(px * 16), int(py * 16)), (int(0.45 * r * 16), int(half * 16)), np.rad2deg(a), 0, 360,
                    colour, -1, cv2.LINE_AA, shift=4)
    cv2.circle(img, (int(cx * 16), int(cy * 16)), int(0.2 * r * 16), (95, 55, 20), -1, cv2.LINE_AA, shift=4)
    return standard(img, size)


def real_images(real: str, size: int, n: int) -> tuple[np.ndarray, str]:
    """(N, size, size, 3) uint8 real images and a description."""
    if real == "flowers":
        rng = np.random.default_rng(FLOWERS_SEED)
        return np.stack([draw_flower(rng, size) for _ in range(n)]), f"flowers ({n} drawn)"
    if real == "faces":
        from skimage import data as skdata

        faces = (skdata.lfw_subset()[:100] * 255).round().astype(np.uint8)[:n]  # the first 100 are faces
        return np.stack([standard(f, size) for f in faces]), f"faces ({len(faces)} lfw_subset crops)"
    root = Path(real).expanduser()
    x = read_folder(root, size, n, "real")
    return x, f"folder {root} ({len(x)} images)"


# --- degradations: applied to both sides alike (evaluation) or to training images (augmentation) ---

def jpeg(img: np.ndarray, quality: float) -> np.ndarray:
    """A JPEG round trip of (H, W, 3) RGB uint8 at `quality` (OpenCV's libjpeg, 4:2:0 chroma)."""
    ok, buf = cv2.imencode(".jpg", img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(round(quality))])
    return np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1])


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur with standard deviation `sigma` pixels (kernel 2*ceil(3 sigma)+1)."""
    if sigma <= 0:
        return img
    k = 2 * int(np.ceil(3 * sigma)) + 1
    return cv2.GaussianBlur(img, (k, k), sigma, borderType=cv2.BORDER_REFLECT)


def resize(img: np.ndarray, factor: float) -> np.ndarray:
    """Resized by `factor` (area when shrinking, bilinear when growing) and brought back to its size by `standard`."""
    h, w = img.shape[:2]
    nh, nw = max(2, round(h * factor)), max(2, round(w * factor))
    small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    return standard(small, h)


def degrade(images: np.ndarray, kind: str, value: float) -> np.ndarray:
    """(N, H, W, 3) uint8 under one condition of `eval_conditions`."""
    fn = {"jpeg": jpeg, "blur": blur, "resize": resize}[kind]
    return np.stack([fn(a, value) for a in images])


def augment(img: np.ndarray, rng: np.random.Generator, blur_prob: float, jpeg_prob: float, flip: bool) -> np.ndarray:
    """Wang et al. (CVPR 2020) Blur+JPEG: blur sigma ~ U(0, 3) with p, then JPEG quality ~ U(30, 100) with p."""
    if flip and rng.random() < 0.5:
        img = img[:, ::-1]
    if rng.random() < blur_prob:
        img = blur(img, rng.uniform(0, 3))
    if rng.random() < jpeg_prob:
        img = jpeg(np.ascontiguousarray(img), rng.uniform(30, 100))
    return np.ascontiguousarray(img)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) uint8 -> (N, 3, H, W) float in [-1, 1], the detectors' input."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div(127.5).sub(1)


def split(n: int, test_fraction: float, key: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices of n items, a fixed permutation per `key` (the same for every run)."""
    perm = np.random.default_rng([FLOWERS_SEED, key]).permutation(n)
    k = max(1, round(n * test_fraction))
    return np.sort(perm[k:]), np.sort(perm[:k])


def splits(test_fraction: float, real: np.ndarray, srcs: list, fakes: dict[str, np.ndarray]):
    """(real train, real test, {name: fake train}, {name: fake test}); held-out sources are all test."""
    tr, te = split(len(real), test_fraction, 0)
    f_train, f_test = {}, {}
    for i, s in enumerate(srcs):
        x = fakes[s.name]
        if s.heldout:
            f_test[s.name] = x
        else:
            a, b = split(len(x), test_fraction, i + 1)
            f_train[s.name], f_test[s.name] = x[a], x[b]
    return real[tr], real[te], f_train, f_test


class Balanced:
    """A map-style source for IndexedStream: even positions are real, odd ones fake, so every batch is half and half.

    `load(index, rng)` augments with the item's own generator, so a resumed run sees the same batches.
    """

    def __init__(self, real: np.ndarray, fake: np.ndarray, blur_prob: float, jpeg_prob: float, flip: bool) -> None:
        self.real, self.fake, self.opts = real, fake, (blur_prob, jpeg_prob, flip)
        self.n = 2 * max(len(real), len(fake))

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return self.load(index, None)

    def load(self, index: int, rng: np.random.Generator | None) -> dict[str, torch.Tensor]:
        is_fake, k = index % 2, index // 2
        pool = self.fake if is_fake else self.real
        img = pool[k % len(pool)]
        if rng is not None:
            img = augment(img, rng, *self.opts)
        x = to_tensor(img[None])[0]  # (3, H, W)
        return {"x": x, "y": torch.tensor(float(is_fake))}
