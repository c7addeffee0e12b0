"""Where the training images come from: `--set data=flowers | faces | NAME | /path/to/folder`.

- `flowers` (default): procedurally drawn flowers with 36 known modes (see flowers.py).
- `faces`: the 100 face crops of scikit-image's `lfw_subset` (25 px grayscale, resized).
- a torchvision data set name (mnist, fashion-mnist, cifar10, celeba, flowers102), downloaded to
  `data_root` when online (GANSUITE_OFFLINE=1 skips the attempt); offline, a one-line error says how to point at a local copy.
- a folder of images, searched recursively; any size and mode (grayscale, RGBA over white,
  palette, 16-bit), mixed sizes; non-square ones centre-cropped or padded to a square (`fit`),
  then resized; unreadable files are skipped and counted in one warning. With `conditional=true`
  the immediate subfolders are the classes.

Everything is decoded once into a uint8 tensor (N, C, H, W) cached in memory per process.
"""
from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from PIL import Image

from gansuite_core import UserError

from . import flowers

TORCHVISION = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST", "cifar10": "CIFAR10", "celeba": "CelebA", "flowers102": "Flowers102"}
GRAY_SETS = {"faces", "mnist", "fashion-mnist"}
CLASSES = {"flowers": flowers.MODES, "mnist": 10, "fashion-mnist": 10, "cifar10": 10, "flowers102": 102}
EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm"}
FLOWERS_SEED = 20161111  # the training set is the same whatever the run's seed


def is_folder(data: str) -> bool:
    return data not in CLASSES and data not in TORCHVISION and data != "faces"


def channels(data: str, grayscale: bool) -> int:
    return 1 if (grayscale or data in GRAY_SETS) else 3


def classes(data: str, conditional: bool) -> int:
    """Number of classes a conditional model needs (0 when unconditional)."""
    if not conditional:
        return 0
    if data in CLASSES:
        return CLASSES[data]
    if data in ("faces", "celeba"):
        raise UserError(f"conditional=true: data set {data!r} has no class labels")
    n = len(_class_dirs(Path(data)))
    if n < 2:
        raise UserError(f"conditional=true: folder {data} needs at least 2 subfolders (one per class), found {n}")
    return n


def _class_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def fit(img: np.ndarray, size: int, mode: str = "crop") -> np.ndarray:
    """(H, W, C) -> (size, size, C): resize the shorter side to `size` and crop the centre, or with
    mode="pad" first pad the shorter side to a square (edge pixels repeated, so no frame appears)."""
    h, w = img.shape[:2]
    if mode == "pad" and h != w:
        dh, dw = max(w - h, 0), max(h - w, 0)
        img = cv2.copyMakeBorder(img, dh // 2, dh - dh // 2, dw // 2, dw - dw // 2, cv2.BORDER_REPLICATE)
        h, w = img.shape[:2]
    scale = size / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    if img.ndim == 2:
        img = img[..., None]
    top, left = (nh - size) // 2, (nw - size) // 2
    return img[top:top + size, left:left + size]


def _pil_to_array(im: Image.Image, gray: bool) -> np.ndarray:
    """Any PIL mode (L, RGB, RGBA, P, I;16, CMYK ...) -> (H, W, 1 | 3) uint8; transparency over white."""
    if im.mode in ("RGBA", "LA", "P") or "transparency" in im.info:
        im = im.convert("RGBA")
        back = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(back, im)
    if im.mode == "I;16" or im.mode == "I":
        arr = np.asarray(im, dtype=np.float64)
        im = Image.fromarray((arr / max(arr.max(), 1) * 255).astype(np.uint8))
    arr = np.asarray(im.convert("L" if gray else "RGB"))
    return arr[..., None] if arr.ndim == 2 else arr


def _folder(root: Path, size: int, gray: bool, conditional: bool, fit_mode: str = "crop") -> tuple[torch.Tensor, torch.Tensor | None, str]:
    if not root.exists():
        raise UserError(f"data={root}: no such folder (or data set name; known: flowers, faces, {', '.join(TORCHVISION)})")
    if not root.is_dir():
        raise UserError(f"data={root}: expected a folder of images, got a file")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
    if not files:
        raise UserError(f"data={root}: no image files in it ({', '.join(sorted(EXTENSIONS))}, searched recursively)")
    class_index = {d.name: i for i, d in enumerate(_class_dirs(root))} if conditional else {}
    images, labels, bad = [], [], []
    for f in files:
        try:
            with Image.open(f) as im:
                im.load()
                arr = _pil_to_array(im, gray)
        except Exception:  # noqa: BLE001 -- truncated, corrupt, or not really an image
            bad.append(f)
            continue
        if conditional:
            top = f.relative_to(root).parts[0]
            if top not in class_index:
                continue  # files directly in the root have no class
            labels.append(class_index[top])
        images.append(fit(arr, size, fit_mode))
    if bad:
        print(f"gansuite: warning: skipped {len(bad)} unreadable image file(s) of {len(files)} in {root} (first: {bad[0].name})", file=sys.stderr)
    if not images:
        where = " inside a class subfolder" if conditional and len(bad) < len(files) else ""
        raise UserError(f"data={root}: none of its {len(files)} image files could be read{where} ({len(bad)} unreadable)")
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()
    return x, (torch.tensor(labels) if conditional else None), f"folder {root} ({len(images)} images)"


def _torchvision(name: str, size: int, gray: bool, root: str) -> tuple[torch.Tensor, torch.Tensor | None, str]:
    import torchvision

    cache = Path(root).expanduser() if root else Path.home() / ".cache" / "gansuite" / "torchvision"
    cls = getattr(torchvision.datasets, TORCHVISION[name])
    kwargs: dict[str, Any] = {"split": "train"} if name in ("celeba", "flowers102") else {"train": True}
    try:
        try:
            ds = cls(str(cache), download=False, **kwargs)
        except (RuntimeError, FileNotFoundError):
            if os.environ.get("GANSUITE_OFFLINE"):  # known to be offline: do not wait for download timeouts
                raise
            ds = cls(str(cache), download=True, **kwargs)
    except Exception as e:  # noqa: BLE001 -- offline, or a broken partial download
        raise UserError(f"data={name}: not in {cache} and could not be downloaded ({type(e).__name__}); "
                        f"put torchvision's copy there with --set data_root=DIR, or export the images and use --set data=/path/to/folder") from None
    data = getattr(ds, "data", None)
    if isinstance(data, (np.ndarray, torch.Tensor)):  # MNIST, FashionMNIST, CIFAR10: arrays in memory
        arrays = [np.asarray(a) for a in (data.numpy() if isinstance(data, torch.Tensor) else data)]
        labels = torch.as_tensor(np.asarray(ds.targets))
        arrays = [(a[..., None] if a.ndim == 2 else a) for a in arrays]
        if gray and arrays[0].shape[2] == 3:
            arrays = [cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)[..., None] for a in arrays]
        elif not gray and arrays[0].shape[2] == 1:
            arrays = [np.repeat(a, 3, 2) for a in arrays]
    else:
        arrays, targets = [], []
        for i in range(len(ds)):
            im, t = ds[i]
            arrays.append(_pil_to_array(im, gray))
            targets.append(int(t) if isinstance(t, int) else 0)
        labels = torch.tensor(targets) if name == "flowers102" else None
    x = torch.from_numpy(np.stack([fit(a, size) for a in arrays])).permute(0, 3, 1, 2).contiguous()
    return x, labels, f"torchvision {TORCHVISION[name]} ({len(x)} images)"


@lru_cache(maxsize=4)
def load(data: str, size: int, grayscale: bool, conditional: bool, data_root: str = "", flowers_n: int = 5040,
         fit_mode: str = "crop") -> tuple[torch.Tensor, torch.Tensor | None, str]:
    """(images uint8 (N, C, size, size), labels (N,) or None, description) of a data source."""
    if data == "flowers":
        x, modes = flowers.batch(flowers_n, size, FLOWERS_SEED)
        return x.add(1).mul(127.5).round().to(torch.uint8), modes, f"flowers ({flowers_n} drawn, 36 modes)"
    if data == "faces":
        from skimage import data as skdata

        faces = (skdata.lfw_subset()[:100] * 255).round().astype(np.uint8)  # the first 100 are faces
        x = torch.from_numpy(np.stack([fit(f, size) for f in faces])).permute(0, 3, 1, 2).contiguous()
        return x, None, "faces (100 lfw_subset crops)"
    if data in TORCHVISION:
        return _torchvision(data, size, channels(data, grayscale) == 1, data_root)
    return _folder(Path(data).expanduser(), size, grayscale, conditional, fit_mode)


def load_for(cfg: Any) -> tuple[torch.Tensor, torch.Tensor | None, str]:
    """`load` with a run's options (an ImageGenConfig)."""
    return load(cfg.data, cfg.size, cfg.grayscale, cfg.conditional, cfg.data_root, cfg.flowers_n, cfg.fit)


def to_float(x: torch.Tensor) -> torch.Tensor:
    """uint8 (.., C, H, W) -> float in [-1, 1]."""
    return x.float().div(127.5).sub(1)


class ImageSource:
    """A map-style source for `gansuite_core.IndexedStream`: {"x": (C, H, W) in [-1, 1], "y": label}."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor | None) -> None:
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        y = self.labels[index] if self.labels is not None else torch.tensor(-1)
        return {"x": to_float(self.images[index]), "y": y}
