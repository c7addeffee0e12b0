"""`flowers`: procedurally drawn flowers with known factors, and a classifier of those factors.

36 modes = 6 petal counts (3..8) x 6 palette colours, with random size, rotation, position and
background tint. Because every image's mode is known, a classifier trained on this generated
ground truth measures a generator the way Stacked MNIST does (Srivastava et al. 2017; Lin et al.
2018, PacGAN): modes covered, the share of samples recognised with confidence, and the reverse KL
of the mode histogram against the uniform one.

Both the drawing and the classifier are deterministic. The classifier is cached in memory per
process and on disk (~/.cache/gansuite, or $GANSUITE_CACHE): training it costs about a CPU minute.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

PETALS = (3, 4, 5, 6, 7, 8)
PALETTE = ((225, 35, 35), (250, 145, 20), (240, 225, 40), (45, 95, 235), (155, 55, 205), (245, 245, 245))  # RGB
PALETTE_NAMES = ("red", "orange", "yellow", "blue", "purple", "white")
MODES = len(PETALS) * len(PALETTE)
CANVAS = 64  # drawn at 64 px, then area-resized: smooth edges at every size


def mode_of(petals_index: int, colour_index: int) -> int:
    return petals_index * len(PALETTE) + colour_index


def draw(mode: int, rng: np.random.Generator, size: int = 32) -> np.ndarray:
    """One flower of `mode` (0..35) as (size, size, 3) uint8 RGB; size, angle, place and tint from `rng`."""
    k, colour = PETALS[mode // len(PALETTE)], PALETTE[mode % len(PALETTE)]
    bg = np.array([35, 80, 45]) + rng.integers(-15, 16, 3)  # a leafy background, tinted per image
    canvas = max(CANVAS, size)  # 128 and 256 px flowers are drawn at their size, not upscaled
    img = np.empty((canvas, canvas, 3), np.uint8)
    img[:] = bg.clip(0, 255)
    r = rng.uniform(0.30, 0.44) * canvas  # flower radius
    cx, cy = (canvas / 2 + rng.uniform(-0.12, 0.12, 2) * canvas)
    turn = rng.uniform(0, 360 / k)
    half_width = r * min(0.36, 1.9 / k)  # narrower petals when there are more of them, so they stay apart
    for i in range(k):
        a = np.deg2rad(turn + i * 360 / k)
        px, py = cx + 0.55 * r * np.cos(a), cy + 0.55 * r * np.sin(a)
        cv2.ellipse(img, (int(px * 16), int(py * 16)), (int(0.45 * r * 16), int(half_width * 16)),
                    np.rad2deg(a), 0, 360, colour, -1, cv2.LINE_AA, shift=4)
    cv2.circle(img, (int(cx * 16), int(cy * 16)), int(0.2 * r * 16), (95, 55, 20), -1, cv2.LINE_AA, shift=4)
    return cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA) if size != canvas else img


def to_tensor(img: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> (3, H, W) float in [-1, 1]."""
    return torch.from_numpy(img).permute(2, 0, 1).float().div(127.5).sub(1)


def batch(n: int, size: int, seed: int, first: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Flowers first..first+n-1 of the stream `seed`: images (n, 3, size, size) in [-1, 1], modes (n,).

    Modes cycle 0..35, so every 36 consecutive flowers hold each mode once.
    """
    imgs, modes = [], []
    for i in range(first, first + n):
        imgs.append(to_tensor(draw(i % MODES, np.random.default_rng([seed, i]), size)))
        modes.append(i % MODES)
    return torch.stack(imgs), torch.tensor(modes)


class FactorClassifier(nn.Module):
    """A small CNN with two heads: petal count (6, plus a 7th "no flower" class) and colour (6)."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        w = width
        self.body = nn.Sequential(
            nn.Conv2d(3, w, 3, 1, 1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2),  # 16 px
            nn.Conv2d(w, 2 * w, 3, 1, 1), nn.BatchNorm2d(2 * w), nn.ReLU(), nn.MaxPool2d(2),  # 8 px
            nn.Conv2d(2 * w, 4 * w, 3, 1, 1), nn.BatchNorm2d(4 * w), nn.ReLU(),
            nn.Conv2d(4 * w, 4 * w, 3, 1, 1), nn.BatchNorm2d(4 * w), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.petals, self.colour = nn.Linear(4 * w, len(PETALS) + 1), nn.Linear(4 * w, len(PALETTE))
        self.dim = 4 * w

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:  # (B, 3, 32, 32) -> logits (B, 7), (B, 6)
        h = self.body(x)
        return self.petals(h), self.colour(h)


def negatives(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Images that are no flower, for the 7th class: noise, smooth noise, and flowers cut into shuffled 8-px tiles."""
    b = len(x)
    noise = torch.rand(b, 3, 32, 32, generator=g) * 2 - 1
    smooth = F.interpolate(torch.rand(b, 3, 4, 4, generator=g) * 2 - 1, size=(32, 32), mode="bilinear", align_corners=False)
    tiles = x.unfold(2, 8, 8).unfold(3, 8, 8).reshape(b, 3, 16, 8, 8)  # (B, 3, 16 tiles, 8, 8)
    tiles = tiles[:, :, torch.randperm(16, generator=g)]
    jumbled = tiles.reshape(b, 3, 4, 4, 8, 8).permute(0, 1, 2, 4, 3, 5).reshape(b, 3, 32, 32)
    pick = torch.randint(0, 3, (b,), generator=g)
    return torch.where((pick == 0)[:, None, None, None], noise, torch.where((pick == 1)[:, None, None, None], smooth, jumbled))


@lru_cache(maxsize=None)
def classifier(steps: int = 500, seed: int = 1234, n_train: int = 8000) -> tuple[FactorClassifier, float]:
    """The factor classifier, trained on `n_train` freshly drawn 32-px flowers; (model, held-out mode accuracy).

    Trained once per machine (about a CPU minute; one-cycle schedule) from a fixed seed, so every
    evaluation uses the same one, and kept in the cache folder. Its held-out accuracy goes into every report.
    """
    cache = Path(os.environ.get("GANSUITE_CACHE") or Path.home() / ".cache" / "gansuite") / f"flowers-classifier-{steps}-{seed}-{n_train}.pt"
    if cache.is_file():
        try:
            saved = torch.load(cache, map_location="cpu", weights_only=True)
            net = FactorClassifier()
            net.load_state_dict(saved["state"])
            return net.eval().requires_grad_(False), float(saved["accuracy"])
        except Exception:  # noqa: BLE001 -- a stale or broken cache file: train again and overwrite it
            pass
    net, accuracy = _train_classifier(steps, seed, n_train)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        torch.save({"state": net.state_dict(), "accuracy": accuracy}, tmp)
        tmp.replace(cache)  # atomic: a parallel process never reads half a file
    except OSError:
        pass  # a read-only home: train again next time
    return net, accuracy


def _train_classifier(steps: int, seed: int, n_train: int) -> tuple[FactorClassifier, float]:
    x_all, m_all = batch(n_train, 32, seed)
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(), torch.enable_grad():  # callable from the engine's no-grad side jobs
        torch.manual_seed(seed)
        net = FactorClassifier()
        opt = torch.optim.Adam(net.parameters(), lr=3e-3)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps)
        for _ in range(steps):
            idx = torch.randint(0, len(x_all), (64,), generator=g)
            x, m = x_all[idx], m_all[idx]
            lp, lc = net(torch.cat([x, negatives(x[:16], g)]))
            none = torch.full((16,), len(PETALS))
            loss = F.cross_entropy(lp, torch.cat([m // len(PALETTE), none])) + F.cross_entropy(lc[:64], m % len(PALETTE))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    net.eval().requires_grad_(False)
    xt, mt = batch(720, 32, seed + 1)
    accuracy = float((predict(net, xt)[0] == mt).float().mean())
    return net, accuracy


def predict(net: FactorClassifier, images: torch.Tensor, batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """Modes (N,) from the most likely petal count and colour, and whether each is recognised with confidence (N,).

    Recognised ("high quality"): the "no flower" class is unlikely (< 0.5) and both the petal count
    and the colour hold at least half the probability.
    """
    modes, good = [], []
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            x = images[i:i + batch_size].float()
            if x.shape[-1] != 32:
                x = F.interpolate(x, size=(32, 32), mode="area" if x.shape[-1] > 32 else "bilinear")
            lp, lc = net(x)
            pp, pc = lp.softmax(1), lc.softmax(1)
            petal = pp[:, :len(PETALS)].argmax(1)
            modes.append(petal * len(PALETTE) + pc.argmax(1))
            good.append((pp[:, -1] < 0.5) & (pp.gather(1, petal[:, None])[:, 0] >= 0.5) & (pc.max(1).values >= 0.5))
    return torch.cat(modes), torch.cat(good)


def _kl_uniform(p: torch.Tensor) -> float:
    """KL(p || uniform) of a histogram p (sums to 1), in nats."""
    nz = p > 0
    return float((p[nz] * (p[nz] * len(p)).log()).sum())


def mode_report(net: FactorClassifier, images: torch.Tensor) -> dict[str, float]:
    """Stacked-MNIST-style numbers: modes covered (by a recognised sample), high-quality share, reverse KL.

    The reverse KL is KL(p_generated || uniform) of the histogram of every sample's mode. Because the
    uniform target is a product (petal count x colour), it splits exactly into the petal counts' own
    reverse KL, the colours' own, and the mutual information between the two: a generator that draws
    every petal count and every colour equally often can still miss combinations (7 petals only in blue).
    """
    modes, good = predict(net, images)
    p = torch.bincount(modes, minlength=MODES).double()
    p = p / p.sum()
    joint = p.reshape(len(PETALS), len(PALETTE))  # mode = petals_index * len(PALETTE) + colour_index
    petals, colours = joint.sum(1), joint.sum(0)
    nz = joint > 0
    return {
        "modes": int(torch.bincount(modes[good], minlength=MODES).gt(0).sum()),
        "high_quality": float(good.float().mean()),
        "reverse_kl": _kl_uniform(p),
        "reverse_kl_petals": _kl_uniform(petals),  # the petal counts' histogram alone
        "reverse_kl_colours": _kl_uniform(colours),  # the colours' alone
        "petal_colour_information": float((joint[nz] * (joint / petals[:, None] / colours[None, :])[nz].log()).sum()),  # the rest
    }


def features(net: FactorClassifier, images: torch.Tensor) -> torch.Tensor:
    """The classifier's pooled features (N, 128): the flowers' stand-in for Inception features."""
    x = images.float()
    if x.shape[-1] != 32:
        x = F.interpolate(x, size=(32, 32), mode="area" if x.shape[-1] > 32 else "bilinear")
    with torch.no_grad():
        return net.body(x)
