"""neural-crypto from Python: train Alice, Bob and the Eves, encrypt and decrypt, attack Alice.

    .venv/bin/python examples/crypto_api.py [RUN_DIR]

Trains with the defaults (stops at the official rule: Bob < 0.02 soft bits wrong, every co-trained
Eve > 7.7 of 16, at most 10,000 steps), then uses the networks directly and runs the attack battery
on its quick budget (the CLI's `gansuite crypto RUN attack` runs the full one).
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from gansuite_core import load_run, train_app
from gansuite_neural_crypto.attacks import battery
from gansuite_neural_crypto.data import format_bits, parse_bits

out = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/crypto-api")
if not (out / "checkpoints").is_dir():
    # Any core or application option is a keyword: train_app("neural-crypto", out, batch=1024, arch="mix")
    train_app("neural-crypto", out, seed=0)

run = load_run(out, app="neural-crypto")  # config, networks (eval mode), the step it stopped at
alice, bob, eve = run.net("alice"), run.net("bob"), run.net("eve")
print(f"trained {run.step} steps; options: arch={run.config.options.arch}, eves={run.config.options.eves}")

key = parse_bits("0110100111010010", 16, "key")  # (1, 16) of ±1
plain = parse_bits("1111000010101100", 16, "plaintext")
with torch.no_grad():
    cipher = alice(plain, key)  # (1, 16), real values in (-1, 1)
    print("ciphertext:", " ".join(f"{v:+.2f}" for v in cipher[0].tolist()))
    print("Bob reads: ", format_bits(bob(cipher, key)), "(sent", format_bits(plain) + ")")
    print("Eve reads: ", format_bits(eve(cipher)))

report = battery(alice, run.config.options, budget="quick", seed=0)
for r in report["attackers"]:
    what = f"advantage {r['advantage']:+.3f}" if r["kind"] == "distinguisher" else f"{r['bits_wrong']:.2f} bits wrong of 16"
    print(f"{r['name']}: {what} after {r['steps']} steps")
print("holds" if report["holds"] else "BROKEN", "against the quick battery")
