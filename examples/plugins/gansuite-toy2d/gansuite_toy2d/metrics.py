"""The PacGAN evaluation protocol (Lin et al. 2018, after VEEGAN, Srivastava et al. 2017).

On 2,500 generated points:
  high quality  a point within 3 sigma of its nearest mode centre
  modes         how many modes have at least one high-quality point
  reverse KL    KL(p || u) of the mode histogram of the high-quality points, p, against the
                uniform distribution over modes, u (0 when every mode holds the same share;
                log K when all points fall on one mode)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from .data import Mixture


def mode_report(points: torch.Tensor | np.ndarray, mix: Mixture) -> dict[str, Any]:
    """Modes captured, high-quality share and reverse KL of `points` (N, 2) against `mix`."""
    pts = torch.as_tensor(np.asarray(points), dtype=torch.float64)  # (N, 2)
    dist = torch.cdist(pts, mix.modes.double())  # (N, K)
    nearest_d, nearest = dist.min(1)
    good = nearest_d <= 3 * mix.sigma
    k = len(mix.modes)
    counts = torch.bincount(nearest[good], minlength=k).double()  # (K,) high-quality points per mode
    captured = int((counts > 0).sum())
    if counts.sum() > 0:
        p = counts / counts.sum()
        nz = p > 0
        reverse_kl = float((p[nz] * (p[nz] * k).log()).sum())
    else:  # nothing near any mode: the worst case is as far as one mode is from uniform
        reverse_kl = math.log(k)
    return {
        "modes": captured,
        "of_modes": k,
        "high_quality": float(good.double().mean()),
        "reverse_kl": reverse_kl,
        "samples": len(pts),
    }
