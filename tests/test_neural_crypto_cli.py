"""neural-crypto end to end: Bob learns to decrypt in a short run; encrypt/decrypt/attack/evaluate from the CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from gansuite_core import load_run
from gansuite_core.cli import main
from gansuite_core.plugins import build_registry, set_registry
from conftest import quick

# The application's quick settings (8-bit messages, the quick attack battery) with a higher lr. A loose goal
# (Bob below 2 soft bits wrong of 8, any Eve, no exhaustive check) stops the run after ~150 steps: the test checks early stopping and
# the commands in seconds; training to the real goal is the benchmark's job (docs/neural-crypto.md).
SHORT = quick("neural-crypto", batch=128, lr=0.004, eve_lr=0.004, probe_every=50, probe_batch=1024, bob_goal=2.0, eve_goal=0.5, stop_advantage=1,
              log_every=50, sample_every=0, checkpoint_every=1000)


@pytest.fixture(scope="module", autouse=True)
def only_this_plugin():
    mp = pytest.MonkeyPatch()
    mp.setenv("GANSUITE_LOAD_PLUGINS", "neural-crypto")
    set_registry(build_registry())
    yield
    set_registry(None)
    mp.undo()


def cli(*args: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(args))
        raise SystemExit(0)
    return e.value.code


def train(out, **options) -> None:
    sets = [a for k, v in {**SHORT, **options}.items() for a in ("--set", f"{k}={v}")]
    assert cli("train", "neural-crypto", "--out", str(out), "--quiet", *sets) == 0


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "crypto"
    train(out, steps=1000)
    return out


def test_bob_learns_to_decrypt_and_the_run_stops_at_success(trained, capsys):
    run = load_run(trained)
    assert run.step < 1000  # stopped by the check, not the step budget
    capsys.readouterr()
    assert cli("evaluate", str(trained), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["bob_soft_bits_wrong"] <= 2.5  # of 8 (coin flip: 4), on the evaluation batch (the probe saw < 2 on its own)
    assert report["bob_bits_wrong"] <= report["bob_soft_bits_wrong"] + 0.05  # rounding helps Bob
    assert not report["success"]  # Bob is far from 0.05: the battery's verdict needs a trained Bob too
    assert report["stopped_by_official_rule_at"] == run.step
    assert report["attack_budget"] == "quick" and len(report["attackers"]) == 7
    assert (trained / "attack.json").is_file() and (trained / "dependence.png").is_file()
    first = run.metrics()[0]
    assert first["alice_bob/bob_bits"] > 2.0  # Bob started near a coin flip (4 of 8)
    assert (trained / "samples" / f"step-{run.step:08d}.png").is_file()


def test_encrypt_then_decrypt_from_the_command_line(trained, capsys):
    run = load_run(trained, app="neural-crypto")
    capsys.readouterr()
    for key, plain in [("01101001", "11110000"), ("00000000", "10101010"), ("11111111", "00110011")]:
        assert cli("crypto", str(trained), "encrypt", "--key", key, "--plaintext", plain) == 0
        cipher = capsys.readouterr().out.strip()
        k, p = (torch.tensor([[1.0 if ch == "1" else -1.0 for ch in t]]) for t in (key, plain))
        with torch.no_grad():
            c = run.net("alice")(p, k)
            assert cipher == ",".join(f"{v:.5f}" for v in c[0].tolist())  # Alice's output, 5 decimals
            bob = "".join("1" if v >= 0 else "0" for v in run.net("bob")(torch.tensor([[float(x) for x in cipher.split(",")]]), k)[0])
        assert cli("crypto", str(trained), "decrypt", "--key", key, "--ciphertext", cipher) == 0
        assert capsys.readouterr().out.strip() == bob  # Bob's reading of the printed ciphertext


def test_batch_mode_round_trip(trained, tmp_path):
    g = np.random.default_rng(0)
    p, k = g.choice([-1.0, 1.0], (200, 8)), g.choice([-1.0, 1.0], (200, 8))
    np.savez(tmp_path / "m.npz", plaintext=p, key=k)
    assert cli("crypto", str(trained), "encrypt", "--input", str(tmp_path / "m.npz"), "--out", str(tmp_path / "c.npz")) == 0
    with np.load(tmp_path / "c.npz") as z:
        assert sorted(z.files) == ["ciphertext", "key", "plaintext"] and z["ciphertext"].shape == (200, 8)
        assert (z["plaintext"] == p).all() and (z["key"] == k).all()
    assert cli("crypto", str(trained), "decrypt", "--input", str(tmp_path / "c.npz"), "--out", str(tmp_path / "d.npz")) == 0
    with np.load(tmp_path / "d.npz") as z:
        assert sorted(z.files) == ["ciphertext", "key", "plaintext"] and set(np.unique(z["plaintext"])) <= {-1.0, 1.0}
        assert (z["plaintext"] != p).sum(1).mean() <= 2.5  # a partly trained Bob: far better than a coin flip (4 of 8)


@pytest.mark.parametrize("args, message", [
    (["encrypt", "--key", "0110100", "--plaintext", "11110000"], "--key '0110100': expected 8 bits, got 7"),
    (["encrypt", "--key", "01101001", "--plaintext", "1111000x"], "only the characters 0 and 1"),
    (["encrypt", "--key", "01101001"], "missing --plaintext"),
    (["decrypt", "--key", "01101001", "--ciphertext", "0.5,0.5"], "expected 8 numbers, got 2"),
    (["encrypt", "--input", "nowhere.npz", "--out", "x.npz"], "no such file"),
    (["encrypt", "--input", "m.npz"], "needs both --input"),
])
def test_user_mistakes_are_one_line_errors(trained, capsys, args, message):
    capsys.readouterr()
    assert cli("crypto", str(trained), *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gansuite: error:") and message in err and "\n" not in err


def test_not_a_run_is_a_one_line_error(tmp_path, capsys):
    assert cli("crypto", str(tmp_path), "encrypt", "--key", "0", "--plaintext", "0") == 2
    assert "no config.toml" in capsys.readouterr().err


def test_attack_runs_the_battery_and_evaluate_reuses_it(trained, capsys):
    capsys.readouterr()
    assert cli("crypto", str(trained), "attack", "--budget", "quick", "--seed", "3", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    names = [a["name"] for a in report["attackers"]]
    assert names[:2] == ["paper Eve", "paper Eve, wider and deeper"] and names[-2].startswith("chosen-plaintext")
    assert names[-1] == "exhaustive distinguisher (all 2^8 keys)"
    assert "logistic regression per bit" in names and sum(n.startswith("MLP") for n in names) == 2
    bits = [a for a in report["attackers"] if a["kind"] == "bits"]
    assert all(0 <= a["bits_wrong"] <= 8 and a["steps"] > 0 and a["cpu_seconds"] >= 0 for a in bits)
    assert report["best_bits_wrong"] == min(a["lowest_bits_wrong"] for a in bits)
    assert json.loads((trained / "attack.json").read_text())["attackers"] == report["attackers"]
    assert cli("evaluate", str(trained), "--json") == 0  # reuses attack.json (same step, budget as strong)
    ev = json.loads(capsys.readouterr().out)
    assert ev["best_attacker_bits_wrong"] == report["best_bits_wrong"] and ev["largest_advantage"] == report["largest_advantage"]
    assert cli("crypto", str(trained), "attack", "--budget", "quick") == 0  # the text report
    out = capsys.readouterr().out
    assert "best attacker:" in out and "distinguisher" in out and "CPU-s" in out and "on signs" in out
    assert cli("crypto", str(trained), "attack", "--budget", "huge") == 2


def test_retrain_writes_a_line_per_reset_and_resumes(trained, capsys):
    capsys.readouterr()
    args = ["crypto", str(trained), "retrain", "--attacker", "mlp16x1", "--resets", "2", "--steps", "20", "--batch", "64"]
    assert cli(*args) == 0
    out = capsys.readouterr().out
    assert "reset 0:" in out and "reset 1:" in out and "best of 2 resets" in out and "read back" not in out
    rows = [json.loads(line) for line in (trained / "retrain-mlp16x1.jsonl").read_text().splitlines()]
    assert [r["reset"] for r in rows] == [0, 1] and all(r["steps"] == 20 and r["batch"] == 64 for r in rows)
    assert cli(*args[:-6], "--resets", "3", "--steps", "20", "--batch", "64") == 0  # the two finished resets are read back
    assert capsys.readouterr().out.count("(read back)") == 2
    assert len((trained / "retrain-mlp16x1.jsonl").read_text().splitlines()) == 3
    # Two worker processes give the same resets as one process (seeds belong to the reset, not the worker).
    assert cli(*args, "--jobs", "2", "--out", str(trained / "parallel.jsonl")) == 0
    parallel = sorted((json.loads(line) for line in (trained / "parallel.jsonl").read_text().splitlines()), key=lambda r: r["reset"])
    drop = lambda r: {k: v for k, v in r.items() if k != "cpu_seconds"}  # noqa: E731
    assert [drop(r) for r in parallel] == [drop(r) for r in rows]
    assert cli(*args, "--out", str(trained)) == 2  # a folder, refused before any training
    assert capsys.readouterr().err.strip().startswith(f"gansuite: error: --out {trained}: is a folder")
    (trained / "odd.jsonl").write_text('{"reset": 0}\n[1, 2]\n')  # valid JSON, not a record
    assert cli(*args, "--out", str(trained / "odd.jsonl")) == 2
    assert capsys.readouterr().err.strip() == f"gansuite: error: {trained / 'odd.jsonl'}: line 2 is not a reset's JSON record; move the file away to start over"
    assert cli(*args, "--out", str(trained / "odd.jsonl" / "x.jsonl")) == 2  # its folder would be a file
    assert capsys.readouterr().err.strip().startswith(f"gansuite: error: --out {trained / 'odd.jsonl' / 'x.jsonl'}: cannot create its folder")
    assert cli("crypto", str(trained), "retrain", "--attacker", "cnn") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gansuite: error: --attacker:") and "mlpWIDTHxDEPTH" in err and "\n" not in err


def test_same_seed_same_run(tmp_path):
    for name in ("a", "b"):
        train(tmp_path / name, steps=8, probe_every=4)
    a, b = load_run(tmp_path / "a"), load_run(tmp_path / "b")
    for net in ("alice", "bob", "eve", "eve_mlp"):
        for k, v in a.net(net).state_dict().items():
            assert torch.equal(v, b.net(net).state_dict()[k]), (net, k)
