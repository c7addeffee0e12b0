"""Feature extractors for the distribution metrics (FID, KID, precision/recall, density/coverage).

An extractor is any object with `name`, `dim` and `__call__(images) -> features`:

    images (B, C, H, W) float in [-1, 1], C = 1 or 3  ->  features (B, dim) float

Where the features come from decides what a number means, so every report names its extractor:

- `inception`: torchvision's Inception-v3 (2048-d pool features) built from a local weights file,
  given by `GANSUITE_INCEPTION=/path/inception_v3.pth` (a torchvision state dict). These weights are
  torchvision's ImageNet ones, not the TensorFlow graph of the original FID: close, not identical.
- plugins may register others (`gansuite_register_feature_extractors`); a caller passes the
  registry's extractors (`run.extractors`) to `find_extractor`.
- otherwise `RotationExtractor`: a small CNN trained in seconds on the real data to predict image
  rotations (Gidaris et al. 2018). Its numbers rank models on the same data; they are not
  Inception FIDs, and its name says so in every report.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Mapping, Protocol, runtime_checkable

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import UserError


@runtime_checkable
class FeatureExtractor(Protocol):
    name: str  # shown in every report next to the numbers it produced
    dim: int  # feature dimension

    def __call__(self, images: torch.Tensor) -> torch.Tensor: ...  # (B, C, H, W) in [-1, 1] -> (B, dim)


def features_of(extractor: FeatureExtractor, images: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """Features of a whole image set, in batches, without gradients: (N, dim) float on the CPU."""
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            out.append(extractor(images[i:i + batch]).float().cpu())
    return torch.cat(out)


class InceptionExtractor:
    """torchvision Inception-v3 pool features (2048-d) from a local state-dict file."""

    dim = 2048

    def __init__(self, path: str | os.PathLike, device: torch.device = torch.device("cpu")) -> None:
        import torchvision

        path = Path(path)
        if not path.is_file():
            raise UserError(f"Inception weights {path}: no such file (expected torchvision's inception_v3 state dict, .pth)")
        # transform_input=False: the network is fed [-1, 1] directly, the scale torchvision's ported
        # weights expect after their own transform_input step (ImageNet-normalised input is ~2.2x too large).
        net = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False, transform_input=False)
        try:
            net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        except Exception as e:  # noqa: BLE001 -- any unreadable file is the user's to fix
            raise UserError(f"Inception weights {path}: not a torchvision inception_v3 state dict ({type(e).__name__})") from None
        net.fc = nn.Identity()
        self.net, self.device = net.eval().to(device), device
        self.name = f"inception-v3 (torchvision weights {path.name})"

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        x = images.to(self.device).float()
        if x.shape[1] == 1:
            x = x.repeat(1, 3, 1, 1)
        x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)  # (B, 3, 299, 299) in [-1, 1]
        return self.net(x)


class _RotNet(nn.Module):
    """Four conv blocks, global average pooling: the features; a linear head for 4 rotations."""

    def __init__(self, channels: int, width: int = 32) -> None:
        super().__init__()
        layers, c = [], channels
        for w in (width, 2 * width, 4 * width, 4 * width):
            layers += [nn.Conv2d(c, w, 3, 1, 1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True)]
            c = w
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(c, 4)
        self.dim = c

    def features(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, H, W) -> (B, dim)
        return self.body(x).mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class RotationExtractor:
    """A CNN trained on the real images to tell 0/90/180/270-degree rotations apart; its pooled features."""

    def __init__(self, real: torch.Tensor, *, steps: int = 300, batch: int = 64, seed: int = 0, data_name: str = "the real data") -> None:
        if len(real) < 2:
            raise ValueError("RotationExtractor needs at least 2 real images")
        g = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            net = _RotNet(real.shape[1])
        opt = torch.optim.Adam(net.parameters(), lr=2e-3)
        net.train()
        for _ in range(steps):
            x = real[torch.randint(0, len(real), (batch,), generator=g)].float()
            k = torch.randint(0, 4, (batch,), generator=g)
            x = torch.stack([torch.rot90(img, int(r), (1, 2)) for img, r in zip(x, k)])
            loss = F.cross_entropy(net(x), k)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        self.net = net.eval().requires_grad_(False)
        self.dim = net.dim
        self.final_loss = float(loss.detach())
        self.name = f"rotation-CNN trained on {data_name} ({len(real)} images, {steps} steps; not Inception)"

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        return self.net.features(images.float().cpu())


def find_extractor(name: str | None, device: torch.device = torch.device("cpu"),
                   extractors: Mapping[str, tuple[str, Callable[[], FeatureExtractor]]] | None = None) -> FeatureExtractor | None:
    """The extractor called `name` (one of `extractors`, or `inception`), or with no name the best available one.

    `extractors` are those plugins registered (`run.extractors`: name -> (plugin, factory)).
    Returns None when no standard extractor is available (then train a `RotationExtractor`).
    Raises UserError for a name that nothing provides.
    """
    extractors = dict(extractors or {})
    if name:
        if name in extractors:
            return extractors[name][1]()
        if name == "inception":
            path = os.environ.get("GANSUITE_INCEPTION")
            if not path:
                raise UserError("extractor 'inception': set GANSUITE_INCEPTION=/path/to/inception_v3.pth (torchvision state dict)")
            return InceptionExtractor(path, device)
        known = ", ".join(sorted(set(extractors) | {"inception"}))
        raise UserError(f"unknown feature extractor {name!r}; available: {known}")
    if "inception" in extractors:
        return extractors["inception"][1]()
    if os.environ.get("GANSUITE_INCEPTION"):
        return InceptionExtractor(os.environ["GANSUITE_INCEPTION"], device)
    return None
