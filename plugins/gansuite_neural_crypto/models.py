"""Alice, Bob and Eve: the "mix & transform" network of Abadi & Andersen 2016 (arXiv 1610.06918), and MLPs.

    input bits (B, I) in ±1 --FC--> (B, 2·O) --act--> 4 Conv1d over the 2·O positions --> (B, O) in (-1, 1)

The fully connected layer lets every output position mix every input bit; the convolutions then
apply the same small transform at every position. Conv layers (window, in -> out channels,
stride), paper §2.4: (4, 1 -> 2, 1), (2, 2 -> 4, 2), (1, 4 -> 4, 1), (1, 4 -> 1, 1); tanh at the end.
`width` multiplies the channel counts; Eve may get extra fully connected layers.

`arch="product"` (issue 12): Alice and Bob also see every product of a key bit with an input bit.
With ±1 bits, XOR is multiplication (Coutinho et al. 2018), so the one-time pad C = P ⊙ K and its
inverse P = C ⊙ K are one linear layer away; the paper's network must approximate a product with
sigmoids and in practice learns a cipher that outside attackers break (issue 12: 0.6-2.4 bits wrong).

`arch="pad"`: the pad is structural. Alice's network sees only U = P ⊙ K and Bob's output is multiplied
by K. Under a uniform key U is uniform and independent of P, so any C = f(U) is too (Shannon's perfect
secrecy): no attacker, however strong, can do better than guessing. Training only teaches Alice and
Bob a shared encoding f and its inverse; the adversarial game cannot make it leak, or secure it.
"""
from __future__ import annotations

import torch
from torch import nn

from .config import CryptoConfig


class MixTransform(nn.Module):
    """(B, in_bits) -> (B, out_bits), values in (-1, 1)."""

    def __init__(self, in_bits: int, out_bits: int, *, width: int = 1, extra_fc: int = 0, fc_sigmoid: bool = True,
                 act: str = "sigmoid") -> None:
        super().__init__()
        Act = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[act]
        hidden = 2 * out_bits
        layers: list[nn.Module] = [nn.Linear(in_bits, hidden)]
        for _ in range(extra_fc):  # a wider/deeper attacker (Eve) has more mixing capacity
            layers += [Act(), nn.Linear(hidden, hidden)]
        if fc_sigmoid:  # the paper applies a nonlinearity after the FC layer; the official code does not
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


def with_products(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """(B, I), (B, K) -> (B, I + K + I·K): the bits and every product x_i·k_j (XOR on ±1 bits)."""
    return torch.cat([x, k, (x.unsqueeze(2) * k.unsqueeze(1)).flatten(1)], 1)


class Keyed(nn.Module):
    """Alice (P, K) -> C or Bob (C, K) -> P̂: a mix & transform over the input and the key (and their products)."""

    def __init__(self, in_bits: int, key_bits: int, out_bits: int, product: bool, **kw) -> None:
        super().__init__()
        self.product = product
        n = in_bits + key_bits + (in_bits * key_bits if product else 0)
        self.net = MixTransform(n, out_bits, **kw)

    def forward(self, x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        return self.net(with_products(x, k) if self.product else torch.cat([x, k], 1))


class Pad(nn.Module):
    """Alice (P, K) -> f(P ⊙ K), or Bob (C, K) -> g(C) ⊙ K: a mix & transform behind a one-time pad (N = key bits)."""

    def __init__(self, in_bits: int, out_bits: int, role: str, **kw) -> None:
        super().__init__()
        self.role = role
        self.net = MixTransform(in_bits, out_bits, **kw)

    def forward(self, x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        if self.role == "alice":
            return self.net(x * k)  # (B, N): only the padded word reaches the network
        return self.net(x) * k  # (B, N): Bob undoes the encoding, then the pad


class Eve(nn.Module):
    """Ciphertext C (B, Nc) -> plaintext guess (B, Np), without the key (the paper's architecture)."""

    def __init__(self, cipher_bits: int, plain_bits: int, width: int = 1, extra_fc: int = 0, fc_sigmoid: bool = True,
                 act: str = "sigmoid") -> None:
        super().__init__()
        self.net = MixTransform(cipher_bits, plain_bits, width=width, extra_fc=extra_fc, fc_sigmoid=fc_sigmoid, act=act)

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        return self.net(c)


class MLP(nn.Module):
    """(B, I) -> (B, O): `depth` hidden ReLU layers of `width`, a linear head (logits), tanh if `bounded`."""

    def __init__(self, in_features: int, out_features: int, width: int, depth: int, bounded: bool = True) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for i in range(depth):
            layers += [nn.Linear(in_features if i == 0 else width, width), nn.ReLU()]
        layers.append(nn.Linear(width if depth else in_features, out_features))
        if bounded:
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def make_networks(cfg: CryptoConfig) -> dict[str, nn.Module]:
    """Alice, Bob and the co-trained Eve(s) (Abadi & Andersen 2016, §2.4; the MLP Eve: issue 12)."""
    kw = {"width": cfg.width, "fc_sigmoid": cfg.fc_sigmoid, "act": cfg.act}
    if cfg.arch == "pad":
        alice: nn.Module = Pad(cfg.plain_bits, cfg.cipher_bits, "alice", **kw)
        bob: nn.Module = Pad(cfg.cipher_bits, cfg.plain_bits, "bob", **kw)
    else:
        alice = Keyed(cfg.plain_bits, cfg.key_bits, cfg.cipher_bits, cfg.arch == "product", **kw)
        bob = Keyed(cfg.cipher_bits, cfg.key_bits, cfg.plain_bits, cfg.arch == "product", **kw)
    nets: dict[str, nn.Module] = {
        "alice": alice,
        "bob": bob,
        "eve": Eve(cfg.cipher_bits, cfg.plain_bits, extra_fc=cfg.eve_extra_fc, **kw),
    }
    if cfg.eves == "paper+mlp":
        nets["eve_mlp"] = MLP(cfg.cipher_bits, cfg.plain_bits, 256, 2)
    if cfg.cpa:  # (P_first, P_second, C) -> logit that C encrypts P_second (Coutinho et al. 2018)
        nets["eve_cpa"] = MLP(2 * cfg.plain_bits + cfg.cipher_bits, 1, 256, 2, bounded=False)
    return nets
