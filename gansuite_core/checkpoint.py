"""Checkpoints: one safetensors file per step, tensors in the body and JSON in its header.

Nothing is pickled, so loading a checkpoint never runs code from it. Arbitrary nested state
(optimizer, GradScaler and scheduler state_dicts, RNG states, stream positions) is split by
`flatten` into a JSON skeleton and a dict of tensors, and joined back by `unflatten`.
Writes go to a temporary file that is fsynced and renamed: a kill at any moment leaves either
the previous checkpoint or the new one, never a torn file.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .errors import UserError
from .files import write_with

FORMAT = "gansuite-checkpoint/1"
_TENSOR = "__tensor__"
_TUPLE = "__tuple__"


def flatten(obj: Any, prefix: str, tensors: dict[str, torch.Tensor]) -> Any:
    """A JSON-able skeleton of `obj`; its tensors are moved into `tensors` under dotted keys."""
    if isinstance(obj, torch.Tensor):
        key = prefix
        tensors[key] = obj.detach().cpu().contiguous()
        return {_TENSOR: key}
    if isinstance(obj, np.ndarray):
        return flatten(torch.from_numpy(np.ascontiguousarray(obj)), prefix, tensors)
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, (str, int)):
                raise TypeError(f"checkpoint state key {k!r} at {prefix} is not str or int")
            out[f"{'i:' if isinstance(k, int) else 's:'}{k}"] = flatten(v, f"{prefix}.{k}", tensors)
        return out
    if isinstance(obj, tuple):
        return {_TUPLE: [flatten(v, f"{prefix}.{i}", tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [flatten(v, f"{prefix}.{i}", tensors) for i, v in enumerate(obj)]
    if isinstance(obj, (np.integer, np.floating)):
        return obj.item()
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"checkpoint state at {prefix} has an unsupported type {type(obj).__name__}")


def unflatten(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, dict):
        if _TENSOR in obj:
            return tensors[obj[_TENSOR]]
        if _TUPLE in obj:
            return tuple(unflatten(v, tensors) for v in obj[_TUPLE])
        return {(int(k[2:]) if k.startswith("i:") else k[2:]): unflatten(v, tensors) for k, v in obj.items()}
    if isinstance(obj, list):
        return [unflatten(v, tensors) for v in obj]
    return obj


def rng_state() -> dict[str, Any]:
    state = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    v, internal, gauss = state["python"]
    random.setstate((v, tuple(internal), gauss))
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"].to(torch.uint8))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.to(torch.uint8) for s in state["cuda"]])


def save(path: Path, state: dict[str, Any]) -> Path:
    """Write `state` (nested dicts of tensors and JSON values) atomically to `path`."""
    tensors: dict[str, torch.Tensor] = {}
    skeleton = flatten(state, "s", tensors)
    # safetensors refuses tensors that share memory; clone the rare aliases.
    seen: set[int] = set()
    for k, t in tensors.items():
        ptr = t.untyped_storage().data_ptr() if t.numel() else -1
        if ptr in seen:
            tensors[k] = t.clone()
        seen.add(ptr)
    write_with(path, lambda tmp: save_file(tensors, str(tmp), metadata={"format": FORMAT, "state": json.dumps(skeleton)}))
    return path


def load(path: Path) -> dict[str, Any]:
    """Read a checkpoint written by `save`. A broken or foreign file is a one-line UserError."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"checkpoint {path}: not found")
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
        if meta.get("format") != FORMAT:
            raise UserError(f"checkpoint {path}: not a gansuite checkpoint (format {meta.get('format')!r})")
        tensors = load_file(str(path))
        skeleton = json.loads(meta["state"])
        return unflatten(skeleton, tensors)
    except UserError:
        raise
    except (SafetensorError, OSError, ValueError, KeyError, json.JSONDecodeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(f"checkpoint {path}: unreadable or truncated ({first})") from None


_STEP = re.compile(r"^step-(\d+)\.safetensors$")


def list_checkpoints(folder: Path) -> list[tuple[int, Path]]:
    """(step, path) of the checkpoints in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _STEP.match(p.name))]
    return sorted(found)


def checkpoint_path(folder: Path, step: int) -> Path:
    return folder / f"step-{step:08d}.safetensors"


def prune(folder: Path, keep: int) -> None:
    for _, p in list_checkpoints(folder)[:-keep] if keep > 0 else []:
        p.unlink(missing_ok=True)


def load_latest(folder: Path, warn: Callable[[str], None] | None = None) -> tuple[Path, dict[str, Any]]:
    """The newest readable checkpoint in `folder`: an unreadable newest one (a disk error, a copy cut
    short) is reported through `warn` and the previous one is used. UserError when none can be read."""
    found = list_checkpoints(Path(folder))
    if not found:
        raise UserError(f"no checkpoint in {folder}")
    errors = []
    for _, path in reversed(found):
        try:
            state = load(path)
        except UserError as e:
            errors.append(str(e))
            continue
        if errors and warn is not None:
            warn(f"{errors[0]}; using the previous checkpoint {path.name}")
        return path, state
    raise UserError(errors[0] + (f" (and {len(errors) - 1} older ones)" if len(errors) > 1 else ""))
