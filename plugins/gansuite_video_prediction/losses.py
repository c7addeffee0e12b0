"""Losses of Mathieu, Couprie & LeCun 2016: image distance, gradient difference, adversarial.

All are taken at every scale of the generator's pyramid and averaged over scales and rolled-out
frames. They are per-pixel means (the paper's code sums over pixels), so `lam_adv` is relative to a
per-pixel error: that is why the benchmarked weight is smaller than the paper's 0.05.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .models import down


def lp_loss(pred: torch.Tensor, target: torch.Tensor, p: int) -> torch.Tensor:
    """Mean |pred - target|^p (paper eq. 1; p = 1 or 2)."""
    return (pred - target).abs().pow(p).mean()


def gdl_loss(pred: torch.Tensor, target: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Gradient difference loss (paper eq. 5): match the magnitudes of neighbouring-pixel differences.

    An L2 prediction that averages possible futures is blurry, so its gradients are weaker than the
    truth's; this term penalises exactly that. (B, C, H, W) -> scalar.
    """
    def grads(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return (x[..., 1:, :] - x[..., :-1, :]).abs(), (x[..., :, 1:] - x[..., :, :-1]).abs()

    py, px = grads(pred)
    ty, tx = grads(target)
    return (ty - py).abs().pow(alpha).mean() + (tx - px).abs().pow(alpha).mean()


def prediction_losses(scales: list[torch.Tensor], target: torch.Tensor, *, p: int, lam_lp: float, lam_gdl: float,
                      alpha: float) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """lam_lp * Lp + lam_gdl * GDL, averaged over the pyramid. scales: coarse-to-fine (B, C, s, s); target (B, C, H, W)."""
    lp = sum(lp_loss(y, down(target, y.shape[-1]), p) for y in scales) / len(scales)
    total = lam_lp * lp
    logs = {"lp": lp.detach()}
    if lam_gdl > 0:
        gdl = sum(gdl_loss(y, down(target, y.shape[-1]), alpha) for y in scales) / len(scales)
        total = total + lam_gdl * gdl
        logs["gdl"] = gdl.detach()
    return total, logs


def d_inputs(frames: torch.Tensor, first: int) -> torch.Tensor:
    """(B, T, C, H, W) -> (B*(T-first), 3, C, H, W): every frame t >= first with its two predecessors."""
    windows = [frames[:, t - 2: t + 1] for t in range(first, frames.shape[1])]
    return torch.cat(windows, 0)


def d_loss_bce(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of the multi-scale D (paper eq. 3), averaged over scales."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss_adv(fake_logits: torch.Tensor) -> torch.Tensor:
    """The generator's non-saturating adversarial term (paper eq. 4): -log D(fake)."""
    return F.softplus(-fake_logits).mean()
