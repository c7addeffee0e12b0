"""`gansuite crypto RUN encrypt|decrypt|attack`: use a trained Alice and Bob, or attack Alice.

    gansuite crypto runs/c encrypt --key 0110… --plaintext 1010…      -> ciphertext values
    gansuite crypto runs/c decrypt --key 0110… --ciphertext 0.93,…    -> plaintext bits
    gansuite crypto runs/c encrypt --input msgs.npz --out enc.npz     (arrays plaintext, key of ±1)
    gansuite crypto runs/c decrypt --input enc.npz --out dec.npz      (arrays ciphertext, key)
    gansuite crypto runs/c attack [--budget quick|standard|full] [--seed S] [--json]   the attack battery
    gansuite crypto runs/c retrain [--attacker paper|mlpWxD] [--resets 5] [--steps 250000] [--batch 4096] [--jobs 2]
                                                                  the paper's retraining at its budget
"""
from __future__ import annotations

import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import click
import torch

from gansuite_core import UserError, load_run, pick_device, write_atomic

from .attacks import battery, make_attacker, retrain
from .data import format_bits, format_values, load_arrays, parse_bits, parse_values, save_arrays
from .evaluation import EVAL_SEED
from .game import measure
from .models import make_networks


@click.group("crypto")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--device", default="cpu", show_default=True, help="cpu | cuda | cuda:N | mps | auto.")
@click.pass_context
def crypto_group(ctx: click.Context, run_dir: Path, device: str) -> None:
    """Encrypt, decrypt or attack with a trained neural-crypto run: gansuite crypto RUN COMMAND."""
    ctx.obj = {"run_dir": run_dir, "device": device}


def _open(ctx: click.Context):
    dev = pick_device(ctx.obj["device"])
    return load_run(ctx.obj["run_dir"], app="neural-crypto", device=dev), dev


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
@click.option("--budget", type=click.Choice(["quick", "standard", "full"]), help="Attack budget (default: the run's attack_budget, full).")
@click.option("--seed", type=int, help="Seed of the attackers' weights and messages (default: the run's attack_seed).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def attack_command(ctx: click.Context, budget: str | None, seed: int | None, as_json: bool) -> None:
    """Train the attack battery from scratch against the frozen Alice; write RUN/attack.json."""
    run, dev = _open(ctx)
    cfg = run.config.options
    say = (lambda s: None) if as_json else (lambda s: print(f"gansuite: {s}", file=sys.stderr, flush=True))
    co = measure({k: v.to(dev) for k, v in run.eval_nets().items()}, cfg, EVAL_SEED, dev)
    result = battery(run.net("alice"), cfg, budget=budget or cfg.attack_budget, seed=cfg.attack_seed if seed is None else seed,
                     device=dev, quiet=as_json, say=say)
    report = {"step": run.step, "run": str(ctx.obj["run_dir"]), "bob_soft_bits_wrong": co["bob_soft"], "bob_bits_wrong": co["bob_rounded"],
              "strongest_co_trained_eve_soft_bits_wrong": co["strongest_eve_soft"], **result}
    write_atomic(ctx.obj["run_dir"] / "attack.json", json.dumps(report, indent=2))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    n = cfg.plain_bits
    click.echo(f"Bob: {co['bob_soft']:.4f} soft bits wrong of {n} ({co['bob_rounded']:.4f} rounded); "
               f"strongest co-trained Eve: {co['strongest_eve_soft']:.3f} soft")
    click.echo(f"attack battery, {result['budget']} budget, {result['held_out_messages']} held-out messages (coin flip: {n / 2:g} bits wrong):")
    for r in result["attackers"]:
        if r["kind"] == "exhaustive":
            click.echo(f"  {r['name']:<44} advantage {r['largest_advantage']:+.4f} on values, {r['largest_sign_advantage']:+.4f} on signs "
                       f"(largest of {r['pairs']} plaintext pairs, exact); no training, {r['cpu_seconds']:.0f} CPU-s")
            continue
        what = (f"advantage {r['advantage']:+.4f} (largest {r['largest_advantage']:+.4f})" if r["kind"] == "distinguisher"
                else f"{r['bits_wrong']:.3f} bits wrong (lowest {r['lowest_bits_wrong']:.3f})")
        pairs = f"{r['train_pairs']} pairs" if r["train_pairs"] else "fresh messages"
        click.echo(f"  {r['name']:<44} {what}; seed {r['seed']}, {r['steps']} steps x {r['batch']} on {pairs}, {r['cpu_seconds']:.0f} CPU-s")
    verdict = "holds" if result["holds"] else "is BROKEN"
    click.echo(f"best attacker: {result['best_attacker']}, {result['best_bits_wrong']:.3f} bits wrong; largest advantage "
               f"{result['largest_advantage']:+.4f}; the cipher {verdict} against this battery (goal: >= {result['goal']['bits_wrong_at_least']:g} "
               f"bits wrong, advantage <= {result['goal']['advantage_at_most']:g})")


@crypto_group.command("retrain")
@click.option("--attacker", default="paper", show_default=True, help="paper (the paper's Eve, L1 loss) or mlpWIDTHxDEPTH (ReLU MLP, BCE).")
@click.option("--resets", default=5, show_default=True, type=click.IntRange(1), help="Fresh attackers, each from scratch; the best counts.")
@click.option("--steps", default=250_000, show_default=True, type=click.IntRange(1), help="Steps of each attacker (official: 250,000).")
@click.option("--batch", default=4_096, show_default=True, type=click.IntRange(1), help="Fresh messages a step (official: 4,096).")
@click.option("--seed", default=0, show_default=True, help="Seed of the attackers' weights, their messages and the held-out set.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1), help="Resets trained at once, one process each (CPU only); the results do not depend on it.")
@click.option("--out", type=click.Path(path_type=Path), help="JSON lines, one per reset (default: RUN/retrain-ATTACKER.jsonl).")
@click.pass_context
def retrain_command(ctx: click.Context, attacker: str, resets: int, steps: int, batch: int, seed: int, jobs: int, out: Path | None) -> None:
    """The paper's retraining (Abadi & Andersen 2016, section 2.5) at the official code's budget against the frozen Alice.

    Each reset's result is a line of --out as soon as it finishes; run the same command again after a
    kill and finished resets are read back, not retrained.
    """
    run, dev = _open(ctx)
    cfg = run.config.options
    try:
        make_attacker(attacker, cfg)
    except ValueError as e:
        raise UserError(f"--attacker: {e}") from None
    if jobs > 1 and dev.type != "cpu":
        raise UserError(f"--jobs {jobs}: parallel resets run on the CPU only; on {dev.type} use --jobs 1")
    out = out or ctx.obj["run_dir"] / f"retrain-{attacker}.jsonl"
    if out.is_dir():
        raise UserError(f"--out {out}: is a folder; expected a file name such as {out / f'retrain-{attacker}.jsonl'}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)  # now, not after the first reset's half hour
    except OSError as e:
        raise UserError(f"--out {out}: cannot create its folder ({e.strerror})") from None
    same = {"name": attacker, "steps": steps, "batch": batch, "attack_seed": seed, "run_step": run.step}
    lines = out.read_text().splitlines() if out.exists() else []
    done: dict[int, dict] = {}
    for i, line in enumerate(lines):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            row = None
        if not (isinstance(row, dict) and isinstance(row.get("reset"), int)):
            raise UserError(f"{out}: line {i + 1} is not a reset's JSON record; move the file away to start over")
        if all(row.get(k) == v for k, v in same.items()):
            done[row["reset"]] = row

    def report(row: dict, note: str = "") -> None:
        click.echo(f"reset {row['reset']}: {row['bits_wrong']:.3f} bits wrong of {cfg.plain_bits} (lowest {row['lowest_bits_wrong']:.3f}, "
                   f"soft {row['soft_bits_wrong']:.3f}), {steps} steps x {batch}, {row['cpu_seconds'] / 60:.1f} CPU-min{note}")

    def keep(row: dict) -> None:
        done[row["reset"]] = row
        lines.append(json.dumps(row))
        write_atomic(out, "\n".join(lines) + "\n")  # whole file, atomically: a kill loses only the resets under way
        report(row)

    for r in sorted(set(done) & set(range(resets))):
        report(done[r], " (read back)")
    todo = [r for r in range(resets) if r not in done]
    kw = {"steps": steps, "batch": batch, "seed": seed}
    if jobs == 1 or len(todo) < 2:
        for r in todo:
            keep({**retrain(run.net("alice"), cfg, attacker, reset=r, device=dev, quiet=False, **kw), "run_step": run.step})
    else:
        alice = {k: v.cpu() for k, v in run.net("alice").state_dict().items()}
        threads = max(1, torch.get_num_threads() // jobs)
        # spawn, not fork: a forked child would inherit torch's thread pools mid-state
        with ProcessPoolExecutor(min(jobs, len(todo)), mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_retrain_reset, alice, cfg, attacker, r, i % jobs, threads, kw) for i, r in enumerate(todo)]
            for f in as_completed(futures):
                keep({**f.result(), "run_step": run.step})
    best = min((done[r] for r in range(resets)), key=lambda row: row["lowest_bits_wrong"])
    goal = 7.5 * cfg.plain_bits / 16
    click.echo(f"best of {resets} resets: {best['lowest_bits_wrong']:.3f} bits wrong (coin flip {cfg.plain_bits / 2:g}); the cipher "
               f"{'holds' if best['lowest_bits_wrong'] >= goal else 'is BROKEN'} against it (goal >= {goal:g}); {out}")


def _retrain_reset(alice_state: dict[str, torch.Tensor], cfg, attacker: str, reset: int, position: int, threads: int, kw: dict) -> dict:
    """One reset in a worker process of `retrain --jobs`: Alice rebuilt from her weights (tensors, no code)."""
    torch.set_num_threads(threads)
    alice = make_networks(cfg)["alice"]
    alice.load_state_dict(alice_state)
    return retrain(alice, cfg, attacker, reset=reset, quiet=False, position=position, **kw)
