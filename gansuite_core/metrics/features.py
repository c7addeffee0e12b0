"""Feature extractors for the distribution metrics (FID, KID, precision/recall, density/coverage).

An extractor is any object with `name`, `dim` and `__call__(images) -> features`:

    images (B, C, H, W) float in [-1, 1], C = 1 or 3  ->  features (B, dim) float

Where the features come from decides what a number means, so every report names its extractor:

- `inception`: Inception-v3 2048-d pool features from a local weights file given by
  `GANSUITE_INCEPTION=/path/file.pth`. With pytorch-fid's `pt_inception-2015-12-05-6726825d.pth`
  (the TensorFlow FID graph's weights, 1008 classes, which pytorch-fid and torch-fidelity load) it
  builds the FID Inception (`FIDInceptionExtractor`): FIDs comparable with papers. With torchvision's
  ImageNet state dict (1000 classes) it builds torchvision's network (`InceptionExtractor`): close to,
  not equal to, published FIDs. The report's extractor name says which.
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


def inception_input(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """(B, C, H, W) in [-1, 1], C = 1 or 3 -> (B, 3, 299, 299) in [-1, 1] on `device`: what both Inceptions take."""
    x = images.to(device).float()
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    return F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)


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
        return self.net(inception_input(images, self.device))


def _pool_avg(x: torch.Tensor) -> torch.Tensor:
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


def _pool_max(x: torch.Tensor) -> torch.Tensor:
    return F.max_pool2d(x, kernel_size=3, stride=1, padding=1)


def _fid_block(block: nn.Module, pool: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Make a torchvision InceptionA/C/E block compute as the TensorFlow FID graph does.

    The graph of Szegedy et al.'s 2015-12-05 release, as ported by pytorch-fid (mseitzer/pytorch-fid,
    `FIDInceptionA/C/E_1/E_2`), differs from torchvision's blocks only in the pooling branch:
    average pooling that ignores the zero padding, and max pooling in the last block. The block's
    parameters and their names are unchanged, so the ported weights load as they are.
    """
    import torchvision

    inc = torchvision.models.inception
    b = block

    if isinstance(b, inc.InceptionA):
        def forward(x: torch.Tensor) -> torch.Tensor:
            return torch.cat([b.branch1x1(x), b.branch5x5_2(b.branch5x5_1(x)),
                              b.branch3x3dbl_3(b.branch3x3dbl_2(b.branch3x3dbl_1(x))), b.branch_pool(pool(x))], 1)
    elif isinstance(b, inc.InceptionC):
        def forward(x: torch.Tensor) -> torch.Tensor:
            seven = b.branch7x7_3(b.branch7x7_2(b.branch7x7_1(x)))
            dbl = x
            for layer in (b.branch7x7dbl_1, b.branch7x7dbl_2, b.branch7x7dbl_3, b.branch7x7dbl_4, b.branch7x7dbl_5):
                dbl = layer(dbl)
            return torch.cat([b.branch1x1(x), seven, dbl, b.branch_pool(pool(x))], 1)
    elif isinstance(b, inc.InceptionE):
        def forward(x: torch.Tensor) -> torch.Tensor:
            h = b.branch3x3_1(x)
            g = b.branch3x3dbl_2(b.branch3x3dbl_1(x))
            return torch.cat([b.branch1x1(x), b.branch3x3_2a(h), b.branch3x3_2b(h),
                              b.branch3x3dbl_3a(g), b.branch3x3dbl_3b(g), b.branch_pool(pool(x))], 1)
    else:
        raise TypeError(f"not an Inception A/C/E block: {type(b).__name__}")
    b.forward = forward  # an instance attribute: nn.Module.__call__ uses it, parameter names stay


def fid_inception() -> nn.Module:
    """The FID Inception-v3 with random weights (load pt_inception-2015-12-05's state dict into it):
    torchvision's network with 1008 classes, no aux head, no input transform, FID pooling branches."""
    import torchvision

    net = torchvision.models.inception_v3(weights=None, num_classes=1008, aux_logits=False, init_weights=False, transform_input=False)
    for name in ("Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7b"):
        _fid_block(getattr(net, name), _pool_avg)
    _fid_block(net.Mixed_7c, _pool_max)
    return net


class FIDInceptionExtractor:
    """The 2048-d pool features of the TensorFlow FID Inception (pytorch-fid's port) from a local weights file."""

    dim = 2048

    def __init__(self, path: str | os.PathLike, device: torch.device = torch.device("cpu"), state: dict | None = None) -> None:
        path = Path(path)
        net = fid_inception()
        try:
            net.load_state_dict(state if state is not None else torch.load(path, map_location="cpu", weights_only=True))
        except Exception as e:  # noqa: BLE001
            raise UserError(f"Inception weights {path}: not pytorch-fid's pt_inception state dict ({type(e).__name__})") from None
        net.fc = nn.Identity()
        self.net, self.device = net.eval().requires_grad_(False).to(device), device
        self.name = f"FID Inception-v3 (TensorFlow 2015-12-05 weights via pytorch-fid, {path.name})"

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        # pytorch-fid resizes (0, 1) images bilinearly to 299 and maps them to (-1, 1); resizing is linear, so
        # resizing our [-1, 1] images directly is the same.
        return self.net(inception_input(images, self.device))  # (B, 2048)


def inception_from_file(path: str | os.PathLike, device: torch.device = torch.device("cpu")) -> FeatureExtractor:
    """FIDInceptionExtractor for pytorch-fid's weights (1008 classes), InceptionExtractor for torchvision's (1000)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Inception weights {path}: no such file (expected pytorch-fid's pt_inception-2015-12-05-6726825d.pth "
                        "or torchvision's inception_v3 state dict)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        classes = state["fc.weight"].shape[0]
    except Exception as e:  # noqa: BLE001
        raise UserError(f"Inception weights {path}: not an Inception-v3 state dict ({type(e).__name__})") from None
    if classes == 1008:
        return FIDInceptionExtractor(path, device, state)
    return InceptionExtractor(path, device)


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
    """A CNN trained on the real images to tell 0/90/180/270-degree rotations apart; its pooled features.

    Images larger than `max_size` are area-downsampled to it, for training and features alike: at 128 px
    a training step costs 5x the 64-px one (7 against 1.4 CPU-s), so 300 steps cost as much as a FastGAN run.
    """

    def __init__(self, real: torch.Tensor, *, steps: int = 300, batch: int = 64, seed: int = 0, data_name: str = "the real data",
                 max_size: int = 64) -> None:
        if len(real) < 2:
            raise ValueError("RotationExtractor needs at least 2 real images")
        self.max_size = max_size
        shrunk = max(real.shape[-2:]) > max_size
        real = self._fit(real)
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
        if shrunk:
            self.name += f", images area-downsampled to {max_size} px"

    def _fit(self, images: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> the same, area-downsampled so that neither side exceeds max_size."""
        h, w = images.shape[-2:]
        if max(h, w) <= self.max_size:
            return images
        k = self.max_size / max(h, w)
        return F.interpolate(images.float(), size=(max(1, round(h * k)), max(1, round(w * k))), mode="area")

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        return self.net.features(self._fit(images.float().cpu()))


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
                raise UserError("extractor 'inception': set GANSUITE_INCEPTION=/path/to/pt_inception-2015-12-05-6726825d.pth "
                                "(pytorch-fid's FID weights) or a torchvision inception_v3 state dict")
            return inception_from_file(path, device)
        known = ", ".join(sorted(set(extractors) | {"inception"}))
        raise UserError(f"unknown feature extractor {name!r}; available: {known}")
    if "inception" in extractors:
        return extractors["inception"][1]()
    if os.environ.get("GANSUITE_INCEPTION"):
        return inception_from_file(os.environ["GANSUITE_INCEPTION"], device)
    return None
