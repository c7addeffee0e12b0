"""Training data: high-resolution crops and their low-resolution twins.

Images are uint8 (H, W, 3) RGB arrays; batches are float tensors in [0, 1]:
{"lr": (B, 3, c/s, c/s), "hr": (B, 3, c, c)} for HR crop size c and scale s.

Low-resolution inputs: `degradation=bicubic` makes them as the literature does, with MATLAB's
`imresize` (bicubic, a = -0.5, antialiased), reimplemented below because OpenCV's INTER_CUBIC
does not antialias when shrinking. A user's pictures are shrunk by other tools, so the other
choices draw the way of shrinking per crop (see `degrade`), each from the item's own generator.
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
# Three more natural photographs, shipped by scikit-learn (china, flower) and matplotlib (grace_hopper), both already
# dependencies: config.package_photos adds them to training (the 13 above hold only three natural colour photographs).
PACKAGE_PHOTOS = ("china", "flower", "grace_hopper")
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
    """One embedded photograph as (H, W, 3) uint8: scikit-image's samples or PACKAGE_PHOTOS (no download)."""
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image

        return as_rgb(load_sample_image(f"{name}.jpg"))
    if name == "grace_hopper":
        from matplotlib.cbook import get_sample_data

        return read_rgb(Path(get_sample_data("grace_hopper.jpg", asfileobj=False)))
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
    """Keys' cubic kernel with a = -0.5, as MATLAB's imresize and PIL's BICUBIC."""
    ax = np.abs(x)
    return np.where(ax <= 1, 1.5 * ax**3 - 2.5 * ax**2 + 1, np.where(ax < 2, -0.5 * ax**3 + 2.5 * ax**2 - 4 * ax + 2, 0.0))


@lru_cache(maxsize=64)
def _weights(n_in: int, n_out: int, s: float) -> np.ndarray:
    """(n_out, n_in) matrix of MATLAB imresize(..., s, 'bicubic') along one axis (s = output/input scale).

    Shrinking stretches the kernel by 1/s (MATLAB's antialiasing); enlarging does not.
    """
    k = min(s, 1.0)  # kernel compression: < 1 when shrinking
    centres = (np.arange(n_out) + 0.5) / s - 0.5  # output pixel centres in input coordinates
    half = int(np.ceil(2 / k))
    idx = np.floor(centres)[:, None].astype(int) + np.arange(-half, half + 2)[None, :]
    w = _cubic((centres[:, None] - idx) * k) * k
    w /= w.sum(1, keepdims=True)
    idx = np.where(idx < 0, -idx - 1, idx)  # symmetric padding at the borders, as MATLAB
    idx = np.where(idx >= n_in, 2 * n_in - 1 - idx, idx)
    idx = np.clip(idx, 0, n_in - 1)  # very small inputs: padding wider than the picture
    m = np.zeros((n_out, n_in))
    np.add.at(m, (np.repeat(np.arange(n_out), idx.shape[1]), idx.ravel()), w.ravel())
    return m


def matlab_resize(img: np.ndarray, s: float) -> np.ndarray:
    """uint8 (H, W[, C]) -> (floor(s*H), floor(s*W)[, C]) uint8, MATLAB imresize(img, s, 'bicubic'):
    a = -0.5, antialiased when shrinking. `s` < 1 shrinks (1/scale), > 1 enlarges."""
    x = img.astype(np.float64)
    h, w = int(img.shape[0] * s + 1e-9), int(img.shape[1] * s + 1e-9)
    out = np.einsum("ih,hw...->iw...", _weights(img.shape[0], h, s), x)
    out = np.einsum("jw,iw...->ij...", _weights(img.shape[1], w, s), out)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def downscale(img: np.ndarray, scale: int) -> np.ndarray:
    """uint8 (H, W[, C]) -> (H // s, W // s[, C]) uint8, MATLAB-style antialiased bicubic (the papers' LR)."""
    return matlab_resize(img, 1 / scale)


def _cv2(interpolation: int):
    def shrink(img: np.ndarray, scale: int) -> np.ndarray:
        return cv2.resize(img, (img.shape[1] // scale, img.shape[0] // scale), interpolation=interpolation)
    return shrink


def _pil(resample: int):
    def shrink(img: np.ndarray, scale: int) -> np.ndarray:  # PIL widens its filters when shrinking (antialiased)
        return np.asarray(Image.fromarray(img).resize((img.shape[1] // scale, img.shape[0] // scale), resample))
    return shrink


# The ways a user's small picture was made (issue 13): uint8 (H, W, 3) -> (H // s, W // s, 3).
DOWNSCALERS = {
    "matlab_bicubic": downscale,  # MATLAB imresize, a = -0.5, antialiased: what the SR papers use
    "opencv_cubic": _cv2(cv2.INTER_CUBIC),  # a = -0.75, no antialiasing: aliased, the most common in Python
    "opencv_linear": _cv2(cv2.INTER_LINEAR),
    "opencv_area": _cv2(cv2.INTER_AREA),  # box average: OpenCV's advice for shrinking
    "opencv_nearest": _cv2(cv2.INTER_NEAREST),
    "pil_bicubic": _pil(Image.BICUBIC),  # browsers and thumbnails are close to these
    "pil_lanczos": _pil(Image.LANCZOS),
}


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    """JPEG round trip at `quality` (OpenCV's encoder, 4:2:0 chroma)."""
    ok, enc = cv2.imencode(".jpg", np.ascontiguousarray(img[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return np.ascontiguousarray(cv2.imdecode(enc, cv2.IMREAD_COLOR)[..., ::-1])


# The downscalers that do not widen their kernel when shrinking: their small pictures alias. The bundled models'
# routers (models.RoutedPair) tell these from the others.
ALIASED = ("opencv_cubic", "opencv_linear", "opencv_nearest")


# A routed run's specialists (config.routed): each trains on few clean tools' pictures. Such specialists gain more on the
# other tools of their kind than ones trained on every tool of their kind (docs/experiments.md, stop 41); the
# antialiased one's tools are config.antialiased_inputs (at x3/x4 MATLAB bicubic and OpenCV area since stop 42).
ROUTED_ALIASED = "opencv_cubic"
ROUTER_CROPS = 1  # the router's own crops per item, twice the SR crop's side: the bundled routers' 32-pixel crops at x4


def unsharp_mask(img: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    """img + amount x (img - Gaussian blur of img), rounded to uint8: the sharpening of cameras and photo tools."""
    x = img.astype(np.float32)
    return np.clip(np.round(x + amount * (x - cv2.GaussianBlur(x, (0, 0), sigmaX=sigma))), 0, 255).astype(np.uint8)


def needs_aliased(name: str, scale: int) -> bool:
    """Whether a crop that degrade_named named `name` is one for the aliased specialist: shrunk by one of
    aliased(scale), or sharpened after shrinking (whatever shrank it: the antialiased specialist sharpens the halos
    again and lands below bicubic, the aliased one gains; docs/experiments.md, stop 40)."""
    return name.endswith("+sharpened") or name in aliased(scale)


def aliased(scale: int) -> tuple[str, ...]:
    """The DOWNSCALERS whose pictures need the aliased specialist at `scale`. At x2 OpenCV's linear filter averages
    exactly each 2x2 block, as area does (measured: identical pictures), so there it is an antialiased one."""
    return ("opencv_cubic", "opencv_nearest") if scale == 2 else ALIASED


def degrade(hr: np.ndarray, scale: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """HR uint8 (c, c, 3) -> LR (c/s, c/s, 3) by `kind` (config.degradation), drawn with the item's own generator.

    kernels: one of the seven DOWNSCALERS per crop (BSRGAN's shuffled degradations, Zhang et al. 2021,
    kept to the resize step). mixed: the same, plus a Gaussian blur before (p 0.3, sigma 0.3-1.5),
    Gaussian noise after (p 0.25, sigma 1-8) and a JPEG round trip (p 0.3, quality 50-95).
    realistic: one pass of Real-ESRGAN's chain (Wang et al. 2021), every step always on.
    A DOWNSCALERS name: that downscaler only, for a specialist (its pictures all come from one tool).
    """
    return degrade_named(hr, scale, kind, rng)[0]


def degrade_named(hr: np.ndarray, scale: int, kind: str, rng: np.random.Generator,
                  sharpen: float = 0.0) -> tuple[np.ndarray, str]:
    """`degrade`, and the name of the DOWNSCALERS entry that shrank the crop ("" for realistic's random filter).

    sharpen > 0 (for kernels and mixed; the routers' estimators use it): that share of crops is unsharp-masked
    right after the resize, as cameras and web exports do, and its name gets "+sharpened" (see needs_aliased).
    """
    if kind == "antialiased":  # its tools are a run's antialiased_inputs, which only CropSource knows
        raise ValueError("degradation=antialiased draws from config.antialiased_inputs: shrink through CropSource")
    if kind == "bicubic":
        return downscale(hr, scale), "matlab_bicubic"
    if kind == "realistic":
        return degrade_realistic(hr, scale, rng), ""
    if kind in DOWNSCALERS:
        return np.ascontiguousarray(DOWNSCALERS[kind](np.ascontiguousarray(hr), scale)), kind
    x = hr
    if kind == "mixed" and rng.random() < 0.3:
        x = cv2.GaussianBlur(x, (0, 0), sigmaX=rng.uniform(0.3, 1.5))
    names = list(DOWNSCALERS)
    name = names[int(rng.integers(len(names)))]
    x = DOWNSCALERS[name](np.ascontiguousarray(x), scale)
    if sharpen and rng.random() < sharpen:  # no draw at 0, so the specialists' crops are unchanged
        x, name = unsharp_mask(x, rng.uniform(0.5, 2.0), rng.uniform(0.5, 1.5)), name + "+sharpened"
    if kind == "mixed" and rng.random() < 0.25:
        x = np.clip(np.round(x + rng.normal(0.0, rng.uniform(1.0, 8.0), x.shape)), 0, 255).astype(np.uint8)
    if kind == "mixed" and rng.random() < 0.3:
        x = jpeg(x, int(rng.integers(50, 96)))
    return np.ascontiguousarray(x), name


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
    return jpeg(x, int(rng.integers(30, 96)))


def to_tensor(img: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> (3, H, W) float in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1))).float().div(255.0)


# --------------------------------------------------------------------------- the training source


class CropSource:
    """Random HR crops with flips and 90-degree turns (SRGAN/ESRGAN augmentation) and their LR twins.

    Images are picked uniformly whatever their size; one 'epoch' is `crops_per_image` crops of each.
    Pictures read from a folder are kept decoded in memory up to `cache_mb` megabytes. `rgb_permute`
    puts each crop's colour channels in a random order (Yoo et al. 2020), so few photographs give
    more kinds of detail: brightness (PSNR-Y's channel) mixes R, G and B unequally.

    degradation "antialiased" (not routed): each crop shrunk by one of the `antialiased` resizers, drawn per crop.
    `routed` (config.routed): each HR crop comes with two LR twins for the two specialists, "lr" shrunk by one of
    the `antialiased` resizers (drawn per crop) and "lr_aliased" by ROUTED_ALIASED, and "router": ROUTER_CROPS
    other crops of twice the size, shrunk as `degradation` says, with "router_aliased" their labels (needs_aliased).
    """

    def __init__(self, images: list[np.ndarray] | list[Path], crop: int, scale: int, degradation: str,
                 crops_per_image: int = 64, cache_mb: int = 2048, rgb_permute: bool = False, routed: bool = False,
                 antialiased: tuple[str, ...] = ("matlab_bicubic", "opencv_area")) -> None:
        self.images, self.crop, self.scale, self.degradation = images, crop, scale, degradation
        self.crops_per_image, self.cache_mb, self.rgb_permute, self.routed = crops_per_image, cache_mb, rgb_permute, routed
        self.antialiased = antialiased
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
        hr = self.crop_hr(index, rng)
        s = self.scale
        if self.degradation == "antialiased":  # config.degradation: one of the antialiased tools per crop (never routed)
            return {"lr": to_tensor(DOWNSCALERS[self.antialiased_tool(rng)](hr, s)), "hr": to_tensor(hr)}
        if not self.routed:
            return {"lr": to_tensor(degrade(hr, s, self.degradation, rng)), "hr": to_tensor(hr)}
        smooth, jagged = DOWNSCALERS[self.antialiased_tool(rng)](hr, s), DOWNSCALERS[ROUTED_ALIASED](hr, s)
        views = [degrade_named(self.crop_hr(index, rng, 2 * self.crop), s, self.degradation, rng) for _ in range(ROUTER_CROPS)]
        return {"lr": to_tensor(smooth), "lr_aliased": to_tensor(jagged), "hr": to_tensor(hr),
                "router": torch.stack([to_tensor(v) for v, _ in views]),  # (ROUTER_CROPS, 3, 2c/s, 2c/s)
                "router_aliased": torch.tensor([float(needs_aliased(n, s)) for _, n in views])}  # (ROUTER_CROPS,)

    def antialiased_tool(self, rng: np.random.Generator) -> str:
        """One of the `antialiased` resizers, drawn with the item's generator; one tool draws no number, so runs
        with one antialiased tool keep stop 41's random stream."""
        return self.antialiased[int(rng.integers(len(self.antialiased)))] if len(self.antialiased) > 1 else self.antialiased[0]

    def crop_hr(self, index: int, rng: np.random.Generator, size: int = 0) -> np.ndarray:
        """A random (size, size, 3) uint8 crop (size 0: `crop`) of image `index`, flipped, turned and (rgb_permute)
        permuted; a picture smaller than `size` (a router's crop from a user's folder) is mirrored out to it first."""
        img = self.image(index % len(self.images))
        c = size or self.crop
        if min(img.shape[:2]) < c:
            img = np.pad(img, ((0, max(0, c - img.shape[0])), (0, max(0, c - img.shape[1])), (0, 0)), mode="symmetric")
        y, x = rng.integers(0, img.shape[0] - c + 1), rng.integers(0, img.shape[1] - c + 1)
        hr = img[y:y + c, x:x + c]
        if rng.random() < 0.5:
            hr = hr[:, ::-1]
        hr = np.ascontiguousarray(np.rot90(hr, int(rng.integers(4))))
        if self.rgb_permute:
            hr = np.ascontiguousarray(hr[:, :, rng.permutation(3)])
        return hr
