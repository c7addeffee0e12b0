"""The PacGAN evaluation protocol (Lin et al. 2018, after VEEGAN, Srivastava et al. 2017), evaluate and generate.

On 2,500 generated points:
  high quality  a point within 3 sigma of its nearest mode centre
  modes         how many modes have at least one high-quality point
  reverse KL    KL(p || u) of the mode histogram of the high-quality points, p, against the
                uniform distribution over modes, u (0 when every mode holds the same share;
                log K when all points fall on one mode)
and one number the protocol lacks, because high quality rewards modes narrower than the data's
(the data itself scores 98.9 %):
  mode width    the sigma of an isotropic Gaussian fitted to the points within 6 sigma of their
                nearest mode, in units of the data's sigma (the data: 1.0; below 1: too narrow)
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from gansuite_core import GenerateRequest, Run, UserError

from .data import Mixture, mixture
from .pictures import scatter

GOAL = {"high_quality": 0.95, "reverse_kl": 0.05}  # and every mode captured (issue 14's benchmark goal)


def mode_report(points: torch.Tensor | np.ndarray, mix: Mixture) -> dict[str, Any]:
    """Modes captured, high-quality share and reverse KL of `points` (N, 2) against `mix`."""
    pts = torch.as_tensor(np.asarray(points), dtype=torch.float64)  # (N, 2)
    nearest_d, nearest = torch.cdist(pts, mix.modes.double()).min(1)  # (N,) distance to and index of the nearest mode
    good = nearest_d <= 3 * mix.sigma
    k = len(mix.modes)
    counts = torch.bincount(nearest[good], minlength=k).double()  # (K,) high-quality points per mode
    near = nearest_d <= 6 * mix.sigma
    # E|x - mu|^2 = 2 sigma^2 for an isotropic 2-D Gaussian (the 6-sigma cut drops ~1e-8 of the data)
    width = float((nearest_d[near].square().mean() / 2).sqrt() / mix.sigma) if near.any() else None
    if counts.sum() > 0:
        p = counts[counts > 0] / counts.sum()
        reverse_kl = float((p * (p * k).log()).sum())
    else:  # nothing near any mode: as far from uniform as one mode holding everything
        reverse_kl = math.log(k)
    return {"modes": int((counts > 0).sum()), "of_modes": k, "high_quality": float(good.double().mean()),
            "reverse_kl": reverse_kl, "mode_width": width, "samples": len(pts)}


def reached_goal(report: dict[str, Any]) -> bool:
    return (report["modes"] == report["of_modes"] and report["high_quality"] >= GOAL["high_quality"]
            and report["reverse_kl"] <= GOAL["reverse_kl"])


@torch.no_grad()
def sample_points(G: nn.Module, n: int, seed: int, device: torch.device | str = "cpu") -> np.ndarray:
    """(n, 2) points from G, with noise drawn from `seed` on the CPU (the same seed, the same points on any device)."""
    z = torch.randn(n, G.latent, generator=torch.Generator().manual_seed(seed)).to(device)
    return G(z).float().cpu().numpy()


def score(G: nn.Module, mix: Mixture, n: int, seed: int, picture: Path | None = None) -> tuple[dict[str, Any], Path | None]:
    """The protocol on n points of G from noise `seed`, and a scatter with the numbers in its title if `picture` is given."""
    device = next(G.parameters()).device
    pts = sample_points(G, n, seed, device)
    r = mode_report(pts, mix)
    if picture is not None:
        title = f"{mix.name}: {r['modes']}/{r['of_modes']} modes, {100 * r['high_quality']:.1f} % HQ, rKL {r['reverse_kl']:.3f}"
        picture = scatter(pts, mix, picture, title)
    return r, picture


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    """The PacGAN protocol on the EMA generator: `eval_samples` (2,500) points from noise seed 0; writes RUN/eval.png."""
    cfg = run.config.options
    report, _ = score(run.net("G").to(device), mixture(cfg.data), cfg.eval_samples, seed=0, picture=run.dir / "eval.png")
    return {"data": cfg.data, "pack": cfg.pack, **report, "goal_reached": reached_goal(report)}


def generate(run: Run, req: GenerateRequest) -> list[Path]:
    """FILE.npy: the (N, 2) points and a scatter FILE.png beside it; FILE.png: the scatter only."""
    if req.out.suffix not in (".npy", ".png"):
        raise UserError(f"--out {req.out}: toy2d writes .npy (points and a scatter) or .png (scatter only)")
    mix = mixture(run.config.options.data)
    pts = sample_points(run.net("G").to(req.device), req.num, seed=req.seed, device=req.device)
    written = []
    if req.out.suffix == ".npy":
        np.save(req.out, pts)
        written.append(req.out)
    return written + [scatter(pts, mix, req.out.with_suffix(".png"), f"{mix.name}: {req.num} generated points")]
