"""`gansuite evaluate`, `gansuite generate` and `gansuite demo` for neural-crypto."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from gansuite_core import DemoRequest, DemoResult, GenerateRequest, Run, UserError
from gansuite_core.config import resolve

from .data import message_batch, save_arrays
from .game import CryptoConfig, measure
from .pictures import save_bits_picture

EVAL_SEED = 20161021  # the evaluation batch is the same for every run (the paper's arXiv date)


def steps_to_success(run: Run) -> int | None:
    """The first logged step whose success check passed, from metrics.jsonl (None: never)."""
    for row in run.metrics():
        if row.get("probe/success", 0.0) >= 1.0:
            return int(row["step"])
    return None


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    """Bob's and Eve's bits wrong on a fixed batch of `probe_batch` fresh messages, success, steps to success."""
    cfg: CryptoConfig = run.config.options
    nets = {k: v.to(device) for k, v in run.eval_nets().items()}
    m = measure(nets, cfg, EVAL_SEED, device)
    report: dict[str, Any] = {
        "messages": cfg.probe_batch,
        "bits": cfg.plain_bits,
        "bob_bits_wrong": m["bob_bits_wrong"],
        "eve_bits_wrong": m["eve_bits_wrong"],
        "goal": {"bob_at_most": cfg.bob_goal, "eve_at_least": round(cfg.eve_target, 4)},
        "success": bool(m["success"]),
        "steps_to_success": steps_to_success(run),
    }
    attack_file = run.dir / "attack.json"
    if attack_file.is_file():  # written by `gansuite crypto RUN attack`; reported apart from the co-trained Eve
        a = json.loads(attack_file.read_text())
        report["fresh_eves"] = {"lowest_bits_wrong": a["lowest_bits_wrong"], "holds": a["holds"], "count": len(a["fresh_eves"])}
    return report


@torch.no_grad()
def generate(run: Run, req: GenerateRequest) -> list[Path]:
    """FILE.npz: `num` random messages with plaintext, key, ciphertext, bob and eve arrays; FILE.png: their picture."""
    cfg: CryptoConfig = run.config.options
    nets = {k: v.to(req.device) for k, v in run.eval_nets().items()}
    if req.out.suffix == ".png":
        return [save_bits_picture(nets, cfg, req.out, seed=req.seed, messages=min(req.num, 64))]
    if req.out.suffix != ".npz":
        raise UserError(f"--out {req.out}: neural-crypto writes .npz (messages) or .png (a picture)")
    b = message_batch(torch.Generator().manual_seed(req.seed), req.num, cfg.plain_bits, cfg.key_bits)
    p, k = b["p"].to(req.device), b["k"].to(req.device)
    c = nets["alice"](p, k)
    return [save_arrays(req.out, plaintext=p, key=k, ciphertext=c, bob=nets["bob"](c, k), eve=nets["eve"](c))]


def demo(req: DemoRequest) -> DemoResult:
    """A short training run from scratch, its bit picture, and two short fresh-Eve attacks."""
    from gansuite_core.engine import train
    from gansuite_core.plugins import registry
    from gansuite_core.runs import load_run

    from .attack import attack

    app = registry().app("neural-crypto")
    steps, attack_steps = 4000, 1500
    config = resolve(app.name, CryptoConfig, app_defaults=app.core_defaults,
                     overrides={"steps": steps, "sample_every": 0, "checkpoint_every": steps, "device": str(req.device)})
    run_dir = req.out / "run"
    train(app, config, run_dir, quiet=req.quiet, registry=registry())
    run = load_run(run_dir, device=req.device)
    report = evaluate(run, req.device)
    a = attack(run.net("alice"), run.config.options, eves=2, steps=attack_steps, device=req.device)
    pictures = sorted((run_dir / "samples").glob("*.png"))[-1:] + [p for p in [run_dir / "loss.png"] if p.is_file()]
    done = f"succeeded at step {report['steps_to_success']}" if report["success"] else f"did not succeed within {run.step} steps"
    return DemoResult(
        title="neural-crypto: Alice, Bob and Eve (Abadi & Andersen 2016)",
        text=(f"16-bit messages and keys, trained from scratch for at most {steps} steps (one Alice/Bob update, two Eve updates each); "
              f"the run {done}. Two fresh Eves were then trained for only {attack_steps} steps against the frozen Alice "
              "(the real attack runs 10,000 steps or more)."),
        pictures=pictures,
        numbers={"bob_bits_wrong": report["bob_bits_wrong"], "co-trained eve_bits_wrong": report["eve_bits_wrong"],
                 "success": report["success"], "steps": run.step, "fresh_eve_lowest_bits_wrong": a["lowest_bits_wrong"],
                 "options": ", ".join(f"{k}={v}" for k, v in asdict(run.config.options).items() if k in ("batch", "lr", "eve_lr"))},
    )
