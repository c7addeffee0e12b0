"""neural-crypto from Python: train Alice, Bob and Eve, encrypt and decrypt, attack Alice.

    .venv/bin/python examples/crypto_api.py [RUN_DIR]

Trains with the benchmarked defaults (stops at success: Bob <= 0.05 bits wrong, Eve >= 7.3 of 16,
typically 1,000-2,500 steps, a minute or two on a free CPU core), then uses the networks directly.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from gansuite_core import load_run, train_app
from gansuite_neural_crypto.attack import attack
from gansuite_neural_crypto.data import format_bits, parse_bits

out = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/crypto-api")
if not (out / "checkpoints").is_dir():
    # Any core or application option is a keyword: train_app("neural-crypto", out, batch=1024, steps=3000)
    train_app("neural-crypto", out, seed=0)

run = load_run(out)  # config, networks (eval mode), the step it stopped at
alice, bob, eve = run.net("alice"), run.net("bob"), run.net("eve")
print(f"trained {run.step} steps; options: batch={run.config.options.batch}, lr={run.config.options.lr}")

key = parse_bits("0110100111010010", 16, "key")  # (1, 16) of ±1
plain = parse_bits("1111000010101100", 16, "plaintext")
with torch.no_grad():
    cipher = alice(plain, key)  # (1, 16), real values in (-1, 1)
    print("ciphertext:", " ".join(f"{v:+.2f}" for v in cipher[0].tolist()))
    print("Bob reads: ", format_bits(bob(cipher, key)), "(sent", format_bits(plain) + ")")
    print("Eve reads: ", format_bits(eve(cipher)))

# The paper's check: fresh Eves trained from scratch against the frozen Alice (short here; the CLI runs 10,000 steps).
report = attack(alice, run.config.options, eves=2, steps=1000)
for r in report["fresh_eves"]:
    print(f"fresh Eve ({r['kind']}): {r['bits_wrong']:.2f} bits wrong of 16 after {r['steps']} steps")
