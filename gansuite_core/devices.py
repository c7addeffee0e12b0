"""Devices, precision and data-parallel processes.

`--device auto` picks CUDA, then Apple MPS, then the CPU. Data-parallel training starts when
the process was launched by `torchrun` (WORLD_SIZE > 1 in the environment): gloo on CPU,
nccl on CUDA, one GPU per local rank.
"""
from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass

import torch
import torch.distributed as dist

from .errors import UserError


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def available_devices() -> list[str]:
    found = ["cpu"]
    if torch.cuda.is_available():
        found += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if _mps_available():
        found.append("mps")
    return found


def resolve_device(spec: str, local_rank: int = 0) -> tuple[torch.device, str]:
    """The torch.device for `spec` and a sentence saying what was picked (and why, for auto)."""
    spec = spec.strip().lower()
    if spec == "auto":
        if torch.cuda.is_available():
            dev = torch.device("cuda", local_rank % torch.cuda.device_count())
            return dev, f"device auto -> {dev} ({torch.cuda.get_device_name(dev)})"
        if _mps_available():
            return torch.device("mps"), "device auto -> mps (Apple GPU)"
        return torch.device("cpu"), f"device auto -> cpu ({torch.get_num_threads()} threads; no CUDA or MPS found)"
    if spec == "cpu":
        return torch.device("cpu"), "device cpu"
    m = re.fullmatch(r"cuda(?::(\d+))?", spec)
    if m:
        if not torch.cuda.is_available():
            raise UserError(f"--device {spec}: CUDA is not available here; available: {', '.join(available_devices())}")
        index = int(m.group(1)) if m.group(1) is not None else local_rank % torch.cuda.device_count()
        if index >= torch.cuda.device_count():
            raise UserError(f"--device {spec}: no such GPU; available: {', '.join(available_devices())}")
        return torch.device("cuda", index), f"device cuda:{index}"
    if spec == "mps":
        if not _mps_available():
            raise UserError(f"--device mps: Apple MPS is not available here; available: {', '.join(available_devices())}")
        return torch.device("mps"), "device mps"
    raise UserError(f"--device {spec!r}: expected auto, cpu, cuda, cuda:N or mps")


_DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class Precision:
    name: str  # fp32 | bf16 | fp16
    device: torch.device

    def __post_init__(self) -> None:
        if self.name not in _DTYPES:
            raise UserError(f"precision {self.name!r}: expected fp32, bf16 or fp16")
        if self.name == "fp16" and self.device.type == "cpu":
            raise UserError("precision fp16 needs a GPU (cuda or mps); on the CPU use bf16")

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.name == "fp32":
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=_DTYPES[self.name])

    def scaler(self) -> torch.amp.GradScaler | None:
        """One GradScaler per optimizer for fp16 (bf16 has fp32's range and needs none)."""
        if self.name != "fp16":
            return None
        return torch.amp.GradScaler(self.device.type)


# --------------------------------------------------------------------------- distributed


@dataclass(frozen=True)
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def from_environment() -> Dist:
    """The process group described by torchrun's environment variables (none when run alone)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Dist()
    return Dist(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))


def init_process_group(d: Dist, device: torch.device) -> None:
    if not d.enabled or dist.is_initialized():
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(backend=backend, rank=d.rank, world_size=d.world)


def barrier(d: Dist) -> None:
    if d.enabled and dist.is_initialized():
        dist.barrier()


def broadcast_object(d: Dist, obj: object) -> object:
    if not d.enabled:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]
