"""`gansuite evaluate RUN` and `gansuite generate RUN` for image generation.

Every report carries two references measured exactly like the model (same features, same
sample count): real against real (two disjoint halves: the floor) and an untrained generator
(the ceiling). The features come from Inception-v3 when its weights are available locally,
otherwise from an extractor trained on the real data, and the report names which.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from gansuite_core import GenerateRequest, Run, UserError
from gansuite_core.metrics import distribution
from gansuite_core.metrics.features import FeatureExtractor, RotationExtractor, features_of, find_extractor
from gansuite_core.pictures import save_gif, save_grid, to_uint8, grid, upscale_nearest

from . import data as datamod
from . import flowers
from .config import GenerateOptions, ImageGenConfig
from .game import networks


@torch.no_grad()
def sample(G: nn.Module, cfg: ImageGenConfig, n: int, seed: int = 0, truncation: float = 1.0,
           labels: torch.Tensor | None = None, batch: int = 500) -> torch.Tensor:
    """n images (n, C, H, W) in [-1, 1] on the CPU; z ~ N(0, I) scaled by `truncation` (the mean of z is 0)."""
    device = next(G.parameters()).device
    z = torch.randn(n, cfg.z_dim, generator=torch.Generator().manual_seed(seed)) * truncation
    if cfg.conditional and labels is None:
        labels = torch.arange(n) % datamod.classes(cfg.data, True)
    out = []
    for i in range(0, n, batch):
        y = labels[i:i + batch].to(device) if labels is not None else None
        out.append(G(z[i:i + batch].to(device), y).float().cpu())
    return torch.cat(out)


class _FlowerFeatures:
    """The flowers factor classifier's pooled features as a FeatureExtractor."""

    def __init__(self) -> None:
        self.net, self.accuracy = flowers.classifier()
        self.dim = self.net.dim
        self.name = "flowers factor classifier (trained on drawn flowers; not Inception)"

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        return flowers.features(self.net, images.cpu())


def choose_extractor(cfg: ImageGenConfig, real: torch.Tensor, device: torch.device, description: str,
                     extractors: dict[str, Any] | None = None) -> FeatureExtractor:
    """The run's `extractor` option: a named one (plugins' or `inception`), else the best available, else one trained here
    (the core's rotation CNN works on images area-downsampled to 64 px, so evaluating a 128-px run costs less than training it)."""
    found = find_extractor(cfg.extractor or None, device, extractors) if cfg.extractor != "trained" else None
    if found is not None:
        return found
    if cfg.data == "flowers":
        return _FlowerFeatures()
    return RotationExtractor(real, seed=0, data_name=description)


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    cfg: ImageGenConfig = run.config.options
    images, _, description = datamod.load_for(cfg)
    real = datamod.to_float(images[torch.randperm(len(images), generator=torch.Generator().manual_seed(0))])
    h = min(cfg.eval_samples, len(real) // 2)  # every comparison uses h images a side, so all numbers compare
    if h < 2:
        raise UserError(f"evaluate: data {cfg.data} has {len(real)} images; need at least 4")
    half_a, half_b = real[:h], real[h:2 * h]
    fake = sample(run.net("G"), cfg, h, seed=0)
    with torch.random.fork_rng():
        torch.manual_seed(run.config.core.seed)
        untrained = networks(cfg)["G"].to(device).eval()
    ceiling = sample(untrained, cfg, h, seed=0)

    extractor = choose_extractor(cfg, real[:max(h, min(len(real), 2000))], device, description, run.extractors)
    fa, fb = features_of(extractor, half_a), features_of(extractor, half_b)
    fg, fu = features_of(extractor, fake), features_of(extractor, ceiling)
    kw = {"kid_subsets": 50, "kid_subset_size": min(1000, h)}
    report: dict[str, Any] = {
        "data": description,
        "samples_per_side": h,
        "features": extractor.name,
        "model": distribution.report(fa, fg, **kw),
        "real_vs_real": distribution.report(fa, fb, **kw),
        "untrained_generator": distribution.report(fa, fu, **kw),
    }
    if cfg.data == "flowers":
        net, acc = flowers.classifier()
        report["flowers_modes"] = {
            "classifier_accuracy": acc,
            "model": flowers.mode_report(net, fake),
            "real": flowers.mode_report(net, half_a),
            "untrained_generator": flowers.mode_report(net, ceiling),
        }
    save_grid(fake[:64], run.dir / "eval_samples.png", nrow=8)
    report["pictures"] = str(run.dir / "eval_samples.png")
    return report


def _labels(cfg: ImageGenConfig, opts: GenerateOptions, num: int) -> torch.Tensor | None:
    wanted = opts.label_list()
    if not wanted:
        return None
    if not cfg.conditional:
        raise UserError("--set labels: this run's model is unconditional (trained without conditional=true)")
    k = datamod.classes(cfg.data, True)
    bad = [y for y in wanted if not 0 <= y < k]
    if bad:
        raise UserError(f"--set labels: {bad[0]} is out of range; this model has classes 0..{k - 1}")
    return torch.tensor(wanted).repeat(num // len(wanted) + 1)[:num]


def _slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation between latent batches (B, z_dim): stays on the Gaussian's shell."""
    cos = (a * b).sum(1, keepdim=True) / (a.norm(dim=1, keepdim=True) * b.norm(dim=1, keepdim=True))
    omega = torch.acos(cos.clamp(-1 + 1e-6, 1 - 1e-6))
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


SUFFIXES = (".png", ".npy", ".gif")


def generate(run: Run, req: GenerateRequest) -> list[Path]:
    """.png: a grid; .npy: raw samples (N, C, H, W) float32 in [-1, 1] (other plugins read these); .gif: a latent walk."""
    cfg: ImageGenConfig = run.config.options
    opts: GenerateOptions = req.options if req.options is not None else GenerateOptions()
    out, ext = Path(req.out), Path(req.out).suffix.lower()
    if ext not in SUFFIXES:
        raise UserError(f"--out {out}: expected .png (grid), .npy (raw samples) or .gif (a latent walk with --set interpolate=K)")
    if opts.interpolate and ext != ".gif":
        raise UserError(f"--out {out}: --set interpolate writes a GIF; name the file .gif")
    if ext == ".gif" and not opts.interpolate:
        raise UserError(f"--out {out}: a .gif is a latent walk; add --set interpolate=K (K >= 2 frames)")
    labels = _labels(cfg, opts, req.num)
    G = run.net("G")
    if ext == ".npy":
        np.save(out, sample(G, cfg, req.num, req.seed, opts.truncation, labels).numpy().astype(np.float32))
        return [out]
    if ext == ".png":
        return [save_grid(sample(G, cfg, req.num, req.seed, opts.truncation, labels), out)]
    # A latent walk: each of the num cells moves from one random z to another along a great circle.
    device = next(G.parameters()).device
    g = torch.Generator().manual_seed(req.seed)
    a, b = torch.randn(req.num, cfg.z_dim, generator=g), torch.randn(req.num, cfg.z_dim, generator=g)
    if cfg.conditional and labels is None:
        labels = torch.arange(req.num) % datamod.classes(cfg.data, True)
    frames = []
    with torch.no_grad():
        for k in range(opts.interpolate):
            z = _slerp(a, b, k / (opts.interpolate - 1)) * opts.truncation
            x = G(z.to(device), labels.to(device) if labels is not None else None)
            frames.append(upscale_nearest(grid(to_uint8(x))))
    return [save_gif(frames + frames[-2:0:-1], out, fps=8)]  # there and back, no frame twice
