"""The options of neural-crypto (`gansuite train neural-crypto --set KEY=VALUE`).

Defaults are the measured best of docs/neural-crypto.md; the paper's setup (Abadi & Andersen 2016)
is `--set arch=mix --set eves=paper --set ab_loss=mean` (the gansuite default before issue 12).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class CryptoConfig:
    plain_bits: int = 16  # plaintext length N
    key_bits: int = 16  # key length (one fresh key per message)
    cipher_bits: int = 16  # ciphertext length
    arch: Literal["pad", "product", "mix"] = "pad"  # pad: Alice's network sees only P ⊙ K, Bob's output is multiplied by K (a one-time pad by construction; needs key_bits = plain_bits); product: bits plus all key x input products (±1 XOR is a product); mix: the paper's
    width: int = 1  # channel multiplier of the conv layers (1: the paper's 2-4-4-1 channels)
    act: Literal["tanh", "sigmoid"] = "tanh"  # nonlinearity between layers; the paper's sigmoid is 1.4-6x slower to succeed
    fc_sigmoid: bool = True  # nonlinearity after the fully connected layer (paper); false: none (official code)
    eve_extra_fc: int = 0  # extra fully connected layers of the co-trained paper Eve
    eves: Literal["paper+mlp", "paper"] = "paper+mlp"  # co-trained Eves: the paper's, or the paper's and a 2x256 ReLU MLP (Alice faces the stronger)
    cpa: bool = False  # also co-train a chosen-plaintext distinguisher that Alice must confuse (CPA-ANC, Coutinho et al. 2018)
    cpa_weight: float = 1.0  # weight of the distinguisher's term in Alice and Bob's loss
    ab_loss: Literal["official", "mean"] = "official"  # Eve term of Alice/Bob's loss: official = mean of (N/2 - d)^2 per message; mean = (N/2 - mean d)^2
    batch: int = 512  # messages per batch (the paper: 256-4096)
    lr: float = 0.0008  # Adam learning rate of Alice and Bob (the paper's)
    eve_lr: float = 0.0008  # Adam learning rate of the co-trained Eves (the same as Alice and Bob's, as in the paper)
    eve_repeat: int = 2  # Eve updates per Alice/Bob update, each on a fresh batch (official EVE_MULTIPLIER)
    probe_every: int = 200  # steps between stopping checks (official: 200)
    probe_batch: int = 4096  # messages in each stopping check and in evaluation
    bob_goal: float = 0.02  # stop when Bob's soft bits wrong is below this ... (official: 0.02)
    eve_goal: float | None = None  # ... and every co-trained Eve's soft bits wrong above this (none: 7.7 of 16, scaled to plain_bits)
    stop_advantage: float = 0.05  # ... and the exhaustive distinguisher's advantage at most this (issue 12.3; 1 skips the check)
    attack_budget: Literal["full", "standard", "demo", "quick"] = "full"  # attack battery of `evaluate`: full = issue 12's (10,000 steps, 50,000 pairs); demo and quick prove little
    attack_mlps: str = "256x2,512x3"  # MLP attackers, WIDTHxDEPTH comma-separated (ReLU)
    attack_lr: float = 0.001  # Adam learning rate of every attacker
    attack_seed: int = 0  # seed of the attackers' weights and messages

    def __post_init__(self) -> None:
        for name in ("plain_bits", "key_bits", "cipher_bits"):
            if not 2 <= getattr(self, name) <= 4096:
                raise ValueError(f"{name} must be between 2 and 4096, got {getattr(self, name)}")
        if self.arch == "pad" and self.key_bits != self.plain_bits:
            raise ValueError(f"arch=pad needs key_bits = plain_bits (one key bit per plaintext bit), got {self.key_bits} and {self.plain_bits}")
        for name in ("width", "batch", "eve_repeat", "probe_batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.stop_advantage <= 1:
            raise ValueError(f"stop_advantage must be in [0, 1], got {self.stop_advantage}")
        if self.cpa_weight < 0:
            raise ValueError(f"cpa_weight must not be negative, got {self.cpa_weight}")
        if self.eve_extra_fc < 0 or self.probe_every < 0:
            raise ValueError("eve_extra_fc and probe_every must not be negative")
        for name in ("lr", "eve_lr", "attack_lr"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if not 0 <= self.bob_goal < self.plain_bits / 2:
            raise ValueError(f"bob_goal must be in [0, plain_bits/2), got {self.bob_goal}")
        if not 0 < self.eve_target <= self.plain_bits / 2:
            raise ValueError(f"eve_goal must be in (0, plain_bits/2 = {self.plain_bits / 2}], got {self.eve_goal}")
        self.mlp_sizes  # noqa: B018 -- parses attack_mlps, raising ValueError for a bad one

    @property
    def eve_target(self) -> float:
        """Co-trained Eves' soft bits wrong needed to stop: `eve_goal`, or 7.7/16 of the plaintext length (official)."""
        return self.eve_goal if self.eve_goal is not None else 7.7 * self.plain_bits / 16

    @property
    def mlp_sizes(self) -> list[tuple[int, int]]:
        """attack_mlps as [(width, depth), ...]."""
        try:
            sizes = [tuple(int(x) for x in s.lower().split("x")) for s in self.attack_mlps.split(",") if s.strip()]
        except ValueError:
            sizes = []
        if not sizes or any(len(s) != 2 or min(s) < 1 for s in sizes):
            raise ValueError(f"attack_mlps must be WIDTHxDEPTH[,WIDTHxDEPTH...] like 256x2,512x3, got {self.attack_mlps!r}")
        return sizes  # type: ignore[return-value]
