"""neural-crypto units: network shapes, losses against hand-computed values, bit codecs, config checks."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gansuite_core import UserError
from gansuite_core.config import resolve
from gansuite_neural_crypto.attack import fresh_eve
from gansuite_neural_crypto.data import (format_bits, format_values, load_arrays, message_batch, parse_bits,
                                         parse_values)
from gansuite_neural_crypto.game import CryptoConfig, make_networks
from gansuite_neural_crypto.losses import alice_bob_loss, bits_wrong, eve_loss, hard_bits_wrong


@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
@pytest.mark.parametrize("lengths", [(16, 16, 16), (8, 12, 10), (5, 3, 7)])
def test_networks_map_bits_to_bits_of_the_right_lengths(lengths, act):
    p_bits, k_bits, c_bits = lengths
    cfg = CryptoConfig(plain_bits=p_bits, key_bits=k_bits, cipher_bits=c_bits, act=act)
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


def test_alice_mixes_every_input_bit_into_every_ciphertext_bit():
    alice = make_networks(CryptoConfig())["alice"]
    p = torch.zeros(1, 16, requires_grad=True)
    k = torch.zeros(1, 16, requires_grad=True)
    jac = torch.autograd.functional.jacobian(lambda a, b: alice(a, b), (p, k))
    assert (jac[0].abs().squeeze() > 0).all() and (jac[1].abs().squeeze() > 0).all()  # (16, 16) each


def test_the_wide_fresh_eve_is_wider_and_deeper():
    cfg = CryptoConfig()
    plain, wide = fresh_eve(cfg, wide=False), fresh_eve(cfg, wide=True)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(wide) > count(plain)
    assert sum(isinstance(m, torch.nn.Linear) for m in wide.modules()) == 2
    assert count(plain) == count(make_networks(cfg)["eve"])


def test_bits_wrong_against_hand_computed_values():
    truth = torch.tensor([[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, 1.0, 1.0]])
    guess = torch.tensor([[1.0, -1.0, -1.0, 0.0], [0.5, 1.0, 1.0, -1.0]])
    # row 1: 0 + 0 + 1 + 0.5 = 1.5 bits; row 2: 0.25 + 0 + 0 + 1 = 1.25 bits; mean 1.375
    assert bits_wrong(guess, truth).item() == pytest.approx(1.375)
    assert eve_loss(bits_wrong(guess, truth)).item() == pytest.approx(1.375)
    # rounded: row 1 has bit 3 wrong and 0.0 -> +1 wrong (bit 4); row 2 bit 4 wrong: (2 + 1) / 2
    assert hard_bits_wrong(guess, truth).item() == pytest.approx(1.5)


def test_alice_bob_loss_against_hand_computed_values():
    # Bob 1 bit wrong of 16, Eve 6: 1/16 + (8 - 6)^2 / 8^2 = 0.0625 + 0.0625
    assert alice_bob_loss(torch.tensor(1.0), torch.tensor(6.0), 16).item() == pytest.approx(0.125)
    # a perfect Bob and a coin-flipping Eve cost nothing; an Eve always wrong costs as much as a perfect one
    assert alice_bob_loss(torch.tensor(0.0), torch.tensor(8.0), 16).item() == 0
    assert alice_bob_loss(torch.tensor(0.0), torch.tensor(16.0), 16).item() == pytest.approx(1.0)
    assert alice_bob_loss(torch.tensor(0.0), torch.tensor(0.0), 16).item() == pytest.approx(1.0)


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
    assert CryptoConfig().eve_target == pytest.approx(7.3)
    assert CryptoConfig(plain_bits=8, key_bits=8, cipher_bits=8).eve_target == pytest.approx(3.65)
    with pytest.raises(ValueError, match="eve_goal"):
        CryptoConfig(eve_goal=9.0)
    with pytest.raises(ValueError, match="batch must be at least 1"):
        CryptoConfig(batch=0)
    with pytest.raises(UserError, match="lr must be between 0 and 1"):
        resolve("neural-crypto", CryptoConfig, overrides={"lr": "2"})
    with pytest.raises(UserError, match="act"):
        resolve("neural-crypto", CryptoConfig, overrides={"act": "relu"})
