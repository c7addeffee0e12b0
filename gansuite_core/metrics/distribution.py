"""Distances between two sets of images, measured on features: FID, KID, precision/recall, density/coverage.

All functions take feature matrices (N, D) as numpy arrays or torch tensors and return floats.
Which features (Inception-v3, or an extractor trained on the real data) is the caller's choice;
see `gansuite_core.metrics.features`. Conventions follow the references:

- FID (Heusel et al. 2017): ||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 (S_r S_g)^1/2). Only FIDs at the
  same sample count and on the same features compare.
- KID (Binkowski et al. 2018): unbiased MMD^2 with the kernel (x.y / d + 1)^3, averaged over
  random subsets (torch-fidelity: 100 subsets of 1000).
- Precision/recall (Kynkaanniemi et al. 2019): k-NN balls (k = 3) around each real (fake) point.
- Density/coverage (Naeem et al. 2020, clovaai/generative-evaluation-prdc), k = 5.
"""
from __future__ import annotations

from typing import Union

import numpy as np
import torch
from scipy import linalg

Features = Union[np.ndarray, torch.Tensor]


def _np(x: Features) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().double().numpy()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"features must be a (N, D) matrix, got shape {x.shape}")
    return x


def fid(real: Features, fake: Features) -> float:
    """Fréchet distance between Gaussians fitted to the two feature sets."""
    a, b = _np(real), _np(fake)
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s_a @ s_b)
    if not np.isfinite(covmean).all():  # singular product: nudge the diagonals (pytorch-fid does the same)
        eps = 1e-6 * np.eye(a.shape[1])
        covmean = linalg.sqrtm((s_a + eps) @ (s_b + eps))
    covmean = covmean.real
    value = float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(covmean))
    return max(value, 0.0)  # round-off can push identical sets a hair below zero


def _mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 of two equally sized sets under KID's cubic polynomial kernel."""
    m, d = len(x), x.shape[1]
    kxx, kyy, kxy = (x @ x.T / d + 1) ** 3, (y @ y.T / d + 1) ** 3, (x @ y.T / d + 1) ** 3
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.mean())


def kid(real: Features, fake: Features, subsets: int = 100, subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Kernel inception distance: (mean, std) of the unbiased polynomial-kernel MMD^2 over subsets.

    When a subset would hold both whole sets (at most `subset_size` samples each), every subset is the
    same and their std is 0 by construction: then the value is the whole sets' MMD^2 and the std is the
    spread over subsets of half the size (about 1.4x the whole value's own sampling error).
    """
    a, b = _np(real), _np(fake)
    m = min(subset_size, len(a), len(b))
    if m < 2:
        raise ValueError("kid: need at least 2 samples in each set")
    rng = np.random.default_rng(seed)
    whole = m == len(a) == len(b)
    k = max(2, m // 2) if whole else m

    def draw() -> float:
        return _mmd2(a[rng.choice(len(a), k, replace=False)], b[rng.choice(len(b), k, replace=False)])

    values = [draw() for _ in range(subsets)]
    return (_mmd2(a, b) if whole else float(np.mean(values))), float(np.std(values))


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) Euclidean distances."""
    sq = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0))


def _kth_radius(x: np.ndarray, k: int) -> np.ndarray:
    """Distance of each point to its k-th nearest neighbour in its own set (itself excluded)."""
    d = _distances(x, x)
    return np.partition(d, k, axis=1)[:, k]  # column 0 is the point itself (distance 0)


def precision_recall(real: Features, fake: Features, k: int = 3) -> tuple[float, float]:
    """Improved precision (fakes inside some real k-NN ball) and recall (reals inside some fake ball)."""
    a, b = _np(real), _np(fake)
    ra, rb = _kth_radius(a, k), _kth_radius(b, k)
    d = _distances(a, b)  # (N_real, N_fake)
    precision = float((d <= ra[:, None]).any(0).mean())
    recall = float((d <= rb[None, :]).any(1).mean())
    return precision, recall


def density_coverage(real: Features, fake: Features, k: int = 5) -> tuple[float, float]:
    """Density (how many real balls hold each fake, / k) and coverage (real balls holding any fake)."""
    a, b = _np(real), _np(fake)
    ra = _kth_radius(a, k)
    inside = _distances(a, b) <= ra[:, None]  # (N_real, N_fake)
    density = float(inside.sum(0).mean() / k)
    coverage = float((_distances(a, b).min(1) < ra).mean())
    return density, coverage


def report(real: Features, fake: Features, *, kid_subsets: int = 100, kid_subset_size: int = 1000, seed: int = 0) -> dict[str, float]:
    """Every measure of this module for one pair of feature sets, in one dictionary."""
    k_mean, k_std = kid(real, fake, kid_subsets, kid_subset_size, seed)
    p, r = precision_recall(real, fake, 3)
    dens, cov = density_coverage(real, fake, 5)
    return {"fid": fid(real, fake), "kid": k_mean, "kid_std": k_std, "precision": p, "recall": r, "density": dens, "coverage": cov}
