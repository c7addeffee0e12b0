"""Optional differential privacy: DP-SGD on the critic (Abadi et al. CCS 2016), as in DP-GAN (Xie et al.
2018) and DP-CTGAN; the accountant is opacus's Renyi-DP accountant (Mironov 2017), so `opacus` is
needed only when `dp=true`.

The critic is the only network that reads real rows; the generator learns from the critic alone, so
its samples are post-processing and carry the critic's (epsilon, delta). Each critic step:

    per-example gradients (one example = one pack of `pac` real rows, with its pack of fake rows)
    -> each clipped to norm `dp_clip` -> summed -> + N(0, (noise_multiplier * dp_clip)^2) -> / packs

Why no gradient penalty: WGAN-GP differentiates the critic's input gradient (a double backward), and
the per-example gradients of DP-SGD would need a third order; opacus's per-sample hooks do not support
it. With dp on, both players use the non-saturating logistic GAN loss (Goodfellow et al. 2014), which
needs no Lipschitz term; clipping already bounds each example's pull on the critic. This is also the
choice of smartnoise's DP-CTGAN (its default `loss="cross_entropy"`).

The per-example gradients are computed with torch.func (vmap over packs), not opacus's GradSampleModule,
because the engine owns the optimizer step and the checkpoints (a wrapped module renames its weights);
the noised gradient reaches the engine's backward through a surrogate term whose gradient it is.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, grad_and_value, vmap

from gansuite_core import UserError

DELTA = 1e-5  # the delta at which epsilon is reported (issue 16)


def require_opacus() -> None:
    try:
        import opacus  # noqa: F401
    except ImportError:
        raise UserError("dp=true needs opacus for the privacy accountant: pip install opacus (or pip install 'gansuite[dp]')") from None


class Accountant:
    """epsilon at DELTA after T critic steps that each draw `q` of the training rows (RDP, Mironov 2017).

    The batch is a fixed-size draw without replacement (each row at most once, so in one pack);
    the bound treats it as Poisson sampling at rate q = batch / rows, as DP-SGD code commonly does.
    """

    def __init__(self, q: float, noise_multiplier: float, delta: float = DELTA) -> None:
        require_opacus()
        from opacus.accountants import RDPAccountant
        from opacus.accountants.analysis import rdp
        self.orders, self.delta, self._rdp = RDPAccountant.DEFAULT_ALPHAS, delta, rdp
        self.rdp1 = np.array(rdp.compute_rdp(q=q, noise_multiplier=noise_multiplier, steps=1, orders=self.orders))

    def epsilon(self, steps: int) -> float:
        if steps <= 0:
            return 0.0
        return float(self._rdp.get_privacy_spent(orders=self.orders, rdp=self.rdp1 * steps, delta=self.delta)[0])

    def max_steps(self, epsilon: float, limit: int = 10**7) -> int:
        """The most critic steps whose epsilon stays within `epsilon` (RDP grows linearly in steps)."""
        lo, hi = 0, 1
        while hi < limit and self.epsilon(hi) <= epsilon:
            lo, hi = hi, hi * 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if self.epsilon(mid) <= epsilon else (lo, mid)
        return lo


def private_critic_loss(D: nn.Module, real: torch.Tensor, fake: torch.Tensor, pac: int, clip: float,
                        noise_multiplier: float) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The non-saturating critic loss (its value) whose backward gives DP-SGD's clipped, noised gradient.

    real, fake: (B, W) rows with their conditions, B a multiple of pac. No host read.
    """
    packs = real.shape[0] // pac
    params = {k: p.detach() for k, p in D.named_parameters()}

    def pair(p, r, f):  # one pack of real rows (pac, W) and one of fake rows (pac, W)
        out = functional_call(D, p, (torch.cat([r, f]),))  # (2,)
        return F.softplus(-out[0]) + F.softplus(out[1])

    grads, losses = vmap(grad_and_value(pair), in_dims=(None, 0, 0), randomness="different")(
        params, real.reshape(packs, pac, -1), fake.reshape(packs, pac, -1))  # {name: (P, *shape)}, (P,)
    norms = torch.sqrt(sum(g.flatten(1).pow(2).sum(1) for g in grads.values()))  # (P,)
    scale = (clip / (norms + 1e-6)).clamp(max=1.0)  # clip each example's gradient to norm `clip`
    surrogate = torch.zeros((), device=real.device)
    for name, p in D.named_parameters():
        g = torch.tensordot(scale, grads[name], dims=1) + noise_multiplier * clip * torch.randn_like(p)
        surrogate = surrogate + (p * (g / packs)).sum()  # d surrogate / d p = the private gradient
    loss = losses.mean().detach()
    return loss + surrogate - surrogate.detach(), {"clipped_share": (norms > clip).float().mean(), "grad_norm_median": norms.median()}


def private_generator_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss that goes with the private critic."""
    return F.softplus(-d_fake).mean()
