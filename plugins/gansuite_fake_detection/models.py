"""The detector: a small CNN trained from scratch, image in, one logit out (> 0: fake).

Wang et al. (CVPR 2020) fine-tune an ImageNet ResNet-50; here the images are 32 px and the
budget is CPU minutes, so a VGG-style stack without early downsampling keeps the
highest frequencies, where up-sampling artefacts live (Durall et al. 2020), for the first two
convolutions.
"""
from __future__ import annotations

import torch
from torch import nn


def _block(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class Detector(nn.Module):
    """(B, 3, H, W) in [-1, 1] -> (B,) logits of "fake"."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            *_block(3, w), *_block(w, w), nn.MaxPool2d(2),  # (B, w, H/2, W/2)
            *_block(w, 2 * w), *_block(2 * w, 2 * w), nn.MaxPool2d(2),  # (B, 2w, H/4, W/4)
            *_block(2 * w, 4 * w), nn.AdaptiveAvgPool2d(1),  # (B, 4w, 1, 1)
        )
        self.head = nn.Linear(4 * w, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1)).squeeze(1)  # (B,)
