"""Where the fakes come from, each source sampled once and cached in the run directory.

A SOURCE of `--set fakes=...` / `holdout=...` is
- a gansuite run directory of image-generation: samples of its (EMA) generator, through the
  application's public `generate` (raw samples written to .npy), quantised to 8 bits;
- a gansuite run directory of super-resolution: the real images downscaled by the run's scale and
  upscaled by its generator (the "upscaled real images" kind of fake, Wang et al.'s SAN row);
- a folder of generated images.
With `fakes` empty, the run trains its own forgers: short image-generation runs (one per
`forgers` entry, model:loss) on the real training images, in RUN/forgers/NAME, reused when present.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from gansuite_core import GenerateRequest, UserError, load_run, preserved_rng, train_app, write_atomic

from . import data
from .config import FakeDetectionConfig

GENERATORS = ("image-generation", "super-resolution")


@dataclass(frozen=True)
class Source:
    name: str  # short unique name used in reports
    kind: str  # image-generation | super-resolution | folder
    path: Path  # run directory or folder
    heldout: bool  # kept out of training
    steps: int = 0  # training steps of an own forger


def is_run(path: Path) -> bool:
    return (path / "config.toml").is_file()


def _names(paths: list[Path]) -> list[str]:
    names: list[str] = []
    for p in paths:
        base = p.name or str(p)
        names.append(base if base not in names else f"{base}-{len(names)}")
    return names


def _kind(path: Path, registry) -> str:
    if not path.exists():
        raise UserError(f"fakes: {path}: no such run directory or folder")
    if not is_run(path):
        return "folder"
    run = load_run(path, registry=registry)
    if run.app.name not in GENERATORS:
        raise UserError(f"fakes: {path} is a run of {run.app.name!r}; expected image-generation or super-resolution runs, or a folder")
    return run.app.name


def plan(cfg: FakeDetectionConfig, run_dir: Path | None, registry) -> list[Source]:
    """The fake sources of `cfg`, held-out ones last; own forgers are named `own-MODEL-LOSS`."""
    hold = [s.strip() for s in cfg.holdout.split(",") if s.strip()]
    if not cfg.fakes:
        if run_dir is None:
            raise UserError("fakes: own forgers need a run directory; name fakes=SOURCE[,SOURCE...] instead")
        specs = cfg.forger_specs()
        names = [f"own-{s.split(':')[0]}-{s.split(':')[1]}" for s in specs]
        held = set(hold) if hold else {names[-1]}
        unknown = held - set(names)
        if unknown:
            raise UserError(f"holdout: {sorted(unknown)[0]!r} is not one of this run's own forgers ({', '.join(names)})")
        if held >= set(names):
            raise UserError("holdout: at least one forger must be left for training")
        out = [Source(n, "own", run_dir / "forgers" / n, n in held, int(s.split(":")[2]) if s.count(":") == 2 else cfg.forger_steps)
               for n, s in zip(names, specs)]
        return sorted(out, key=lambda s: s.heldout)
    seen = [Path(s.strip()).expanduser() for s in cfg.fakes.split(",") if s.strip()]
    held_paths = [Path(h).expanduser() for h in hold if Path(h).expanduser() not in seen]
    held_names = {h for h in hold}
    paths = seen + held_paths
    names = _names(paths)
    out = []
    for p, n in zip(paths, names):
        heldout = p in held_paths or n in held_names or str(p) in held_names
        out.append(Source(n, _kind(p, registry), p, heldout))
    if all(s.heldout for s in out):
        raise UserError("holdout: every fake source is held out; leave at least one in fakes= for training")
    return sorted(out, key=lambda s: s.heldout)


def train_forgers(cfg: FakeDetectionConfig, sources: list[Source], real_train: np.ndarray, registry, quiet: bool) -> None:
    """Train the own forgers that are not yet finished, on the real training images written as PNGs."""
    todo = [s for s in sources if s.kind == "own" and not (s.path / "DONE").is_file()]
    if not todo:
        return
    folder = todo[0].path.parent / "real"
    if not folder.is_dir():
        tmp = Path(tempfile.mkdtemp(dir=todo[0].path.parent.parent))
        for i, img in enumerate(real_train):
            cv2.imwrite(str(tmp / f"{i:05d}.png"), img[..., ::-1])
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(folder)
    size = cfg.size if cfg.size in (32, 64) else 32  # image-generation's sizes; standard() resizes the samples
    for s in todo:
        model, loss = s.name.split("-", 2)[1:]
        shutil.rmtree(s.path, ignore_errors=True)  # a forger interrupted half-way starts again
        if not quiet:
            print(f"fake-detection: training forger {s.name} ({s.steps} steps)", file=sys.stderr)
        t0 = time.process_time()
        with preserved_rng():  # the detector's own random streams do not depend on whether forgers were cached
            train_app("image-generation", s.path, registry=registry, quiet=True, data=str(folder), size=size, model=model,
                      loss=loss, steps=s.steps, batch=32, g_width=cfg.forger_width, d_width=cfg.forger_width,
                      n_critic=5 if loss == "wgan-gp" else 1, sample_every=s.steps,
                      checkpoint_every=s.steps, log_every=max(1, s.steps // 10), device="cpu")
        write_atomic(s.path / "DONE", json.dumps({"cpu_seconds": round(time.process_time() - t0, 1)}) + "\n")


@torch.no_grad()
def _sample_gan(path: Path, n: int, size: int, registry, seed: int) -> np.ndarray:
    """n samples of an image-generation run, through its public `generate` (raw (N, C, H, W) floats in [-1, 1])."""
    run = load_run(path, registry=registry, device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "samples.npy"
        run.app.generate(run, GenerateRequest(n, out=out, seed=seed, device=torch.device("cpu"), options=None))
        return data.from_samples(np.load(out), size)


@torch.no_grad()
def _upscale(path: Path, real: np.ndarray, registry) -> np.ndarray:
    """Real images, bicubic-downscaled by the run's scale, then upscaled by its generator."""
    run = load_run(path, registry=registry, device="cpu")
    scale, G = run.config.options.scale, run.net("G")
    h = real.shape[1]
    low = np.stack([cv2.resize(a, (h // scale, h // scale), interpolation=cv2.INTER_CUBIC) for a in real])
    out = []
    for k in range(0, len(low), 64):
        x = torch.from_numpy(low[k:k + 64]).permute(0, 3, 1, 2).float().div(255)  # (B, 3, h/s, h/s) in [0, 1]
        y = G(x).clamp(0, 1).mul(255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
        out += [data.standard(a, h) for a in y]
    return np.stack(out)


def fake_images(cfg: FakeDetectionConfig, source: Source, real: np.ndarray, cache: Path | None, registry, index: int) -> np.ndarray:
    """(N, size, size, 3) uint8 fakes of one source, cached as RUN/fakes/NAME.npy."""
    file = cache / f"{source.name}.npy" if cache is not None else None
    if file is not None and file.is_file():
        return np.load(file)
    if source.kind in ("own", "image-generation"):
        x = _sample_gan(source.path, cfg.n_fake, cfg.size, registry, seed=1000 + index)
    elif source.kind == "super-resolution":
        x = _upscale(source.path, real[:cfg.n_fake], registry)
    else:
        x = data.read_folder(source.path, cfg.size, cfg.n_fake, "fakes")
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        np.save(file, x)
    return x


def describe(sources: list[Source]) -> dict[str, dict[str, object]]:
    return {s.name: {"kind": s.kind, "path": str(s.path), "heldout": s.heldout} for s in sources}


def load_all(cfg: FakeDetectionConfig, run_dir: Path | None, registry, quiet: bool = True):
    """(real images, real description, sources, {name: fake images}); forgers trained and fakes cached on first use."""
    real, real_desc = data.real_images(cfg.real, cfg.size, cfg.n_real)
    train_idx, _ = data.split(len(real), cfg.test_fraction, 0)
    sources = plan(cfg, run_dir, registry)
    train_forgers(cfg, sources, real[train_idx], registry, quiet)
    cache = run_dir / "fakes" if run_dir is not None else None
    fakes = {s.name: fake_images(cfg, s, real, cache, registry, i) for i, s in enumerate(sources)}
    if run_dir is not None:
        (run_dir / "fakes").mkdir(parents=True, exist_ok=True)
        write_atomic(run_dir / "fakes" / "sources.json", json.dumps(describe(sources), indent=2))
    return real, real_desc, sources, fakes
