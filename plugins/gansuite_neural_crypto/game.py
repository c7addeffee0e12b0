"""The neural-crypto game: options, networks, and Alice+Bob against a twice-trained Eve.

One engine step = one Alice/Bob update, then `eve_repeat` Eve updates, each phase run on a
fresh batch of random plaintexts and keys (the official code's EVE_MULTIPLIER = 2). Every
`probe_every` steps a fresh batch of `probe_batch` messages measures Bob's and Eve's bits
wrong after rounding; the run stops when Bob is at most `bob_goal` and Eve at least `eve_goal`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping

import numpy as np
import torch
from torch import nn

from gansuite_core import Context, Game, Phase, Player, SeededStream

from .data import message_batch
from .losses import alice_bob_loss, bits_wrong, eve_loss, hard_bits_wrong
from .models import Alice, Bob, Eve
from .pictures import save_bits_picture


@dataclass(frozen=True)
class CryptoConfig:
    plain_bits: int = 16  # plaintext length N
    key_bits: int = 16  # key length (one fresh key per message)
    cipher_bits: int = 16  # ciphertext length
    width: int = 1  # channel multiplier of the conv layers (1: the paper's 2-4-4-1 channels)
    act: Literal["tanh", "sigmoid"] = "tanh"  # nonlinearity between layers; the paper's sigmoid is 1.4-6x slower (docs/benchmarks.md)
    fc_sigmoid: bool = True  # nonlinearity after the fully connected layer (paper); false: none (official code)
    eve_extra_fc: int = 0  # extra fully connected layers of the co-trained Eve
    batch: int = 512  # messages per batch (the paper: 256-4096)
    lr: float = 0.0008  # Adam learning rate of Alice and Bob (the paper's; 10/10 seeds vs 8/10 at 0.002)
    eve_lr: float = 0.0008  # Adam learning rate of Eve (the same as Alice and Bob's, as in the paper)
    eve_repeat: int = 2  # Eve updates per Alice/Bob update, each on a fresh batch
    probe_every: int = 200  # steps between success checks
    probe_batch: int = 4096  # messages in each success check
    bob_goal: float = 0.05  # success: Bob at most this many bits wrong ...
    eve_goal: float | None = None  # ... and Eve at least this many (none: 7.3 of 16, scaled to plain_bits)
    attack_eves: int = 3  # fresh Eves trained by `gansuite crypto RUN attack` (the last one wider and deeper)
    attack_steps: int = 10000  # training steps of each fresh Eve
    attack_batch: int = 512  # batch size of the fresh Eves
    attack_lr: float = 0.002  # Adam learning rate of the fresh Eves

    def __post_init__(self) -> None:
        for name in ("plain_bits", "key_bits", "cipher_bits"):
            if not 2 <= getattr(self, name) <= 4096:
                raise ValueError(f"{name} must be between 2 and 4096, got {getattr(self, name)}")
        for name in ("width", "batch", "eve_repeat", "probe_batch", "attack_eves", "attack_steps", "attack_batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.eve_extra_fc < 0 or self.probe_every < 0:
            raise ValueError("eve_extra_fc and probe_every must not be negative")
        for name in ("lr", "eve_lr", "attack_lr"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if not 0 <= self.bob_goal < self.plain_bits / 2:
            raise ValueError(f"bob_goal must be in [0, plain_bits/2), got {self.bob_goal}")
        if not 0 < self.eve_target <= self.plain_bits / 2:
            raise ValueError(f"eve_goal must be in (0, plain_bits/2 = {self.plain_bits / 2}], got {self.eve_goal}")

    @property
    def eve_target(self) -> float:
        """Eve's bits wrong needed for success: `eve_goal`, or 7.3/16 of the plaintext length."""
        return self.eve_goal if self.eve_goal is not None else 7.3 * self.plain_bits / 16


def make_networks(cfg: CryptoConfig) -> dict[str, nn.Module]:
    """Alice, Bob and the co-trained Eve (Abadi & Andersen 2016, §2.4)."""
    return {
        "alice": Alice(cfg.plain_bits, cfg.key_bits, cfg.cipher_bits, cfg.width, cfg.fc_sigmoid, cfg.act),
        "bob": Bob(cfg.cipher_bits, cfg.key_bits, cfg.plain_bits, cfg.width, cfg.fc_sigmoid, cfg.act),
        "eve": Eve(cfg.cipher_bits, cfg.plain_bits, cfg.width, cfg.eve_extra_fc, cfg.fc_sigmoid, cfg.act),
    }


@torch.no_grad()
def measure(nets: Mapping[str, nn.Module], cfg: CryptoConfig, seed: int, device: torch.device | str = "cpu") -> dict[str, float]:
    """Bob's and Eve's bits wrong (rounded guesses) on a fresh batch of `probe_batch` messages."""
    b = message_batch(torch.Generator().manual_seed(seed), cfg.probe_batch, cfg.plain_bits, cfg.key_bits)
    p, k = b["p"].to(device), b["k"].to(device)
    c = nets["alice"](p, k)
    bob = hard_bits_wrong(nets["bob"](c, k), p).item()
    eve = hard_bits_wrong(nets["eve"](c), p).item()
    return {"bob_bits_wrong": bob, "eve_bits_wrong": eve, "success": float(bob <= cfg.bob_goal and eve >= cfg.eve_target)}


def make_game(cfg: CryptoConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    n = cfg.plain_bits

    def ab_loss(m: Mapping[str, nn.Module], b: dict[str, torch.Tensor], step: int):
        c = m["alice"](b["p"], b["k"])  # (B, Nc)
        bob = bits_wrong(m["bob"](c, b["k"]), b["p"])
        eve = bits_wrong(m["eve"](c), b["p"])  # Eve is frozen in this phase; Alice learns to confuse her
        return alice_bob_loss(bob, eve, n), {"bob_bits": bob.detach(), "eve_bits": eve.detach()}

    def e_loss(m: Mapping[str, nn.Module], b: dict[str, torch.Tensor], step: int):
        with torch.no_grad():  # Alice is not Eve's to train: no graph through her
            c = m["alice"](b["p"], b["k"])
        return eve_loss(bits_wrong(m["eve"](c), b["p"]))

    def probe(m: Mapping[str, nn.Module], step: int) -> dict[str, float]:
        # A fresh batch per check, seeded by (run seed, step): reproducible, never reused for training.
        seed = int(np.random.SeedSequence([ctx.seed, step, 4096]).generate_state(1)[0])
        return measure(m, cfg, seed, ctx.device)

    def snapshot(m: Mapping[str, nn.Module], stem: Path) -> list[Path]:
        return [save_bits_picture(m, cfg, stem.with_suffix(".png"), seed=ctx.seed)]

    return Game(
        players=[
            Player("alice_bob", ["alice", "bob"], lambda ps: torch.optim.Adam(ps, lr=cfg.lr)),
            Player("eve", ["eve"], lambda ps: torch.optim.Adam(ps, lr=cfg.eve_lr)),
        ],
        phases=[Phase("alice_bob", "alice_bob", ab_loss), Phase("eve", "eve", e_loss, repeat=cfg.eve_repeat)],
        data=SeededStream(lambda g: message_batch(g, cfg.batch, cfg.plain_bits, cfg.key_bits), seed=ctx.seed, rank=ctx.rank),
        judge="eve",
        judge_accuracy=lambda m, b: 1.0 - float(bits_wrong(m["eve"](m["alice"](b["p"], b["k"])), b["p"])) / n,
        snapshot=snapshot,
        probe=probe,
        probe_every=cfg.probe_every,
        stop_when=lambda r: r["success"] >= 1.0,
    )
