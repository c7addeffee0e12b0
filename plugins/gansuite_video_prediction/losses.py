"""Losses of Mathieu, Couprie & LeCun 2016: image distance, gradient difference, adversarial.

All are taken at every scale of the generator's pyramid and over the rolled-out frames. Two
reductions (`reduction`):
    mean  per-pixel means, averaged over scales; lam_adv is then relative to a per-pixel error
          (0.01 here).
    sum   the reference code's (dyelax/Adversarial_Video_Generation, loss_functions.py): Lp and GDL
          summed over pixels and over scales, the adversarial BCE summed over scales, lam_adv = 0.05.
          Per clip here (the reference also sums over the batch), so the batch size does not move it.
Relative to the image terms, the reference's adversarial weight is ~600x smaller than 0.01 on means.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .models import down


def _reduce(x: torch.Tensor, reduction: str) -> torch.Tensor:
    """(B, ...) -> scalar: the mean over everything, or per-clip sums averaged over the batch."""
    return x.mean() if reduction == "mean" else x.flatten(1).sum(1).mean()


def lp_loss(pred: torch.Tensor, target: torch.Tensor, p: int, reduction: str = "mean") -> torch.Tensor:
    """|pred - target|^p (paper eq. 1; p = 1 or 2), reduced."""
    return _reduce((pred - target).abs().pow(p), reduction)


def gdl_loss(pred: torch.Tensor, target: torch.Tensor, alpha: float = 1.0, reduction: str = "mean") -> torch.Tensor:
    """Gradient difference loss (paper eq. 5): match the magnitudes of neighbouring-pixel differences.

    An L2 prediction that averages possible futures is blurry, so its gradients are weaker than the
    truth's; this term penalises exactly that. (B, C, H, W) -> scalar.
    """
    def grads(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return (x[..., 1:, :] - x[..., :-1, :]).abs(), (x[..., :, 1:] - x[..., :, :-1]).abs()

    py, px = grads(pred)
    ty, tx = grads(target)
    return _reduce((ty - py).abs().pow(alpha), reduction) + _reduce((tx - px).abs().pow(alpha), reduction)


def prediction_losses(scales: list[torch.Tensor], target: torch.Tensor, *, p: int, lam_lp: float, lam_gdl: float,
                      alpha: float, reduction: str = "mean") -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """lam_lp * Lp + lam_gdl * GDL over the pyramid (mean: averaged over scales; sum: summed).

    scales: coarse-to-fine (B, C, s, s); target (B, C, H, W). Logs stay 0-dim tensors (no host sync).
    """
    n = len(scales) if reduction == "mean" else 1
    lp = sum(lp_loss(y, down(target, y.shape[-1]), p, reduction) for y in scales) / n
    total = lam_lp * lp
    logs = {"lp": lp.detach()}
    if lam_gdl > 0:
        gdl = sum(gdl_loss(y, down(target, y.shape[-1]), alpha, reduction) for y in scales) / n
        total = total + lam_gdl * gdl
        logs["gdl"] = gdl.detach()
    return total, logs


def d_inputs(frames: torch.Tensor, first: int) -> torch.Tensor:
    """(B, T, C, H, W) -> (B*(T-first), 3, C, H, W): every frame t >= first with its two predecessors."""
    windows = [frames[:, t - 2: t + 1] for t in range(first, frames.shape[1])]
    return torch.cat(windows, 0)


def d_inputs_per_scale(frames: torch.Tensor, candidates: list[list[torch.Tensor]], sizes: list[int]) -> list[torch.Tensor]:
    """D's inputs when each scale judges G's own output at that scale (reference code).

    frames (B, 2+T, C, H, W): two context frames then the finest predictions; candidates: T lists of
    G's per-scale outputs (B, C, s, s). Returns per D scale (B*T, 3, C, s, s): the two previous frames
    downsampled, then G's scale-s frame (the finest downsampled when G has no such scale).
    """
    out = []
    for s in sizes:
        rows = []
        for t, per_scale in enumerate(candidates):
            cand = next((y for y in per_scale if y.shape[-1] == s), None)
            cand = down(per_scale[-1], s) if cand is None else cand
            rows.append(torch.cat([down(frames[:, t: t + 2], s), cand[:, None]], 1))  # (B, 3, C, s, s)
        out.append(torch.cat(rows, 0))
    return out


def d_loss_bce(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of the multi-scale D (paper eq. 3), averaged over scales."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss_adv(fake_logits: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """The generator's non-saturating adversarial term (paper eq. 4): -log D(fake); (N, scales) logits.

    mean: averaged over scales; sum: summed over scales (reference code), each averaged over N.
    """
    per_scale = F.softplus(-fake_logits).mean(0)
    return per_scale.mean() if reduction == "mean" else per_scale.sum()
