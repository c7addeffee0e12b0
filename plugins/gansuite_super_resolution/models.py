"""Super-resolution networks: three generators and a VGG-style discriminator.

Every generator maps a low-resolution batch (B, 3, h, w) in [0, 1] to (B, 3, s*h, s*w) with
sub-pixel convolution (ESPCN, Shi et al. 2016) for upsampling. With `bicubic_skip` the network
predicts a residual over the bicubic upscale of its input (global residual learning, VDSR,
Kim et al. 2016): its last layer starts at zero, so an untrained generator already equals
bicubic and every update starts from there. The papers' generators do not do this; it is
what makes short CPU training useful.

    fast      ESPCN/FSRCNN-class: three convolutions, tens of thousands of parameters
    srresnet  SRResNet (Ledig et al. 2017, SRGAN): residual blocks conv-BN-PReLU-conv-BN
    rrdb      a lighter RRDBNet (Wang et al. 2018, ESRGAN): residual-in-residual dense blocks, no BN

RoutedPair (the bundled x4) blends two such generators by a DegradationEstimator's verdict on the picture.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def to_rgb(features: int, scale: int) -> nn.Sequential:
    """Sub-pixel upsampling straight to RGB (ESPCN): conv to 3*s^2 channels at low resolution, PixelShuffle.

    SRGAN's two 256-channel x2 stages and 9x9 conv at high resolution cost about ten times the
    rest of a small model on a CPU; keeping every convolution at low resolution is what lets
    these generators train in minutes. All three generators share this tail.
    """
    return nn.Sequential(nn.Conv2d(features, 3 * scale * scale, 3, padding=1), nn.PixelShuffle(scale))


class Generator(nn.Module):
    """Shared frame: each subclass's body(x) -> image, plus the optional bicubic skip connection."""

    def __init__(self, scale: int, bicubic_skip: bool) -> None:
        super().__init__()
        self.scale, self.bicubic_skip = scale, bicubic_skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, h, w) -> (B, 3, s*h, s*w)
        y = self.body(x)
        if self.bicubic_skip:
            y = y + F.interpolate(x, scale_factor=self.scale, mode="bicubic", align_corners=False)
        return y

    def zero_last(self, conv: nn.Conv2d) -> None:
        """With the bicubic skip the residual starts at zero: the untrained model is bicubic."""
        if self.bicubic_skip:
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)


class FastSR(Generator):
    """ESPCN (Shi et al. 2016) with FSRCNN's PReLU (Dong et al. 2016): 5x5 -> 3x3 -> 3x3 sub-pixel."""

    def __init__(self, scale: int, features: int = 64, bicubic_skip: bool = True) -> None:
        super().__init__(scale, bicubic_skip)
        half = features // 2
        self.net = nn.Sequential(
            nn.Conv2d(3, features, 5, padding=2), nn.PReLU(features),
            nn.Conv2d(features, half, 3, padding=1), nn.PReLU(half),
        )
        self.tail = to_rgb(half, scale)
        self.zero_last(self.tail[0])

    def body(self, x: torch.Tensor) -> torch.Tensor:
        return self.tail(self.net(x))  # (B, F/2, h, w) -> (B, 3, s*h, s*w)


def norm(f: int, batchnorm: bool) -> nn.Module:
    """SRGAN's BatchNorm, or nothing (EDSR, Lim et al. 2017: BN removed, for speed and PSNR)."""
    return nn.BatchNorm2d(f) if batchnorm else nn.Identity()


class ResidualBlock(nn.Module):
    """SRGAN's block: conv3x3 - BN - PReLU - conv3x3 - BN, plus the identity (EDSR's without the BNs)."""

    def __init__(self, f: int, batchnorm: bool = True) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(f, f, 3, padding=1), norm(f, batchnorm), nn.PReLU(f),
                                  nn.Conv2d(f, f, 3, padding=1), norm(f, batchnorm))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class SRResNet(Generator):
    """SRResNet (Ledig et al. 2017): 9x9 head, B residual blocks, long skip; sub-pixel tail (see to_rgb)."""

    def __init__(self, scale: int, features: int = 64, blocks: int = 16, bicubic_skip: bool = True,
                 batchnorm: bool = True) -> None:
        super().__init__(scale, bicubic_skip)
        self.head = nn.Sequential(nn.Conv2d(3, features, 9, padding=4), nn.PReLU(features))
        self.blocks = nn.Sequential(*[ResidualBlock(features, batchnorm) for _ in range(blocks)])
        self.fuse = nn.Sequential(nn.Conv2d(features, features, 3, padding=1), norm(features, batchnorm))
        self.tail = to_rgb(features, scale)
        self.zero_last(self.tail[0])

    def body(self, x: torch.Tensor) -> torch.Tensor:
        h = self.head(x)  # (B, F, h, w)
        h = h + self.fuse(self.blocks(h))
        return self.tail(h)  # (B, 3, s*h, s*w)


class DenseBlock(nn.Module):
    """ESRGAN's residual dense block: 5 convs, each seeing all earlier outputs; residual scaled by 0.2."""

    def __init__(self, f: int, growth: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(f + i * growth, growth if i < 4 else f, 3, padding=1) for i in range(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = [x]
        for i, conv in enumerate(self.convs):
            out = conv(torch.cat(feats, 1))
            if i < 4:
                feats.append(F.leaky_relu(out, 0.2))
        return x + 0.2 * out


class RRDB(nn.Module):
    """Residual-in-residual dense block: three dense blocks and another 0.2-scaled skip."""

    def __init__(self, f: int, growth: int) -> None:
        super().__init__()
        self.body = nn.Sequential(DenseBlock(f, growth), DenseBlock(f, growth), DenseBlock(f, growth))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + 0.2 * self.body(x)


class RRDBNet(Generator):
    """RRDBNet (ESRGAN), lighter: fewer blocks and features than the paper's 23 x 64; sub-pixel upsampling."""

    def __init__(self, scale: int, features: int = 32, blocks: int = 4, growth: int = 16, bicubic_skip: bool = True) -> None:
        super().__init__(scale, bicubic_skip)
        self.head = nn.Conv2d(3, features, 3, padding=1)
        self.blocks = nn.Sequential(*[RRDB(features, growth) for _ in range(blocks)])
        self.fuse = nn.Conv2d(features, features, 3, padding=1)
        self.tail = to_rgb(features, scale)
        self.zero_last(self.tail[0])

    def body(self, x: torch.Tensor) -> torch.Tensor:
        h = self.head(x)
        h = h + self.fuse(self.blocks(h))
        return self.tail(h)


class SelfEnsemble(nn.Module):
    """Geometric self-ensemble (EDSR+, Lim et al. 2017): the mean of the network's outputs over the
    8 flips and quarter turns of its input, each turned back. Same mapping (B, 3, h, w) -> (B, 3, s*h, s*w),
    8 times the cost; no training. Aliasing and JPEG artefacts are not symmetric, so averaging out
    the network's orientation-dependent guesses helps most on such input (docs/benchmarks.md)."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        total = None
        for turns in range(4):
            for flip in (False, True):
                t = torch.rot90(x, turns, (2, 3))
                y = self.net(t.flip(3) if flip else t)
                y = torch.rot90(y.flip(3) if flip else y, -turns, (2, 3))
                total = y if total is None else total + y
        return total / 8


class DegradationEstimator(nn.Module):
    """Was a small picture shrunk without antialiasing? (B, 3, h, w) in [0, 1] -> (B, 1, h-8, w-8) logits, one per
    position: four unpadded 3x3 convolutions and a 1x1. Unpadded, so a picture's mean logit can be summed over tiles
    that overlap by `radius` pixels and equal the whole picture's (RoutedPair.weight). `slope` > 0: LeakyReLU, whose
    units cannot all die (a ReLU router trained inside a routed run once lost a whole layer and said P 0.43 to every
    picture; docs/experiments.md, stop 42); 0: ReLU, as the bundled routers were trained."""

    radius = 4

    def __init__(self, width: int = 48, slope: float = 0.0) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for i in range(4):
            layers += [nn.Conv2d(3 if i == 0 else width, width, 3), nn.LeakyReLU(slope) if slope > 0 else nn.ReLU()]
        self.body = nn.Sequential(*layers, nn.Conv2d(width, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x * 2 - 1)


def big_enough(x: torch.Tensor, radius: int) -> torch.Tensor:
    """(B, 3, h, w) padded on the bottom and right by repeating the border until each side is at least
    2 x radius + 1, so an unpadded estimator gives at least one logit."""
    h, w = x.shape[2:]
    if min(h, w) > 2 * radius:
        return x
    return F.pad(x, (0, max(0, 2 * radius + 1 - w), 0, max(0, 2 * radius + 1 - h)), mode="replicate")


class RoutedPair(nn.Module):
    """Two specialists and a router: P(aliased) x aliased(x) + (1 - P) x antialiased(x).

    One network trained on every downscaler gains about half what a network trained on one gains on its own
    input (docs/experiments.md, stop 37): an aliased picture (OpenCV INTER_CUBIC, no antialiasing) needs its
    jagged detail removed, an antialiased one needs detail restored. P is the sigmoid of the estimator's mean
    logit over the *whole* picture times `logit_scale`, so every tile of one picture is blended with the same weight; pass it as
    `weight` (B,) to run tiles, or leave it None to estimate it from `x` itself.
    """

    def __init__(self, antialiased: nn.Module, aliased: nn.Module, estimator: DegradationEstimator,
                 logit_scale: float = 1.0) -> None:
        super().__init__()
        self.antialiased, self.aliased, self.estimator = antialiased, aliased, estimator
        self.logit_scale = logit_scale  # config.router_blend_scale: the picture's mean logit x this before the sigmoid

    @torch.no_grad()
    def weight(self, x: torch.Tensor, tile: int = 256) -> torch.Tensor:
        """(B, 3, H, W) -> (B,) P(aliased): the mean of the estimator's logits over the picture, in tiles."""
        r = self.estimator.radius
        x = big_enough(x, r)
        h, w = x.shape[2:]
        total, count = torch.zeros(x.shape[0], device=x.device), 0
        for y0 in range(r, h - r, tile):
            for x0 in range(r, w - r, tile):
                y1, x1 = min(y0 + tile, h - r), min(x0 + tile, w - r)
                logits = self.estimator(x[:, :, y0 - r:y1 + r, x0 - r:x1 + r].float())  # (B, 1, y1-y0, x1-x0)
                total += logits.sum((1, 2, 3))
                count += (y1 - y0) * (x1 - x0)
        return torch.sigmoid(self.logit_scale * total / count)

    def forward(self, x: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
        p = (self.weight(x) if weight is None else weight).to(x.dtype).view(-1, 1, 1, 1)  # (B, 1, 1, 1)
        return p * self.aliased(x) + (1 - p) * self.antialiased(x)

    def fixed(self, weight: torch.Tensor) -> nn.Module:
        """This pair with the weight of one whole picture, for its tiles."""
        return _FixedWeight(self, weight)


class _FixedWeight(nn.Module):
    def __init__(self, pair: RoutedPair, weight: torch.Tensor) -> None:
        super().__init__()
        self.pair, self.p = pair, weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pair(x, self.p)


def for_picture(net: nn.Module, x: torch.Tensor) -> nn.Module:
    """The network to run on the tiles of picture `x` (B, 3, H, W): a RoutedPair (also inside a SelfEnsemble)
    gets the whole picture's weight; any other network is returned as it is."""
    if isinstance(net, SelfEnsemble):
        inner = for_picture(net.net, x)
        return net if inner is net.net else SelfEnsemble(inner)
    if isinstance(net, RoutedPair):
        return net.fixed(net.weight(x))
    return net


class Discriminator(nn.Module):
    """VGG-style discriminator (SRGAN; ESRGAN's VGG128): pairs of 3x3 convs, the second with stride 2,
    features doubling to 8x, BN and LeakyReLU 0.2; global average pooling so any crop size works,
    then two dense layers. Returns raw scores (B, 1); with `features=True` also the activations
    of each stage, used for the feature (perceptual) loss when no VGG19 weights are given.
    """

    def __init__(self, features: int = 64) -> None:
        super().__init__()
        f = features
        widths = [(3, f), (f, 2 * f), (2 * f, 4 * f), (4 * f, 8 * f)]
        self.stages = nn.ModuleList()
        for i, (a, b) in enumerate(widths):
            norm = nn.Identity() if i == 0 else nn.BatchNorm2d(b)  # no BN on the first layer (DCGAN, SRGAN)
            self.stages.append(nn.Sequential(
                nn.Conv2d(a, b, 3, padding=1), norm, nn.LeakyReLU(0.2),
                nn.Conv2d(b, b, 4, stride=2, padding=1), nn.BatchNorm2d(b), nn.LeakyReLU(0.2)))
        self.head = nn.Sequential(nn.Linear(8 * f, 100), nn.LeakyReLU(0.2), nn.Linear(100, 1))

    def forward(self, x: torch.Tensor, features: bool = False):  # (B, 3, H, W) -> (B, 1) [, list of (B, C_i, H_i, W_i)]
        feats = []
        h = x * 2 - 1  # images are in [0, 1]; the discriminator sees [-1, 1]
        for stage in self.stages:
            h = stage(h)
            feats.append(h)
        score = self.head(h.mean((2, 3)))
        return (score, feats) if features else score


def build_generator(model: str, scale: int, features: int, blocks: int, bicubic_skip: bool, batchnorm: bool = True) -> Generator:
    if model == "fast":
        return FastSR(scale, features, bicubic_skip)
    if model == "srresnet":
        return SRResNet(scale, features, blocks, bicubic_skip, batchnorm)
    return RRDBNet(scale, features, blocks, max(8, features // 2), bicubic_skip)
