"""`gansuite crypto RUN encrypt|decrypt|attack`: use a trained Alice and Bob, or attack Alice.

    gansuite crypto runs/c encrypt --key 0110… --plaintext 1010…      -> ciphertext values
    gansuite crypto runs/c decrypt --key 0110… --ciphertext 0.93,…    -> plaintext bits
    gansuite crypto runs/c encrypt --input msgs.npz --out enc.npz     (arrays plaintext, key of ±1)
    gansuite crypto runs/c decrypt --input enc.npz --out dec.npz      (arrays ciphertext, key)
    gansuite crypto runs/c attack [--steps N] [--eves K] [--json]     fresh Eves against the frozen Alice
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import torch

from gansuite_core import UserError, load_run

from .attack import attack
from .data import format_bits, format_values, load_arrays, parse_bits, parse_values, save_arrays


@click.group("crypto")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--device", default="cpu", show_default=True, help="cpu | cuda | cuda:N | mps | auto.")
@click.pass_context
def crypto_group(ctx: click.Context, run_dir: Path, device: str) -> None:
    """Encrypt, decrypt or attack with a trained neural-crypto run: gansuite crypto RUN COMMAND."""
    ctx.obj = {"run_dir": run_dir, "device": device}


def _open(ctx: click.Context):
    from gansuite_core.devices import resolve_device

    dev, _ = resolve_device(ctx.obj["device"])
    run = load_run(ctx.obj["run_dir"], device=dev)
    if run.app.name != "neural-crypto":
        raise UserError(f"{ctx.obj['run_dir']}: a run of '{run.app.name}', not 'neural-crypto'")
    return run, dev


def _mode(single: dict[str, str | None], input_: Path | None, out: Path | None) -> bool:
    """True for batch mode (--input/--out), False for one message; one-line errors for mixtures."""
    given = [k for k, v in single.items() if v is not None]
    if input_ is not None or out is not None:
        if input_ is None or out is None:
            raise UserError("batch mode needs both --input FILE.npz and --out FILE.npz")
        if given:
            raise UserError(f"use either --input/--out or {', '.join('--' + k for k in single)}, not both")
        return True
    missing = [k for k, v in single.items() if v is None]
    if missing:
        raise UserError(f"missing {', '.join('--' + k for k in missing)} (or use --input FILE.npz --out FILE.npz)")
    return False


@crypto_group.command()
@click.option("--key", help="The key as a string of 0/1, key_bits long.")
@click.option("--plaintext", help="The message as a string of 0/1, plain_bits long.")
@click.option("--input", "input_", type=click.Path(path_type=Path), help="Batch mode: .npz with arrays plaintext and key (±1).")
@click.option("--out", type=click.Path(path_type=Path), help="Batch mode: .npz to write (plaintext, key, ciphertext).")
@click.pass_context
@torch.no_grad()
def encrypt(ctx: click.Context, key: str | None, plaintext: str | None, input_: Path | None, out: Path | None) -> None:
    """Alice: plaintext and key -> ciphertext (real values in (-1, 1), printed comma-separated)."""
    batch = _mode({"key": key, "plaintext": plaintext}, input_, out)
    run, dev = _open(ctx)
    cfg = run.config.options
    alice = run.net("alice")
    if batch:
        a = load_arrays(input_, {"plaintext": cfg.plain_bits, "key": cfg.key_bits}, signs=("plaintext", "key"))
        c = alice(a["plaintext"].to(dev), a["key"].to(dev))
        click.echo(str(save_arrays(out, plaintext=a["plaintext"], key=a["key"], ciphertext=c)))
        return
    k = parse_bits(key, cfg.key_bits, "--key").to(dev)
    p = parse_bits(plaintext, cfg.plain_bits, "--plaintext").to(dev)
    click.echo(format_values(alice(p, k)))


@crypto_group.command()
@click.option("--key", help="The key as a string of 0/1, key_bits long.")
@click.option("--ciphertext", help="cipher_bits comma-separated values, as printed by encrypt.")
@click.option("--input", "input_", type=click.Path(path_type=Path), help="Batch mode: .npz with arrays ciphertext and key.")
@click.option("--out", type=click.Path(path_type=Path), help="Batch mode: .npz to write (ciphertext, key, plaintext as ±1).")
@click.pass_context
@torch.no_grad()
def decrypt(ctx: click.Context, key: str | None, ciphertext: str | None, input_: Path | None, out: Path | None) -> None:
    """Bob: ciphertext and key -> plaintext bits."""
    batch = _mode({"key": key, "ciphertext": ciphertext}, input_, out)
    run, dev = _open(ctx)
    cfg = run.config.options
    bob = run.net("bob")
    if batch:
        a = load_arrays(input_, {"ciphertext": cfg.cipher_bits, "key": cfg.key_bits}, signs=("key",))
        guess = bob(a["ciphertext"].clamp(-1, 1).to(dev), a["key"].to(dev))
        plain = torch.where(guess >= 0, 1.0, -1.0)  # (rows, Np) of ±1
        click.echo(str(save_arrays(out, ciphertext=a["ciphertext"], key=a["key"], plaintext=plain)))
        return
    k = parse_bits(key, cfg.key_bits, "--key").to(dev)
    c = parse_values(ciphertext, cfg.cipher_bits, "--ciphertext").to(dev)
    click.echo(format_bits(bob(c, k)))


@crypto_group.command("attack")
@click.option("--steps", type=int, help="Training steps per fresh Eve (default: the run's attack_steps, 10,000).")
@click.option("--eves", type=int, help="How many fresh Eves (default: the run's attack_eves); the last is wider and deeper.")
@click.option("--seed", default=0, show_default=True, help="Seed of the fresh Eves' weights and messages.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def attack_command(ctx: click.Context, steps: int | None, eves: int | None, seed: int, as_json: bool) -> None:
    """Train fresh Eves from scratch against the frozen Alice; write RUN/attack.json."""
    from .game import measure
    from .evaluate import EVAL_SEED

    run, dev = _open(ctx)
    cfg = run.config.options
    steps = cfg.attack_steps if steps is None else steps
    eves = cfg.attack_eves if eves is None else eves
    if steps < 1 or eves < 1:
        raise UserError(f"--steps and --eves must be at least 1 (got {steps}, {eves})")
    say = (lambda s: None) if as_json else (lambda s: print(f"gansuite: {s}", file=sys.stderr, flush=True))
    co = measure({k: v.to(dev) for k, v in run.eval_nets().items()}, cfg, EVAL_SEED, dev)
    result = attack(run.net("alice"), cfg, eves=eves, steps=steps, seed=seed, device=dev, say=say)
    report = {"run": str(ctx.obj["run_dir"]), "step": run.step, "bob_bits_wrong": co["bob_bits_wrong"],
              "co_trained_eve_bits_wrong": co["eve_bits_wrong"], **result}
    (ctx.obj["run_dir"] / "attack.json").write_text(json.dumps(report, indent=2))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"Bob: {report['bob_bits_wrong']:.3f} bits wrong of {cfg.plain_bits}; co-trained Eve: {report['co_trained_eve_bits_wrong']:.3f}")
    for r in result["fresh_eves"]:
        click.echo(f"fresh Eve seed {r['seed']} ({r['kind']}, {r['steps']} steps): {r['bits_wrong']:.3f} bits wrong "
                   f"(lowest {r['lowest_bits_wrong']:.3f})")
    verdict = "holds" if result["holds"] else "BROKEN"
    click.echo(f"strongest fresh Eve: {result['lowest_bits_wrong']:.3f} bits wrong (coin flip: {cfg.plain_bits / 2:g}); the cipher {verdict} "
               f"against these attackers")
