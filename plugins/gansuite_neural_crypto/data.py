"""Random messages and keys, and the text/array codecs of the `gansuite crypto` commands.

Bits are encoded as ±1 (bit 0 -> -1, bit 1 -> +1), as in the paper. Every batch is drawn in
bulk from a torch.Generator handed over by `gansuite_core.SeededStream`, so batch k of a run
is the same whether the run was resumed or not.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gansuite_core import UserError


def random_bits(g: torch.Generator, batch: int, bits: int) -> torch.Tensor:
    """(batch, bits) of ±1, uniformly."""
    return torch.randint(0, 2, (batch, bits), generator=g).float().mul_(2).sub_(1)


def message_batch(g: torch.Generator, batch: int, plain_bits: int, key_bits: int) -> dict[str, torch.Tensor]:
    """A batch of independent plaintexts and keys: {"p": (B, Np), "k": (B, Nk)}; a fresh key per message."""
    return {"p": random_bits(g, batch, plain_bits), "k": random_bits(g, batch, key_bits)}


def cpa_batch(g: torch.Generator, batch: int, plain_bits: int, key_bits: int) -> dict[str, torch.Tensor]:
    """message_batch plus a second plaintext "q" (B, Np) and "which" (B, 1) in {0, 1} for the chosen-plaintext game:
    the distinguisher sees (p, q) when which = 0 and (q, p) when which = 1, and the ciphertext of p."""
    out = message_batch(g, batch, plain_bits, key_bits)
    out["q"] = random_bits(g, batch, plain_bits)
    out["which"] = torch.randint(0, 2, (batch, 1), generator=g).float()
    return out


def cpa_input(p: torch.Tensor, q: torch.Tensor, which: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """The distinguisher's input (B, 2·Np + Nc): the two plaintexts in the order `which` says, then the ciphertext."""
    first, second = torch.where(which > 0, q, p), torch.where(which > 0, p, q)
    return torch.cat([first, second, c], 1)


def parse_bits(text: str, n: int, option: str) -> torch.Tensor:
    """'0101…' (exactly n characters of 0/1) -> (1, n) of ±1; anything else is a one-line UserError."""
    text = text.strip()
    bad = sorted({ch for ch in text if ch not in "01"})
    if bad:
        raise UserError(f"{option} {text!r}: expected only the characters 0 and 1, found {''.join(bad)!r}")
    if len(text) != n:
        raise UserError(f"{option} {text!r}: expected {n} bits, got {len(text)}")
    return torch.tensor([[1.0 if ch == "1" else -1.0 for ch in text]])


def format_bits(x: torch.Tensor) -> str:
    """(n,) or (1, n) of values -> '0101…', a value >= 0 being bit 1."""
    return "".join("1" if v >= 0 else "0" for v in x.reshape(-1).tolist())


def parse_values(text: str, n: int, option: str) -> torch.Tensor:
    """'0.93,-0.99,…' (n comma-separated numbers in [-1, 1]) -> (1, n)."""
    parts = [p for p in text.replace(" ", "").split(",") if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise UserError(f"{option}: expected {n} comma-separated numbers (as printed by encrypt), got {text!r}") from None
    if len(values) != n:
        raise UserError(f"{option}: expected {n} numbers, got {len(values)}")
    if not all(-1.0 <= v <= 1.0 for v in values):
        raise UserError(f"{option}: ciphertext values lie in [-1, 1]; got {text!r}")
    return torch.tensor([values])


def format_values(x: torch.Tensor) -> str:
    """(n,) or (1, n) -> '0.93125,-0.99870,…' (5 decimals, enough for Bob)."""
    return ",".join(f"{v:.5f}" for v in x.reshape(-1).tolist())


def load_arrays(path: Path, names: dict[str, int], signs: tuple[str, ...]) -> dict[str, torch.Tensor]:
    """Arrays `names` (name -> columns) of an .npz file as float tensors, with one-line errors.

    Arrays in `signs` must hold only ±1; all must have the same number of rows.
    """
    if path.suffix != ".npz":
        raise UserError(f"--input {path}: expected a .npz file")
    if not path.is_file():
        raise UserError(f"--input {path}: no such file")
    try:
        with np.load(path, allow_pickle=False) as z:
            found = {k: np.asarray(z[k]) for k in z.files}
    except Exception as e:  # noqa: BLE001 -- any unreadable archive is the user's file
        raise UserError(f"--input {path}: not a readable .npz archive ({type(e).__name__})") from None
    out = {}
    for name, cols in names.items():
        if name not in found:
            raise UserError(f"--input {path}: missing array {name!r} (has {', '.join(sorted(found)) or 'none'})")
        a = found[name]
        if a.ndim != 2 or a.shape[1] != cols or not np.issubdtype(a.dtype, np.number):
            raise UserError(f"--input {path}: array {name!r} must be numeric with shape (rows, {cols}), got {a.dtype} {a.shape}")
        if name in signs and not np.isin(a, (-1, 1)).all():
            raise UserError(f"--input {path}: array {name!r} must hold only -1 and +1 (bits 0 and 1)")
        out[name] = torch.from_numpy(a.astype(np.float32))
    rows = {t.shape[0] for t in out.values()}
    if len(rows) != 1:
        raise UserError(f"--input {path}: arrays {', '.join(names)} have different numbers of rows")
    return out


def save_arrays(path: Path, **arrays: torch.Tensor) -> Path:
    if path.suffix != ".npz":
        raise UserError(f"--out {path}: expected a .npz file name")
    if not path.parent.exists():
        raise UserError(f"--out {path}: folder {path.parent} does not exist")
    np.savez(path, **{k: v.cpu().numpy() for k, v in arrays.items()})
    return path
