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


def cpu_has_bf16(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether this CPU computes bfloat16 natively (Intel AMX or AVX-512 BF16, read from Linux's cpuinfo flags).

    Where it does, bf16 autocast took an SRResNet step 1.4x faster (docs/super-resolution.md); elsewhere
    oneDNN emulates it and fp32 is the faster choice. False where the file is missing (macOS, Windows).
    """
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def resolve_precision(spec: str, device: torch.device) -> tuple[str, str]:
    """The precision to train in for `spec` (fp32 | bf16 | fp16 | auto) and a sentence saying what auto picked.

    auto: bf16 on a CUDA GPU that supports it (fp16 with loss scaling on older ones), fp16 on Apple MPS, bf16 on a
    CPU with native bfloat16 (see cpu_has_bf16), else fp32. The same spec can pick differently on another machine,
    so a run resumed elsewhere may change precision (its optimizers' states carry over either way).
    """
    spec = spec.strip().lower()
    if spec != "auto":
        return spec, ""
    if device.type == "cuda":
        name = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        return name, f"precision auto -> {name} ({'the GPU supports bfloat16' if name == 'bf16' else 'no bfloat16 on this GPU'})"
    if device.type == "mps":
        return "fp16", "precision auto -> fp16 (Apple MPS)"
    if device.type == "cpu" and cpu_has_bf16():
        return "bf16", "precision auto -> bf16 (the CPU computes bfloat16 natively)"
    return "fp32", f"precision auto -> fp32 (no native bfloat16 on this {device.type})"


@dataclass(frozen=True)
class Precision:
    name: str  # fp32 | bf16 | fp16
    device: torch.device

    def __post_init__(self) -> None:
        if self.name not in _DTYPES:
            raise UserError(f"precision {self.name!r}: expected fp32, bf16, fp16 or auto")
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
