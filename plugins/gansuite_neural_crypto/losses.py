"""The losses of Abadi & Andersen 2016, §2.3, as in the official code (train_eval.py).

Bits are ±1; a network's output in (-1, 1) is a soft guess. Bits wrong of one message:

    d(P, P̂) = Σᵢ |(P̂ᵢ + 1)/2 − (Pᵢ + 1)/2| = Σᵢ |P̂ᵢ − Pᵢ| / 2       (0 … N)

    Eve:       L_E  = mean d(P, Eve(C))
    Alice+Bob: L_AB = mean d(P, Bob(C, K)) / N + (N/2 − L_E)² / (N/2)²

The second term of L_AB is zero when Eve is exactly as good as a coin flip (N/2 bits wrong),
so Alice is pushed to make Eve *uninformed*, not maximally wrong (a reliably wrong Eve would
just flip her bits).
"""
from __future__ import annotations

import torch


def bits_wrong(guess: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of Σᵢ |guess − truth| / 2: soft bits wrong per message, a scalar."""
    return (guess - truth).abs().sum(1).mean() / 2


def hard_bits_wrong(guess: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Bits wrong after rounding the guess to ±1 (the success criterion counts these), a scalar."""
    return (torch.where(guess >= 0, 1.0, -1.0) != truth).float().sum(1).mean()


def eve_loss(eve_wrong: torch.Tensor) -> torch.Tensor:
    """Eve minimises her own reconstruction error."""
    return eve_wrong


def alice_bob_loss(bob_wrong: torch.Tensor, eve_wrong: torch.Tensor, n: int) -> torch.Tensor:
    """Bob's error per bit plus Eve's squared distance from a coin flip, both in [0, 1]."""
    half = n / 2
    return bob_wrong / n + (half - eve_wrong) ** 2 / half**2
