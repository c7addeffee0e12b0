"""`gansuite check-plugin APP`: an application end to end on its `quick` settings.

The same checks run in the contract tests (tests/test_contract.py) for every registered
application, so a plugin author who passes `gansuite check-plugin` passes those too:

    train      trains `quick` settings for 4 steps; sample pictures and loss.png are written
    resume     2 steps, then --resume to 4: every weight (and EMA weight) equals the 4-step run's
    reload     load_run(app=...) gives the networks of the checkpoint, in eval mode
    evaluate   the report is a JSON-serialisable dict (skipped when the application has none)
    generate   writes the files it returns, for the first of `generate_suffixes`
    demo       a quick demo returns pictures that exist (DemoRequest.quick)
    errors     an unknown option and a negative step count are one-line UserErrors
"""
from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from . import checkpoint as ckpt
from .app import Application, DemoRequest, GenerateRequest
from .config import resolve, resolve_options
from .engine import train
from .errors import UserError
from .runs import load_run, resume_config

STEPS = 4


@dataclass
class CheckResult:
    name: str  # train, resume, reload, evaluate, generate, demo, errors
    ok: bool
    detail: str  # what was seen, or what failed (one line)
    seconds: float


def _weights(run_dir: Path) -> dict[str, torch.Tensor]:
    state = ckpt.load(ckpt.list_checkpoints(run_dir / "checkpoints")[-1][1])
    flat: dict[str, torch.Tensor] = {}
    for group in ("nets", "ema"):
        ckpt.flatten(state[group], group, flat)
    return flat


def check_app(app: Application, out: Path, *, registry: Any = None, only: set[str] | None = None,
              device: torch.device = torch.device("cpu")) -> list[CheckResult]:
    """Run the checks of the module doc (or those in `only`) into folder `out`; never raises for a failing check."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results: list[CheckResult] = []
    state: dict[str, Any] = {}

    def config(steps: int, **extra: Any):
        over = {**app.quick, "steps": steps, "checkpoint_every": 2, "sample_every": steps, "device": str(device), **extra}
        return resolve(app.name, app.config, app_defaults=app.core_defaults, overrides=over)

    def step(name: str, fn: Callable[[], str]) -> None:
        if only is not None and name not in only:
            return
        t0 = time.perf_counter()
        try:
            detail, ok = fn(), True
        except Exception as e:  # noqa: BLE001 -- a failing check is reported, the others still run
            frame = traceback.extract_tb(e.__traceback__)[-1]
            detail, ok = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''} ({Path(frame.filename).name}:{frame.lineno})", False
        results.append(CheckResult(name, ok, detail, round(time.perf_counter() - t0, 2)))

    def do_train() -> str:
        train(app, config(STEPS), out / "full", quiet=True, registry=registry)
        assert any((out / "full" / "samples").iterdir()), "no sample pictures in samples/"
        assert (out / "full" / "loss.png").is_file(), "no loss.png"
        return f"{STEPS} steps"

    def do_resume() -> str:
        train(app, config(STEPS // 2), out / "part", quiet=True, registry=registry)
        train(app, resume_config(out / "part", app, {"steps": STEPS}), out / "part", resume=True, quiet=True, registry=registry)
        a, b = _weights(out / "full"), _weights(out / "part")
        assert a.keys() == b.keys(), "the resumed run has other tensors"
        bad = [k for k in a if not torch.equal(a[k], b[k])]
        assert not bad, f"resumed weights differ from the uninterrupted run's in {bad[:3]}"
        return f"{len(a)} tensors equal"

    def do_reload() -> str:
        run = load_run(out / "full", app=app, device=device, registry=registry)
        assert run.step == STEPS, f"step {run.step}"
        assert all(not m.training for m in run.networks.values()), "networks not in eval mode"
        state["run"] = run
        return f"networks {', '.join(run.networks)}"

    def do_evaluate() -> str:
        if app.evaluate is None:
            return "no evaluation (skipped)"
        run = state.get("run") or load_run(out / "full", app=app, device=device, registry=registry)
        report = app.evaluate(run, device)
        assert isinstance(report, dict) and report, "evaluate returned no dict"
        json.dumps(report, default=str)
        return f"keys {', '.join(list(report)[:6])}"

    def do_generate() -> str:
        if app.generate is None:
            return "no generate (skipped)"
        run = state.get("run") or load_run(out / "full", app=app, device=device, registry=registry)
        options = resolve_options(app.generate_options, {}) if app.generate_options else None
        target = out / "generated" / f"samples{app.generate_suffixes[0]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        paths = app.generate(run, GenerateRequest(4, target, 0, device, options))
        assert paths and all(Path(p).exists() for p in paths), f"generate returned missing files {paths}"
        return f"wrote {len(paths)} file(s)"

    def do_demo() -> str:
        if app.demo is None:
            return "no demo (skipped)"
        (out / "demo").mkdir(parents=True, exist_ok=True)
        result = app.demo(DemoRequest(out / "demo", device, app=app, quiet=True, registry=registry, quick=True))
        assert result.pictures and all(Path(p).is_file() for p in result.pictures), "the demo returned no pictures, or missing ones"
        return f"{len(result.pictures)} picture(s): {result.title[:60]}"

    def do_errors() -> str:
        for over, word in (({"no_such_option_xyz": "1"}, "no_such_option_xyz"), ({"steps": "-5"}, "steps")):
            try:
                resolve(app.name, app.config, app_defaults=app.core_defaults, overrides=over)
            except UserError as e:
                assert "\n" not in str(e) and word in str(e), f"error does not name {word!r} in one line: {e}"
                continue
            raise AssertionError(f"--set {over} was accepted")
        return "unknown option and negative steps refused in one line"

    for name, fn in (("train", do_train), ("resume", do_resume), ("reload", do_reload), ("evaluate", do_evaluate),
                     ("generate", do_generate), ("demo", do_demo), ("errors", do_errors)):
        step(name, fn)
    return results
