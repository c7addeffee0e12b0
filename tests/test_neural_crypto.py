"""neural-crypto units: network shapes, losses against hand-computed values, bit codecs, config checks."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gansuite_core import Context, UserError, resolve
from gansuite_neural_crypto.attacks import battery, exhaustive, make_attacker, message_source, retrain, word_bits
from gansuite_neural_crypto.config import CryptoConfig
from gansuite_neural_crypto.data import (format_bits, format_values, load_arrays, message_batch, parse_bits,
                                         parse_values, random_bits)
from gansuite_neural_crypto.evaluation import dependence
from gansuite_neural_crypto.game import make_game
from gansuite_neural_crypto.losses import alice_bob_loss, bits_wrong, bits_wrong_each, eve_loss, hard_bits_wrong
from gansuite_neural_crypto.models import Eve, make_networks


@pytest.mark.parametrize("arch", ["pad", "product", "mix"])
@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
@pytest.mark.parametrize("lengths", [(16, 16, 16), (8, 12, 10), (5, 3, 7), (6, 6, 9)])
def test_networks_map_bits_to_bits_of_the_right_lengths(lengths, act, arch):
    p_bits, k_bits, c_bits = lengths
    if arch == "pad" and p_bits != k_bits:
        with pytest.raises(ValueError, match="arch=pad needs key_bits = plain_bits"):
            CryptoConfig(plain_bits=p_bits, key_bits=k_bits, cipher_bits=c_bits, arch=arch)
        return
    cfg = CryptoConfig(plain_bits=p_bits, key_bits=k_bits, cipher_bits=c_bits, act=act, arch=arch)
    nets = make_networks(cfg)
    b = message_batch(torch.Generator().manual_seed(0), 7, p_bits, k_bits)
    assert b["p"].shape == (7, p_bits) and b["k"].shape == (7, k_bits)
    assert set(b["p"].unique().tolist()) <= {-1.0, 1.0}
    c = nets["alice"](b["p"], b["k"])
    assert c.shape == (7, c_bits)
    assert nets["bob"](c, b["k"]).shape == (7, p_bits)
    eve = nets["eve"](c)
    assert eve.shape == (7, p_bits)
    assert (c.abs() < 1).all() and (eve.abs() < 1).all()  # tanh output
    assert nets["eve_mlp"](c).shape == (7, p_bits)


def test_the_product_architecture_can_represent_a_one_time_pad_exactly():
    # With ±1 bits XOR is a product (Coutinho et al. 2018): Alice's first layer sees every P_a·K_b,
    # so weights that pick P_i·K_i and saturate give C = P ⊙ K; the paper's layout cannot do this in one layer.
    cfg = CryptoConfig(plain_bits=4, key_bits=4, cipher_bits=4, act="tanh", fc_sigmoid=False, arch="product")
    alice = make_networks(cfg)["alice"]
    p = torch.tensor([[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]])
    k = torch.tensor([[1.0, 1.0, -1.0, -1.0], [-1.0, 1.0, -1.0, 1.0]])
    x = alice.product and torch.cat([p, k, (p.unsqueeze(2) * k.unsqueeze(1)).flatten(1)], 1)
    diag = [8 + 4 * i + i for i in range(4)]  # the columns P_i·K_i
    assert torch.equal(x[:, diag], p * k)


def test_the_pad_architecture_is_perfectly_secret_before_any_training():
    # arch=pad: Alice's network sees only P ⊙ K, so under a uniform key every plaintext has the same ciphertext
    # distribution, whatever the weights. The exhaustive distinguisher (every key) proves it exactly on the values; the
    # product architecture with random weights is told apart at once, and so would a pad-free Alice be after training.
    cfg = CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8)
    assert cfg.arch == "pad"  # the default (docs/neural-crypto.md: the only one that survives the exhaustive distinguisher)
    torch.manual_seed(0)
    pad = make_networks(cfg)["alice"]
    assert exhaustive(pad, cfg, 6, 0, torch.device("cpu"))["largest_advantage"] == 0.0
    d = dependence(pad, cfg, torch.device("cpu"), messages=256)
    assert d["joint_flips"].max() == 0.0  # only P ⊙ K matters ...
    p, k = message_batch(torch.Generator().manual_seed(1), 64, 8, 8).values()
    assert (pad(p, -k) - pad(p, k)).abs().min() > 0  # ... and the key does
    product = make_networks(CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8, arch="product"))["alice"]
    assert exhaustive(product, cfg, 6, 0, torch.device("cpu"))["largest_advantage"] > 0.5
    assert dependence(product, cfg, torch.device("cpu"), messages=256)["joint_flips"].max() > 0.5
    # Bob's network undoes Alice's encoding, then the pad: (P ⊙ K) ⊙ K = P on ±1 bits.
    bob = make_networks(cfg)["bob"]
    p, k = message_batch(torch.Generator().manual_seed(1), 5, 8, 8).values()
    c = pad(p, k)
    assert torch.equal(bob(c, k), bob.net(c) * k) and torch.equal((p * k) * k, p)


def test_the_paper_eve_of_the_battery_is_wider_and_deeper():
    cfg = CryptoConfig()
    plain, wide = Eve(16, 16, 1, 0, act=cfg.act), Eve(16, 16, 2, 1, act=cfg.act)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(wide) > count(plain) == count(make_networks(cfg)["eve"])


def test_alice_mixes_every_input_bit_into_every_ciphertext_bit():
    for arch in ("pad", "product", "mix"):
        alice = make_networks(CryptoConfig(arch=arch))["alice"]
        p = torch.full((1, 16), 0.5, requires_grad=True)
        k = torch.full((1, 16), 0.5, requires_grad=True)
        jac = torch.autograd.functional.jacobian(lambda a, b: alice(a, b), (p, k))
        assert (jac[0].abs().squeeze() > 0).all() and (jac[1].abs().squeeze() > 0).all()  # (16, 16) each


def test_bits_wrong_against_hand_computed_values():
    truth = torch.tensor([[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, 1.0, 1.0]])
    guess = torch.tensor([[1.0, -1.0, -1.0, 0.0], [0.5, 1.0, 1.0, -1.0]])
    # row 1: 0 + 0 + 1 + 0.5 = 1.5 bits; row 2: 0.25 + 0 + 0 + 1 = 1.25 bits; mean 1.375
    assert bits_wrong(guess, truth).item() == pytest.approx(1.375)
    assert eve_loss(bits_wrong(guess, truth)).item() == pytest.approx(1.375)
    # rounded: row 1 has bit 3 wrong and 0.0 -> +1 wrong (bit 4); row 2 bit 4 wrong: (2 + 1) / 2
    assert hard_bits_wrong(guess, truth).item() == pytest.approx(1.5)


def test_alice_bob_loss_against_hand_computed_values():
    t = torch.tensor
    # Bob 1 bit wrong of 16, Eve 6 on every message: 1/16 + (8 - 6)^2 / 8^2 = 0.0625 + 0.0625, both variants
    for variant in ("official", "mean"):
        assert alice_bob_loss(t([1.0, 1.0]), [t([6.0, 6.0])], 16, variant).item() == pytest.approx(0.125)
        assert alice_bob_loss(t([0.0]), [t([8.0])], 16, variant).item() == 0  # a coin-flipping Eve costs nothing
        assert alice_bob_loss(t([0.0]), [t([16.0])], 16, variant).item() == pytest.approx(1.0)  # as bad as a perfect Eve
    # issue 18.4: an Eve right on one message and wrong on the other averages 8 bits wrong; the official loss
    # squares per message ((8-0)^2 + (8-16)^2) / 2 / 64 = 1, the old variant squares the mean: 0
    assert alice_bob_loss(t([0.0, 0.0]), [t([0.0, 16.0])], 16, "official").item() == pytest.approx(1.0)
    assert alice_bob_loss(t([0.0, 0.0]), [t([0.0, 16.0])], 16, "mean").item() == 0
    # with two co-trained Eves Alice answers the stronger (larger term): Eve 8 costs 0, Eve 4 costs 0.25
    assert alice_bob_loss(t([0.0]), [t([8.0]), t([4.0])], 16).item() == pytest.approx(0.25)
    assert bits_wrong_each(t([[1.0, 0.0]]), t([[1.0, 1.0]])).tolist() == [0.5]


def test_bit_codecs_round_trip_and_order():
    x = parse_bits("0110", 4, "--key")
    assert x.tolist() == [[-1.0, 1.0, 1.0, -1.0]]
    assert format_bits(x) == "0110"
    assert format_bits(torch.tensor([0.2, -0.7, 0.0, -1e-6])) == "1010"
    v = torch.tensor([[0.123456, -0.999999, 0.0]])
    assert torch.allclose(parse_values(format_values(v), 3, "--ciphertext"), v, atol=1e-5)


@pytest.mark.parametrize("text, n, message", [
    ("0101", 5, "expected 5 bits, got 4"),
    ("01a1", 4, "only the characters 0 and 1"),
    ("01 1", 4, "only the characters 0 and 1"),
    ("", 4, "expected 4 bits, got 0"),
])
def test_bad_bit_strings_are_one_line_errors(text, n, message):
    with pytest.raises(UserError, match=message):
        parse_bits(text, n, "--plaintext")


def test_bad_ciphertext_values_are_one_line_errors():
    with pytest.raises(UserError, match="expected 3 numbers, got 2"):
        parse_values("0.1,0.2", 3, "--ciphertext")
    with pytest.raises(UserError, match="comma-separated numbers"):
        parse_values("0.1,x,0.2", 3, "--ciphertext")
    with pytest.raises(UserError, match=r"\[-1, 1\]"):
        parse_values("0.1,3,0.2", 3, "--ciphertext")


def test_npz_arrays_are_checked(tmp_path):
    good = tmp_path / "m.npz"
    np.savez(good, plaintext=np.ones((3, 4)), key=-np.ones((3, 4)))
    a = load_arrays(good, {"plaintext": 4, "key": 4}, signs=("plaintext", "key"))
    assert a["plaintext"].shape == (3, 4) and a["plaintext"].dtype == torch.float32
    with pytest.raises(UserError, match="shape \\(rows, 5\\)"):
        load_arrays(good, {"plaintext": 5, "key": 4}, signs=())
    with pytest.raises(UserError, match="missing array 'ciphertext'"):
        load_arrays(good, {"ciphertext": 4}, signs=())
    zeros = tmp_path / "z.npz"
    np.savez(zeros, plaintext=np.zeros((3, 4)), key=np.ones((3, 4)))
    with pytest.raises(UserError, match="only -1 and \\+1"):
        load_arrays(zeros, {"plaintext": 4, "key": 4}, signs=("plaintext",))
    junk = tmp_path / "j.npz"
    junk.write_text("not a zip")
    with pytest.raises(UserError, match="not a readable .npz"):
        load_arrays(junk, {"plaintext": 4}, signs=())
    with pytest.raises(UserError, match="no such file"):
        load_arrays(tmp_path / "none.npz", {"plaintext": 4}, signs=())


def test_config_checks_and_eve_goal_scaling():
    assert CryptoConfig().eve_target == pytest.approx(7.7)  # the official stopping rule (issue 18.3)
    assert CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8).eve_target == pytest.approx(3.85)
    assert CryptoConfig().bob_goal == 0.02
    assert CryptoConfig(attack_mlps="64x1, 8x3").mlp_sizes == [(64, 1), (8, 3)]
    with pytest.raises(UserError, match="attack_mlps"):
        resolve("neural-crypto", CryptoConfig, overrides={"attack_mlps": "big"})
    with pytest.raises(ValueError, match="eve_goal"):
        CryptoConfig(eve_goal=9.0)
    with pytest.raises(ValueError, match="batch must be at least 1"):
        CryptoConfig(batch=0)
    with pytest.raises(UserError, match="lr must be between 0 and 1"):
        resolve("neural-crypto", CryptoConfig, overrides={"lr": "2"})
    with pytest.raises(UserError, match="act"):
        resolve("neural-crypto", CryptoConfig, overrides={"act": "relu"})
    with pytest.raises(UserError, match="arch=pad needs key_bits = plain_bits"):
        resolve("neural-crypto", CryptoConfig, overrides={"key_bits": "12"})


class OneTimePad(torch.nn.Module):
    """C = P ⊙ K (XOR on ±1 bits), slightly softened as a tanh network would output it."""

    def forward(self, p: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        return 0.9 * p * k


class NoKey(torch.nn.Module):
    """C = P with bits 0 and 1 swapped: no key at all, any attacker reads it."""

    def forward(self, p: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        return 0.9 * p.flip(1)


def test_the_battery_breaks_a_keyless_cipher_and_not_a_one_time_pad():
    cfg = CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8, attack_mlps="32x2")
    weak = battery(NoKey(), cfg, budget="quick")
    assert not weak["holds"]
    assert weak["best_bits_wrong"] < 2.0  # of 8 (coin flip 4), after only 40 steps of each attacker
    assert weak["largest_advantage"] > 0.5
    pad = battery(OneTimePad(), cfg, budget="quick")
    assert pad["holds"] and pad["best_bits_wrong"] >= 3.6  # of 8: coin flip, up to sampling noise on 1,000 messages
    names = [r["name"] for r in pad["attackers"]]
    assert names == ["paper Eve", "paper Eve, wider and deeper", "MLP 32x2", "logistic regression per bit",
                     "chosen-plaintext distinguisher (MLP 256x3)", "exhaustive distinguisher (all 2^8 keys)"]
    assert all(r["cpu_seconds"] >= 0 and r["steps"] > 0 and isinstance(r["seed"], int) for r in pad["attackers"][:-1])
    assert pad["attackers"][-1]["largest_advantage"] == 0.0 and weak["attackers"][-1]["largest_advantage"] == 1.0
    again = battery(NoKey(), cfg, budget="quick")  # seeded: the same attackers, the same numbers
    strip = lambda rs: [{k: v for k, v in r.items() if k != "cpu_seconds"} for r in rs]  # noqa: E731
    assert strip(again["attackers"]) == strip(weak["attackers"])


def test_the_pad_table_gives_alices_own_ciphertexts():
    def fresh(arch: str, seed: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:  # plaintexts first, then keys, as message_source draws
        g = torch.Generator().manual_seed(seed)
        if arch == "pad":  # 10-bit words
            return word_bits(torch.randint(0, 2**10, (n,), generator=g), 10), word_bits(torch.randint(0, 2**10, (n,), generator=g), 10)
        return random_bits(g, n, 10), random_bits(g, n, 10)

    assert word_bits(torch.tensor([0b101]), 3).tolist() == [[1.0, -1.0, 1.0]]  # bit j of the word is entry j
    for arch in ("pad", "product"):  # pad: a table lookup; product: Alice runs on every batch
        cfg = CryptoConfig(plain_bits=10, key_bits=10, cipher_bits=10, arch=arch)
        torch.manual_seed(0)
        alice = make_networks(cfg)["alice"].eval()
        c, p = message_source(alice, cfg, torch.device("cpu"))(torch.Generator().manual_seed(3), 2000)
        p2, k2 = fresh(arch, 3, 2000)
        with torch.no_grad():
            assert torch.equal(p, p2) and torch.allclose(c, alice(p2, k2), atol=1e-6)


def test_retraining_breaks_a_keyless_cipher_and_not_a_one_time_pad():
    cfg = CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8)
    weak = retrain(NoKey(), cfg, "mlp32x2", steps=150, batch=256, held_out=2000, checks=3)
    assert weak["lowest_bits_wrong"] < 0.5 and [c["step"] for c in weak["curve"]] == [50, 100, 150]
    assert weak["curve"][-1]["rounded"] == weak["bits_wrong"]
    pad = retrain(OneTimePad(), cfg, "paper", steps=150, batch=256, held_out=2000, checks=3)
    assert pad["lowest_bits_wrong"] > 3.7  # of 8: a coin flip, up to the noise of 2,000 messages
    assert retrain(NoKey(), cfg, "mlp32x2", steps=150, batch=256, held_out=2000, checks=3)["curve"] == weak["curve"]  # seeded
    other = retrain(NoKey(), cfg, "mlp32x2", steps=150, batch=256, held_out=2000, checks=3, reset=1)
    assert other["seed"] != weak["seed"]  # a reset is a fresh attacker
    with pytest.raises(ValueError, match="mlp128x2"):
        make_attacker("mlp128", cfg)


class SignPad(torch.nn.Module):
    """A one-time pad in its signs whose magnitudes leak a plaintext bit: secret to a reader of signs only."""

    def forward(self, p: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        return torch.tanh(2 * p * k + 0.5 * p.roll(1, 1))


def test_the_exhaustive_distinguisher_is_exact_on_signs_and_values():
    cfg = CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8)
    pad = exhaustive(OneTimePad(), cfg, 6, 0, torch.device("cpu"))
    assert pad["largest_advantage"] == 0.0 and pad["largest_sign_advantage"] == 0.0 and pad["pairs"] == 7
    leak = exhaustive(SignPad(), cfg, 6, 0, torch.device("cpu"))
    assert leak["largest_sign_advantage"] == 0.0 and leak["largest_advantage"] > 0.5  # the values give it away
    # Half the keys ignored: ciphertext bits 4..7 carry plaintext bits in clear, the optimal attacker always tells P0 from
    # P1 = -P0 (the all-zero/all-one pair) and the advantage is exact, not an estimate.
    half = exhaustive(lambda p, k: p * torch.cat([k[:, :4], torch.ones_like(k[:, 4:])], 1), cfg, 6, 0, torch.device("cpu"))
    assert half["largest_advantage"] == 1.0


@pytest.mark.parametrize("alice, stops", [(OneTimePad(), True), (NoKey(), False)])
def test_the_stopping_check_asks_the_exhaustive_distinguisher_too(alice, stops):
    # Bob decrypts and the co-trained Eves are no better than a coin: the official rule holds for both ciphers,
    # but only the pad survives the exhaustive distinguisher of the stopping check (issue 12.3).
    cfg = CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8, probe_batch=256, bob_goal=0.5, eve_goal=3.9, eves="paper")
    bob = (lambda c, k: c * k / 0.9) if stops else (lambda c, k: c.flip(1) / 0.9)
    nets = {"alice": alice, "bob": bob, "eve": lambda c: torch.zeros(len(c), 8)}
    game = make_game(cfg, make_networks(cfg), Context(torch.device("cpu"), 0, 0, 1, 0, None))
    out = game.probe(nets, 200)
    assert out["bob_soft"] < 0.5 and out["eve_soft"] == 4.0
    assert out["exhaustive_advantage"] == (0.0 if stops else 1.0) and out["success"] == float(stops)
    loose = make_game(CryptoConfig(**{**cfg.__dict__, "stop_advantage": 1.0}), make_networks(cfg), Context(torch.device("cpu"), 0, 0, 1, 0, None))
    assert loose.probe(nets, 200)["success"] == 1.0 and "exhaustive_advantage" not in loose.probe(nets, 200)


def test_cpa_adds_a_distinguisher_that_alice_must_confuse():
    cfg = CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8, batch=32, cpa=True)
    nets = make_networks(cfg)
    game = make_game(cfg, nets, Context(torch.device("cpu"), 0, 0, 1, 0, None))
    assert "eve_cpa" in next(p for p in game.players if p.name == "eve").networks
    batch = next(iter(game.data))
    loss, logs = next(p for p in game.phases if p.name == "alice_bob").loss(nets, batch, 0)
    loss.backward()
    assert nets["alice"].net.fc[0].weight.grad.abs().sum() > 0 and 0.3 < logs["eve_cpa_bce"] < 1.5  # about ln 2 untrained


def test_dependence_recognises_a_one_time_pad():
    cfg = CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8)
    d = dependence(OneTimePad(), cfg, torch.device("cpu"), messages=512)
    assert np.allclose(d["key_flips"], np.eye(8)) and np.allclose(d["plain_flips"], np.eye(8))
    assert d["xor_agreement"].min() == 1.0 and d["joint_flips"].max() == 0.0
    d = dependence(NoKey(), cfg, torch.device("cpu"), messages=512)
    assert d["key_flips"].max() == 0 and d["xor_agreement"].max() < 0.6 and d["joint_flips"].max() == 1.0


def test_measure_reports_each_co_trained_eve_and_the_strongest():
    from gansuite_neural_crypto.game import measure

    cfg = CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8, probe_batch=64)
    nets = make_networks(cfg)
    m = measure(nets, cfg, seed=0)
    assert m["strongest_eve_soft"] == min(m["eve_soft"], m["eve_mlp_soft"])
    assert m["eve_soft"] != m["eve_mlp_soft"]  # two different untrained networks
    assert 0 <= m["bob_rounded"] <= 8 and m["success"] == 0.0
