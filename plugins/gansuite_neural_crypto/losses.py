"""The losses of Abadi & Andersen 2016, §2.3, as in the official code (research/adversarial_crypto/train_eval.py).

Bits are ±1; a network's output in (-1, 1) is a soft guess. Bits wrong of one message:

    d(P, P̂) = Σᵢ |(P̂ᵢ + 1)/2 − (Pᵢ + 1)/2| = Σᵢ |P̂ᵢ − Pᵢ| / 2       (0 … N)

    Eve:       L_E  = mean over messages of d(P, Eve(C))
    Alice+Bob: L_AB = mean d(P, Bob(C, K)) / N + mean over messages of (N/2 − d(P, Eve(C)))² / (N/2)²

The official code squares (N/2 − d) per message before averaging (issue 18.4), which also
penalises the spread of Eve's error: an Eve right on half the messages and wrong on the other
half averages N/2 bits wrong yet reads half the traffic. The variant `ab_loss="mean"` squares the
batch mean instead (gansuite before issue 18); docs/neural-crypto.md measures the difference.
CPA-ANC (Coutinho et al. 2018, `cpa=true`): a distinguisher sees two plaintexts and the ciphertext
of one of them under a fresh key and says which (binary cross-entropy). Alice's term is the squared
distance of that cross-entropy from a coin flip's (ln 2), per message, in units of ln 2: zero only
when the distinguisher cannot tell, penalising confidently right and confidently wrong alike.

The Eve term is zero when Eve is a coin flip (N/2 bits wrong), so Alice makes Eve *uninformed*,
not reliably wrong (a reliably wrong Eve would just flip her bits).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def bits_wrong_each(guess: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Σᵢ |guess − truth| / 2 per message: soft bits wrong, (B,)."""
    return (guess - truth).abs().sum(1) / 2


def bits_wrong(guess: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Mean soft bits wrong per message, a 0-dim tensor (the official code's measure)."""
    return bits_wrong_each(guess, truth).mean()


def hard_bits_wrong(guess: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Mean bits wrong per message after rounding the guess to ±1 (what a decoder reads), a 0-dim tensor."""
    return (torch.where(guess >= 0, 1.0, -1.0) != truth).float().sum(1).mean()


def eve_loss(eve_wrong: torch.Tensor) -> torch.Tensor:
    """Eve minimises her own mean reconstruction error."""
    return eve_wrong


def eve_term(eve_each: torch.Tensor, n: int, variant: str = "official") -> torch.Tensor:
    """Eve's squared distance from a coin flip in [0, 1]: per message then averaged (official), or of the mean."""
    half = n / 2
    if variant == "official":
        return ((half - eve_each) ** 2).mean() / half**2
    return (half - eve_each.mean()) ** 2 / half**2


def alice_bob_loss(bob_each: torch.Tensor, eve_each: list[torch.Tensor], n: int, variant: str = "official") -> torch.Tensor:
    """Bob's error per bit plus the strongest co-trained Eve's term (the largest), both in [0, 1]."""
    terms = torch.stack([eve_term(e, n, variant) for e in eve_each])
    return bob_each.mean() / n + terms.max()


def distinguisher_bce(logits: torch.Tensor, which: torch.Tensor) -> torch.Tensor:
    """Per-message binary cross-entropy of the distinguisher's logits (B, 1) against which (B, 1) in {0, 1}: (B,)."""
    return F.binary_cross_entropy_with_logits(logits, which, reduction="none").squeeze(1)


def cpa_term(bce_each: torch.Tensor) -> torch.Tensor:
    """Alice's CPA-ANC term: mean over messages of ((BCE − ln 2) / ln 2)², 0 when the distinguisher guesses."""
    return ((bce_each - math.log(2)) / math.log(2)).pow(2).mean()
