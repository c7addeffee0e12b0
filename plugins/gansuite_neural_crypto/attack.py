"""The paper's check of a trained Alice (§2.5): fresh Eves trained from scratch against her, frozen.

The co-trained Eve only ever had a moving target; an Alice whose cipher merely confuses *that*
Eve is caught here. Each fresh Eve gets its own seed; the last one is wider (twice the conv
channels) and deeper (one more fully connected layer) than the co-trained Eve. We report each
Eve's bits wrong at the end and the lowest seen at any check (the strongest attacker found).

This is a small loop of its own rather than an engine run: the attack must leave the trained
run untouched (no new checkpoints, metrics or config), needs no resume, and has one network,
one optimizer and one loss, so twenty lines say it more plainly than a Game.
"""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from .data import message_batch
from .losses import bits_wrong, hard_bits_wrong
from .models import Eve


def fresh_eve(cfg: Any, wide: bool) -> Eve:
    """An untrained Eve like the co-trained one, or wider and deeper."""
    if wide:
        return Eve(cfg.cipher_bits, cfg.plain_bits, 2 * cfg.width, cfg.eve_extra_fc + 1, cfg.fc_sigmoid, cfg.act)
    return Eve(cfg.cipher_bits, cfg.plain_bits, cfg.width, cfg.eve_extra_fc, cfg.fc_sigmoid, cfg.act)


@torch.no_grad()
def eve_bits_wrong(alice: nn.Module, eve: nn.Module, cfg: Any, seed: int, device: torch.device) -> float:
    """Eve's rounded bits wrong on a fresh batch of `probe_batch` messages."""
    b = message_batch(torch.Generator().manual_seed(seed), cfg.probe_batch, cfg.plain_bits, cfg.key_bits)
    p, k = b["p"].to(device), b["k"].to(device)
    return hard_bits_wrong(eve(alice(p, k)), p).item()


def train_fresh_eve(alice: nn.Module, cfg: Any, *, seed: int, wide: bool, steps: int, device: torch.device,
                    check_every: int = 1000) -> dict[str, Any]:
    """Train one fresh Eve for `steps` Adam steps against the frozen `alice`; her record."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # Eve's initial weights depend on her seed only
        eve = fresh_eve(cfg, wide).to(device).train()
    opt = torch.optim.Adam(eve.parameters(), lr=cfg.attack_lr)
    g = torch.Generator().manual_seed(seed + 1)  # her training messages
    checks = []
    t0 = time.perf_counter()
    for step in range(1, steps + 1):
        b = message_batch(g, cfg.attack_batch, cfg.plain_bits, cfg.key_bits)
        p, k = b["p"].to(device), b["k"].to(device)
        with torch.no_grad():
            c = alice(p, k)  # (B, Nc)
        loss = bits_wrong(eve(c), p)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % check_every == 0 or step == steps:
            eve.eval()
            checks.append(eve_bits_wrong(alice, eve, cfg, int(np.random.SeedSequence([seed, step]).generate_state(1)[0]), device))
            eve.train()
    return {"seed": seed, "kind": "wider and deeper" if wide else "like the co-trained Eve", "steps": steps,
            "bits_wrong": checks[-1], "lowest_bits_wrong": min(checks), "seconds": round(time.perf_counter() - t0, 1)}


def attack(alice: nn.Module, cfg: Any, *, eves: int, steps: int, seed: int = 0, device: torch.device = torch.device("cpu"),
           say: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    """Train `eves` fresh Eves (the last wider and deeper when there are two or more) and summarise."""
    alice = alice.to(device).eval().requires_grad_(False)
    records = []
    for i in range(eves):
        wide = eves >= 2 and i == eves - 1
        say(f"fresh Eve {i + 1}/{eves} ({'wider and deeper' if wide else 'like the co-trained Eve'}), {steps} steps")
        records.append(train_fresh_eve(alice, cfg, seed=1000 * (seed + 1) + i, wide=wide, steps=steps, device=device))
        say(f"  bits wrong: {records[-1]['bits_wrong']:.3f} (lowest seen {records[-1]['lowest_bits_wrong']:.3f})")
    lowest = min(r["lowest_bits_wrong"] for r in records)
    return {"fresh_eves": records, "lowest_bits_wrong": lowest, "coin_flip_bits_wrong": cfg.plain_bits / 2,
            "holds": bool(lowest >= 7 * cfg.plain_bits / 16)}
