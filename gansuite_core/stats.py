"""What a training step logs, kept on the device until the loop reads it every `log_every` steps.

The engine's steps make no host reads (like stylegan2-ada's loop): losses, logged numbers and the
non-finite counters accumulate here as tensors, and `read()` moves them to the host in one transfer.
"""
from __future__ import annotations

from typing import Any, Mapping

import torch


class StepStats:
    """What a step logs, kept on the device: sums and counts per key, and the non-finite counters.

    Nothing here reads a tensor on the host except `read()`, which the loop calls every `log_every` steps.
    """

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.sums: dict[str, torch.Tensor] = {}
        self.counts: dict[str, torch.Tensor] = {}
        self.fixed: dict[str, float] = {}  # host numbers (probe results)
        self.total = torch.zeros((), dtype=torch.int64, device=device)
        self._runs: dict[str, torch.Tensor] = {}  # consecutive non-finite steps, per phase
        self.nonfinite_total, self.nonfinite_run = 0, {}

    def add(self, key: str, value: Any, weight: torch.Tensor | None = None) -> None:
        v = value.detach().float().reshape(()) if isinstance(value, torch.Tensor) else torch.tensor(float(value))
        v = v.to(self.device)
        w = torch.ones((), device=self.device) if weight is None else weight.float()
        v = torch.where(w > 0, v, torch.zeros_like(v))  # a skipped step's NaN must not poison the sum
        self.sums[key] = self.sums[key] + v * w if key in self.sums else v * w
        self.counts[key] = self.counts[key] + w if key in self.counts else w

    def set(self, key: str, value: float) -> None:
        self.fixed[key] = value

    def phase(self, name: str, ok: torch.Tensor, loss: torch.Tensor, logs: Mapping[str, Any]) -> None:
        bad = (~ok).to(torch.int64)
        self.total = self.total + bad
        run = self._runs.get(name, torch.zeros((), dtype=torch.int64, device=self.device))
        self._runs[name] = (run + 1) * bad
        self.add(f"{name}/loss", loss, ok)
        for k, v in logs.items():
            self.add(f"{name}/{k}", v, ok)

    def read(self) -> dict[str, float]:
        """The averages since the last read (one host transfer), then start afresh."""
        keys = list(self.sums)
        runs = list(self._runs)
        n = len(keys)
        packed = torch.stack([*(self.sums[k] / self.counts[k].clamp(min=1) for k in keys), *(self.counts[k] for k in keys),
                              self.total.float(), *(self._runs[r].float() for r in runs)]).tolist() if keys or runs else [float(self.total)]
        row = {k: v for k, v, c in zip(keys, packed[:n], packed[n:2 * n]) if c > 0}  # a key whose every update was skipped is left out
        row.update(self.fixed)
        self.nonfinite_total = int(packed[2 * n])
        self.nonfinite_run = {r: int(v) for r, v in zip(runs, packed[2 * n + 1:])}
        self.sums, self.counts, self.fixed = {}, {}, {}
        return row
