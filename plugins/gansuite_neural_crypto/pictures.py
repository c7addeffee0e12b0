"""Pictures: what the networks see (plaintext, ciphertext, Bob's and Eve's guesses), and what Alice's
ciphertext depends on (one row per key or plaintext bit; a one-time pad shows a permutation).

Bit panels are (messages, bits), black = -1 (bit 0), white = +1 (bit 1), grey in between, so a
trained run shows Bob's panel equal to the plaintext and Eve's a grey blur or noise.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch
from torch import nn

from gansuite_core.pictures import save_png, side_by_side

from .data import message_batch

CELL = 12  # pixels per bit


def _panel(x: torch.Tensor) -> np.ndarray:
    """(M, N) in [-1, 1] -> (M·CELL, N·CELL, 3) uint8."""
    g = x.detach().float().cpu().clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8).numpy()
    g = np.kron(g, np.ones((CELL, CELL), np.uint8))
    return np.repeat(g[..., None], 3, 2)


@torch.no_grad()
def save_bits_picture(nets: Mapping[str, nn.Module], cfg: Any, path: Path, seed: int = 0, messages: int = 16) -> Path:
    """Write the panels for `messages` random messages (the same ones at every snapshot)."""
    dev = next(nets["alice"].parameters()).device
    b = message_batch(torch.Generator().manual_seed(seed), messages, cfg.plain_bits, cfg.key_bits)
    p, k = b["p"].to(dev), b["k"].to(dev)
    c = nets["alice"](p, k)
    panels, titles = [p, c, nets["bob"](c, k), nets["eve"](c)], ["plaintext", "ciphertext", "Bob", "Eve"]
    if "eve_mlp" in nets:
        panels, titles = panels + [nets["eve_mlp"](c)], titles + ["MLP Eve"]
    return save_png(side_by_side([_panel(x) for x in panels], titles), path)


def save_dependence_picture(key_flips: np.ndarray, plain_flips: np.ndarray, path: Path, joint_flips: np.ndarray | None = None) -> Path:
    """(input bits, cipher bits) maps of how often flipping one input bit flips each ciphertext bit's sign.

    White = always, black = never. A bitwise one-time pad (C = P ⊙ K up to a permutation) shows one
    white cell per row and column in the first two maps; a cipher without a key shows a black key map.
    The third (when given): how often flipping P_j and K_j together moves C_i at all; all black means C
    depends only on P ⊙ K, a one-time pad followed by an encoding (arch=pad).
    """
    maps, titles = [key_flips, plain_flips], ["key bit -> cipher bit", "plain bit -> cipher bit"]
    if joint_flips is not None:
        maps, titles = maps + [joint_flips], titles + ["plain+key bit -> cipher value"]
    panels = [_panel(torch.from_numpy(m).float() * 2 - 1) for m in maps]
    return save_png(side_by_side(panels, titles), path)
