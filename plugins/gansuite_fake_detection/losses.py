"""The detector's loss: binary cross-entropy on "fake" (Wang et al. 2020 train the same way)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def classify(nets: dict[str, nn.Module], batch: dict[str, torch.Tensor], step: int):
    """BCE of the detector on a half-real, half-fake batch; logs accuracy at p = 0.5 (tensors, no host reads)."""
    logits = nets["C"](batch["x"])  # (B,)
    loss = F.binary_cross_entropy_with_logits(logits, batch["y"])
    accuracy = ((logits > 0).float() == batch["y"]).float().mean()
    return loss, {"accuracy": accuracy.detach()}

