"""Clips for video prediction: procedural (moving digits, bouncing shapes), a virtual camera over photographs,
the scikit-image GIF, user videos.

Every source yields clips as float tensors (T, C, H, W) in [-1, 1]. Procedural clips are a pure
function of a numpy Generator, so the IndexedStream (seed, position) -> rng contract makes training
batches replay exactly on resume; their test sets use fixed seeds independent of the run's seed.

    moving-digits    Moving-MNIST-style (OpenSTL dataloader_moving_mnist.py): two 28x28 glyphs on a
                     64x64 canvas, random start and direction, 0.1 of the 36-px range per frame,
                     reflected at the walls, combined by maximum. Glyphs are OpenCV font digits at a
                     random font, scale and thickness (MNIST cannot be downloaded here).
    camera           a virtual camera panning, zooming and shaking over the photographs shipped with
                     scikit-image, optionally with moving discs and squares in front; training and
                     test clips come from different photographs (CAMERA_TRAIN / CAMERA_TEST).
    bouncing-shapes  one to three coloured discs, squares and triangles bouncing on black.
    skimage-gif      skimage's data/no_time_for_that_tiny.gif: 24 real frames, 25x14 pixels.
    FOLDER           video files (anything OpenCV reads) and sub-folders of numbered frames.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import cv2
import numpy as np
import torch

from gansuite_core import UserError

from .config import SOURCES, VideoConfig

PROCEDURAL = ("moving-digits", "bouncing-shapes", "camera")
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
TEST_SEED = 20160101  # the fixed test set of the procedural sources (never a training seed: those are run seeds)
FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX,
         cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_PLAIN)


# Photographs shipped inside scikit-image (no download). Held-out photos are never seen in training.
CAMERA_TRAIN = ("astronaut.png", "camera.png", "coins.png", "hubble_deep_field.jpg", "ihc.png", "moon.png",
                "motorcycle_left.png", "retina.jpg", "grass.png", "gravel.png", "brick.png", "page.png", "text.png", "cell.png")
CAMERA_TEST = ("chelsea.png", "coffee.png", "rocket.jpg")


def skimage_file(name: str) -> Path:
    import skimage

    return Path(skimage.__file__).parent / "data" / name


def skimage_gif() -> Path:
    return skimage_file("no_time_for_that_tiny.gif")


_PHOTOS: dict[str, np.ndarray] = {}


def photo(name: str) -> np.ndarray:
    """(h, w, 3) uint8 RGB, short side 160 px (so a 64-px view zooms 1x to 2x without aliasing much); cached."""
    if name not in _PHOTOS:
        img = cv2.imread(str(skimage_file(name)), cv2.IMREAD_COLOR)
        if img is None:
            raise UserError(f"data=camera: scikit-image's {name} is missing from this installation")
        k = 160 / min(img.shape[:2])
        img = cv2.resize(img, (round(img.shape[1] * k), round(img.shape[0] * k)), interpolation=cv2.INTER_AREA)
        _PHOTOS[name] = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    return _PHOTOS[name]


# --------------------------------------------------------------------------- procedural clips


def digit_glyph(rng: np.random.Generator, size: int = 28) -> np.ndarray:
    """(size, size) float32 in [0, 1]: one digit in a random OpenCV font, scale and stroke width."""
    canvas = np.zeros((64, 64), np.uint8)
    font = FONTS[int(rng.integers(len(FONTS)))]
    scale = float(rng.uniform(1.2, 2.0)) * (2.0 if font == cv2.FONT_HERSHEY_PLAIN else 1.0)
    cv2.putText(canvas, str(int(rng.integers(10))), (8, 52), font, scale, 255, int(rng.integers(2, 5)), cv2.LINE_AA)
    ys, xs = np.nonzero(canvas)
    crop = canvas[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
    inner = size - 6  # MNIST keeps a margin around a 20-px digit; a slightly larger one here
    h, w = crop.shape
    k = inner / max(h, w) * float(rng.uniform(0.75, 1.0))
    crop = cv2.resize(crop, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    out = np.zeros((size, size), np.float32)
    y0, x0 = (size - crop.shape[0]) // 2, (size - crop.shape[1]) // 2
    out[y0: y0 + crop.shape[0], x0: x0 + crop.shape[1]] = crop / 255.0
    return out


def bounce_path(rng: np.random.Generator, frames: int, room: int, step: float) -> np.ndarray:
    """(frames, 2) integer top-left corners (y, x) in [0, room], moving `step` px/frame, reflected at walls."""
    pos = rng.uniform(0, room, 2)
    theta = rng.uniform(0, 2 * np.pi)
    vel = np.array([np.sin(theta), np.cos(theta)]) * step
    out = np.zeros((frames, 2), np.int64)
    for t in range(frames):
        out[t] = np.round(pos)
        pos = pos + vel
        for i in range(2):  # reflect at the walls, as OpenSTL does
            if pos[i] < 0:
                pos[i], vel[i] = -pos[i], -vel[i]
            elif pos[i] > room:
                pos[i], vel[i] = 2 * room - pos[i], -vel[i]
    return out


def moving_digits(rng: np.random.Generator, frames: int, size: int = 64, digits: int = 2) -> np.ndarray:
    """(frames, 1, size, size) float32 in [0, 1]: digits bouncing in a box, overlapping by maximum."""
    out = np.zeros((frames, 1, size, size), np.float32)
    room = size - 28
    for _ in range(digits):
        glyph = digit_glyph(rng)
        for t, (y, x) in enumerate(bounce_path(rng, frames, room, 0.1 * room)):
            np.maximum(out[t, 0, y: y + 28, x: x + 28], glyph, out=out[t, 0, y: y + 28, x: x + 28])
    return out


def bouncing_shapes(rng: np.random.Generator, frames: int, size: int = 64) -> np.ndarray:
    """(frames, 3, size, size) float32 in [0, 1]: coloured shapes bouncing on black, later ones in front."""
    canvas = np.zeros((frames, size, size, 3), np.uint8)
    for _ in range(int(rng.integers(1, 4))):
        kind, r = int(rng.integers(3)), int(rng.integers(6, 12))
        colour = tuple(int(c) for c in rng.integers(80, 256, 3))
        for t, (y, x) in enumerate(bounce_path(rng, frames, size - 2 * r, float(rng.uniform(1.5, 4.0)))):
            cy, cx = int(y) + r, int(x) + r
            if kind == 0:
                cv2.circle(canvas[t], (cx, cy), r, colour, -1, cv2.LINE_AA)
            elif kind == 1:
                cv2.rectangle(canvas[t], (cx - r, cy - r), (cx + r, cy + r), colour, -1)
            else:
                pts = np.array([[cx, cy - r], [cx - r, cy + r], [cx + r, cy + r]], np.int32)
                cv2.fillPoly(canvas[t], [pts], colour, cv2.LINE_AA)
    return canvas.transpose(0, 3, 1, 2).astype(np.float32) / 255.0


def camera_clip(rng: np.random.Generator, frames: int, size: int, photos: tuple[str, ...], objects: int) -> np.ndarray:
    """(frames, 3, size, size) float32 in [0, 1]: a virtual camera over one photograph.

    The view (side L photo pixels, L/size = zoom in [1, 2]) pans at a constant velocity of up to 3
    output px/frame, zooms by up to 2 % per frame, and shakes (Gaussian jitter, 0.5 px): the pan and
    zoom are predictable from the context, the shake is not, which sets a floor no predictor passes.
    """
    img = photo(photos[int(rng.integers(len(photos)))])
    h, w = img.shape[:2]
    zoom = rng.uniform(1.0, 2.0)
    rate = rng.uniform(-0.02, 0.02)
    vel = rng.uniform(-3, 3, 2)  # output px per frame (x, y)
    centre = np.array([rng.uniform(0, w), rng.uniform(0, h)])
    out = np.zeros((frames, size, size, 3), np.uint8)
    for t in range(frames):
        z = zoom * (1 + rate) ** t
        half = size * z / 2
        c = centre + vel * z * t + rng.normal(0, 0.5, 2) * z
        c = np.clip(c, half, [w - half, h - half]) if 2 * half < min(w, h) else np.array([w / 2, h / 2])
        m = np.array([[z, 0, c[0] - half], [0, z, c[1] - half]])  # output pixel -> photo pixel
        out[t] = cv2.warpAffine(img, m, (size, size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT)
    for _ in range(int(rng.integers(0, objects + 1))):  # moving objects in front of the scene
        r, colour = int(rng.integers(4, 9)), tuple(int(c) for c in rng.integers(0, 256, 3))
        disc = bool(rng.integers(2))
        for t, (y, x) in enumerate(bounce_path(rng, frames, size - 2 * r, float(rng.uniform(1.0, 3.0)))):
            cy, cx = int(y) + r, int(x) + r
            if disc:
                cv2.circle(out[t], (cx, cy), r, colour, -1, cv2.LINE_AA)
            else:
                cv2.rectangle(out[t], (cx - r, cy - r), (cx + r, cy + r), colour, -1)
    return out.transpose(0, 3, 1, 2).astype(np.float32) / 255.0


class Procedural:
    """An endless map-style source: item i is a fresh clip drawn from the stream's rng (T, C, H, W) in [-1, 1].

    For data=camera, `test=True` draws from the held-out photographs.
    """

    def __init__(self, name: str, frames: int, size: int, channels: int = 0, objects: int = 1, test: bool = False) -> None:
        self.name, self.frames, self.size, self.objects = name, frames, size, objects
        self.channels = channels or (1 if name == "moving-digits" else 3)
        self.photos = CAMERA_TEST if test else CAMERA_TRAIN

    def __len__(self) -> int:
        return 1 << 40  # the stream's positions never wrap; no shuffling needed

    def clip(self, rng: np.random.Generator) -> torch.Tensor:
        if self.name == "moving-digits":
            x = moving_digits(rng, self.frames, self.size)
        elif self.name == "camera":
            x = camera_clip(rng, self.frames, self.size, self.photos, self.objects)
        else:
            x = bouncing_shapes(rng, self.frames, self.size)
        if x.shape[1] != self.channels:  # grey <-> RGB as the model asks
            x = x.mean(1, keepdims=True) if self.channels == 1 else np.repeat(x, 3, 1)
        return torch.from_numpy(np.ascontiguousarray(x)).mul(2).sub(1)

    def load(self, index: int, rng: np.random.Generator) -> torch.Tensor:
        return self.clip(rng)

    def test_set(self, n: int) -> torch.Tensor:
        """(n, T, C, H, W): the fixed test clips, the same for every run."""
        return torch.stack([self.clip(np.random.default_rng([TEST_SEED, i])) for i in range(n)])


# --------------------------------------------------------------------------- real videos


def read_frames(path: Path, max_frames: int = 0) -> np.ndarray:
    """(T, H, W, 3) uint8 RGB frames of a video file or a folder of images; UserError when unreadable."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"video {path}: no such file or folder")
    frames: list[np.ndarray] = []
    if path.is_dir():
        for f in sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_EXT):
            img = cv2.imread(str(f), cv2.IMREAD_COLOR)
            if img is None:
                raise UserError(f"frame {f}: not an image OpenCV can read")
            if frames and img.shape != frames[0].shape:
                raise UserError(f"frame {f}: size {img.shape[1]}x{img.shape[0]} differs from the folder's first frame")
            frames.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
            if max_frames and len(frames) >= max_frames:
                break
    else:
        cap = cv2.VideoCapture(str(path))
        while cap.isOpened():
            ok, img = cap.read()
            if not ok or img is None:
                break
            frames.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB) if img.ndim == 3 else np.repeat(img[..., None], 3, 2))
            if max_frames and len(frames) >= max_frames:
                break
        cap.release()
    if not frames:
        raise UserError(f"video {path}: OpenCV reads no frames from it (expected a video file such as mp4/avi/gif, or a folder of images)")
    return np.stack(frames)


def to_model(frames: np.ndarray, size: int, channels: int) -> torch.Tensor:
    """(T, H, W, 3) uint8 RGB -> (T, channels, size, size) in [-1, 1] (area-resized, greyed when channels=1)."""
    out = []
    for f in frames:
        f = cv2.resize(f, (size, size), interpolation=cv2.INTER_AREA if min(f.shape[:2]) >= size else cv2.INTER_LINEAR)
        f = cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)[..., None] if channels == 1 else f
        out.append(f)
    return torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2).float().div(127.5).sub(1)


def from_model(frames: torch.Tensor, height: int, width: int) -> np.ndarray:
    """(T, C, h, w) in [-1, 1] -> (T, height, width, 3) uint8 RGB (grey repeated), resized to the video's size."""
    x = frames.detach().float().cpu().clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8)
    x = x.repeat(1, 3, 1, 1) if x.shape[1] == 1 else x
    x = x.permute(0, 2, 3, 1).numpy()
    if x.shape[1:3] != (height, width):
        x = np.stack([cv2.resize(f, (width, height), interpolation=cv2.INTER_LINEAR) for f in x])
    return x


def scan_folder(folder: Path, need: int, size: int, channels: int, max_frames: int, quiet: bool = False) -> list[torch.Tensor]:
    """Every readable video in `folder` with at least `need` frames, as (T, C, size, size); the rest reported once."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"data={folder}: expected one of {', '.join(SOURCES)} or a folder of videos")
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    images = [p for p in entries if p.is_file() and p.suffix.lower() in IMAGE_EXT]
    candidates = [p for p in entries if p.is_dir() or p.suffix.lower() not in IMAGE_EXT]
    if images and not candidates:  # the folder itself is one clip of frames
        candidates = [folder]
    videos, unreadable, short = [], [], []
    for p in candidates:
        try:
            frames = read_frames(p, max_frames)
        except UserError:
            unreadable.append(p.name)
            continue
        if len(frames) < need:
            short.append(f"{p.name} ({len(frames)})")
            continue
        videos.append(to_model(frames, size, channels))
    if not videos:  # one line: the error says what was skipped
        raise UserError(f"data={folder}: no video with at least {need} frames (context + horizon) among {len(entries)} entries"
                        + (f" (too short: {', '.join(short[:3])})" if short else ""))
    if not quiet and unreadable:
        print(f"gansuite: data={folder}: skipped {len(unreadable)} unreadable file(s), e.g. {unreadable[0]}", file=sys.stderr)
    if not quiet and short:
        print(f"gansuite: data={folder}: skipped {len(short)} video(s) shorter than {need} frames: {', '.join(short[:3])}", file=sys.stderr)
    return videos


class Windows:
    """Map-style source over real videos: item i is the i-th window of `frames` consecutive frames.

    Augmentation (`load`): a horizontal flip with probability 1/2, drawn from the stream's rng. Time
    reversal is not used: played backwards, falling things rise.
    """

    def __init__(self, videos: list[torch.Tensor], frames: int) -> None:
        self.videos, self.frames = videos, frames
        self.index = [(v, s) for v, clip in enumerate(videos) for s in range(len(clip) - frames + 1)]

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i: int) -> torch.Tensor:
        v, s = self.index[i]
        return self.videos[v][s: s + self.frames]

    def load(self, i: int, rng: np.random.Generator) -> torch.Tensor:
        clip = self[i]
        return clip.flip(-1) if rng.random() < 0.5 else clip


def real_videos(data: str, need: int, size: int, channels: int, max_frames: int, quiet: bool = True) -> list[torch.Tensor]:
    """The videos of the skimage GIF or of a user folder, each (T, C, size, size)."""
    if data == "skimage-gif":
        frames = read_frames(skimage_gif())
        if len(frames) < need:
            raise UserError(f"data=skimage-gif: the GIF has {len(frames)} frames; context + horizon = {need} is too many")
        return [to_model(frames, size, channels)]
    return scan_folder(Path(os.path.expanduser(data)), need, size, channels, max_frames, quiet)


def split_videos(videos: list[torch.Tensor]) -> tuple[list[torch.Tensor], list[torch.Tensor], bool]:
    """(train, test, held_out): every 10th video is held out when there are several, else train = test."""
    if len(videos) < 2:
        return videos, videos, False
    test = [v for i, v in enumerate(videos) if i % 10 == 9] or videos[-1:]
    train = [v for i, v in enumerate(videos) if not any(v is t for t in test)]
    return train, test, True


def test_windows(videos: list[torch.Tensor], frames: int, n: int) -> torch.Tensor:
    """(≤n, frames, C, H, W): non-overlapping windows taken in order from the test videos."""
    out = [clip[s: s + frames] for clip in videos for s in range(0, len(clip) - frames + 1, frames)]
    if not out:  # videos only just long enough for overlapping windows
        out = [clip[:frames] for clip in videos]
    return torch.stack(out[:n])


# --------------------------------------------------------------------------- what a config trains and tests on


def train_source(cfg: VideoConfig, frames: int, quiet: bool = True) -> tuple[Procedural | Windows, bool]:
    """(source, shuffle): the training clips of `frames` frames for the config's data."""
    if cfg.data in PROCEDURAL:
        return Procedural(cfg.data, frames, cfg.size, cfg.image_channels, cfg.objects), False
    # need K + horizon frames so every kept video can also be evaluated and predicted
    videos = real_videos(cfg.data, max(frames, cfg.context + cfg.horizon), cfg.size, cfg.image_channels, cfg.max_frames, quiet=quiet)
    return Windows(split_videos(videos)[0], frames), True


def test_set(cfg: VideoConfig, n: int | None = None) -> tuple[torch.Tensor, bool]:
    """((N, K+H, C, size, size) in [-1, 1], held_out): the fixed evaluation clips of the config's data."""
    n = n or cfg.test_clips
    frames = cfg.context + cfg.horizon
    if cfg.data in PROCEDURAL:
        return Procedural(cfg.data, frames, cfg.size, cfg.image_channels, cfg.objects, test=True).test_set(n), True
    _, test, held_out = split_videos(real_videos(cfg.data, frames, cfg.size, cfg.image_channels, cfg.max_frames))
    return test_windows(test, frames, n), held_out
