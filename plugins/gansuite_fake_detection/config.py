"""The options of `gansuite train fake-detection` (set with `--set key=value`).

Sources are written as comma-separated lists: a gansuite run directory (image-generation: sampled
through its generator; super-resolution: real images downscaled and upscaled by it) or a folder of
generated images. With `fakes` empty the plugin trains its own forgers (`forgers`), cached in the run.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

FORGER_MODELS = ("dcgan", "resnet")
FORGER_LOSSES = ("ns", "hinge", "lsgan", "wgan-gp")


@dataclass(frozen=True)
class FakeDetectionConfig:
    real: str = "flowers"  # real images: flowers (drawn here) | faces (scikit-image lfw_subset) | /path/to/folder
    fakes: str = ""  # fake sources, comma-separated run directories or folders; empty: this run's own forgers
    holdout: str = ""  # sources kept out of training, evaluated as unseen; empty with own forgers: the last forger
    forgers: str = "dcgan:ns:1500,dcgan:lsgan:1000,resnet:hinge:400"  # own forgers as model:loss[:steps] of image-generation runs (used when fakes is empty); the last is held out by default
    forger_steps: int = 400  # training steps of an own forger run whose spec names none (cached in RUN/forgers/)
    forger_width: int = 16  # g_width and d_width of the own forgers
    size: int = 32  # every image, real or fake, is resized and centre-cropped to size x size RGB
    n_real: int = 1500  # real images used (flowers are drawn; faces and folders give at most what they have)
    n_fake: int = 800  # images taken from each fake source
    test_fraction: float = 0.3  # share of real images and of each seen source kept out of training for evaluate
    width: int = 16  # detector CNN base width (channels of its first stage)
    batch: int = 64  # images per step, half real and half fake
    lr: float = 1e-3  # detector Adam learning rate
    blur_prob: float = 0.5  # probability of a Gaussian blur, sigma ~ U(0, 3), on a training image (Wang et al. 2020)
    jpeg_prob: float = 0.5  # probability of a JPEG round trip, quality ~ U(30, 100), on a training image (Wang et al. 2020)
    flip: bool = True  # random horizontal flips of training images
    eval_conditions: str = "jpeg:30,jpeg:50,jpeg:75,jpeg:95,blur:1,blur:2,blur:3,resize:0.5,resize:0.75,resize:1.5"  # degradations evaluate applies to both sides

    def __post_init__(self) -> None:
        if self.real not in ("flowers", "faces"):  # a folder: stored absolute, so evaluate works from any directory
            object.__setattr__(self, "real", os.path.abspath(os.path.expanduser(self.real)))
        for name in ("forger_steps", "forger_width", "n_real", "n_fake", "width", "batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.size < 8:
            raise ValueError(f"size must be at least 8, got {self.size}")
        if not 0 < self.test_fraction < 1:
            raise ValueError(f"test_fraction must be in (0, 1), got {self.test_fraction}")
        if not (0 <= self.blur_prob <= 1 and 0 <= self.jpeg_prob <= 1):
            raise ValueError("blur_prob and jpeg_prob must be in [0, 1]")
        if self.lr <= 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if not self.fakes:
            for spec in self.forger_specs():
                parts = spec.split(":")
                if len(parts) not in (2, 3) or parts[0] not in FORGER_MODELS or parts[1] not in FORGER_LOSSES \
                        or (len(parts) == 3 and not (parts[2].isdigit() and int(parts[2]) > 0)):
                    raise ValueError(f"forgers: {spec!r} is not model:loss[:steps] with model in {FORGER_MODELS} and loss in {FORGER_LOSSES}")
            if len(self.forger_specs()) < 2:
                raise ValueError("forgers: name at least two model:loss forgers (one can be held out)")
        self.conditions()  # raises on a malformed eval_conditions

    def forger_specs(self) -> list[str]:
        return [s.strip() for s in self.forgers.split(",") if s.strip()]

    def conditions(self) -> list[tuple[str, float]]:
        """eval_conditions as (kind, value): jpeg quality 1..100, blur sigma > 0, resize factor > 0."""
        out = []
        for item in (s.strip() for s in self.eval_conditions.split(",") if s.strip()):
            kind, _, value = item.partition(":")
            try:
                v = float(value)
            except ValueError:
                raise ValueError(f"eval_conditions: {item!r} is not kind:number") from None
            ok = {"jpeg": 1 <= v <= 100, "blur": v > 0, "resize": v > 0}.get(kind)
            if not ok:
                raise ValueError(f"eval_conditions: {item!r}; use jpeg:1..100, blur:SIGMA>0 or resize:FACTOR>0")
            out.append((kind, v))
        return out
