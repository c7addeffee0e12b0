"""Alice, Bob and Eve: the "mix & transform" network of Abadi & Andersen 2016 (arXiv 1610.06918).

    input bits (B, I) in ±1 --FC--> (B, 2·O) --sigmoid--> 4 Conv1d over the 2·O positions --> (B, O) in (-1, 1)

The fully connected layer lets every output position mix every input bit (a cipher needs each
ciphertext bit to depend on key and plaintext bits anywhere); the convolutions then apply the
same small transform at every position. Conv layers (window, in -> out channels, stride), paper §2.4:
(4, 1 -> 2, 1), (2, 2 -> 4, 2), (1, 4 -> 4, 1), (1, 4 -> 1, 1); sigmoid between, tanh at the end.
The stride-2 layer halves 2·O positions to O output bits. `width` multiplies the channel counts
(the official TensorFlow code halves them); Eve may get extra fully connected layers.
`act="tanh"` replaces the sigmoids between layers: zero-centred with four times the slope at 0,
it lets Bob leave the 8-bits-wrong plateau sooner (success at 1,200-2,600 steps against
3,600-7,400 with sigmoids on the same seeds, docs/benchmarks.md). The last layer is tanh in both cases.
"""
from __future__ import annotations

import torch
from torch import nn


class MixTransform(nn.Module):
    """(B, in_bits) -> (B, out_bits), values in (-1, 1)."""

    def __init__(self, in_bits: int, out_bits: int, *, width: int = 1, extra_fc: int = 0, fc_sigmoid: bool = True,
                 act: str = "sigmoid") -> None:
        super().__init__()
        Act = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[act]
        self.out_bits = out_bits
        hidden = 2 * out_bits
        layers: list[nn.Module] = [nn.Linear(in_bits, hidden)]
        for _ in range(extra_fc):  # a wider/deeper attacker (Eve) has more mixing capacity
            layers += [Act(), nn.Linear(hidden, hidden)]
        if fc_sigmoid:  # the paper applies a sigmoid after the FC layer; the official code does not
            layers.append(Act())
        self.fc = nn.Sequential(*layers)
        c = 2 * width
        self.conv = nn.Sequential(
            nn.ConstantPad1d((1, 2), 0.0),  # TensorFlow's "SAME" padding for a window of 4
            nn.Conv1d(1, c, 4, stride=1), Act(),  # (B, c, 2·O)
            nn.Conv1d(c, 2 * c, 2, stride=2), Act(),  # (B, 2c, O)
            nn.Conv1d(2 * c, 2 * c, 1), Act(),  # (B, 2c, O)
            nn.Conv1d(2 * c, 1, 1), nn.Tanh(),  # (B, 1, O)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.fc(x).unsqueeze(1)  # (B, 1, 2·O)
        return self.conv(h).squeeze(1)  # (B, O)


class Alice(nn.Module):
    """(plaintext P (B, Np), key K (B, Nk)) -> ciphertext C (B, Nc)."""

    def __init__(self, plain_bits: int, key_bits: int, cipher_bits: int, width: int = 1, fc_sigmoid: bool = True, act: str = "sigmoid") -> None:
        super().__init__()
        self.net = MixTransform(plain_bits + key_bits, cipher_bits, width=width, fc_sigmoid=fc_sigmoid, act=act)

    def forward(self, p: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([p, k], 1))


class Bob(nn.Module):
    """(ciphertext C (B, Nc), key K (B, Nk)) -> plaintext guess (B, Np)."""

    def __init__(self, cipher_bits: int, key_bits: int, plain_bits: int, width: int = 1, fc_sigmoid: bool = True, act: str = "sigmoid") -> None:
        super().__init__()
        self.net = MixTransform(cipher_bits + key_bits, plain_bits, width=width, fc_sigmoid=fc_sigmoid, act=act)

    def forward(self, c: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([c, k], 1))


class Eve(nn.Module):
    """Ciphertext C (B, Nc) -> plaintext guess (B, Np), without the key."""

    def __init__(self, cipher_bits: int, plain_bits: int, width: int = 1, extra_fc: int = 0, fc_sigmoid: bool = True,
                 act: str = "sigmoid") -> None:
        super().__init__()
        self.net = MixTransform(cipher_bits, plain_bits, width=width, extra_fc=extra_fc, fc_sigmoid=fc_sigmoid, act=act)

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        return self.net(c)
