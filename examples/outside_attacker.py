"""An eavesdropper written outside gansuite: it sees only what the batch codec writes, and attacks with scikit-learn.

    python examples/outside_attacker.py RUN [--pairs 50000] [--held-out 10000] [--seed 0]

This is issue 12's test as a user ran it: messages and keys of our own drawing go through
`gansuite crypto RUN encrypt --input ... --out ...` (the only door), then three scikit-learn models,
none of them the project's code, try to read the plaintext from the ciphertext alone:
  - a multilayer perceptron (MLPClassifier, 2 x 256 ReLU, Adam, early stopping), one output per bit;
  - a per-bit logistic regression on the ciphertext and its pairwise products (a quadratic probe);
  - per-bit gradient-boosted trees (HistGradientBoostingClassifier).
Scored on held-out messages: bits wrong of N (a coin flip gets N/2). Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import PolynomialFeatures


def encrypt(run: Path, plaintext: np.ndarray, key: np.ndarray, tmp: Path) -> np.ndarray:
    """The CLI codec, exactly as an outside tool calls it: ±1 arrays in, real ciphertext out."""
    np.savez(tmp / "msgs.npz", plaintext=plaintext, key=key)
    subprocess.run([sys.executable, "-m", "gansuite_core", "crypto", str(run), "encrypt",
                    "--input", str(tmp / "msgs.npz"), "--out", str(tmp / "enc.npz")], check=True, capture_output=True)
    return np.load(tmp / "enc.npz")["ciphertext"]


def bits_wrong(guess: np.ndarray, truth: np.ndarray) -> float:
    return float((guess != (truth > 0)).sum(1).mean())  # guess: (M, N) booleans, truth: (M, N) in ±1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--pairs", type=int, default=50_000, help="training pairs for the attackers")
    ap.add_argument("--held-out", type=int, default=10_000, help="messages they are scored on")
    ap.add_argument("--bits", type=int, default=16, help="plaintext and key length of the run")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.pairs + args.held_out
    p = rng.choice([-1.0, 1.0], size=(n, args.bits)).astype(np.float32)
    k = rng.choice([-1.0, 1.0], size=(n, args.bits)).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        c = encrypt(args.run, p, k, Path(tmp))
    tr, te = slice(0, args.pairs), slice(args.pairs, n)
    y = p > 0  # (n, N) bits
    result = {"run": str(args.run), "pairs": args.pairs, "held_out": args.held_out, "coin_flip": args.bits / 2}

    t = time.process_time()
    mlp = MLPClassifier((256, 256), early_stopping=True, max_iter=200, random_state=args.seed).fit(c[tr], y[tr])
    result["mlp_256x2"] = bits_wrong(mlp.predict(c[te]), p[te])
    quad = PolynomialFeatures(2, include_bias=False).fit(c[tr])
    xq_tr, xq_te = quad.transform(c[tr]), quad.transform(c[te])
    guess = np.stack([LogisticRegression(max_iter=500).fit(xq_tr, y[tr, j]).predict(xq_te) for j in range(args.bits)], 1)
    result["quadratic_logistic"] = bits_wrong(guess, p[te])
    guess = np.stack([HistGradientBoostingClassifier(random_state=args.seed).fit(c[tr], y[tr, j]).predict(c[te])
                      for j in range(args.bits)], 1)
    result["boosted_trees"] = bits_wrong(guess, p[te])
    result["best"] = min(result[k] for k in ("mlp_256x2", "quadratic_logistic", "boosted_trees"))
    result["cpu_seconds"] = round(time.process_time() - t, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
