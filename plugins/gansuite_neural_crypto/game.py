"""The neural-crypto game: Alice+Bob against one or more co-trained Eves.

One engine step = one Alice/Bob update, then `eve_repeat` Eve updates, each phase on a fresh batch
of random plaintexts and keys (the official code's EVE_MULTIPLIER = 2). With `eves="paper+mlp"` a
2×256 ReLU MLP is trained beside the paper's Eve (issue 12: an attacker of another architecture) and
Alice's loss answers the stronger of the two. Every `probe_every` steps a fresh batch of
`probe_batch` messages measures soft bits wrong (the official measure, issue 18.3); the run stops
when Bob is below `bob_goal` and every co-trained Eve above `eve_goal`. That stop is only a
necessary condition: `evaluate` re-measures the cipher with the attack battery on new messages.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import torch
from torch import nn

from gansuite_core import Context, Game, Phase, Player, SeededStream

from .config import CryptoConfig
from .data import message_batch
from .losses import alice_bob_loss, bits_wrong, bits_wrong_each, eve_loss, hard_bits_wrong
from .pictures import save_bits_picture


def eve_names(nets: Mapping[str, nn.Module]) -> list[str]:
    """The co-trained Eves of a run: "eve" and, with eves=paper+mlp, "eve_mlp"."""
    return [k for k in ("eve", "eve_mlp") if k in nets]


@torch.no_grad()
def measure(nets: Mapping[str, nn.Module], cfg: CryptoConfig, seed: int, device: torch.device | str = "cpu") -> dict[str, float]:
    """Bob's and the co-trained Eves' bits wrong, soft (official) and rounded, on `probe_batch` fresh messages."""
    b = message_batch(torch.Generator().manual_seed(seed), cfg.probe_batch, cfg.plain_bits, cfg.key_bits)
    p, k = b["p"].to(device), b["k"].to(device)
    c = nets["alice"](p, k)
    bob = nets["bob"](c, k)
    out = {"bob_soft": bits_wrong(bob, p).item(), "bob_rounded": hard_bits_wrong(bob, p).item()}
    for name in eve_names(nets):
        guess = nets[name](c)
        out[f"{name}_soft"] = bits_wrong(guess, p).item()
        out[f"{name}_rounded"] = hard_bits_wrong(guess, p).item()
    out["strongest_eve_soft"] = min(out[f"{n}_soft"] for n in eve_names(nets))  # the strongest co-trained Eve
    out["success"] = float(out["bob_soft"] < cfg.bob_goal and out["strongest_eve_soft"] > cfg.eve_target)  # official rule
    return out


def make_game(cfg: CryptoConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    n = cfg.plain_bits
    eves = eve_names(nets)

    def ab_loss(m: Mapping[str, nn.Module], b: dict[str, torch.Tensor], step: int):
        c = m["alice"](b["p"], b["k"])  # (B, Nc)
        bob = bits_wrong_each(m["bob"](c, b["k"]), b["p"])  # (B,)
        eve = [bits_wrong_each(m[e](c), b["p"]) for e in eves]  # Eves are frozen in this phase; Alice learns to confuse them
        logs = {"bob_bits": bob.mean().detach(), **{f"{e}_bits": d.mean().detach() for e, d in zip(eves, eve)}}
        return alice_bob_loss(bob, eve, n, cfg.ab_loss), logs

    def e_loss(m: Mapping[str, nn.Module], b: dict[str, torch.Tensor], step: int):
        with torch.no_grad():  # Alice is not Eve's to train: no graph through her
            c = m["alice"](b["p"], b["k"])
        return sum(eve_loss(bits_wrong(m[e](c), b["p"])) for e in eves)  # each Eve's gradient is her own

    def probe(m: Mapping[str, nn.Module], step: int) -> dict[str, float]:
        # A fresh batch per check, seeded by (run seed, step): reproducible, never used for training.
        seed = int(np.random.SeedSequence([ctx.seed, step, 4096]).generate_state(1)[0])
        return measure(m, cfg, seed, ctx.device)

    def snapshot(m: Mapping[str, nn.Module], stem: Path) -> list[Path]:
        return [save_bits_picture(m, cfg, stem.with_suffix(".png"), seed=ctx.seed)]

    def judge_accuracy(m: Mapping[str, nn.Module], b: dict[str, torch.Tensor]) -> torch.Tensor:
        return 1.0 - bits_wrong(m["eve"](m["alice"](b["p"], b["k"])), b["p"]) / n  # 0-dim tensor, no host read

    return Game(
        players=[
            Player("alice_bob", ["alice", "bob"], lambda ps: torch.optim.Adam(ps, lr=cfg.lr)),
            Player("eve", eves, lambda ps: torch.optim.Adam(ps, lr=cfg.eve_lr)),
        ],
        phases=[Phase("alice_bob", "alice_bob", ab_loss), Phase("eve", "eve", e_loss, repeat=cfg.eve_repeat)],
        data=SeededStream(lambda g: message_batch(g, cfg.batch, cfg.plain_bits, cfg.key_bits), seed=ctx.seed, rank=ctx.rank),
        judge="eve",
        judge_accuracy=judge_accuracy,
        snapshot=snapshot,
        probe=probe,
        probe_every=cfg.probe_every,
        stop_when=lambda r: r["success"] >= 1.0,
    )
