"""A categorical latent with a learned prior, shared by applications whose G draws one of K codes.

DeLiGAN (Gurumurthy et al. 2017) gives G a mixture-of-Gaussians latent: K learned centres, one
picked per sample. Khayatkhoei et al. (2018) learn the codes' probabilities too, so G can move mass
between disconnected modes without a continuous path through low-density samples. These two
functions are the parts that do not depend on the network: drawing codes from plain normal noise,
and a loss whose gradient moves the prior. The toy2d example and image-generation both use them.
"""
from __future__ import annotations

import torch


def pick_codes(prior: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """(K,) prior logits and (B,) standard normal entries -> (B,) code indices distributed as softmax(prior).

    The code comes from the noise itself (through the normal CDF), so callers keep drawing plain
    N(0, I) noise and a fixed noise seed gives fixed codes. No gradient reaches the prior here.
    """
    cdf = torch.softmax(prior.detach().float(), 0).cumsum(0)  # (K,)
    return torch.searchsorted(cdf, torch.special.ndtr(u.float()).contiguous()).clamp_max(len(prior) - 1)


def code_prior_loss(p: torch.Tensor, codes: torch.Tensor, logit: torch.Tensor) -> torch.Tensor:
    """A loss whose gradient moves the codes' probabilities p (K,) towards codes whose samples D scores as real.

    With the non-saturating loss D's logit estimates log p_data / p_G, so d KL(p_G || p_data) / d p_c
    is about minus the mean logit of code c's samples (after Khayatkhoei et al. 2018; this estimator
    is ours, and with hinge or Wasserstein losses the logit is only a score). Each logit (B,) counts
    for the code of every member of its pack, codes (B, pack); the other members add the same
    expected share to every code, which the baseline (the mean logit) removes. A code absent from
    the batch gets no gradient.
    """
    k = len(p)
    flat = codes.flatten()
    sums = torch.zeros(k, device=p.device, dtype=logit.dtype).index_add_(0, flat, logit.detach().repeat_interleave(codes.shape[1]))
    counts = torch.bincount(flat, minlength=k).to(logit.dtype)
    advantage = torch.where(counts > 0, sums / counts.clamp_min(1) - logit.detach().mean(), torch.zeros_like(sums))
    return -(p * advantage).sum()
