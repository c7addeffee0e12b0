"""Atomic file writes: a kill at any moment leaves the old file or the new one, never a torn one.

Checkpoints, the run's config.toml, metrics.jsonl when a resume trims it, and the reports that
commands write (eval.json, a plugin's own JSON) all go through here. The pattern is the usual one:
write a temporary file beside the target, fsync it, `os.replace` it over the target (atomic on
POSIX and Windows within one file system), then fsync the folder so the rename survives a crash.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Callable


def temporary_beside(path: Path) -> Path:
    """A hidden temporary name in `path`'s folder, unique to this process (ranks never share one)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def replace_durably(tmp: Path, path: Path) -> Path:
    """fsync `tmp`, rename it over `path` and fsync the folder; returns `path`."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    # Make the rename itself durable. Some file systems (and Windows) refuse to open or fsync a
    # folder; the rename is still atomic there, only not yet flushed, so that refusal is not an error.
    with contextlib.suppress(OSError):
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return path


def write_with(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` to fill a temporary file, then put it at `path` atomically; returns `path`.

    For writers that want a file name (safetensors, PIL, pandas). If `write` raises, the
    temporary file is removed and `path` is untouched.
    """
    path = Path(path)
    tmp = temporary_beside(path)
    try:
        write(tmp)
        return replace_durably(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write `data` (text as UTF-8, or bytes) to `path` atomically; returns `path`.

    Use it for every file a later command reads back (reports, indexes, resumable logs), so a
    killed job never leaves a half-written one.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    return write_with(path, lambda tmp: tmp.write_bytes(payload))
