"""neural-crypto: Alice, Bob and Eve (Abadi & Andersen 2016, "Learning to protect communications
with adversarial neural cryptography", arXiv 1610.06918), registered with gansuite.

Alice encrypts a plaintext with a shared key, Bob decrypts with the key, Eve sees only the
ciphertext. A learning experiment, not a cipher: see docs/neural-crypto.md.
"""
from __future__ import annotations

from gansuite_core import Application, hookimpl

from .commands import crypto_group
from .config import CryptoConfig
from .evaluation import demo, evaluate, generate
from .game import make_game
from .models import make_networks

# Train until the official stopping rule holds, at most `steps`.
CORE_DEFAULTS = {"steps": 10000, "log_every": 50, "sample_every": 2000, "checkpoint_every": 2000, "keep_checkpoints": 1}
# A seconds-long run (contract tests, check-plugin): 8-bit messages, small batches, the quick attack battery.
QUICK = {"plain_bits": 8, "key_bits": 8, "cipher_bits": 8, "batch": 64, "probe_every": 10, "probe_batch": 256,
         "attack_budget": "quick", "attack_mlps": "32x2,64x3", "steps": 30, "log_every": 10, "sample_every": 0, "checkpoint_every": 15}

APP = Application(
    name="neural-crypto",
    summary="Alice and Bob learn to encrypt against eavesdroppers, checked by an attack battery (Abadi & Andersen 2016)",
    config=CryptoConfig,
    networks=make_networks,
    game=make_game,
    evaluate=evaluate,
    generate=generate,
    generate_suffixes=(".npz", ".png"),
    demo=demo,
    core_defaults=CORE_DEFAULTS,
    quick=QUICK,
)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)


@hookimpl
def gansuite_register_commands(cli) -> None:
    cli.add_command(crypto_group)
