"""Losses of the two training stages, and the network that supplies perceptual features.

Stage 1 (PSNR-oriented, SRGAN's SRResNet and ESRGAN's RRDB-PSNR): L1 between SR and HR.
Stage 2 (ESRGAN, Wang et al. 2018): pixel_weight * L1 + feature_weight * L1 of features
+ gan_weight * relativistic average GAN loss, with the discriminator trained alongside.

The feature (perceptual) loss uses VGG19 conv5_4 before its ReLU, as ESRGAN, when the user gives
`vgg_weights` (torchvision's VGG19 ImageNet weights; they cannot be downloaded here). Without
them the features come from the discriminator's own four stages: feature matching (Salimans
et al. 2016; pix2pixHD, Wang et al. 2018). We prefer these to a fixed random-init VGG because
they are trained, on this very task, to tell real textures from generated ones, whereas a
random network's features say nothing in particular about natural images.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from gansuite_core import UserError

from .models import big_enough

Nets = dict[str, nn.Module]


def relativistic_d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """RaGAN (Jolicoeur-Martineau 2018), as ESRGAN: is real more realistic than the average fake, and vice versa."""
    return 0.5 * (F.binary_cross_entropy_with_logits(real - fake.mean(), torch.ones_like(real))
                  + F.binary_cross_entropy_with_logits(fake - real.mean(), torch.zeros_like(fake)))


def relativistic_g_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The generator's side of RaGAN: both terms swapped, so it gains from real and fake images alike."""
    return 0.5 * (F.binary_cross_entropy_with_logits(real - fake.mean(), torch.zeros_like(real))
                  + F.binary_cross_entropy_with_logits(fake - real.mean(), torch.ones_like(fake)))


class VGGFeatures(nn.Module):
    """Frozen VGG19 up to conv5_4, before its ReLU (ESRGAN's perceptual layer); input in [0, 1]."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        from torchvision.models.vgg import cfgs, make_layers

        self.features = make_layers(cfgs["E"])[:35]  # VGG19's convolutional part, without the 120M-parameter classifier
        state = load_state(path)
        state = {k.removeprefix("features."): v for k, v in state.items() if not k.startswith("classifier.")}
        try:
            self.features.load_state_dict(state, strict=False)
            missing = [k for k in self.features.state_dict() if k not in state]
        except RuntimeError as e:
            raise UserError(f"vgg_weights={path}: not torchvision VGG19 weights ({str(e).splitlines()[0]})") from None
        if missing:
            raise UserError(f"vgg_weights={path}: not torchvision VGG19 weights (missing {missing[0]})")
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.eval().requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, H, W) -> (B, 512, H/16, W/16)
        return self.features((x - self.mean) / self.std)


def load_state(path: Path) -> dict[str, torch.Tensor]:
    """A state dict from .pth/.pt (torch.load, weights only) or .safetensors; UserError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"vgg_weights={path}: no such file (expected torchvision VGG19 weights, .pth or .safetensors)")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return load_file(str(path))
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 -- any unreadable file is the user's to fix
        raise UserError(f"vgg_weights={path}: cannot read it ({type(e).__name__}: {e})") from None
    if not isinstance(state, dict):
        raise UserError(f"vgg_weights={path}: expected a state dict, found {type(state).__name__}")
    return state


def distance(kind: str):
    """The stage-1 distance between SR and HR: l1 (EDSR's, ESRGAN's), mse (SRResNet's; PSNR is its log),
    or charbonnier (sqrt(d^2 + eps^2), LapSRN: L1 with a smooth minimum)."""
    if kind == "mse":
        return F.mse_loss
    if kind == "charbonnier":
        return lambda sr, hr: torch.sqrt((sr - hr) ** 2 + 1e-6).mean()  # eps = 1e-3, as LapSRN
    return F.l1_loss


def generate(nets: Nets, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(SR, HR) for a batch. A routed run's batch (data.CropSource, routed) has each HR crop twice, shrunk with
    and without antialiasing: each specialist enlarges its own kind, so SR and HR are (2B, 3, H, W), the
    antialiased half first; otherwise G enlarges "lr" and both are (B, 3, H, W)."""
    g, hr = nets["G"], batch["hr"]
    if "lr_aliased" not in batch:
        return g(batch["lr"]), hr
    return torch.cat([g.antialiased(batch["lr"]), g.aliased(batch["lr_aliased"])]), torch.cat([hr, hr])


def edge_strength(x: torch.Tensor, radius: int) -> torch.Tensor:
    """(N, 3, h, w) in [0, 1] -> (N, 1, h - 2r, w - 2r): the grey picture's gradient magnitude (central differences)
    at the estimator's output positions, plus 0.01 so a flat crop still has a mean."""
    g = x.mean(1, keepdim=True)
    gx = F.pad(g[..., :, 2:] - g[..., :, :-2], (1, 1, 0, 0))
    gy = F.pad(g[..., 2:, :] - g[..., :-2, :], (0, 0, 1, 1))
    return torch.sqrt(gx ** 2 + gy ** 2)[..., radius:-radius, radius:-radius] + 0.01


def estimator_loss(estimator: nn.Module, x: torch.Tensor, y: torch.Tensor,
                   edges: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """A router's estimator on LR crops x (N, 3, h, w) labelled y (N,) (1: the aliased specialist's): binary
    cross-entropy of each crop's mean logit, and the share it gets right (a 0-dim tensor, no host read).
    edges (config.router_edge_weighted): each crop's logit is its map's mean weighted by edge_strength, so the
    estimator learns where aliasing shows, at edges, and flat regions barely count."""
    x = big_enough(x, estimator.radius)
    m = estimator(x)  # (N, 1, h - 8, w - 8)
    if edges:
        e = edge_strength(x.float(), estimator.radius).to(x.dtype)
        logit = (m * e).sum((1, 2, 3)) / e.sum((1, 2, 3))  # (N,)
    else:
        logit = m.mean((1, 2, 3))  # (N,)
    return F.binary_cross_entropy_with_logits(logit, y), ((logit > 0).float() == y).float().mean().detach()


def router_loss(nets: Nets, batch: dict[str, torch.Tensor], edges: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """A routed run's estimator_loss on the batch's router crops."""
    return estimator_loss(nets["G"].estimator, batch["router"].flatten(0, 1), batch["router_aliased"].flatten(), edges)


def make_pixel_loss(kind: str = "l1", router_edges: bool = False):
    """Stage 1: `kind` distance (see distance) between the generator's output and the HR crop; L1 is logged too.
    In a routed run the router learns alongside (router_loss, edge-weighted with router_edges; its accuracy per
    crop is logged as "router")."""
    dist = distance(kind)

    def pixel_loss(nets: Nets, batch: dict[str, torch.Tensor], step: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        sr, hr = generate(nets, batch)
        loss, logs = dist(sr, hr), {"l1": F.l1_loss(sr.detach(), hr)}
        if "lr_aliased" in batch:
            bce, logs["router"] = router_loss(nets, batch, router_edges)
            loss = loss + bce
        return loss, logs

    return pixel_loss


def make_adversarial_losses(pixel_weight: float, feature_weight: float, gan_weight: float, vgg: nn.Module | None):
    """Stage 2's (generator loss, discriminator loss). Real and fake go through D in one batch, so
    D's batch-norm statistics are those of the mixed batch in both phases."""

    def d_loss(nets: Nets, batch: dict[str, torch.Tensor], step: int):
        with torch.no_grad():
            sr, hr = generate(nets, batch)
            sr = sr.clamp(0, 1)
        scores = nets["D"](torch.cat([hr, sr]))  # (2B, 1)
        real, fake = scores.chunk(2)
        loss = relativistic_d_loss(real, fake)
        return loss, {"real": real.mean().detach(), "fake": fake.mean().detach()}

    def g_loss(nets: Nets, batch: dict[str, torch.Tensor], step: int):
        sr, hr = generate(nets, batch)
        scores, feats = nets["D"](torch.cat([hr, sr]), features=True)
        real, fake = scores.chunk(2)
        if vgg is not None:
            feature = F.l1_loss(vgg(sr), vgg(hr))
        else:  # discriminator feature matching: each stage's activations, real ones as fixed targets
            feature = sum(F.l1_loss(f_fake, f_real.detach()) for f_real, f_fake in (f.chunk(2) for f in feats)) / len(feats)
        pixel = F.l1_loss(sr, hr)
        adv = relativistic_g_loss(real.detach(), fake)
        loss = pixel_weight * pixel + feature_weight * feature + gan_weight * adv
        return loss, {"l1": pixel.detach(), "feature": feature.detach(), "adv": adv.detach()}

    return g_loss, d_loss


def judge_accuracy(nets: Nets, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """How often D ranks a real crop above the average fake and a fake below the average real: a 0-dim
    tensor, so the engine's step stays free of host reads."""
    sr, hr = generate(nets, batch)
    real, fake = nets["D"](torch.cat([hr, sr.clamp(0, 1)])).chunk(2)
    return ((real > fake.mean()).float().mean() + (fake < real.mean()).float().mean()) / 2
