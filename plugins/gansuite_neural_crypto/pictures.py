"""A picture of what the three networks see: plaintext, ciphertext, Bob's and Eve's guesses.

Each panel is (messages, bits), black = -1 (bit 0), white = +1 (bit 1), grey in between, so a
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
    """Write the four panels for `messages` random messages (the same ones at every snapshot)."""
    dev = next(nets["alice"].parameters()).device
    b = message_batch(torch.Generator().manual_seed(seed), messages, cfg.plain_bits, cfg.key_bits)
    p, k = b["p"].to(dev), b["k"].to(dev)
    c = nets["alice"](p, k)
    panels = [p, c, nets["bob"](c, k), nets["eve"](c)]
    titles = ["plaintext", "ciphertext", "Bob", "Eve"]
    return save_png(side_by_side([_panel(x) for x in panels], titles), path)
